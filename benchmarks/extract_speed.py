"""Extraction speed: extract + clean per real page, against bare trafilatura on the same pages.

    python -m benchmarks.extract_speed            # every real page under ../shared/bench/extraction
    python -m benchmarks.extract_speed --limit 40 --repeat 1
    python -m benchmarks.extract_speed --ingest   # also: `fanwen ingest` of the pages against a bare 2-process pool

Pages: magic-html (article + forum), chinese-web-content-extraction, trafilatura's eval pages, the Discuz! samples,
read at run time as bytes. Both sides get the same decoded text (decoding is not what is compared):
- pipeline: `cleaners.extract.extract_page` + `cleaners.rules.clean_document` (what `fanwen extract` runs, minus
  the relevance model);
- bare: `trafilatura.bare_extraction(html, url=url, with_metadata=True)` with its defaults.
Prints median and mean milliseconds per page for each, their ratio (target <= 1.3), and how often the second
trafilatura call (fallback / recall retry) ran and changed the result.

With --ingest, the same pages (those under the worker's size cap) are also written to a folder and ingested by the
real command, `fanwen ingest DIR --url-prefix … --workers 2 --db …` (a fresh database: decode, extract, clean,
classify in the workers, dedup and store in the writer), against bare `trafilatura.bare_extraction` over the same
pages in a 2-process pool (spawn, as ours); both timed from start to exit including process start-up: wall seconds
and CPU seconds of every process (target: ingest within 1.5x).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import SHARED


def real_pages(limit: int | None = None) -> list[tuple[str, bytes]]:
    base = SHARED / "bench" / "extraction"
    files = sorted(base.glob("magic-html/*/htmls/*.html")) + sorted(base.glob("chinese-web-content-extraction/original/*.html"))
    files += sorted(base.glob("trafilatura/*/*.html")) + sorted(base.glob("discuz-x34-samples/thread_*.html"))
    out = [(f"http://bench.example/{p.parent.name}/{p.name}", p.read_bytes()) for p in files]
    return out[:limit] if limit else out


def _bare_page(page: tuple[str, str]) -> int:
    import trafilatura

    url, html = page
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    except Exception:
        return 0
    return 1 if doc else 0


def _cpu_all() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def ingest_against_pool(pages: list[tuple[str, bytes]], workers: int = 2) -> dict:
    """`fanwen ingest` of the pages (the real command, a fresh database) against bare trafilatura in a pool."""
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    from cleaners.decode import decode_html
    from fanwen.workers import MAX_PAGE_CHARS

    decoded = [(u, b, decode_html(b)) for u, b in pages]
    decoded = [(u, b, h) for u, b, h in decoded if len(h) <= MAX_PAGE_CHARS]  # ours drops bigger pages unread
    work = Path(tempfile.mkdtemp(prefix="fanwen-ingest-speed-"))
    try:
        folder = work / "pages"
        folder.mkdir()
        for i, (url, body, _) in enumerate(decoded):
            (folder / f"{i:04d}_{url.rsplit('/', 1)[-1]}").write_bytes(body)
        cmd = [sys.executable, "-c", "from fanwen.cli import main; main()", "ingest", str(folder),
               "--url-prefix", "http://bench.example/pages/", "--workers", str(workers), "--db", str(work / "c.db")]
        c0, t0 = _cpu_all(), time.perf_counter()
        run = subprocess.run(cmd, capture_output=True, text=True)
        ours_wall, ours_cpu = time.perf_counter() - t0, _cpu_all() - c0
        if run.returncode:
            raise SystemExit(f"fanwen ingest failed: {run.stderr.strip().splitlines()[-1:]}")
        summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
        c0, t0 = _cpu_all(), time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            list(pool.map(_bare_page, [(u, h) for u, _, h in decoded]))
        bare_wall, bare_cpu = time.perf_counter() - t0, _cpu_all() - c0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"pages": len(decoded), "ours_wall": ours_wall, "ours_cpu": ours_cpu, "bare_wall": bare_wall,
            "bare_cpu": bare_cpu, "summary": summary}


def _time_both(fa, fb, pages, repeat: int) -> tuple[list[float], list[float]]:
    """Milliseconds per page for two functions, run alternately on each page (the fastest of `repeat` runs each), so
    that caches warmed by one (htmldate, dateparser) serve the other as much."""
    a_ms, b_ms = [], []
    for url, html in pages:
        best_a = best_b = None
        for _ in range(repeat):
            for fn, which in ((fa, "a"), (fb, "b")):
                t0 = time.perf_counter()
                fn(html, url)
                dt = (time.perf_counter() - t0) * 1000
                if which == "a":
                    best_a = dt if best_a is None else min(best_a, dt)
                else:
                    best_b = dt if best_b is None else min(best_b, dt)
        a_ms.append(best_a)
        b_ms.append(best_b)
    return a_ms, b_ms


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.extract_speed", description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, help="only the first N pages")
    ap.add_argument("--repeat", type=int, default=2, help="runs per page (the fastest counts)")
    ap.add_argument("--ingest", action="store_true", help="also time `fanwen ingest` of the pages against bare "
                    "trafilatura in a process pool")
    ap.add_argument("--workers", type=int, default=2, help="processes for --ingest (both sides)")
    args = ap.parse_args(argv)
    import trafilatura

    from cleaners.decode import decode_html
    from cleaners.extract import extract_page
    from cleaners.rules import clean_document

    pages = [(u, decode_html(b)) for u, b in real_pages(args.limit)]
    if not pages:
        print("no pages under ../shared/bench/extraction", file=sys.stderr)
        return 1
    extractors: dict[str, int] = {}

    def pipeline(html, url):
        doc = clean_document(extract_page(html, url, decoded=True))  # decoded once, as the pipeline does
        how = doc.explain["extract"]["extractor"]
        extractors[how] = extractors.get(how, 0) + 1
        if doc.explain["extract"].get("second_call"):
            extractors["(second trafilatura call ran)"] = extractors.get("(second trafilatura call ran)", 0) + 1

    def bare(html, url):
        try:
            trafilatura.bare_extraction(html, url=url, with_metadata=True)
        except Exception:
            pass

    for url, html in pages[:3]:  # warm up imports and caches
        pipeline(html, url)
        bare(html, url)
    extractors.clear()
    ours, theirs = _time_both(pipeline, bare, pages, args.repeat)
    med_o, med_t = statistics.median(ours), statistics.median(theirs)
    mean_o, mean_t = statistics.mean(ours), statistics.mean(theirs)
    print(f"pages: {len(pages)} (runs per page: {args.repeat} each, alternating, fastest kept)")
    print(f"{'':28s} {'median ms':>10s} {'mean ms':>9s}")
    print(f"{'pipeline (extract+clean)':28s} {med_o:10.1f} {mean_o:9.1f}")
    print(f"{'bare trafilatura':28s} {med_t:10.1f} {mean_t:9.1f}")
    print(f"{'ratio':28s} {med_o / med_t:10.2f} {mean_o / mean_t:9.2f}   (target <= 1.3)")
    runs = args.repeat * len(pages)
    print("text chosen by: " + ", ".join(f"{k} {v * 100 / runs:.1f}%" for k, v in sorted(extractors.items())))
    if args.ingest:
        r = ingest_against_pool(real_pages(args.limit), args.workers)
        print(f"\n`fanwen ingest` of {r['pages']} pages against bare trafilatura, {args.workers} processes each "
              f"(start-up included): {r['summary']}")
        print(f"{'':28s} {'wall s':>10s} {'CPU s':>9s}")
        print(f"{'fanwen ingest':28s} {r['ours_wall']:10.1f} {r['ours_cpu']:9.1f}")
        print(f"{'bare trafilatura pool':28s} {r['bare_wall']:10.1f} {r['bare_cpu']:9.1f}")
        print(f"{'ratio':28s} {r['ours_wall'] / r['bare_wall']:10.2f} {r['ours_cpu'] / r['bare_cpu']:9.2f}   "
              f"(target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
