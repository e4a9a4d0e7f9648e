"""Distributed crawling on scrapy-redis: many crawler processes, one Redis, one writer beside corpus.db.

- Frontier and request fingerprints: scrapy-redis's `Scheduler` and `RFPDupeFilter` (keys `fanwen:requests`,
  `fanwen:dupefilter`), with `InflightPriorityQueue`: a request popped by a crawler is also kept in that crawler's
  `fanwen:inflight:<id>` until its response was handled, so the requests of a crawler killed mid-crawl go back to the
  shared frontier (`recover_dead_crawlers`) instead of being lost.
- Known URLs: the writer loads the stored URLs into the set `fanwen:known` once per crawl (and again at its end, with
  the crawl's own); crawlers consult it (`RedisSet`) and never open the database. Within a crawl the set
  `fanwen:scheduled` of article URLs already requested keeps two crawlers from fetching one article.
- One writer: crawlers extract -> clean -> classify in their own worker pools and push finished documents with their
  raw pages to the list `fanwen:items` (`RedisPushPipeline`). `run_writer` moves items to `fanwen:items:processing`
  (BLMOVE), stores a batch in one SQLite transaction, and only then removes them (LREM): a writer killed mid-batch
  finds them there on restart, and `Corpus.add_documents` skips the URLs already committed, so nothing is lost and
  nothing stored twice.
- The writer owns the crawl: it begins it (`fanwen:crawl`), and ends it when no crawler is alive and nothing is left
  to fetch or store; then it records the crawl log and per-site health and clears the frontier.

Crawler liveness is a heartbeat key `fanwen:crawler:<id>` (TTL HEARTBEAT_TTL s) refreshed every second; a crawler
stays open while the shared frontier has requests or another crawler is busy, so the work spreads over all of them.
"""
from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import time

logger = logging.getLogger(__name__)

NS = "fanwen"
REQUESTS = f"{NS}:requests"
DUPEFILTER = f"{NS}:dupefilter"
KNOWN = f"{NS}:known"
SCHEDULED = f"{NS}:scheduled"
ITEMS = f"{NS}:items"
PROCESSING = f"{NS}:items:processing"
CRAWL = f"{NS}:crawl"  # hash: crawl_id, started, last_status, db
CRAWLERS = f"{NS}:crawlers"  # set of crawler ids that joined this crawl
CLOSED = f"{NS}:closed"  # hash: crawler id -> finish reason ('died' when recovered by another)
STATS = f"{NS}:stats"  # hash: summed per-site counters of every crawler (fanwen/site/<site>/<kind>)
FIRST_TS = f"{NS}:site_first_ts"  # zset site -> first request time (min over crawlers)
LAST_TS = f"{NS}:site_last_ts"  # zset site -> last response time (max over crawlers)
WRITER = f"{NS}:writer"  # the writer's lock (SET NX with a TTL it refreshes)
HEARTBEAT_TTL = 6
WRITER_TTL = 10
REDIS_PATIENCE = 60  # seconds a writer or crawler waits for an unreachable Redis before it gives up
FRONTIER_KEYS = [REQUESTS, DUPEFILTER, SCHEDULED, CRAWLERS, CLOSED, STATS, FIRST_TS, LAST_TS]


class DistributedError(Exception):
    """Redis missing, unreachable or in a state the command cannot work with: one line for the user."""


def heartbeat_key(crawler_id: str) -> str:
    return f"{NS}:crawler:{crawler_id}"


def inflight_key(crawler_id: str) -> str:
    return f"{NS}:inflight:{crawler_id}"


def retry_params() -> dict:
    """redis-py parameters that ride out a Redis restart of ~10 s (each command retried with back-off)."""
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError, TimeoutError
    from redis.retry import Retry

    return {"retry": Retry(ExponentialBackoff(cap=2.0, base=0.2), 8),
            "retry_on_error": [ConnectionError, TimeoutError]}


