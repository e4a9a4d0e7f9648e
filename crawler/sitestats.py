"""Scrapy components that count crawl health per site, as `fanwen/site/<site>/<kind>` stats (see fanwen.health)."""
from __future__ import annotations

import time

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest

from fanwen.health import key

ARTICLE_CALLBACKS = ("parse_article", "parse_article_page")
LIST_CALLBACKS = ("parse_list", "parse_sitemap")


def _site_of(request) -> str | None:
    return request.meta.get("site") if request is not None else None


class SiteStats:
    """Extension: per-site requests and first/last activity times (the `seconds` column)."""

    def __init__(self, crawler):
        self.stats = crawler.stats
        crawler.signals.connect(self.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def request_reached(self, request, spider=None):
        site = _site_of(request)
        if site:
            self.stats.inc_value(key(site, "requests"))
            if self.stats.get_value(key(site, "first_ts")) is None:
                self.stats.set_value(key(site, "first_ts"), round(time.time(), 3))

    def response_received(self, response, request, spider=None):
        site = _site_of(request)
        if site:
            self.stats.set_value(key(site, "last_ts"), round(time.time(), 3))

    def spider_closed(self, spider=None, reason=None):
        peak = peak_rss_bytes()
        if peak is not None:
            self.stats.set_value("fanwen/peak_rss", peak)


def peak_rss_bytes() -> int | None:
    """This process's own peak resident memory (VmHWM), or None off Linux.

    Scrapy's memusage/* stats read ru_maxrss, which Linux carries across fork + exec: a crawl started from a large
    parent (a test runner, a notebook) reports the parent's peak. VmHWM belongs to the process's own address space.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


class SiteResponsesMiddleware:
    """Spider middleware before HttpErrorMiddleware: counts every final response per site (list and article pages
    fetched, HTTP errors by status, after retries)."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_spider_input(self, response, spider=None):
        request = response.request
        site = _site_of(request)
        if not site:
            return None
        if response.status >= 400:
            self.stats.inc_value(key(site, f"http_{response.status}"))
            return None
        callback = getattr(request.callback, "__name__", "")
        if callback in ARTICLE_CALLBACKS:
            self.stats.inc_value(key(site, "article_pages"))
        elif callback in LIST_CALLBACKS:
            self.stats.inc_value(key(site, "list_pages"))
        return None


class SiteDownloadErrorsMiddleware:
    """Downloader middleware outside RetryMiddleware: a download failure that survived every retry, per site."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_exception(self, request, exception, spider=None):
        site = _site_of(request)
        if site and not isinstance(exception, IgnoreRequest):
            self.stats.inc_value(key(site, "download_errors"))
        return None


class SiteRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, counting the URLs it blocks per site (apart from the errors)."""

    def process_request_2(self, rp, request):
        try:
            return super().process_request_2(rp, request)
        except IgnoreRequest:
            site = _site_of(request)
            if site:
                self._stats.inc_value(key(site, "robots_blocked"))
            raise
