"""Dedup benchmark: precision/recall per kind of copy, throughput and index memory at 10k and 100k documents.

    python -m benchmarks.dedup                 # quality set + 10k + 100k (about 6-8 minutes on 2 cores)
    python -m benchmarks.dedup --sizes 10000   # quicker
    python -m benchmarks.dedup --sizes 0       # the quality set alone

See benchmarks/dedup_gen.py for what is generated. Documents go into a real corpus.db (fanwen.store schema, WAL) in
batches of 100 and are placed by `fanwen.dedup.update_clusters`, as a crawl would; figures:
- precision over all pairs of documents put in one cluster (a pair is right if both are copies of one text) and
  recall over all pairs of copies;
- recall per kind: a planted copy is found if it is in the cluster of its original;
- hard negatives: documents of a different speech put in the cluster of the base they share paragraphs with;
- compilations: linked (`contains`) to both speeches, and the two speeches' clusters not merged;
- canonical: the canonical copy of each base cluster is complete (not a preview) and not mangled;
- throughput: documents/s for normalise (fingerprint) + dedup, average and over the last 10 % of the run (the
  marginal cost with the index full); memory: bytes per document of the dedup tables (dbstat) and peak RSS;
- rebuild (quality set and 10k): `fanwen.dedup.rebuild` gives the same partition.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks.dedup_gen import COPY_KINDS, FillerMaker, load_bases, quality_set
from cleaners.fingerprint import content_hash, fingerprint_text
from fanwen import dedup

TARGETS = {"boilerplate": 0.99, "placeholder": 0.99, "pagemarker": 0.99, "watermark": 0.99, "script": 0.99,
           "mobile": 0.99, "synonym": 0.97, "preview40": 0.95}
INDEX_TABLES = ("dedup_keys", "dedup_docs", "links", "links_doc_b")


def open_db(path: str):
    from fanwen.store import Corpus

    return Corpus(path)


META = ("truth", "kind", "base", "truncated")


def insert_and_place(corpus, docs, batch: int = 100, progress: int = 0, keep_text: bool = True) -> dict:
    """Insert documents in batches (as the store does) and place each batch; returns timings.

    `docs` may be an iterator (fillers are generated on the fly); each document dict gets its `id`, and unless
    `keep_text` its text is dropped once stored (only the fields needed for evaluation stay in memory).
    """
    db = corpus.db
    t_norm = t_dedup = t_ins = 0.0
    n = 0
    stats = Counter()
    cols = ["url", "site", "title", "text", "published", "truncated", "mangled", "placeholders", "script",
            "low_trust", "label"]
    kept = []
    it = iter(docs)
    while True:
        part = [d for _, d in zip(range(batch), it)]
        if not part:
            break
        t0 = time.perf_counter()
        for d in part:
            d["fingerprint"] = fingerprint_text(d["text"])
            d["content_hash"] = content_hash(d["fingerprint"])
        t1 = time.perf_counter()
        ids = []
        for d in part:
            row = {c: d[c] for c in cols}
            row.update(fingerprint=d["fingerprint"], content_hash=d["content_hash"], chars=len(d["text"]),
                       fetched_at="2025-01-01T00:00:00", is_canonical=0)
            cur = db.conn.execute(f"INSERT INTO documents ({','.join(row)}) VALUES ({','.join('?' * len(row))})",
                                  list(row.values()))
            d["id"] = cur.lastrowid
            ids.append(cur.lastrowid)
        t2 = time.perf_counter()
        st = dedup.update_clusters(db, ids)
        db.conn.commit()
        t3 = time.perf_counter()
        for k, v in st.items():
            stats[k] += v
        t_norm += t1 - t0
        t_ins += t2 - t1
        t_dedup += t3 - t2
        n += len(part)
        for d in part:
            kept.append(d if keep_text or d["kind"] != "filler" else {"id": d["id"], **{k: d.get(k) for k in META}})
        if progress and n % 5000 < batch:
            print(f"\r  {n}/{progress} documents placed, {n / max(1e-9, t_norm + t_dedup):.0f} docs/s", end="",
                  file=sys.stderr, flush=True)
    if progress:
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr, flush=True)
    return {"docs": n, "normalise_s": t_norm, "dedup_s": t_dedup, "insert_s": t_ins,
            "rate": n / max(1e-9, t_norm + t_dedup), "stats": dict(stats), "placed": kept}


def index_bytes(db) -> dict:
    sizes = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    return {t: sizes.get(t, 0) for t in INDEX_TABLES} | {
        "keys_rows": db.execute("SELECT count(*) FROM dedup_keys").fetchone()[0]}


def evaluate(db, docs: list[dict]) -> dict:
    pred = dict(db.execute("SELECT id, cluster_id FROM documents").fetchall())
    canon = {r[0] for r in db.execute("SELECT id FROM documents WHERE is_canonical = 1")}
    by_id = {d["id"]: d for d in docs}
    # pairwise precision / recall
    clusters = defaultdict(list)
    for d in docs:
        clusters[pred[d["id"]]].append(d["truth"])
    pred_pairs = sum(len(v) * (len(v) - 1) // 2 for v in clusters.values())
    tp = sum(c * (c - 1) // 2 for v in clusters.values() for c in Counter(v).values())
    truth_sizes = Counter(d["truth"] for d in docs)
    truth_pairs = sum(c * (c - 1) // 2 for c in truth_sizes.values())
    out = {"precision": tp / max(1, pred_pairs), "recall": tp / max(1, truth_pairs), "pred_pairs": pred_pairs,
           "false_pairs": pred_pairs - tp}
    orig = {d["base"]: d for d in docs if d["kind"] == "original"}
    per_kind = defaultdict(lambda: [0, 0])
    for d in docs:
        k = d["kind"]
        if k in COPY_KINDS:
            key = k
            if k == "preview40":
                key = "preview40 (flagged)" if d["truncated"] else "preview40 (not flagged)"
                per_kind["preview40"][0] += 1
                per_kind["preview40"][1] += pred[d["id"]] == pred[orig[d["base"]]["id"]]
            per_kind[key][0] += 1
            per_kind[key][1] += pred[d["id"]] == pred[orig[d["base"]]["id"]]
        elif k.startswith(("neg", "town")):
            per_kind["negatives merged"][0] += 1
            per_kind["negatives merged"][1] += pred[d["id"]] == pred[orig[d["base"]]["id"]]
    out["kinds"] = {k: (n, hit) for k, (n, hit) in per_kind.items()}
    # compilations
    comp = [d for d in docs if d["kind"] == "compilation"]
    ok = 0
    for d in comp:
        b1, b2 = d["base"].split("|")
        c1, c2 = pred[orig[b1]["id"]], pred[orig[b2]["id"]]
        linked = {pred[r[0]] for r in db.execute("SELECT doc_b FROM links WHERE doc_a = ? AND kind = 'contains'",
                                                 [d["id"]])}
        ok += c1 != c2 and {c1, c2} <= linked and pred[d["id"]] not in (c1, c2)
    out["compilations"] = (len(comp), ok)
    # canonical copy of each base cluster: complete and clean
    canon_of = {pred[i]: i for i in canon if i in pred}
    good = total = 0
    for b, o in orig.items():
        total += 1
        c = canon_of.get(pred[o["id"]])
        if c is not None:
            d = by_id[c]
            good += (d["kind"] in ("original", "mobile", "placeholder", "boilerplate") and not d["truncated"]) \
                or d.get("fingerprint") == o["fingerprint"]
    out["canonical"] = (total, good)
    return out


def partition(db) -> set[frozenset]:
    groups = defaultdict(set)
    for i, c in db.execute("SELECT id, cluster_id FROM documents"):
        groups[c].add(i)
    return {frozenset(v) for v in groups.values()}


def probe_set(bases, seed: int = 99) -> list[dict]:
    """The same 1000 new documents inserted at the end of every run: 700 new fillers and 300 new copies of the
    bases (every kind). Their cost per document is the marginal cost at that corpus size."""
    maker = FillerMaker(bases, seed=seed)
    docs = [maker.make(10_000_000 + i) for i in range(700)]
    copies = [d for d in quality_set(bases, copies=1, seed=seed) if d["kind"] in COPY_KINDS]
    rng = random.Random(seed)
    docs += [dict(d, url=d["url"].replace("/news/", "/probe/")) for d in rng.sample(copies, 300)]
    rng.shuffle(docs)
    return docs


def run(size: int, bases, quality: list[dict], workdir: Path, check_rebuild: bool, seed: int = 3) -> dict:
    rng = random.Random(seed)
    docs = [dict(d) for d in quality]
    n_fill = max(0, size - len(docs))
    maker = FillerMaker(bases, seed=seed)
    # quality documents spread at random positions among the fillers (generated on the fly)
    slots = sorted(rng.sample(range(n_fill + len(docs)), len(docs)))
    rng.shuffle(docs)

    def stream():
        qi = fi = 0
        for pos in range(n_fill + len(docs)):
            if qi < len(docs) and slots[qi] == pos:
                qi += 1
                yield docs[qi - 1]
            else:
                fi += 1
                yield maker.make(fi)

    path = workdir / f"bench_{size or len(docs)}.db"
    if path.exists():
        path.unlink()
    corpus = open_db(str(path))
    timing = insert_and_place(corpus, stream(), progress=size if size >= 10000 else 0, keep_text=False)
    probe = probe_set(bases)
    ptiming = insert_and_place(corpus, probe)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    placed = timing.pop("placed") + ptiming.pop("placed")
    ev = evaluate(corpus.db, placed)
    mem = index_bytes(corpus.db)
    chars = corpus.db.execute("SELECT avg(chars) FROM documents").fetchone()[0]
    res = {"size": len(placed), "timing": timing, "probe": ptiming, "eval": ev, "mem": mem, "chars": chars,
           "rss_mb": rss / 1024}
    if check_rebuild:
        before = partition(corpus.db)
        canon_before = {r[0] for r in corpus.db.execute("SELECT id FROM documents WHERE is_canonical = 1")}
        t = time.perf_counter()
        dedup.rebuild(corpus.db)
        res["rebuild_s"] = time.perf_counter() - t
        res["rebuild_same"] = partition(corpus.db) == before
        res["rebuild_same_canonical"] = {r[0] for r in corpus.db.execute(
            "SELECT id FROM documents WHERE is_canonical = 1")} == canon_before
    corpus.close()
    path.unlink(missing_ok=True)
    return res


def fmt(res: dict) -> str:
    ev, tm, mem = res["eval"], res["timing"], res["mem"]
    idx = sum(v for k, v in mem.items() if k in INDEX_TABLES)
    lines = [f"== {res['size']} documents (avg {res['chars']:.0f} chars) =="]
    lines.append(f"  precision (all pairs) {ev['precision']:.5f}  recall (all pairs) {ev['recall']:.4f}  "
                 f"false pairs {ev['false_pairs']} of {ev['pred_pairs']}")
    for k in sorted(ev["kinds"]):
        n, hit = ev["kinds"][k]
        if k == "negatives merged":
            lines.append(f"  {k:26s} {hit:5d} / {n:<5d} (target 0)")
            continue
        tgt = TARGETS.get(k)
        mark = "" if tgt is None else ("  ok" if hit / n >= tgt else "  BELOW TARGET")
        lines.append(f"  recall {k:19s} {hit / n:.4f}  ({hit}/{n})" + (f"  target {tgt}" + mark if tgt else ""))
    n, ok = ev["compilations"]
    lines.append(f"  compilations linked to both speeches, none merged: {ok}/{n}")
    n, ok = ev["canonical"]
    lines.append(f"  canonical copy complete and clean: {ok}/{n} base clusters")
    pr = res["probe"]
    lines.append(f"  throughput (normalise + dedup): {tm['rate']:.0f} docs/s building the corpus; probe of 1000 new "
                 f"documents at this size: {1000 * (pr['normalise_s'] + pr['dedup_s']) / pr['docs']:.2f} ms/doc; "
                 f"candidates verified/doc {tm['stats'].get('candidates', 0) / tm['docs']:.2f}")
    lines.append(f"  index: {idx / res['size']:.0f} bytes/doc on disk (keys {mem['dedup_keys'] / res['size']:.0f}, "
                 f"docs {mem['dedup_docs'] / res['size']:.0f}, links {(mem['links'] + mem['links_doc_b']) / res['size']:.0f}); "
                 f"{mem['keys_rows'] / res['size']:.1f} keys/doc; peak RSS {res['rss_mb']:.0f} MB")
    if "rebuild_same" in res:
        lines.append(f"  rebuild: same partition {res['rebuild_same']}, same canonical copies "
                     f"{res['rebuild_same_canonical']} ({res['rebuild_s']:.1f}s)")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="0,10000,100000",
                    help="comma-separated corpus sizes (0: the quality set alone)")
    ap.add_argument("--copies", type=int, default=3, help="copies of each kind per base text")
    ap.add_argument("--keep", help="directory to keep the benchmark databases in")
    ap.add_argument("--json", help="write the figures as JSON to this file")
    args = ap.parse_args(argv)
    bases = load_bases()
    quality = quality_set(bases, copies=args.copies)
    print(f"bases: {len(bases)} texts ({sum(b.meta.get('genre') == 'speech' for b in bases)} speeches); "
          f"quality set: {len(quality)} documents; parameters: n={dedup.NGRAM}, full {dedup.FULL_BANDS}x"
          f"{dedup.FULL_ROWS}, heads {dedup.HEADS}, chunk mod {dedup.CHUNK_MOD}, link coverage {dedup.LINK_COVERAGE}")
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dedup_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            res = run(size, bases, quality, workdir, check_rebuild=size <= 10000)
            results.append(res)
            print(fmt(res), flush=True)
        big = [r for r in results if r["size"] >= 10000]
        if len(big) >= 2:
            a, b = big[0], big[-1]
            cost = lambda r: (r["probe"]["normalise_s"] + r["probe"]["dedup_s"]) / r["probe"]["docs"]  # noqa: E731
            ratio = cost(b) / cost(a)
            print(f"per-document cost at {b['size']} vs {a['size']}: {ratio:.2f}x (target <= 1.5)")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
