"""The crawler side of a distributed crawl (scrapy-redis): frontier with in-flight tracking, the push to the writer,
and the extension that keeps a crawler's heartbeat. The writer and the Redis keys: fanwen.distributed."""
from __future__ import annotations

import json
import logging
import os
import time
import warnings

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, ScrapyDeprecationWarning
from scrapy_redis.queue import PriorityQueue

from fanwen.distributed import (CLOSED, CRAWL, CRAWLERS, FIRST_TS, HEARTBEAT_TTL, ITEMS, KNOWN, LAST_TS,
                                REDIS_PATIENCE, REQUESTS, SCHEDULED, STATS, DistributedError, connect, crawler_id, encode_item, heartbeat_key,
                                inflight_key, live_crawlers, recover_dead_crawlers)
from fanwen.health import PREFIX

logger = logging.getLogger(__name__)
# scrapy-redis 0.9.1 still passes spider= to the stats collector; nothing for the user to act on
warnings.filterwarnings("ignore", message="Passing a 'spider' argument", category=ScrapyDeprecationWarning)
warnings.filterwarnings("ignore", message=r"Spider.log\(\) is deprecated", category=ScrapyDeprecationWarning)


class RedisSet:
    """A Redis set seen by the spider as a Python set: `url in known`, `scheduled.add(url)`, `len(...)`."""

    def __init__(self, server, key: str):
        self.server, self.key = server, key

    def __contains__(self, value) -> bool:
        return bool(self.server.sismember(self.key, value))

    def add(self, value) -> None:
        self.server.sadd(self.key, value)

    def __len__(self) -> int:
        return int(self.server.scard(self.key))


class InflightPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue; a popped request stays in this crawler's in-flight set until handled."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.inflight = inflight_key(spider.crawler.fanwen_crawler_id)
        # one atomic move: the request is in the frontier or in this crawler's in-flight set, never nowhere
        self._move = server.register_script(
            "local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES') "
            "if #r == 0 then return nil end "
            "redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0) "
            "redis.call('ZADD', KEYS[2], r[2], r[1]) return r[1]")

    def push(self, request):
        previous = request.meta.pop("fanwen_inflight", None)  # a retry: the copy in the frontier replaces it
        super().push(request)
        if previous is not None:
            self.server.zrem(self.inflight, previous)

    def __len__(self):
        try:
            return super().__len__()
        except (redis.ConnectionError, redis.TimeoutError):
            return 1  # unknown while Redis is away: not idle, so the crawler does not end as 'finished'

    def pop(self, timeout=0):
        try:
            return self._pop()
        except (redis.ConnectionError, redis.TimeoutError) as exc:  # CrawlerPresence gives up after REDIS_PATIENCE
            logger.warning("redis unreachable: %s", exc)
            return None

    def _pop(self):
        data = self._move(keys=[self.key, self.inflight])
        if data is None:
            return None
        request = self._decode_request(data)
        request.meta["fanwen_inflight"] = data
        return request


def request_done(crawler, request) -> None:
    data = request.meta.pop("fanwen_inflight", None) if request is not None else None
    if data is not None:
        crawler.fanwen_redis.zrem(inflight_key(crawler.fanwen_crawler_id), data)


class InflightDownloaderMiddleware:
    """A request whose download failed for good (after retries, robots, budget) is handled: out of the in-flight set."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_exception(self, request, exception, spider=None):
        request_done(self.crawler, request)
        return None


class InflightSpiderMiddleware:
    """A response is handled once its callback's requests are in the frontier; an item's request is handled once the
    item is in the writer's queue (RedisPushPipeline)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _tag(self, response, output):
        if isinstance(output, dict) and response is not None and "fanwen_inflight" in response.request.meta:
            output["fanwen_inflight"] = response.request.meta.pop("fanwen_inflight")
        return output

    def process_spider_output(self, response, result, spider=None):
        for output in result:
            yield self._tag(response, output)
        if response is not None:
            request_done(self.crawler, response.request)

    async def process_spider_output_async(self, response, result, spider=None):
        async for output in result:
            yield self._tag(response, output)
        if response is not None:
            request_done(self.crawler, response.request)

    def process_spider_exception(self, response, exception, spider=None):
        if response is not None:
            request_done(self.crawler, response.request)
        return None


class RedisPushPipeline:
    """The crawler's last pipeline: the finished document and its raw pages go to the writer's queue."""

    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_dropped(self, item, response=None, exception=None, spider=None):
        data = item.pop("fanwen_inflight", None) if isinstance(item, dict) else None
        if data is not None:
            self.crawler.fanwen_redis.zrem(inflight_key(self.crawler.fanwen_crawler_id), data)

    def process_item(self, item, spider=None):
        if item["document"].get("unusable"):  # counted and dropped here, as StorePipeline does in a plain crawl
            from crawler.pipelines import drop_unusable
            drop_unusable(self.crawler, item.get("site") or item["document"].get("site"), item["url"],
                          item["document"]["unusable"])
        server = self.crawler.fanwen_redis
        inflight = item.pop("fanwen_inflight", None)
        pipe = server.pipeline()  # MULTI: the item is queued and its request handled in one step
        pipe.lpush(ITEMS, encode_item(item))
        if inflight is not None:
            pipe.zrem(inflight_key(self.crawler.fanwen_crawler_id), inflight)
        pipe.execute()
        self.crawler.stats.inc_value("fanwen/pushed_items")
        doc = item["document"]
        return {"url": doc.get("url"), "title": doc.get("title"), "label": doc.get("label"),
                "chars": len(doc.get("text") or "")}