def connect(url: str, patient: bool = False):
    """A Redis client; patient=True (crawler processes) retries each command through a short outage."""
    try:
        import redis
    except ImportError:
        raise DistributedError("--redis needs redis and scrapy-redis: pip install 'fanwen-corpus[distributed]'") \
            from None
    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        server.ping()  # at once, without retries: a wrong URL is one clear line
        if patient:
            server = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, **retry_params())
    except ValueError as exc:
        raise DistributedError(f"{url}: not a Redis URL ({exc})") from None
    except redis.RedisError as exc:
        raise DistributedError(f"{url}: cannot reach Redis ({exc})") from None
    return server


def crawl_settings(url: str) -> dict:
    """Scrapy settings of a crawler process in a distributed crawl (`fanwen crawl --redis URL`)."""
    from crawler import settings as base

    return {
        "REDIS_URL": url,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.InflightPriorityQueue",
        "SCHEDULER_QUEUE_KEY": REQUESTS,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER,
        "REDIS_PARAMS": {"socket_timeout": 30, "socket_connect_timeout": 5, **retry_params()},
        "SCHEDULER_PERSIST": True,  # the frontier belongs to the crawl, not to one process; the writer clears it
        "FANWEN_DB": "",  # crawlers never open the database
        "ITEM_PIPELINES": {"crawler.pipelines.ProcessPipeline": 300, "crawler.distributed.RedisPushPipeline": 800},
        "EXTENSIONS": {**base.EXTENSIONS, "crawler.distributed.CrawlerPresence": 600},
        "SPIDER_MIDDLEWARES": {**base.SPIDER_MIDDLEWARES, "crawler.distributed.InflightSpiderMiddleware": 40},
        "DOWNLOADER_MIDDLEWARES": {**base.DOWNLOADER_MIDDLEWARES, "crawler.distributed.InflightDownloaderMiddleware": 30},
    }


def crawler_id() -> str:
    """This process, as crawlers and writers name themselves in Redis."""
    return f"{socket.gethostname()}:{os.getpid()}"


# ---------------------------------------------------------------------------------------------- items on the wire
def encode_item(item: dict) -> bytes:
    """A finished item for the writer. Pages are kept as they are (pickle carries str or bytes bodies alike)."""
    return pickle.dumps({"url": item["url"], "site": item.get("site"), "pages": list(item.get("pages") or []),
                         "document": item["document"]}, protocol=pickle.HIGHEST_PROTOCOL)


def decode_item(data: bytes) -> dict:
    return pickle.loads(data)


def recover_dead_crawlers(server) -> int:
    """Requests held by crawlers whose heartbeat expired go back to the shared frontier; returns how many."""
    moved = 0
    for raw in server.smembers(CRAWLERS):
        cid = raw.decode() if isinstance(raw, bytes) else raw
        if server.exists(heartbeat_key(cid)) or server.hexists(CLOSED, cid) and not server.exists(inflight_key(cid)):
            continue
        pipe = server.pipeline()
        pipe.zcard(inflight_key(cid))
        pipe.zunionstore(REQUESTS, {REQUESTS: 1, inflight_key(cid): 1}, aggregate="MIN")
        pipe.delete(inflight_key(cid))
        pipe.hsetnx(CLOSED, cid, "died")
        n, _, _, first = pipe.execute()
        if n or first:
            logger.warning("crawler %s died: %d of its requests are back in the shared frontier", cid, n)
        moved += n
    return moved


def live_crawlers(server) -> dict[str, dict]:
    out = {}
    for raw in server.smembers(CRAWLERS):
        cid = raw.decode() if isinstance(raw, bytes) else raw
        value = server.get(heartbeat_key(cid))
        if value is not None:
            out[cid] = json.loads(value)
    return out


def wait_for_crawl(url: str, timeout: float = 60.0) -> None:
    """Crawlers join a crawl the writer began (it loads the known URLs first)."""
    server = connect(url)
    deadline = time.time() + timeout
    while not server.exists(CRAWL):
        if time.time() > deadline:
            raise DistributedError(f"{url}: no writer began a crawl within {timeout:.0f}s; start "
                                   f"`fanwen write --redis {url} --db corpus.db` first")
        time.sleep(0.2)


