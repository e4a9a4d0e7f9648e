"""Focused-crawl benchmark: speeches found under a request budget, focused order vs. plain breadth-first order.

    python -m benchmarks.focused                  # budget = one third of the demo's pages (and 1/6, 1/2, unlimited)
    python -m benchmarks.focused --budget 120     # one budget only
    python -m benchmarks.focused --seeds ../shared/seeds   # the focused crawl also uses the seeds (search keywords)

It runs the real demo crawl (`fanwen.crawl.run_crawl(..., demo=True)`: the demo sites on 127.0.0.1, the real spider,
site configs and pipeline) into a fresh temporary corpus for each (order, budget), and compares the stored documents
with the demo's ground truth (`fanwen.demo.build_demo().articles`: canonical URL and label of every article).

Figures per run:
  speeches found   ground-truth speech articles stored (their canonical URL is in `documents`)
  labelled speech  of those, how many the relevance model labelled `speech` (and near misses labelled `speech`)
  harvest rate     speech articles / article documents stored (how much of the fetching went to speeches)
Target: the focused crawl finds at least 2x the speeches of breadth-first at a budget of 1/3 of the demo's pages.
The "ceiling" column is what a perfect order could reach (every speech article of the demo) over breadth-first: when
it is under 2x the target is out of reach for any link scoring, and only the demo's make-up (how many near misses
sit in the channels the crawl starts from) could change that.
"""
from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
import tempfile
import time
from pathlib import Path


def ground_truth():
    from fanwen.demo import build_demo

    demo = build_demo()
    labels = {a.canonical_url: a.label for a in demo.articles}
    return demo, labels


def measure(db_path: Path, labels: dict[str, str]) -> dict:
    conn = sqlite3.connect(str(db_path))
    rows = conn.execute("SELECT url, label FROM documents").fetchall()
    conn.close()
    speech_urls = {u for u, lab in labels.items() if lab == "speech"}
    docs = len(rows)
    found = [(u, lab) for u, lab in rows if u in speech_urls]
    near = [(u, lab) for u, lab in rows if labels.get(u) not in (None, "speech")]
    return {
        "documents": docs,
        "speeches_found": len(found),
        "speeches_total": len(speech_urls),
        "labelled_speech": sum(1 for _, lab in found if lab == "speech"),
        "near_misses_fetched": len(near),
        "near_misses_labelled_speech": sum(1 for _, lab in near if lab == "speech"),
        "unknown_documents": sum(1 for u, _ in rows if u not in labels),
        "harvest_rate": round(len(found) / docs, 3) if docs else 0.0,
    }


def crawl_once(focused: bool, budget: int, seeds: str | None, labels: dict[str, str]) -> dict:
    from fanwen.crawl import run_crawl

    with tempfile.TemporaryDirectory(prefix="fanwen-focused-") as tmp:
        db = Path(tmp) / "corpus.db"
        t0 = time.time()
        stats = run_crawl(db, demo=True, focused=focused, max_requests=budget, seeds_dir=seeds if focused else None)
        out = measure(db, labels)
    out["requests"] = stats.get("demo_requests", stats.get("downloader/request_count"))
    out["seconds"] = round(time.time() - t0, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=int, default=None, help="one request budget (default: 1/6, 1/3, 1/2 of the "
                                                             "demo's pages, and unlimited)")
    ap.add_argument("--seeds", default=None, help="seed folder for the focused crawl")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    demo, labels = ground_truth()
    pages = len(demo.pages)
    third = math.ceil(pages / 3)
    budgets = [args.budget] if args.budget else [math.ceil(pages / 6), third, math.ceil(pages / 2), 0]
    n_speech = sum(1 for v in labels.values() if v == "speech")
    print(f"demo: {pages} pages, {len(labels)} articles, {n_speech} speech articles; target budget 1/3 = {third}")
    results = []
    for budget in budgets:
        row = {"budget": budget}
        for name, focused in (("focused", True), ("bfs", False)):
            row[name] = crawl_once(focused, budget, args.seeds, labels)
        results.append(row)
        f, b = row["focused"], row["bfs"]
        if not f["requests"] or not f["documents"]:
            ratio = 0.0  # the crawl did not run: nothing to compare
        else:
            ratio = f["speeches_found"] / b["speeches_found"] if b["speeches_found"] else float("inf")
        row["ratio"] = round(ratio, 2)
        print(f"\nbudget {budget or 'unlimited'} requests" + (" (1/3 of the demo)" if budget == third else ""))
        print(f"  {'order':10s} {'requests':>8s} {'docs':>5s} {'speeches':>9s} {'labelled':>9s} {'harvest':>8s} "
              f"{'near-miss':>9s} {'as speech':>9s} {'secs':>6s}")
        for name in ("focused", "bfs"):
            r = row[name]
            print(f"  {name:10s} {r['requests']!s:>8s} {r['documents']:5d} {r['speeches_found']:5d}/{r['speeches_total']:<3d} "
                  f"{r['labelled_speech']:9d} {r['harvest_rate']:8.3f} {r['near_misses_fetched']:9d} "
                  f"{r['near_misses_labelled_speech']:9d} {r['seconds']:6.1f}")
        ceiling = f["speeches_total"] / b["speeches_found"] if b["speeches_found"] else float("inf")
        row["ceiling"] = round(ceiling, 2)
        print(f"  focused / bfs speeches found: {ratio:.2f}x   (ceiling: all {f['speeches_total']} speech articles / "
              f"bfs = {ceiling:.2f}x; no order can do better)")
    at_third = next((r for r in results if r["budget"] == third), None)
    if at_third:
        ok = at_third["ratio"] >= 2.0
        print(f"\ntarget (>= 2x speeches at a budget of {third} = 1/3 of the demo's pages): "
              f"{at_third['ratio']:.2f}x {'MET' if ok else 'NOT MET'}")
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
