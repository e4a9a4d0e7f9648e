"""Per-page cost of extraction (time and worker memory) by page size, through the crawl's worker path.

    python -m benchmarks.page_bounds                       # 100k, 500k, 1M characters and one past the cap
    python -m benchmarks.page_bounds --sizes 200000,800000

Each size runs in a fresh worker (`fanwen.workers.make_pool`, as the crawl and ingest use it); the page is an
article of repeated original sentences. Figures: seconds for `process_item`, the worker's peak RSS, and whether the
page was dropped by the cap (FANWEN_MAX_PAGE_CHARS) before any extraction.
"""
from __future__ import annotations

import argparse
import resource
import time

from fanwen.workers import MAX_PAGE_CHARS, PageTimeout, PageTooLarge, make_pool, process_item

SENTENCE = "今天召开全区工作推进会,研究部署下一阶段的重点工作,各部门要压实责任、抓好落实。"


def page(chars: int) -> str:
    para = "<p>" + SENTENCE * 20 + "</p>\n"
    body = para * max(1, chars // len(para))
    return f"<html><head><title>在全区工作推进会上的讲话</title></head><body><div class='article'>{body}</div></body></html>"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(chars: int) -> dict:
    pool = make_pool(1)
    try:
        base = pool.submit(peak_rss_mb).result()
        html = page(chars)
        item = {"url": "http://bench.test/a.html", "site": "", "pages": [("http://bench.test/a.html", html)]}
        started = time.perf_counter()
        try:
            pool.submit(process_item, item).result()
            outcome = "extracted"
        except PageTooLarge:
            outcome = "dropped by the size cap"
        except PageTimeout:
            outcome = "dropped by the timeout"
        seconds = time.perf_counter() - started
        peak = pool.submit(peak_rss_mb).result()
    finally:
        pool.shutdown()
    return {"chars": len(html), "seconds": seconds, "rss_before": base, "rss_peak": peak, "outcome": outcome}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=f"100000,500000,{MAX_PAGE_CHARS},{MAX_PAGE_CHARS * 3}")
    args = ap.parse_args()
    print(f"cap FANWEN_MAX_PAGE_CHARS = {MAX_PAGE_CHARS:,} characters")
    print(f"{'characters':>12}  {'seconds':>8}  {'worker RSS MB (start -> peak)':>30}  outcome")
    for size in (int(s) for s in args.sizes.split(",")):
        m = measure(size)
        print(f"{m['chars']:>12,}  {m['seconds']:>8.2f}  {m['rss_before']:>14.0f} -> {m['rss_peak']:<12.0f}  {m['outcome']}")


if __name__ == "__main__":
    main()