# ---------------------------------------------------------------------------------------------- the writer
def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _load_known(server, corpus) -> int:
    urls = set(corpus.known_urls())
    if "document_urls" in corpus.db.table_names():  # every URL a document was seen under, where it exists
        urls.update(r[0] for r in corpus.db.execute("SELECT url FROM document_urls"))
    pipe = server.pipeline()
    pipe.delete(KNOWN)
    urls = list(urls)
    for i in range(0, len(urls), 5000):
        pipe.sadd(KNOWN, *urls[i:i + 5000])
    pipe.execute()
    return len(urls)


def _crawl_done(server) -> tuple[bool, str]:
    """(done, status): done when no crawler is alive and nothing is left to fetch or to store."""
    if not server.scard(CRAWLERS) or live_crawlers(server):
        return False, ""
    if server.llen(ITEMS) or server.llen(PROCESSING):
        return False, ""
    recover_dead_crawlers(server)
    reasons = {v.decode() for v in server.hvals(CLOSED)}
    if server.zcard(REQUESTS):
        if "died" in reasons or not reasons - {"died"}:
            return False, ""  # a crawler died with work left: wait for one to be (re)started
        # every crawler stopped of its own accord (budget, Ctrl-C) with requests left
        return True, next(iter(sorted(reasons - {"died", "finished"})), "interrupted")
    return True, "finished"


