"""Relevance benchmark: precision and recall of `speech` on the held-out part of the labelled set, beside a baseline.

    python -m benchmarks.relevance                 # held-out (full, first 300, traditional + pinyin …), the page
                                                   # openings written after real pages, ../shared/corpora false
                                                   # positives, the seeds (read at run time), links, speed
    python -m benchmarks.relevance --train         # rebuild fanwen/data/relevance_profile.json from the training part
    python -m benchmarks.relevance --oof           # out-of-fold misses INSIDE the training part (what to tune on)
    python -m benchmarks.relevance --seeds DIR     # also evaluate the model with seed similarity from DIR
    python -m benchmarks.relevance -v              # list every misclassified held-out text (for the report only)

The baseline is the rule "讲话 or 发言 in the title or the opening (first 100 characters)". The held-out part
(benchmarks/labelled.py: a hash of each file's id) is never used for training or threshold tuning.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from benchmarks import labelled as L
from fanwen import relevance as R

DEFAULT_SEEDS = L.ROOT.parent / "shared" / "seeds"


# ------------------------------------------------------------------ metrics
def prf(pairs: list[tuple[bool, bool]]) -> dict:
    tp = sum(1 for p, t in pairs if p and t)
    fp = sum(1 for p, t in pairs if p and not t)
    fn = sum(1 for p, t in pairs if not p and t)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"n": len(pairs), "tp": tp, "fp": fp, "fn": fn, "precision": prec, "recall": rec, "f1": f1}


_BASELINE = ("讲话", "发言", "講話", "發言")


def baseline(title: str, text: str) -> bool:
    """The keyword rule: 讲话|发言 in the title or in the opening (a page without a title starts with it)."""
    opening = (text or "")[:100]
    return any(k in (title or "") or k in opening for k in _BASELINE)


def variants(ex: dict) -> dict[str, tuple[str, str]]:
    trad_title, trad_text = L.traditional(ex["title"]), L.traditional(ex["text"])
    return {
        "full text": (ex["title"], ex["text"]),
        "first 1,000 chars": (ex["title"], L.first_chars(ex["text"])),
        "first 300 chars (preview)": (ex["title"], L.first_chars(ex["text"], 300)),
        "traditional + pinyin": (trad_title, trad_text),
        "traditional, first 300": (trad_title, L.first_chars(trad_text, 300)),
        "no title, first 1,000": ("", L.first_chars(ex["text"])),
    }


def seed_examples(seeds_dir: Path) -> list[dict]:
    """The seeds as the pipeline sees them (generic cleaning), expected label speech."""
    if not seeds_dir.is_dir():
        return []
    out = []
    for (title, text), p in zip(R.read_seed_docs(seeds_dir),
                                sorted(q for q in seeds_dir.iterdir() if q.suffix.lower() in (".txt", ".html", ".htm"))):
        out.append({"id": f"seeds/{p.name}", "title": title, "text": text, "label": "speech", "genre": "seed"})
    return out


# ------------------------------------------------------------------ training
L2 = 0.05  # out-of-fold F1 inside the training part: 0.983 with 0.05 and with 0.01 (kept the simpler, stronger penalty)


RECALL_FLOOR = 0.98  # out-of-fold recall the tuned threshold must keep: real page openings score lower than the
# training folds (half A of benchmarks/data/real_pages_eval.tsv lost recall at 0.96), so keep a margin over 0.95


def train(l2: float = L2) -> dict:
    train_set = L.load("train")
    prof = R.train_profile(train_set, l2=l2)
    # tune the threshold by 5-fold cross-validation inside the training part (out-of-fold speech scores)
    folds = 5
    oof: list[tuple[float, bool]] = []
    for k in range(folds):
        fit = [e for i, e in enumerate(train_set) if i % folds != k]
        val = [e for i, e in enumerate(train_set) if i % folds == k]
        m = R.load_model(profile=R.train_profile(fit, l2=l2), threshold=0.5)
        for e in val:
            for text in (e["text"], L.first_chars(e["text"]), L.first_chars(e["text"], 300)):
                oof.append((m.classify(e["title"], text)[1], e["label"] == "speech"))
    # the targets ask for precision >= 0.97 at recall >= 0.95: take the threshold with the best out-of-fold
    # precision among those keeping out-of-fold recall >= RECALL_FLOOR, then the higher F1, then the one nearest 0.5
    best_key, best = None, (0.0, 0.5)
    for i in range(10, 91):
        t = i / 100
        r = prf([(s >= t, y) for s, y in oof])
        key = (r["recall"] >= RECALL_FLOOR, round(r["precision"], 4) if r["recall"] >= RECALL_FLOOR else 0.0,
               round(r["f1"], 4), -abs(t - 0.5))
        if best_key is None or key > best_key:
            best_key, best = key, (r["f1"], t)
    prof["threshold"] = best[1]
    prof["tuning"] = {"method": f"{folds}-fold cross-validation on the training part; best precision at "
                                f"recall >= {RECALL_FLOOR}", "oof_f1": round(best[0], 4),
                      "oof": prf([(s >= best[1], y) for s, y in oof])}
    R.PROFILE_PATH.write_text(json.dumps(prof, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    R._profile_cache = None
    return prof


def oof_misses(l2: float = L2, folds: int = 5) -> list[tuple]:
    """Out-of-fold misclassifications inside the training part: what the cues may be tuned on (never held-out)."""
    train_set = L.load("train")
    out = []
    for k in range(folds):
        fit = [e for i, e in enumerate(train_set) if i % folds != k]
        m = R.load_model(profile=R.train_profile(fit, l2=l2), threshold=0.5)
        for e in (e for i, e in enumerate(train_set) if i % folds == k):
            for vname, (title, text) in variants(e).items():
                label, score, _ = m.classify(title, text)
                if (label == "speech") != (e["label"] == "speech"):
                    out.append((e["id"], vname, e["label"], label, round(score, 3), e["title"][:30]))
    return out


# ------------------------------------------------------------------ the real negatives of ../shared/corpora
CORPORA = L.ROOT.parent / "shared" / "corpora"
CORPUS_FILES = (("xwlb_meeting_news.jsonl", "text", "新闻联播 items about meetings"),
                ("government_work_reports.jsonl", "content", "政府工作报告 and resolutions"))


def corpora_rows(model: R.RelevanceModel, folder: Path = CORPORA) -> list[dict]:
    """False-positive rate of `speech` on real texts nobody here wrote (all labelled `other`), read at run time."""
    rows = []
    for name, field, what in CORPUS_FILES:
        path = folder / name
        if not path.is_file():
            continue
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        fp = [it["title"] for it in items if model.classify(it["title"], it.get(field, ""))[0] == "speech"]
        base = sum(1 for it in items if baseline(it["title"], it.get(field, "")))
        rows.append({"file": name, "what": what, "n": len(items), "fp": len(fp), "baseline_fp": base,
                     "fp_titles": fp[:5]})
    return rows


# ------------------------------------------------------------------ evaluation
def evaluate(model: R.RelevanceModel, examples: list[dict], verbose: bool = False, name: str = "") -> dict[str, dict]:
    rows: dict[str, dict] = {}
    by_variant: dict[str, list] = {}
    base: dict[str, list] = {}
    three: dict[str, list] = {}
    misses = []
    for ex in examples:
        for vname, (title, text) in variants(ex).items():
            label, score, _ = model.classify(title, text)
            truth = ex["label"] == "speech"
            by_variant.setdefault(vname, []).append((label == "speech", truth))
            base.setdefault(vname, []).append((baseline(title, text), truth))
            three.setdefault(vname, []).append(label == ex["label"])
            if (label == "speech") != truth:
                misses.append((vname, ex["id"], ex["label"], label, round(score, 3), ex["title"][:40]))
    for vname in by_variant:
        rows[vname] = {"model": prf(by_variant[vname]), "baseline": prf(base[vname]),
                       "3-class accuracy": sum(three[vname]) / len(three[vname])}
    if verbose and misses:
        print(f"  misclassified ({name}):")
        for m in misses:
            print("   ", *m)
    return rows


def print_table(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}")
    print(f"  {'variant':28s} {'n':>4s} | {'model P':>8s} {'R':>6s} {'F1':>6s} {'3-cls':>6s} | {'baseline P':>10s} {'R':>6s} {'F1':>6s}")
    for vname, r in rows.items():
        m, b = r["model"], r["baseline"]
        print(f"  {vname:28s} {m['n']:4d} | {m['precision']:8.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
              f"{r['3-class accuracy']:6.3f} | {b['precision']:10.3f} {b['recall']:6.3f} {b['f1']:6.3f}")


def auc(scored: list[tuple[float, bool]]) -> float:
    pos = [s for s, y in scored if y]
    neg = [s for s, y in scored if not y]
    if not pos or not neg:
        return 1.0
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def link_ranking(model: R.RelevanceModel, examples: list[dict]) -> dict:
    """How well score_link() ranks the titles (as anchor texts) of speeches above the near misses'."""
    m = [(model.score_link(e["title"]), e["label"] == "speech") for e in examples]
    b = [(1.0 if baseline(e["title"], "") else 0.0, e["label"] == "speech") for e in examples]
    k = sum(1 for _, y in m if y)
    top = sorted(m, key=lambda sy: -sy[0])[:k]
    return {"auc": auc(m), "baseline_auc": auc(b), "precision_at_k": sum(y for _, y in top) / k if k else 1.0, "k": k}


