"""Relevance benchmark: precision and recall of `speech` on the held-out part of the labelled set.

    python -m benchmarks.relevance                 # evaluate (held-out: full texts, first 1,000 chars, traditional
                                                   # mirrors; the seeds from ../shared/seeds, read at run time)
    python -m benchmarks.relevance --seeds DIR     # also evaluate the model with seed similarity from DIR
    python -m benchmarks.relevance --train         # rebuild fanwen/data/relevance_profile.json from the training part
    python -m benchmarks.relevance -v              # list every misclassified text

The baseline is the rule "title contains 讲话 or 发言". The held-out part (benchmarks/labelled.py: a hash of each
file's id) is never used for training or threshold tuning.
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


def baseline(title: str, text: str) -> bool:
    return "讲话" in title or "发言" in title or "講話" in title or "發言" in title


def variants(ex: dict) -> dict[str, tuple[str, str]]:
    trad_title, trad_text = L.traditional(ex["title"]), L.traditional(ex["text"])
    return {
        "full text": (ex["title"], ex["text"]),
        "first 1,000 chars": (ex["title"], L.first_chars(ex["text"])),
        "traditional + pinyin": (trad_title, trad_text),
        "traditional, first 1,000": (trad_title, L.first_chars(trad_text)),
        "no title, first 1,000": ("", L.first_chars(ex["text"])),
        "first 300 chars (preview)": (ex["title"], L.first_chars(ex["text"], 300)),
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
def train(l2: float = 0.05) -> dict:
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
    best = (-1.0, 0.5)
    for i in range(10, 91):
        t = i / 100
        r = prf([(s >= t, y) for s, y in oof])
        # F1, then prefer the threshold closest to 0.5
        key = (round(r["f1"], 6), -abs(t - 0.5))
        if key > (round(best[0], 6), -abs(best[1] - 0.5)):
            best = (r["f1"], t)
    prof["threshold"] = best[1]
    prof["tuning"] = {"method": f"{folds}-fold cross-validation on the training part", "oof_f1": round(best[0], 4),
                      "oof": prf([(s >= best[1], y) for s, y in oof])}
    R.PROFILE_PATH.write_text(json.dumps(prof, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    R._profile_cache = None
    return prof


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


def timing(model: R.RelevanceModel, examples: list[dict]) -> float:
    docs = [(e["title"], e["text"]) for e in examples]
    t0 = time.perf_counter()
    for t, x in docs * 3:
        model.classify(t, x)
    return (time.perf_counter() - t0) * 1000 / (3 * len(docs))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", action="store_true", help="rebuild the built-in profile from the training part")
    ap.add_argument("--seeds", type=Path, default=None, help="seed folder for the model with seed similarity")
    ap.add_argument("--seeds-eval", type=Path, default=DEFAULT_SEEDS, help="seeds evaluated separately (label speech)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if args.train:
        prof = train()
        print(f"trained on {prof['trained_on']}; threshold {prof['threshold']} ({prof['tuning']['method']}, "
              f"out-of-fold F1 {prof['tuning']['oof_f1']}) -> {R.PROFILE_PATH}")
    held = L.load("heldout")
    tr = L.load("train")
    counts = {lab: sum(1 for e in held if e["label"] == lab) for lab in R.LABELS}
    print(f"labelled set: {len(tr) + len(held)} texts; held out {len(held)} {counts} (never trained or tuned on)")
    model = R.load_model()
    results = {"heldout": evaluate(model, held, args.verbose, "held-out, built-in profile")}
    print_table(f"held-out, built-in profile (threshold {model.threshold})", results["heldout"])
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
    ms_per_doc = timing(model, held)
    print(f"\nclassify(): {ms_per_doc:.2f} ms per document (full texts, one core)")
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    full = results["heldout"]["full text"]["model"]
    first = results["heldout"]["first 1,000 chars"]["model"]
    ok = min(full["precision"], full["recall"], first["precision"], first["recall"]) >= 0.95
    print("target (precision and recall >= 0.95 on held-out full texts and first 1,000 chars):",
          "MET" if ok else "NOT MET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
