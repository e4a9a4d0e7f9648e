"""The one generic spider: every site is a config file (crawler/sites/*.toml), not a spider class.

    scrapy crawl fanwen -a sites=caiyes,sanweiyuan [-a seeds=DIR] [-a focused=0] [-a demo=1]

Discovery: list pages (start URLs, pagination, channels), sitemaps and the site search; article links are scheduled
with a priority from their anchor text's relevance (a focused crawl). Incremental: article URLs already in corpus.db
are never fetched again, and paging down a list stops at a page whose articles are all stored. An article split
over several pages is fetched page by page and yielded as one item.
"""
from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import scrapy
from scrapy.http import HtmlResponse, Request, TextResponse

from cleaners.decode import binary_kind, decode_bytes
from crawler.links import denied_branch, page_links
from crawler.middlewares import url_is_safe
from crawler.siteconfig import DEMO_SUFFIX, SiteConfig, load_sites
from fanwen.relevance import load_model
from fanwen.store import Corpus, CorpusError

logger = logging.getLogger(__name__)



def _seen_urls(response, kind: str) -> list[tuple[str, str]]:
    """The URLs this response was reached through (Scrapy's redirect chain), then the one it came from."""
    return [(u, "redirect") for u in response.meta.get("redirect_urls", [])] + [(response.url, kind)]


def _truthy(value) -> bool:
    return str(value).strip().lower() not in ("0", "false", "no", "off", "")