def timing(model: R.RelevanceModel, examples: list[dict]) -> tuple[float, float]:
    """(CPU ms, wall ms) per classify() call. CPU time of this process is the figure for the 2 ms target: on a
    shared machine the wall clock also counts the time other processes hold the core."""
    docs = [(e["title"], e["text"]) for e in examples]
    for t, x in docs[:10]:
        model.classify(t, x)  # warm-up: the profile, OpenCC and the centroid index are loaded once
    c0, w0 = time.process_time(), time.perf_counter()
    for t, x in docs * 3:
        model.classify(t, x)
    n = 3 * len(docs)
    return (time.process_time() - c0) * 1000 / n, (time.perf_counter() - w0) * 1000 / n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", action="store_true", help="rebuild the built-in profile from the training part")
    ap.add_argument("--l2", type=float, default=L2, help="L2 penalty of the logistic regressions (with --train/--oof)")
    ap.add_argument("--oof", action="store_true", help="list out-of-fold misses inside the training part and stop")
    ap.add_argument("--seeds", type=Path, default=None, help="seed folder for the model with seed similarity")
    ap.add_argument("--seeds-eval", type=Path, default=DEFAULT_SEEDS, help="seeds evaluated separately (label speech)")
    ap.add_argument("--corpora", type=Path, default=CORPORA, help="folder of the real negatives (read at run time)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if args.oof:
        for m in oof_misses(l2=args.l2):
            print(*m)
        return 0
    if args.train:
        prof = train(l2=args.l2)
        print(f"trained on {prof['trained_on']}; threshold {prof['threshold']} ({prof['tuning']['method']}, "
              f"out-of-fold F1 {prof['tuning']['oof_f1']}) -> {R.PROFILE_PATH}")
    held = L.load("heldout")
    tr = L.load("train")
    everything = tr + held
    counts = {lab: sum(1 for e in everything if e["label"] == lab) for lab in R.LABELS}
    hcounts = {lab: sum(1 for e in held if e["label"] == lab) for lab in R.LABELS}
    print(f"labelled set: {len(everything)} texts {counts}; held out {len(held)} {hcounts} (never trained or tuned on)")
    model = R.load_model()
    results = {"heldout": evaluate(model, held, args.verbose, "held-out, built-in profile")}
    print_table(f"held-out, built-in profile (threshold {model.threshold})", results["heldout"])
    pages = [e for e in held if e["id"].startswith("labelled/")]
    if pages:
        results["heldout_pages"] = evaluate(model, pages, False, "held-out page openings")
        print_table("held-out page openings in the manners of real 范文 pages (fanwen/data/labelled)",
                    results["heldout_pages"])
    crows = corpora_rows(model, args.corpora)
    if crows:
        results["corpora"] = crows
        print(f"\nreal negatives from {args.corpora} (all `other`; read at run time): labelled `speech`")
        n = fp = bfp = 0
        for r in crows:
            n, fp, bfp = n + r["n"], fp + r["fp"], bfp + r["baseline_fp"]
            print(f"  {r['file']:34s} {r['n']:4d} | model {r['fp']:3d} ({r['fp'] / r['n']:.4f}) | "
                  f"baseline {r['baseline_fp']:3d} ({r['baseline_fp'] / r['n']:.4f})")
            for t in r["fp_titles"]:
                print(f"      {t[:50]}")
        print(f"  {'all':34s} {n:4d} | model {fp:3d} ({fp / n:.4f}) | baseline {bfp:3d} ({bfp / n:.4f})"
              f"   target <= 0.002")
    seeds = seed_examples(args.seeds_eval)
    if seeds:
        results["seeds"] = evaluate(model, seeds, args.verbose, "seeds")
        print_table(f"seeds from {args.seeds_eval} (expected speech), built-in profile", results["seeds"])
        for s in seeds:
            label, score, ex = model.classify(s["title"], s["text"])
            print(f"    {s['id']}: {label} {score:.3f}  {s['title'][:36]}")
    if args.seeds:
        ms = R.load_model(seeds_dir=args.seeds)
        results["heldout_with_seeds"] = evaluate(ms, held, args.verbose, "held-out, with seeds")
        print_table(f"held-out, profile + seed similarity ({args.seeds})", results["heldout_with_seeds"])
    lr = link_ranking(model, held)
    results["links"] = lr
    print(f"\nlinks: score_link() on the held-out titles as anchors: ROC AUC {lr['auc']:.3f} (baseline "
          f"{lr['baseline_auc']:.3f}); precision of the top {lr['k']} anchors {lr['precision_at_k']:.3f}")
    cpu_ms, wall_ms = timing(model, held)
    results["ms_per_doc"] = {"cpu": cpu_ms, "wall": wall_ms}
    print(f"\nclassify(): {cpu_ms:.2f} ms CPU per document (held-out full texts, one core; target <= 2 ms); "
          f"wall clock {wall_ms:.2f} ms on this machine now")
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    full = results["heldout"]["full text"]["model"]
    first = results["heldout"]["first 300 chars (preview)"]["model"]
    ok = min(full["precision"], first["precision"]) >= 0.97 and min(full["recall"], first["recall"]) >= 0.95
    print("target (held-out full texts and 300-char previews: precision >= 0.97, recall >= 0.95):",
          "MET" if ok else "NOT MET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
