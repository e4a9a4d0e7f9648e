"""Distributed-crawl benchmark: demo pages per second with 1, 2 and 4 crawler processes, and the writer's documents
per second.

    python -m benchmarks.distributed                      # starts redis-server on a free loopback port
    python -m benchmarks.distributed --crawlers 1 2 4 --redis redis://127.0.0.1:6379/15   # an existing Redis (flushed!)

Each run goes through `fanwen demo --redis`'s code path (`fanwen.distributed.run_demo`: the demo sites on 127.0.0.1,
N real crawler processes on scrapy-redis, the real spider and pipeline) into a fresh corpus, in two phases so that
each side is measured alone: (1) the crawlers fetch, extract, clean, classify and push every demo article to Redis
while no writer runs (pages/s = demo server requests / wall seconds); (2) the writer stores, clusters and indexes
the queued documents (docs/s). Politeness is off for the measurement: DOWNLOAD_DELAY 0 and AutoThrottle off (a
real crawl keeps its per-site delays, and then the sites' politeness is the limit, not the processes). CPU seconds
of the crawler processes (with their extraction workers) over wall seconds tell whether the cores are the limit.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

NO_POLITENESS = {"DOWNLOAD_DELAY": 0.0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY_JITTER": 0.0}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def start_redis(tmp: Path):
    binary = shutil.which("redis-server")
    if not binary:
        sys.exit("redis-server not found: apt-get install -y redis-server, or pass --redis URL")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            return proc, url
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("redis-server did not start")


def run_once(url: str, crawlers: int, workers: int, tmp: Path) -> dict:
    import redis

    from fanwen.demo.server import DemoServer
    from fanwen.distributed import ITEMS, run_demo

    redis.Redis.from_url(url).flushdb()
    db = str(tmp / f"corpus-{crawlers}.db")
    with DemoServer() as server:
        marks: dict = {}
        done = threading.Event()

        client = redis.Redis.from_url(url)

        def watch():  # when the first request reached the demo server, and when the last document was pushed
            seen = pushed = 0
            while not done.is_set():
                n, m = len(server.requests), client.llen(ITEMS)
                if n != seen:
                    marks.setdefault("first", time.perf_counter())
                    seen = n
                if m != pushed:
                    marks["last"], pushed = time.perf_counter(), m
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        cpu0, t0 = _children_cpu(), time.perf_counter()
        result = run_demo(url, db, crawlers=crawlers, workers=workers, server=server, settings=NO_POLITENESS,
                          writer=False)
        crawl_s, crawl_cpu = time.perf_counter() - t0, _children_cpu() - cpu0
        done.set()
        watcher.join()
        pages = len(server.snapshot())
    fetching_s = max(1e-6, marks.get("last", t0) - marks.get("first", t0))
    queued = redis.Redis.from_url(url).llen(ITEMS)
    t1 = time.perf_counter()
    totals = result["writer"].run()
    write_s = time.perf_counter() - t1
    return {"crawlers": crawlers, "pages": pages, "crawl_s": crawl_s, "pages_per_s": pages / crawl_s,
            "startup_s": marks.get("first", t0) - t0, "fetch_pages_per_s": pages / fetching_s,
            "cores_used": crawl_cpu / crawl_s, "queued": queued, "stored": totals["new"], "write_s": write_s,
            "docs_per_s": totals["new"] / write_s if write_s else 0.0, "status": totals["status"]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--crawlers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--workers", type=int, default=1, help="extraction worker processes per crawler")
    ap.add_argument("--redis", help="an existing Redis to use (its database is flushed)")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="fanwen-bench-distributed-"))
    proc = None
    url = args.redis
    if not url:
        proc, url = start_redis(tmp)
    cores = os.cpu_count() or 1
    print(f"demo sites on 127.0.0.1; politeness off (DOWNLOAD_DELAY 0, AutoThrottle off); {args.workers} extraction "
          f"worker(s) per crawler; {cores} CPU cores on this machine, load average {os.getloadavg()[0]:.1f} "
          f"at the start (a load above the core count means other work shares the cores)")
    print("pages/s = demo pages / wall seconds of the crawl; 'fetching' = from the first request the demo server saw to "
          "the last document pushed to Redis (start-up and shut-down of the processes excluded)")
    print(f"{'crawlers':>8} {'pages':>6} {'crawl s':>8} {'start-up s':>10} {'pages/s':>8} {'fetching pages/s':>16} "
          f"{'cores used':>10} {'docs':>5} {'write s':>8} {'writer docs/s':>13}")
    rows = []
    try:
        for n in args.crawlers:
            r = run_once(url, n, args.workers, tmp)
            rows.append(r)
            print(f"{r['crawlers']:>8} {r['pages']:>6} {r['crawl_s']:>8.1f} {r['startup_s']:>10.1f} "
                  f"{r['pages_per_s']:>8.1f} {r['fetch_pages_per_s']:>16.1f} {r['cores_used']:>10.2f} {r['stored']:>5} {r['write_s']:>8.1f} {r['docs_per_s']:>13.1f}",
                  flush=True)
    finally:
        if proc is not None:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    base = rows[0]
    for r in rows[1:]:
        print(f"  {r['crawlers']} crawlers: {r['pages_per_s'] / base['pages_per_s']:.2f}x the pages/s of "
              f"{base['crawlers']} ({r['fetch_pages_per_s'] / base['fetch_pages_per_s']:.2f}x while fetching)")
    best = max(rows, key=lambda r: r["pages_per_s"])
    docs_per_page = best["stored"] / best["pages"] if best["pages"] else 0
    crawl_docs_per_s = best["pages_per_s"] * docs_per_page
    writer_docs_per_s = sum(r["docs_per_s"] for r in rows) / len(rows)
    print(f"limit: the crawlers used {best['cores_used']:.2f} of {cores} cores at best "
          f"({best['crawlers']} crawlers, {best['pages_per_s']:.1f} pages/s, {crawl_docs_per_s:.1f} docs/s)", end="")
    load = os.getloadavg()[0]
    if load > cores and best["cores_used"] < 0.8 * cores:
        print(f" -> the cores are shared (load average {load:.1f} on {cores} cores): CPU is the limit, and this run "
              f"got only part of it")
    elif best["cores_used"] >= 0.8 * cores:
        print(" -> CPU-bound (extraction): more crawler processes help only on more cores or more machines")
    else:
        print(" -> not CPU-bound: waiting on the server/Redis/start-up (the demo is small: start-up counts)")
    side = "the writer" if writer_docs_per_s < crawl_docs_per_s else "the crawlers"
    print(f"writer: {writer_docs_per_s:.1f} docs/s (mean) vs crawlers {crawl_docs_per_s:.1f} docs/s: {side} "
          f"would limit an end-to-end run on this machine")


if __name__ == "__main__":
    main()
