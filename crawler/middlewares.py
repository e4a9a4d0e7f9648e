"""Downloader middlewares: where requests may go, how many, and how retries back off."""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)


def is_ip_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def url_is_safe(url: str, domains: list[str]) -> bool:
    """http(s) only, a host name (never an IP address), inside one of the configured domains."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host or is_ip_host(host):
        return False
    return any(host == d or host.endswith("." + d) for d in domains)


class SafeUrlMiddleware:
    """Drops every request outside the configured domains: links, redirect targets and robots.txt alike."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        if not url_is_safe(request.url, domains):
            self.crawler.stats.inc_value("fanwen/blocked_unsafe_url")
            logger.info("blocked request outside the configured domains: %s", request.url)
            raise IgnoreRequest(f"outside configured domains: {request.url}")
        return None


class RequestBudgetMiddleware:
    """Stops the crawl after FANWEN_MAX_REQUESTS page requests (robots.txt and retries not counted)."""

    def __init__(self, crawler, budget: int):
        self.crawler = crawler
        self.budget = budget
        self.count = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getint("FANWEN_MAX_REQUESTS", 0))

    def process_request(self, request, spider=None):
        if not self.budget or urlsplit(request.url).path == "/robots.txt" or request.meta.get("budget_counted"):
            return None
        if self.count >= self.budget:
            if not self.closing:
                self.closing = True
                self._close("budget_reached")
            raise IgnoreRequest("request budget reached")
        request.meta["budget_counted"] = True
        self.count += 1
        self.crawler.stats.set_value("fanwen/budget_used", self.count)
        return None


    def _close(self, reason: str) -> None:
        engine = self.crawler.engine
        if hasattr(engine, "close_spider_async"):  # Scrapy >= 2.14
            from scrapy.utils.defer import deferred_from_coro
            deferred_from_coro(engine.close_spider_async(reason=reason))
        else:
            engine.close_spider(self.crawler.spider, reason)


def retry_after_seconds(value, now: float | None = None) -> float | None:
    """A Retry-After header (delta-seconds or an HTTP date) -> seconds to wait, or None when absent or unreadable."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def _is_timeout(reason) -> bool:
    from twisted.internet.error import TimeoutError as TwistedTimeoutError
    if isinstance(reason, type):
        return issubclass(reason, (TimeoutError, TwistedTimeoutError)) or "Timeout" in reason.__name__
    return isinstance(reason, (TimeoutError, TwistedTimeoutError)) or "Timeout" in type(reason).__name__


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, each one sent after an exponential pause (base * 2**(n-1), capped) instead of at once.

    A 429/503 with Retry-After pauses that site's download slot (every request to the site, not only the retried
    one) for the time asked, capped by FANWEN_RETRY_AFTER_MAX; the retry is sent after that pause. A URL that timed
    out is retried in the site's slow lane (one request at a time beside the site's normal slots).
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("FANWEN_RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("FANWEN_RETRY_BACKOFF_MAX", 120.0)
        self.retry_after_max = settings.getfloat("FANWEN_RETRY_AFTER_MAX", 120.0)
        self.paused_until: dict[str, float] = {}

    def _retry(self, request, reason):
        new = super()._retry(request, reason)
        if new is not None:
            backoff = min(self.cap, self.base * (2 ** (new.meta.get("retry_times", 1) - 1)))
            new.meta["backoff_delay"] = max(backoff, new.meta.pop("retry_after", 0) or 0)
            if _is_timeout(reason):
                self._slow_lane(new)
        return new

    def _slow_lane(self, request) -> None:
        """A URL that timed out is retried in its site's slow lane, a download slot of its own with one request at a
        time, so slow URLs never again hold the site's normal slots for a whole DOWNLOAD_TIMEOUT."""
        try:
            downloader = self.crawler.engine.downloader
            key = f"{urlsplit(request.url).hostname or ''} (slow lane)"
            downloader.per_slot_settings.setdefault(key, {"concurrency": 1})
        except AttributeError:  # another Scrapy's internals: retried in the normal slot
            return
        request.meta["download_slot"] = key
        self.crawler.stats.inc_value("fanwen/slow_lane_retries")

    def process_response(self, request, response, spider=None):
        if response.status in (429, 503):
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait:
                wait = min(wait, self.retry_after_max)
                request.meta["retry_after"] = wait
                self._pause_site(request, wait)
                self.crawler.stats.inc_value("fanwen/retry_after_pauses")
        return super().process_response(request, response)

    def _pause_site(self, request, wait: float) -> None:
        """Hold the site's download slot for `wait` seconds (Scrapy's own mechanism for DOWNLOAD_DELAY)."""
        try:
            from scrapy.utils.asyncio import call_later
            downloader = self.crawler.engine.downloader
            key = request.meta.get("download_slot") or downloader.get_slot_key(request)
            slot = downloader.slots.get(key)
            until = time.monotonic() + wait
            if slot is None or self.paused_until.get(key, 0) >= until:
                return
            if slot.latercall:
                slot.latercall.cancel()
            slot.latercall = call_later(wait, downloader._latercall, slot)
            self.paused_until[key] = until
            logger.info("%s asked to wait %.0f s (Retry-After): pausing the site", key, wait)
        except (AttributeError, ImportError):  # another Scrapy's internals: the retried request still waits
            return

    async def process_request(self, request, spider=None):
        delay = request.meta.pop("backoff_delay", None)
        if delay:
            await asyncio.sleep(delay)
        return None