def content_type(response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None


def as_received(response) -> tuple[str, bytes, str | None]:
    """A page for the item: its URL, the body bytes as received and the Content-Type (decoded in the pipeline)."""
    return (response.url, response.body, content_type(response))


def redecoded(response: TextResponse) -> TextResponse:
    """The response read with the one decoder's choice of encoding (cleaners.decode), so links and their anchor
    texts come from the same text the pipeline extracts; Scrapy's own choice trusts a declaration that is wrong."""
    if not response.body or binary_kind(response.body):  # no text to read links from (counted as unusable later)
        return response
    enc = decode_bytes(response.body, content_type(response)).encoding
    if enc == response.encoding:
        return response
    return response.replace(encoding=enc)


class FanwenSpider(scrapy.Spider):
    name = "fanwen"

    def __init__(self, sites: str | None = None, sites_dir: str | None = None, demo: str = "0",
                 focused: str = "1", seeds: str | None = None, search: str = "1", db: str | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        configs = load_sites(sites_dir)
        self.sites_dir = sites_dir  # the extraction workers load the same configs
        wanted = [s.strip() for s in (sites or "").split(",") if s.strip()]
        unknown = [s for s in wanted if s not in configs]
        if unknown:
            raise ValueError(f"unknown site(s): {', '.join(unknown)}; known: {', '.join(sorted(configs))}")
        chosen = {n: c for n, c in configs.items() if (n in wanted if wanted else c.start_urls)}
        self.demo = _truthy(demo)
        if self.demo:
            chosen = {n: c.rehost(DEMO_SUFFIX) for n, c in chosen.items()}
        self.site_configs: dict[str, SiteConfig] = chosen
        self.allowed_domains = sorted({d for c in chosen.values() for d in c.domains})
        self.focused = _truthy(focused)
        self.use_search = _truthy(search)
        self.seeds = seeds
        self.db_path = db
        self.model = load_model(seeds)
        self.known: set[str] = set()
        self.stop_at_stored_lists = True
        self.catch_up_pages: list[tuple[str, str, str]] = []  # (url, html, site) stored by a crawl cut short
        self.scheduled: set[str] = set()  # canonical URLs already requested in this run

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        kwargs.setdefault("db", crawler.settings.get("FANWEN_DB"))
        if crawler.settings.get("FANWEN_SITES_DIR") and not kwargs.get("sites_dir"):
            kwargs["sites_dir"] = crawler.settings.get("FANWEN_SITES_DIR")
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not spider.focused:
            # plain breadth-first order, for comparison with the focused crawl
            crawler.settings.frozen = False
            crawler.settings.set("DEPTH_PRIORITY", 1, priority="spider")
            crawler.settings.set("SCHEDULER_DISK_QUEUE", "scrapy.squeues.PickleFifoDiskQueue", priority="spider")
            crawler.settings.set("SCHEDULER_MEMORY_QUEUE", "scrapy.squeues.FifoMemoryQueue", priority="spider")
        return spider

    # ------------------------------------------------------------------ start
    def _load_known(self) -> None:
        if self.db_path and Path(self.db_path).exists():
            try:
                corpus = Corpus(self.db_path, readonly=True, timeout=10)
                self.known = corpus.known_urls()
                this_crawl = self.crawler.stats.get_value("fanwen/crawl_id")
                last = corpus.last_crawl_status(this_crawl)
                # after a crawl cut short, list pages below an all-stored page may still hold unfetched articles, and
                # the pages it stored hold links it never followed: page every list, re-read those stored pages
                self.stop_at_stored_lists = last in (None, "finished")
                if not self.stop_at_stored_lists:
                    self.catch_up_pages = corpus.pages_since_last_finished_crawl(this_crawl)
                    logger.info("previous crawl ended %r: paging every list and re-reading %d stored pages",
                                last, len(self.catch_up_pages))
                corpus.close()
            except (CorpusError, sqlite3.Error) as exc:  # a fresh or foreign db: crawl everything
                logger.warning("could not read stored URLs from %s: %s", self.db_path, exc)
        self.crawler.stats.set_value("fanwen/known_urls", len(self.known))

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        self._load_known()
        for site in self.site_configs.values():
            for url in site.start_urls:
                yield Request(url, callback=self.parse_list, priority=1000 if self.focused else 0,
                              meta={"site": site.name, "list_root": True})
            for url in site.sitemaps:
                yield Request(url, callback=self.parse_sitemap, meta={"site": site.name})
            for url, html, name in self.catch_up_pages:
                if name == site.name:
                    stored = HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8",
                                          request=Request(url, meta={"site": name}))
                    yield from self._follow(stored, site, follow_lists=True)
            if site.search and self.focused and self.use_search:
                for kw in self.model.search_keywords(3):
                    yield Request(site.search.format(query=quote(kw)), callback=self.parse_list, priority=900,
                                  meta={"site": site.name, "search": kw})

    # ------------------------------------------------------------------ links
    def _links(self, response: TextResponse, site: SiteConfig) -> dict[str, list[str]]:
        return page_links(response, site)

    def _priority(self, anchors: list[str], context: str = "") -> int:
        """0..100 from the link's best anchor against the relevance profile (the focused crawl)."""
        if not self.focused:
            return 0
        return int(round(100 * max(self.model.score_link(a, context) for a in (anchors or [""]))))

    def _denied_branch(self, site: SiteConfig, anchors: list[str]) -> bool:
        return self.focused and denied_branch(site, anchors, self.model)

    def _follow(self, response: TextResponse, site: SiteConfig, follow_lists: bool):
        """Article requests for every unseen article link; list requests unless the page holds only stored articles."""
        context = response.css("title::text").get(default="")
        articles, lists, stored = [], [], 0
        for url, anchor in self._links(response, site).items():
            if site.is_article(url):
                canonical = site.canonical_url(url)
                if canonical in self.known or url in self.known:
                    stored += 1
                    continue
                if canonical in self.scheduled:
                    continue
                self.scheduled.add(canonical)
                articles.append((url, canonical, anchor))
            elif site.is_list(url):
                lists.append((url, anchor))
        self.crawler.stats.inc_value("fanwen/skipped_known", stored)
        for url, canonical, anchor in articles:
            yield Request(url, callback=self.parse_article, priority=self._priority(anchor, context),
                          meta={"site": site.name, "canonical": canonical, "anchor": anchor})
        if not follow_lists:
            return
        if stored and not articles and self.stop_at_stored_lists:
            # incremental: this list page holds only stored articles, so the pages below it are stored too
            self.crawler.stats.inc_value("fanwen/list_stops")
            return
        for url, anchor in lists:
            if self._denied_branch(site, anchor):
                self.crawler.stats.inc_value("fanwen/denied_branches")
                continue
            yield Request(url, callback=self.parse_list, meta={"site": site.name},
                          priority=(self._priority(anchor, context) // 2 + 50) if self.focused else 0)

    def parse_list(self, response):
        if not isinstance(response, TextResponse):
            return
        response = redecoded(response)
        site = self.site_configs[response.meta["site"]]
        yield from self._follow(response, site, follow_lists=True)

    def parse_sitemap(self, response):
        site = self.site_configs[response.meta["site"]]
        for url in response.xpath("//*[local-name()='loc']/text()").getall():
            url = url.strip()
            if not url_is_safe(url, site.domains) or site.is_denied(url):
                continue
            if site.is_article(url):
                canonical = site.canonical_url(url)
                if canonical in self.known or canonical in self.scheduled:
                    continue
                self.scheduled.add(canonical)
                yield Request(url, callback=self.parse_article, meta={"site": site.name, "canonical": canonical})
            elif site.is_list(url):
                yield Request(url, callback=self.parse_list, meta={"site": site.name})

    # ------------------------------------------------------------------ articles
    def _further_pages(self, response: TextResponse, site: SiteConfig, article_id: str) -> list[str]:
        """URLs of pages 2.. of the same article linked from this page, in page order."""
        pages = {}
        for url in self._links(response, site):
            found = site.article_id(url)
            if found and found[0] == article_id and found[1] > 1:
                pages.setdefault(found[1], url)
        return [pages[p] for p in sorted(pages)]

    def parse_article(self, response):
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("fanwen/not_text")
            return
        response = redecoded(response)
        site = self.site_configs[response.meta["site"]]
        canonical = response.meta.get("canonical") or site.canonical_url(response.url)
        found = site.article_id(response.url)
        remaining = self._further_pages(response, site, found[0]) if found else []
        pages = [as_received(response)]
        seen = _seen_urls(response, "fetched")
        # related-article lists on article pages lead to more articles (no list paging from here)
        yield from self._follow(response, site, follow_lists=False)
        yield from self._next_page_or_item(site, canonical, pages, remaining, response.meta.get("priority", 0), seen)

    def _next_page_or_item(self, site, canonical, pages, remaining, priority=0, seen=()):
        if remaining:
            yield Request(remaining[0], callback=self.parse_article_page, errback=self.article_page_failed,
                          priority=priority + 200,
                          meta={"site": site.name, "canonical": canonical, "pages": pages,
                                "remaining": remaining[1:], "seen_urls": list(seen)})
        else:
            yield {"url": canonical, "site": site.name, "pages": pages, "seen_urls": list(seen),
                   "fetched_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat()}

    def parse_article_page(self, response):
        site = self.site_configs[response.meta["site"]]
        if isinstance(response, TextResponse):
            response = redecoded(response)
        pages = response.meta["pages"] + ([as_received(response)] if isinstance(response, TextResponse) else [])
        seen_urls = response.meta.get("seen_urls", []) + _seen_urls(response, "page")
        seen = {p[0] for p in pages}
        remaining = [u for u in response.meta["remaining"] if u not in seen]
        found = site.article_id(response.url)
        if found and isinstance(response, TextResponse):
            # a page may link further pages that page 1 did not show (Discuz shows a window of page links)
            for url in self._further_pages(response, site, found[0]):
                if url not in seen and url not in remaining:
                    remaining.append(url)
        remaining.sort(key=lambda u: (site.article_id(u) or ("", 0))[1])
        yield from self._next_page_or_item(site, response.meta["canonical"], pages, remaining, seen=seen_urls)

    def article_page_failed(self, failure):
        """A later page could not be fetched: keep the pages we have (the cleaners flag a cut text)."""
        request = failure.request
        self.crawler.stats.inc_value("fanwen/article_page_errors")
        site = self.site_configs[request.meta["site"]]
        yield from self._next_page_or_item(site, request.meta["canonical"], request.meta["pages"],
                                           request.meta["remaining"], seen=request.meta.get("seen_urls", []))
