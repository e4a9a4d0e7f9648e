"""Real page openings from 范文 sites never used for building the model: precision/recall of `speech`.

    python -m benchmarks.real_pages                  # P/R of the stored labelling, per half, beside the baseline
    python -m benchmarks.real_pages --measure TSV    # re-classify openings kept OUTSIDE the repository and
                                                     # rewrite benchmarks/data/real_pages_eval.tsv

The page texts are NOT in the repository (they are other people's pages, seen through the `search` tool's `pages`
corpus as reference only). `benchmarks/data/real_pages_eval.tsv` keeps, per page: the URL, our label (the scope in
docs/relevance.md), the model's label, the keyword baseline's label, the half, and a one-line note in our words.
The default run only recomputes P/R from those columns; re-measuring needs the openings again (look the URLs up with
the search tool and save `url<TAB>label<TAB>note<TAB>opening` with `\\n` for line breaks in a file outside the repo).

Each opening is classified with an empty title and the search result's text (its first lines carry the title, as on
the page), through `fanwen.pipeline.process_text` — the same clean -> classify path as a crawled page.

The set is split in two halves by a hash of the URL, fixed before any result was looked at: half A is the only one
whose errors were read (and whose *kind* of failure was fixed with original texts written for the labelled set);
half B is the honest figure, never looked at before the fix and not tuned on after.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

from benchmarks.relevance import baseline, prf

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "benchmarks" / "data" / "real_pages_eval.tsv"
CHECKLIST = ROOT / "benchmarks" / "data" / "real_pages.tsv"
FIELDS = ["url", "label", "model", "baseline", "half", "note"]


def half(url: str) -> str:
    """A (errors read, failure classes fixed) or B (honest), from the URL alone."""
    return "A" if hashlib.sha1(url.encode("utf-8")).digest()[0] % 2 == 0 else "B"


def seen_before() -> set[str]:
    """URLs the model's page openings were written after (issue 12's first pass): never part of this evaluation."""
    if not CHECKLIST.exists():
        return set()
    return {line.split("\t", 1)[0] for line in CHECKLIST.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")}


def measure(source: Path) -> list[dict]:
    from fanwen.pipeline import process_text

    old = seen_before()
    rows, seen = [], set()
    for n, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise ValueError(f"{source}:{n}: expected url, label, note, opening")
        url, label, note, opening = parts
        if url in old or url in seen:
            continue
        seen.add(url)
        text = opening.replace("\\n", "\n")
        doc = process_text(url, text, title="")
        rows.append({"url": url, "label": label, "model": doc.label,
                     "baseline": "speech" if baseline("", text) else "other",
                     "half": half(url), "note": note})
    return rows


def write(rows: list[dict], path: Path = EVAL) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("# Real page openings (search tool, pages corpus) for issue 12's real-page check; no page text kept.\n")
        f.write("# model = label from fanwen.pipeline.process_text(url, opening, title=''); baseline = 讲话|发言 in the\n")
        f.write("# first 100 characters; half from a hash of the URL (A: errors read, B: honest).\n")
        w = csv.DictWriter(f, FIELDS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def read(path: Path = EVAL) -> list[dict]:
    lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l and not l.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def report(rows: list[dict], errors: str = "") -> None:
    print(f"{'part':<10} {'n':>4} {'speech':>6} | {'model P':>7} {'R':>6} | {'baseline P':>10} {'R':>6}")
    for name, part in (("half A", [r for r in rows if r["half"] == "A"]),
                       ("half B", [r for r in rows if r["half"] == "B"]),
                       ("all", rows)):
        truth = [r["label"] == "speech" for r in part]
        m = prf([(r["model"] == "speech", t) for r, t in zip(part, truth)])
        b = prf([(r["baseline"] == "speech", t) for r, t in zip(part, truth)])
        print(f"{name:<10} {len(part):>4} {sum(truth):>6} | {m['precision']:>7.3f} {m['recall']:>6.3f} | "
              f"{b['precision']:>10.3f} {b['recall']:>6.3f}")
    if errors:
        for r in rows:
            if r["half"] == errors and (r["model"] == "speech") != (r["label"] == "speech"):
                print(f"  {r['half']} ours={r['label']:<12} model={r['model']:<12} {r['url']}  ({r['note']})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measure", type=Path, help="TSV of openings kept outside the repository")
    ap.add_argument("--errors", choices=["A", "B"], help="list the `speech` errors of one half")
    args = ap.parse_args(argv)
    if args.measure:
        if not args.measure.exists():
            print(f"real_pages: no such file: {args.measure}", file=sys.stderr)
            return 2
        try:
            rows = measure(args.measure)
        except ValueError as e:
            print(f"real_pages: {e}", file=sys.stderr)
            return 2
        write(rows)
    rows = read()
    report(rows, args.errors or "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
