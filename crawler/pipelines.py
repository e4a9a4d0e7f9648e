"""Item pipelines: the CPU stages in a process pool, then the single writer (dedup + store)."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import logging
import sys

from scrapy import signals
from scrapy.exceptions import DropItem

from cleaners.usable import unusable_kind
from crawler.siteconfig import DEMO_SUFFIX
from fanwen import health
from fanwen.store import Corpus, CorpusError
from fanwen.workers import PageTimeout, document_from_dict, make_pool, process_item

logger = logging.getLogger(__name__)


def drop_unusable(crawler, site: str | None, url: str, reason: str) -> None:
    """A page that is no document (Document.unusable) is counted, per site too, and dropped before storage (here or
    before the Redis queue of a distributed crawl)."""
    st = crawler.stats
    st.inc_value("fanwen/unusable_pages")
    st.inc_value(f"fanwen/unusable/{unusable_kind(reason)}")
    st.inc_value(health.key(site or "unknown", "unusable_pages"))
    logger.info("unusable page %s: %s", url, reason)
    raise DropItem(f"unusable page {url}: {reason}", log_level="INFO")


class ProcessPipeline:
    """extract -> clean -> normalise -> classify, off the reactor thread."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = self.crawler.spider
        s = self.crawler.settings
        self.pool = make_pool(s.getint("FANWEN_WORKERS", 2), demo_suffix=DEMO_SUFFIX if spider.demo else None,
                              seeds_dir=spider.seeds, threshold=s.getfloat("FANWEN_RELEVANCE_THRESHOLD", 0.5),
                              sites_dir=getattr(spider, "sites_dir", None),
                              max_chars=s.getint("FANWEN_MAX_PAGE_CHARS", 1_000_000),
                              timeout=s.getfloat("FANWEN_EXTRACT_TIMEOUT", 30.0), corpus=s.get("FANWEN_DB"))

    def close_spider(self, spider=None):
        if self.pool:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item, spider=None):
        try:
            result = await asyncio.wrap_future(self.pool.submit(process_item, dict(item)))
        except (Exception, PageTimeout) as exc:  # a page that breaks the extractor is logged and counted, never fatal
            self.crawler.stats.inc_value("fanwen/extract_errors")
            if item.get("site"):
                self.crawler.stats.inc_value(health.key(item["site"], "extract_errors"))
            logger.error("extraction failed for %s: %s", item.get("url"), exc)
            raise DropItem(f"extraction failed: {exc}") from None
        item = dict(item)
        item["document"] = result
        return item


class StorePipeline:
    """The single writer: each document with its raw pages in one transaction, then placed in a cluster.

    SQLite writes and near-duplicate placement run on one dedicated writer thread (the connection lives there), so the
    reactor thread never waits on disk or dedup either.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.corpus: Corpus | None = None
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fanwen-writer")
        self.crawl_id = None
        self.new = 0
        self.duplicates = 0

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        # the crawl log is closed on spider_closed, the first moment the finish reason is known
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def _open(self, db: str, sites: list[str], command: str) -> int:
        self.corpus = Corpus(db)
        return self.corpus.begin_crawl(sites, command=command)

    def open_spider(self, spider=None):
        spider = self.crawler.spider
        self.crawl_id = self.writer.submit(self._open, self.crawler.settings.get("FANWEN_DB"),
                                           sorted(spider.site_configs), "demo" if spider.demo else "crawl").result()
        self.crawler.stats.set_value("fanwen/crawl_id", self.crawl_id)

    async def process_item(self, item, spider=None):
        doc = document_from_dict(item["document"])
        if doc.unusable:
            drop_unusable(self.crawler, item.get("site") or doc.site, doc.url, doc.unusable)
        pages = [tuple(p) for p in item["pages"]]
        try:
            stats = await asyncio.wrap_future(self.writer.submit(self.corpus.add_documents, [(doc, pages)],
                                                                 self.crawl_id))
        except CorpusError as exc:  # counted as a storage error, and the crawl goes on
            self.crawler.stats.inc_value("fanwen/storage_errors")
            self.crawler.stats.inc_value(health.key(doc.site or item.get("site") or "?", "storage_errors"))
            logger.error("could not store %s: %s", doc.url, exc)
            raise DropItem(f"storage failed: {exc}") from None
        if stats["new"]:
            self.crawler.stats.inc_value(health.key(doc.site, "documents"))
            if doc.label == "speech":
                self.crawler.stats.inc_value(health.key(doc.site, "speeches"))
        self.new += stats["new"]
        self.duplicates += stats["duplicates"]
        self.crawler.stats.inc_value("fanwen/new_documents", stats["new"])
        self.crawler.stats.inc_value("fanwen/exact_duplicates", stats["duplicates"])
        if self.crawler.settings.getbool("FANWEN_PROGRESS"):
            self._progress()
        return {"url": doc.url, "title": doc.title, "label": doc.label, "chars": len(doc.text)}

    def _progress(self) -> None:
        requests = self.crawler.stats.get_value("downloader/request_count", 0)
        line = f"  {requests} requests, {self.new} new documents"
        if sys.stderr.isatty():
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif self.new % 50 == 0:
            print(line, file=sys.stderr, flush=True)

    def _finish(self, status: str, values: dict, stats: dict) -> None:
        values.update(health.record_crawl(self.corpus.db, self.crawl_id, stats))
        self.corpus.finish_crawl(self.crawl_id, status, **values)
        self.corpus.close()

    def spider_closed(self, spider, reason):
        if self.corpus is None:
            return
        st = self.crawler.stats
        status = {"finished": "finished", "shutdown": "interrupted", "budget_reached": "budget_reached"}.get(
            reason, reason)
        # errors (by kind, robots-blocked apart) come from the per-site counters: fanwen.health.record_crawl
        values = dict(requests=st.get_value("downloader/request_count", 0), new_documents=self.new,
                      duplicates=self.duplicates, skipped_known=st.get_value("fanwen/skipped_known", 0),
                      unusable=st.get_value("fanwen/unusable_pages", 0))
        self.writer.submit(self._finish, status, values, dict(st.get_stats())).result()
        self.writer.shutdown(wait=True)