class CrawlerPresence:
    """Extension of a crawler process: joins the writer's crawl, keeps its heartbeat, sums its per-site counters into
    Redis, puts dead crawlers' requests back in the frontier, and keeps the spider open while others still work."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = connect(crawler.settings.get("REDIS_URL"), patient=True)
        self.id = crawler_id()
        crawler.fanwen_redis = self.server
        crawler.fanwen_crawler_id = self.id
        self.pushed: dict[str, float] = {}
        self.loop = None
        self.state = "busy"
        self.unreachable_since: float | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        from twisted.internet import task

        crawl = self.server.hgetall(CRAWL)
        if not crawl:
            raise DistributedError("no crawl in Redis: start `fanwen write --redis URL --db corpus.db` first")
        spider.known = RedisSet(self.server, KNOWN)
        spider.scheduled = RedisSet(self.server, SCHEDULED)
        last = (crawl.get(b"last_status") or b"").decode() or None
        spider.stop_at_stored_lists = last in (None, "finished")
        self.server.sadd(CRAWLERS, self.id)
        self._beat()
        engine = self.crawler.engine
        if hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):
            # pick up requests that other crawlers add to the shared frontier within a second, not five
            engine._SLOT_HEARTBEAT_INTERVAL = 1.0
        self.loop = task.LoopingCall(self._tick)
        self.loop.start(1.0, now=False)

    def _beat(self) -> None:
        self.server.set(heartbeat_key(self.id), json.dumps({"pid": os.getpid(), "state": self.state}),
                        ex=HEARTBEAT_TTL)

    def _push_counters(self) -> None:
        pipe = self.server.pipeline(transaction=False)
        for k, v in self.crawler.stats.get_stats().items():
            if not (isinstance(k, str) and k.startswith(PREFIX) and isinstance(v, (int, float))):
                continue
            if k.endswith("/first_ts"):
                pipe.zadd(FIRST_TS, {k[len(PREFIX):-len("/first_ts")]: v}, lt=True)
            elif k.endswith("/last_ts"):
                pipe.zadd(LAST_TS, {k[len(PREFIX):-len("/last_ts")]: v}, gt=True)
            elif v != self.pushed.get(k, 0):
                pipe.hincrby(STATS, k, int(v - self.pushed.get(k, 0)))
                self.pushed[k] = v
        pipe.execute()

    def _tick(self) -> None:
        try:
            self.state = "idle" if self.crawler.engine.spider_is_idle() else "busy"
            self._beat()
            self._push_counters()
            recover_dead_crawlers(self.server)
            if not self.server.exists(CRAWL):  # the writer ends a crawl only when no crawler is left: Redis lost it
                logger.error("the crawl is gone from Redis (restarted empty?): stopping; start the writer again, "
                             "then the crawlers")
                self._close("redis_lost")
            self.unreachable_since = None
        except Exception as exc:  # Redis away for a moment: try again on the next tick
            self.unreachable_since = self.unreachable_since or time.time()
            logger.warning("redis heartbeat failed: %s", exc)
            if time.time() - self.unreachable_since > REDIS_PATIENCE:
                self._close("redis_unreachable")

    def _close(self, reason: str) -> None:
        from scrapy.utils.defer import deferred_from_coro

        if self.loop is not None and self.loop.running:
            self.loop.stop()
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def spider_idle(self, spider):
        try:
            self._idle()
        except (redis.ConnectionError, redis.TimeoutError):
            raise DontCloseSpider from None  # Redis away: wait for it (CrawlerPresence gives up after REDIS_PATIENCE)

    def _idle(self):
        self.state = "idle"
        self._beat()
        # nothing is in progress here, so anything left in our in-flight set was handled on a path we do not track
        self.server.delete(inflight_key(self.id))
        recover_dead_crawlers(self.server)
        others_busy = any(v.get("state") == "busy" for cid, v in live_crawlers(self.server).items() if cid != self.id)
        if self.server.zcard(REQUESTS) or others_busy:
            raise DontCloseSpider  # more requests may come: the shared frontier, or another crawler's pages

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if reason in ("redis_lost", "redis_unreachable"):
            return
        self._push_counters()
        pipe = self.server.pipeline()
        pipe.hset(CLOSED, self.id, reason)
        pipe.delete(heartbeat_key(self.id))
        pipe.execute()


