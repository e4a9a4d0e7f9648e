"""`scrapy crawl fanwen` takes the one-writer lock on FANWEN_DB too (fanwen/lock.py), for the whole crawl.

`fanwen crawl` holds the lock in its own process and tells the Scrapy child so (FANWEN_LOCK_HELD). A crawl that
cannot have the lock, or whose database cannot be written, stops before anything starts with one line on stderr
and exit code 1.
"""
from __future__ import annotations

import logging
import os
import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured

from fanwen.store import CorpusError

logger = logging.getLogger(__name__)


class WriterLockExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.lock = None
        from fanwen.lock import acquire_writer
        try:
            self.lock = acquire_writer(crawler.settings.get("FANWEN_DB"), "crawl")
        except CorpusError as exc:
            print(f"Error: {exc}", file=sys.stderr, flush=True)
            os._exit(1)  # before the engine starts: nothing to close, and no Twisted traceback for one line
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.getbool("FANWEN_LOCK_HELD") or not crawler.settings.get("FANWEN_DB"):
            raise NotConfigured
        return cls(crawler)

    def spider_opened(self, spider):
        self.lock.note(crawl_id=self.crawler.stats.get_value("fanwen/crawl_id"))

    def spider_closed(self, spider, reason):
        if self.lock is not None:
            self.lock.release()