class Writer:
    """The single writer: stores the crawlers' items in batches, clusters and indexes them, publishes known URLs."""

    def __init__(self, url: str, db: str, batch: int = 64, progress: bool = False):
        from fanwen.store import Corpus

        self.url, self.db_path, self.batch, self.progress = url, db, batch, progress
        self.server = connect(url)
        self.id = crawler_id()
        self._take_lock()
        from fanwen.lock import acquire_writer
        self.db_lock = acquire_writer(db, "write")  # and one writer per corpus.db, as for every writing command
        self.corpus = Corpus(db)
        self.totals = {"new": 0, "skipped": 0, "duplicates": 0, "items": 0}
        self.per_site: dict[str, dict] = {}
        self.crawl_id = self._begin()
        self.db_lock.note(crawl_id=self.crawl_id)

    def _take_lock(self) -> None:
        """One writer per Redis. A lock left by a killed writer is taken over: at once when it ran on this machine
        and its process is gone, else once its TTL ran out."""
        deadline = time.time() + WRITER_TTL + 1
        while not self.server.set(WRITER, self.id, nx=True, ex=WRITER_TTL):
            holder = (self.server.get(WRITER) or b"").decode()
            host, _, pid = holder.rpartition(":")
            if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
                self.server.delete(WRITER)
                continue
            if time.time() > deadline:
                raise DistributedError(f"{self.url}: another writer ({holder}) is running on this Redis")
            time.sleep(0.5)

    def _begin(self) -> int:
        crawl = self.server.hgetall(CRAWL)
        if crawl:  # a writer restarted mid-crawl carries on with the same crawl
            crawl_id = int(crawl[b"crawl_id"])
            self.corpus.update_crawl(crawl_id, status="running")
            saved = self.server.hget(CRAWL, "writer_counts")
            if saved:
                self.per_site = json.loads(saved)
            logger.info("resuming crawl %d", crawl_id)
            return crawl_id
        last = self.corpus.last_crawl_status()
        crawl_id = self.corpus.begin_crawl([], command="distributed")
        self.server.delete(*FRONTIER_KEYS, *self.server.keys(f"{NS}:inflight:*"))
        known = _load_known(self.server, self.corpus)
        self.server.hset(CRAWL, mapping={"crawl_id": crawl_id, "started": time.time(), "db": self.db_path,
                                         "last_status": last or ""})
        logger.info("began crawl %d with %d known URLs", crawl_id, known)
        return crawl_id

    def _next_batch(self, block: float) -> list[bytes]:
        """The batch to store: what a killed writer left in the processing list first, then new items."""
        batch = self.server.lrange(PROCESSING, 0, -1)
        if batch:
            return batch
        first = self.server.blmove(ITEMS, PROCESSING, block, "RIGHT", "LEFT")
        if first is None:
            return []
        batch = [first]
        while len(batch) < self.batch:
            data = self.server.lmove(ITEMS, PROCESSING, "RIGHT", "LEFT")
            if data is None:
                break
            batch.append(data)
        return batch

    def store(self, batch: list[bytes]) -> None:
        from fanwen.workers import document_from_dict

        items = [decode_item(d) for d in batch]
        docs = [(document_from_dict(it["document"]), [tuple(p) for p in it["pages"]]) for it in items]
        urls = [d.url for d, _ in docs]
        stored = {r[0] for r in self.corpus.db.execute(
            f"SELECT url FROM documents WHERE url IN ({','.join('?' * len(urls))})", urls)}
        stats = self.corpus.add_documents(docs, self.crawl_id)
        seen = set(stored)
        for doc, _ in docs:  # per-site health: documents and speeches this crawl stored
            if doc.url in seen:
                continue
            seen.add(doc.url)
            counts = self.per_site.setdefault(doc.site, {})
            counts["documents"] = counts.get("documents", 0) + 1
            if doc.label == "speech":
                counts["speeches"] = counts.get("speeches", 0) + 1
        pipe = self.server.pipeline()
        pipe.hset(CRAWL, "writer_counts", json.dumps(self.per_site))
        for data in batch:
            pipe.lrem(PROCESSING, 1, data)  # only now, after the commit
        pipe.execute()
        for k in ("new", "skipped", "duplicates"):
            self.totals[k] += stats[k]
        self.totals["items"] += len(batch)
        if self.progress:
            print(f"\r  stored {self.totals['new']} new documents", end="", flush=True, file=__import__("sys").stderr)

    def run(self, poll: float = 1.0, crawlers_gone=None) -> dict:
        """Store items until the crawl is done; returns the writer's totals and the crawl status.

        crawlers_gone: for a writer that started the crawlers itself (`fanwen demo --redis`), true once they all
        exited, so a crawler that failed to start does not keep the writer waiting."""
        import redis

        status = "interrupted"
        unreachable_since = None
        try:
            while True:
                try:
                    self.server.set(WRITER, self.id, ex=WRITER_TTL)
                    if not self.server.exists(CRAWL):
                        raise DistributedError(f"{self.url}: the crawl is gone from Redis (restarted empty?); what "
                                               f"was stored is kept: start the writer again, then the crawlers")
                    batch = self._next_batch(poll)
                    if batch:
                        self.store(batch)
                        continue
                    done, status = _crawl_done(self.server)
                    if done:
                        break
                    if crawlers_gone is not None and crawlers_gone() and not self.server.llen(ITEMS):
                        status = "failed" if not self.server.scard(CRAWLERS) else "interrupted"
                        break
                    unreachable_since = None
                except (redis.ConnectionError, redis.TimeoutError) as exc:
                    unreachable_since = unreachable_since or time.time()
                    if time.time() - unreachable_since > REDIS_PATIENCE:
                        raise DistributedError(f"{self.url}: Redis unreachable for {REDIS_PATIENCE}s ({exc})") \
                            from None
                    logger.warning("Redis unreachable (%s); retrying", exc)
                    time.sleep(1)
            self._finish(status)
        except (KeyboardInterrupt, DistributedError):
            # the crawl log says so; the crawl itself stays in Redis (if it is there) for the next writer
            new = self.corpus.count(f"SELECT count(*) FROM documents WHERE crawl_id = {int(self.crawl_id)}")
            self.corpus.update_crawl(self.crawl_id, status="interrupted", new_documents=new)
            raise
        finally:
            try:
                if self.server.get(WRITER) == self.id.encode():
                    self.server.delete(WRITER)
            except redis.RedisError:
                pass
            self.corpus.close()
            self.db_lock.release()
        return {**self.totals, "status": status, "crawl_id": self.crawl_id}

    def _finish(self, status: str) -> None:
        from fanwen import health

        stats: dict = {}
        for k, v in self.server.hgetall(STATS).items():
            stats[k.decode()] = int(v)
        for name, first in self.server.zrange(FIRST_TS, 0, -1, withscores=True):
            stats[health.key(name.decode(), "first_ts")] = first
        for name, last in self.server.zrange(LAST_TS, 0, -1, withscores=True):
            stats[health.key(name.decode(), "last_ts")] = last
        for site, counts in self.per_site.items():
            for kind, n in counts.items():
                stats[health.key(site, kind)] = n
        values = health.record_crawl(self.corpus.db, self.crawl_id, stats)
        sites = sorted(health.site_counts(stats))
        requests = sum(v for k, v in stats.items() if k.endswith("/requests"))
        new = self.corpus.count(f"SELECT count(*) FROM documents WHERE crawl_id = {int(self.crawl_id)}")
        self.corpus.finish_crawl(self.crawl_id, status, sites=",".join(sites), requests=requests, new_documents=new,
                                 duplicates=self.totals["duplicates"], **values)
        # the known set grows by this crawl's URLs only now: during the crawl `fanwen:scheduled` keeps crawlers from
        # fetching an article twice, and a list page holding only articles of this crawl must not stop the paging
        _load_known(self.server, self.corpus)
        self.server.delete(*FRONTIER_KEYS, CRAWL, *self.server.keys(f"{NS}:inflight:*"))


