"""Extraction speed: extract + clean per real page, against bare trafilatura on the same pages.

    python -m benchmarks.extract_speed            # every real page under ../shared/bench/extraction
    python -m benchmarks.extract_speed --limit 40 --repeat 1

Pages: magic-html (article + forum), chinese-web-content-extraction, trafilatura's eval pages, the Discuz! samples,
read at run time as bytes. Both sides get the same decoded text (decoding is not what is compared):
- pipeline: `cleaners.extract.extract_page` + `cleaners.rules.clean_document` (what `fanwen extract` runs, minus
  the relevance model);
- bare: `trafilatura.bare_extraction(html, url=url, with_metadata=True)` with its defaults.
Prints median and mean milliseconds per page for each, their ratio (target <= 1.3), and how often the second
trafilatura call (fallback / recall retry) ran and changed the result.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from benchmarks.common import SHARED


def real_pages(limit: int | None = None) -> list[tuple[str, bytes]]:
    base = SHARED / "bench" / "extraction"
    files = sorted(base.glob("magic-html/*/htmls/*.html")) + sorted(base.glob("chinese-web-content-extraction/original/*.html"))
    files += sorted(base.glob("trafilatura/*/*.html")) + sorted(base.glob("discuz-x34-samples/thread_*.html"))
    out = [(f"http://bench.example/{p.parent.name}/{p.name}", p.read_bytes()) for p in files]
    return out[:limit] if limit else out


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
        doc = clean_document(extract_page(html, url))
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
