"""Run the fanwen spider from Python or the CLI: one crawl per child process (Twisted's reactor cannot restart).

`run_crawl(..., demo=True)` serves the bundled demo sites on 127.0.0.1 and points the crawler at them as its HTTP
proxy, so the demo uses the same spider, settings and pipeline as a real crawl, with no network.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from contextlib import nullcontext
from pathlib import Path

from crawler.siteconfig import load_sites


class CrawlError(Exception):
    pass


def check_sites(sites: list[str] | None, sites_dir: str | None = None) -> None:
    configs = load_sites(sites_dir)
    unknown = [s for s in (sites or []) if s not in configs]
    if unknown:
        raise CrawlError(f"unknown site(s): {', '.join(unknown)} (known: {', '.join(sorted(configs))})")


def _child(options: dict, queue) -> None:
    """Runs in the child process: one Scrapy crawl, then the final stats into the queue."""
    from fanwen.lifeline import die_with_parent
    die_with_parent(options.get("parent_pid"))  # a kill -9 of `fanwen crawl` ends the crawl too
    if options.get("sites_dir"):
        os.environ["FANWEN_SITES_DIR"] = options["sites_dir"]  # read by the spider and the extraction workers
    if options.get("proxy"):
        os.environ["http_proxy"] = options["proxy"]
        os.environ["https_proxy"] = options["proxy"]
        os.environ.pop("no_proxy", None)
        os.environ.pop("NO_PROXY", None)
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawler.spiders.fanwen import FanwenSpider

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("FANWEN_DB", options["db"], priority="cmdline")
    settings.set("FANWEN_LOCK_HELD", True, priority="cmdline")  # the parent holds the one-writer lock
    if options.get("sites_dir"):
        settings.set("FANWEN_SITES_DIR", options["sites_dir"], priority="cmdline")
    settings.set("LOG_LEVEL", options.get("log_level", "WARNING"), priority="cmdline")
    settings.set("FANWEN_MAX_REQUESTS", int(options.get("max_requests") or 0), priority="cmdline")
    settings.set("FANWEN_PROGRESS", bool(options.get("progress")), priority="cmdline")
    if options.get("workers"):
        settings.set("FANWEN_WORKERS", int(options["workers"]), priority="cmdline")
    if options.get("threshold") is not None:
        settings.set("FANWEN_RELEVANCE_THRESHOLD", float(options["threshold"]), priority="cmdline")
    if options.get("jobdir"):
        settings.set("JOBDIR", options["jobdir"], priority="cmdline")
    if options.get("demo"):
        # loopback only: no reason to wait between requests, and robots.txt is still obeyed
        settings.set("DOWNLOAD_DELAY", 0.0, priority="cmdline")
        settings.set("AUTOTHROTTLE_START_DELAY", 0.0, priority="cmdline")
        settings.set("DOWNLOAD_DELAY_JITTER", 0.0, priority="cmdline")
        settings.set("FANWEN_RETRY_BACKOFF_BASE", 0.1, priority="cmdline")
    for key, value in (options.get("settings") or {}).items():
        settings.set(key, value, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FanwenSpider)
    process.crawl(crawler, sites=",".join(options.get("sites") or []), demo="1" if options.get("demo") else "0",
                  focused="1" if options.get("focused", True) else "0", seeds=options.get("seeds"),
                  search="1" if options.get("search", True) else "0")
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, float, str))}
    queue.put(stats)


def _sigterm_as_interrupt(signum, frame):
    raise KeyboardInterrupt


def run_crawl(db_path: str | Path, sites: list[str] | None = None, demo: bool = False, focused: bool = True,
              max_requests: int = 0, seeds_dir: str | None = None, jobdir: str | None = None,
              workers: int | None = None, threshold: float | None = None, search: bool = True,
              log_level: str = "WARNING", progress: bool = False, proxy: str | None = None,
              settings: dict | None = None, sites_dir: str | None = None) -> dict:
    """Crawl into db_path; returns the crawl's Scrapy stats plus `seconds` (and `demo_requests` for the demo).

    Takes the one-writer lock on db_path for the whole crawl (fanwen.lock) and checks the database is writable
    before anything starts: a second writer, a locked, read-only or non-SQLite file is one CorpusError line.
    """
    from fanwen.lock import acquire_writer
    if sites_dir is not None:
        sites_dir = str(Path(sites_dir).resolve())
    check_sites(sites, sites_dir)
    # a crawler process of a distributed crawl has no database (db_path ""): its writer holds the lock
    lock = acquire_writer(db_path, "demo" if demo else "crawl") if db_path else None
    try:
        return _run_locked(db_path, sites, demo, focused, max_requests, seeds_dir, jobdir, workers, threshold,
                           search, log_level, progress, proxy, settings, sites_dir)
    finally:
        if lock is not None:
            lock.release()


def _run_locked(db_path, sites, demo, focused, max_requests, seeds_dir, jobdir, workers, threshold, search,
                log_level, progress, proxy, settings, sites_dir) -> dict:
    if demo and not sites:
        from fanwen.demo import build_demo
        sites = sorted({s.name for s in build_demo().sites})
    if seeds_dir and not Path(seeds_dir).is_dir():
        raise CrawlError(f"{seeds_dir}: seeds directory not found")
    server_cm = nullcontext(None)
    if demo and proxy is None:
        from fanwen.demo.server import DemoServer
        server_cm = DemoServer()
    started = time.time()
    with server_cm as server:
        options = dict(db=str(db_path), sites=sites, demo=demo, focused=focused, max_requests=max_requests,
                       seeds=seeds_dir, jobdir=jobdir, workers=workers, threshold=threshold, search=search,
                       log_level=log_level, progress=progress, settings=settings, sites_dir=sites_dir,
                       parent_pid=os.getpid(), proxy=proxy or (server.proxy_url if server else None))
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        child = ctx.Process(target=_child, args=(options, queue), name="fanwen-crawl")
        child.start()
        stats = None
        try:  # only possible in the main thread
            previous = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
        except ValueError:
            previous = None
        try:
            while child.is_alive() or not queue.empty():
                try:
                    stats = queue.get(timeout=0.5)
                    break
                except Exception:
                    continue
        except KeyboardInterrupt:
            # Ctrl-C reaches the whole process group; a `kill -INT`/`kill` of this process alone does not, so pass
            # it on. Scrapy shuts down gracefully: in-flight items are stored, the crawl log says 'interrupted'.
            if child.is_alive():
                os.kill(child.pid, signal.SIGINT)
            try:
                stats = queue.get(timeout=120)
            except Exception:
                stats = None
            child.join(timeout=30)
            if stats is None:
                raise CrawlError("crawl interrupted; everything stored so far is kept") from None
            stats["interrupted"] = True
        child.join()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if stats is None:
            raise CrawlError(f"crawl process failed (exit code {child.exitcode}); see the log above")
        stats["seconds"] = round(time.time() - started, 2)
        if server is not None:
            stats["demo_requests"] = len(server.requests)
    return stats