def run_writer(url: str, db: str, batch: int = 64, progress: bool = False) -> dict:
    return Writer(url, db, batch=batch, progress=progress).run()


def run_demo(url: str, db: str, crawlers: int = 2, workers: int | None = None, max_requests: int = 0,
             seeds_dir: str | None = None, focused: bool = True, log_level: str = "WARNING",
             progress: bool = False, server=None, settings: dict | None = None, writer: bool = True) -> dict:
    """`fanwen demo --redis URL --crawlers N`: the demo sites on 127.0.0.1, N crawler processes and this process as
    the writer. Returns the writer's totals plus `seconds` and `demo_requests`.

    settings: extra Scrapy settings for the crawlers. writer=False (benchmarks): the crawlers run to the end with
    nothing stored meanwhile; the returned `writer` then stores the queue with `.run()`."""
    import threading
    from contextlib import nullcontext

    from fanwen.crawl import run_crawl
    from fanwen.demo.server import DemoServer

    started = time.time()
    with (nullcontext(server) if server is not None else DemoServer()) as srv:
        store = Writer(url, db, progress=progress)  # begins the crawl: crawlers join it
        results: list = []

        def crawl_one():
            try:
                results.append(run_crawl("", demo=True, proxy=srv.proxy_url,
                                         settings={**crawl_settings(url), **(settings or {})},
                                         workers=workers, max_requests=max_requests, seeds_dir=seeds_dir,
                                         focused=focused, log_level=log_level))
            except Exception as exc:  # reported below; the writer still stores what the others pushed
                results.append(exc)

        threads = [threading.Thread(target=crawl_one, name=f"fanwen-crawler-{i}", daemon=True)
                   for i in range(max(1, crawlers))]
        for t in threads:
            t.start()
        if writer:
            totals = store.run(crawlers_gone=lambda: not any(t.is_alive() for t in threads))
        for t in threads:
            t.join()
        if not writer:
            totals = {"writer": store}
        failed = [r for r in results if isinstance(r, Exception)]
        if failed and not any(isinstance(r, dict) for r in results):
            raise DistributedError(f"every crawler failed: {failed[0]}")
        totals["seconds"] = round(time.time() - started, 2)
        totals["demo_requests"] = len(srv.requests)
        totals["crawler_stats"] = [r for r in results if isinstance(r, dict)]
    return totals
