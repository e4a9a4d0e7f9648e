"""The writer's cost per document as a corpus grows to a million: writer-only windows on a kept corpus.

    python -m benchmarks.grow --db /tmp/k/scale.db --to 1000000              # grow it, a line per 10,000 documents
    python -m benchmarks.grow --db /tmp/k/scale.db --to 1000000 --alternate  # windows with / without a 512 MB cache
    python -m benchmarks.grow --db /tmp/small.db --to 20000 --window 5000    # the same windows on a small corpus

`benchmarks.scale` runs its measured windows through the loop of `fanwen ingest` and fills the corpus between them
with the writer's own code; a million documents that way take hours more than the writer alone. This grows a corpus
(a new one, or one kept by `benchmarks.scale --keep`) with the same generator (`benchmarks.scale.SpeechMaker`: its
sentence pool, stock passages and openings; `--seed` draws another stream from them) and the writer's own code
(`Corpus.add_documents`: rows, FTS, dedup), the workers' part (fingerprint, dedup sketch, and the comparisons with
committed candidates of `fanwen.dedup.precheck`, PRECHECK_LAG batches ahead; `--no-precheck`: none) done here
outside the timing, and prints per window: the writer's CPU ms per document (dedup, FTS insert, the rest), dedup
candidates per document (and how many of them were prechecked, with the CPU the prechecks took), 512-byte blocks
read per document (ru_inblock: the reads the OS page cache did not answer), wall ms per document (with the workers'
part), peak RSS and the file's size. Run it on a small corpus at the same time, on the other core, for the figure
to compare with: the machine's speed may change over the hours a big run takes.
`--alternate` reopens the corpus for every window, with a bigger SQLite page cache for the writer (`--cache-mb`)
and with the default (2 MB) in turn.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time


PRECHECK_LAG = 2  # batches: a worker compares a document this many batches before the writer stores it


def grow(db: str, target: int, window: int, seed: int, alternate: bool, cache_mb: int = 512,
         batch: int = 64, precheck: bool = True) -> list[dict]:
    from collections import deque

    from benchmarks.scale import SpeechMaker, writer_document
    from fanwen.dedup.precheck import CommittedCorpus
    from fanwen.store import Corpus

    maker = SpeechMaker()
    maker.rng = random.Random(seed)  # the same pool and stock passages, other draws from them
    corpus = Corpus(db)
    have = corpus.db.execute("SELECT count(*) FROM documents").fetchone()[0]
    corpus.close()
    print(f"{db}: {have:,} documents stored; growing to {target:,} (seed {seed})", flush=True)
    rows, i, win = [], 0, 0
    view = CommittedCorpus(db) if precheck else None
    ahead: deque = deque()  # batches prechecked, not stored yet
    while have < target:
        corpus = Corpus(db)
        cached = False
        if alternate:
            win += 1
            cached = win % 2 == 1
            if cached:
                corpus.db.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
        cpu = dedup = fts = cand = pre = pre_cpu = taken = 0.0
        new = 0
        ru0, w0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        while new < window and have < target:
            while len(ahead) <= PRECHECK_LAG * bool(view):
                docs = [writer_document(f"http://www.site{j % 50}.test/g{seed}/{j}.html", r["title"], r["text"],
                                        prepared=True)  # the workers' part, outside the timing
                        for j in range(i, i + batch) for r in [maker.make(j)]]
                i += batch
                if view:  # and their comparisons with what is committed (fanwen.dedup.precheck), as a worker
                    t = time.process_time()
                    for d in docs:
                        d.dedup_checked = view.check(d.fingerprint, d.content_hash, d.dedup_sketch)
                    pre_cpu += time.process_time() - t
                ahead.append(docs)
            docs = ahead.popleft()
            t = time.process_time()
            st = corpus.add_documents([(d, []) for d in docs])
            cpu += time.process_time() - t
            new += st["new"]
            have += st["new"]
            dedup += st.get("dedup", {}).get("cpu_dedup", 0.0)
            fts += st.get("dedup", {}).get("cpu_fts", 0.0)
            cand += st.get("dedup", {}).get("candidates", 0)
            pre += st.get("dedup", {}).get("prechecked", 0)
            taken += st.get("dedup", {}).get("lookups_taken", 0)
        corpus.close()
        ru, n = resource.getrusage(resource.RUSAGE_SELF), max(1, new)
        row = {"at": have, "cache": cached, "writer_ms": 1000 * cpu / n, "dedup_ms": 1000 * dedup / n,
               "fts_ms": 1000 * fts / n, "candidates": cand / n, "prechecked": pre / n, "lookups_taken": taken / n,
               "precheck_ms": 1000 * pre_cpu / n, "blocks_read": (ru.ru_inblock - ru0.ru_inblock) / n,
               "wall_ms": 1000 * (time.perf_counter() - w0) / n, "rss_mb": ru.ru_maxrss / 1024,
               "db_gb": os.path.getsize(db) / 1e9}
        rows.append(row)
        print(f"{time.strftime('%H:%M:%S')} at {have:>9,}{f' ({cache_mb} MB cache)' if cached else ''}: writer "
              f"{row['writer_ms']:.2f} ms/doc (dedup {row['dedup_ms']:.2f}, FTS {row['fts_ms']:.2f}, rest "
              f"{row['writer_ms'] - row['dedup_ms'] - row['fts_ms']:.2f}), candidates {row['candidates']:.2f} "
              f"(prechecked {row['prechecked']:.2f}, in {row['precheck_ms']:.2f} ms/doc of worker CPU; key lookups "
              f"taken {row['lookups_taken']:.2f}), "
              f"blocks read {row['blocks_read']:.0f}, wall {row['wall_ms']:.2f} ms/doc, peak RSS "
              f"{row['rss_mb']:.0f} MB, {row['db_gb']:.2f} GB", flush=True)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="the corpus to grow (created if missing)")
    ap.add_argument("--to", type=int, default=1_000_000, help="documents to grow it to")
    ap.add_argument("--window", type=int, default=10_000, help="documents per printed window")
    ap.add_argument("--seed", type=int, default=11, help="the generator's stream (use a new one to extend again)")
    ap.add_argument("--alternate", action="store_true", help="windows with a bigger page cache and without, in turn")
    ap.add_argument("--cache-mb", type=int, default=512, help="the bigger page cache of --alternate (MB)")
    ap.add_argument("--no-precheck", action="store_true",
                    help="the writer compares every candidate itself (as before fanwen.dedup.precheck)")
    args = ap.parse_args(argv)
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.db))):
        print(f"{args.db}: no such directory", file=sys.stderr)
        return 2
    from fanwen.store import CorpusError

    try:
        grow(args.db, args.to, args.window, args.seed, args.alternate, args.cache_mb,
             precheck=not args.no_precheck)
    except CorpusError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
