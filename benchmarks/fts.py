"""Full-text search: index size per document, query time and exactness at 100k documents.

    python -m benchmarks.fts                       # 100,000 documents of ~1,500 characters (a few minutes)
    python -m benchmarks.fts --docs 10000          # quicker

Documents are made by drawing paragraphs at random from real texts read at run time (../shared/corpora: 新闻联播
items and 政府工作报告; the demo's own texts when ../shared is absent), so word frequencies are those of real Chinese
prose. The corpus schema is the one `fanwen.store.Corpus` creates, and rows are inserted the way `add_documents`
does (the triggers fill documents_fts). Compared, for each word length:

- `documents_fts MATCH '<word>'` (trigram, what the corpus uses for 3+ characters);
- `title LIKE '%<word>%' OR text LIKE '%<word>%'` (exact; what the corpus uses for 1–2 characters);
- a character-pair index (contentless FTS5, `detail=none`, distinct pairs and characters of each document), the
  alternative for 1–2 characters, built here only to measure it.
Every count is checked against LIKE.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, SHARED

WORDS = ["党", "企", "养老", "招商", "项目", "高质量", "新质生", "营商环境", "乡村振兴", "高质量发展", "全过程人民"]
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def load_paragraphs() -> list[str]:
    paras: list[str] = []
    corpora = SHARED / "corpora"
    for name, field in (("xwlb_meeting_news.jsonl", "text"), ("government_work_reports.jsonl", "content")):
        f = corpora / name
        if f.exists():
            for line in f.read_text(encoding="utf-8").splitlines():
                text = json.loads(line).get(field) or ""
                paras += [p.strip() for p in text.splitlines() if len(p.strip()) >= 20]
    if not paras:  # no ../shared: the demo's own texts
        for f in sorted((ROOT / "fanwen" / "demo" / "content").rglob("*.txt")):
            body = f.read_text(encoding="utf-8").partition("\n---\n")[2]
            paras += [p.strip() for p in body.splitlines() if len(p.strip()) >= 20]
    return paras


def make_docs(paras: list[str], n: int, chars: int, seed: int = 1):
    rng = random.Random(seed)
    for i in range(n):
        out, size = [], 0
        while size < chars:
            p = rng.choice(paras)
            out.append(p)
            size += len(p)
        text = "\n".join(out)
        title = rng.choice(paras)[:24]
        yield (f"http://bench.test/{i}.html", "bench", title, text, len(text))


def pair_tokens(text: str) -> str:
    """Distinct characters and character pairs of each CJK run (the pair index's terms)."""
    terms: set[str] = set()
    for run in _CJK_RUN.findall(text or ""):
        terms.update(run)
        terms.update(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(terms)


def timed(conn, sql: str, params=(), repeat: int = 3) -> tuple[int, float]:
    times, n = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        n = conn.execute(sql, params).fetchone()[0]
        times.append(time.perf_counter() - t)
    return n, statistics.median(times)


def sizes(conn) -> dict[str, int]:
    return dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())


def insert_docs(conn, rows, batch: int = 64) -> float:
    """Insert the rows as `fanwen ingest` does (a transaction per batch of 64, the trigger fills the index);
    returns the CPU seconds spent in the inserts."""
    cpu, part = 0.0, []
    sql = "INSERT INTO documents (url, site, title, text, chars) VALUES (?, ?, ?, ?, ?)"
    for row in rows:
        part.append(row)
        if len(part) == batch:
            t = time.process_time()
            with conn:
                conn.executemany(sql, part)
            cpu += time.process_time() - t
            part.clear()
    t = time.process_time()
    with conn:
        conn.executemany(sql, part)
    return cpu + time.process_time() - t


def fts_bytes(conn) -> int:
    return sum(v for k, v in sizes(conn).items() if k.startswith("documents_fts"))


def optimized(conn, n: int) -> str:
    """What an FTS5 'optimize' (all segments merged into one) costs and saves."""
    before = fts_bytes(conn)
    t = time.process_time()
    with conn:
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('optimize')")
    cpu = time.process_time() - t
    return (f"'optimize': {cpu:.1f} s CPU ({cpu / n * 1e3:.2f} ms/doc), {before / n:,.0f} -> "
            f"{fts_bytes(conn) / n:,.0f} bytes/doc")


def lean_pass(args, paras, folder: str, like_counts: dict[str, int]) -> bool:
    """The same documents in a corpus whose index is lean (`fanwen fts --layout lean`, detail=none): write cost,
    bytes, and the indexed LIKE that replaces MATCH there (fanwen.fts.search_where's lean form), checked against
    the LIKE counts of the full pass."""
    from fanwen import fts
    from fanwen.store import Corpus

    corpus = Corpus(str(Path(folder) / "lean.db"))
    conn = corpus.db.conn
    with conn:
        fts.set_layout(conn, "lean")
    cpu = insert_docs(conn, make_docs(paras, args.docs, args.chars))
    n = args.docs
    total_chars = conn.execute("SELECT sum(chars) FROM documents").fetchone()[0]
    size = fts_bytes(conn)
    print(f"\nlean layout (detail=none): documents_fts {size / n:,.0f} bytes/doc, "
          f"{size / total_chars * 1000:,.0f} per 1,000 chars; insert with the trigger {cpu / n * 1e3:.3f} ms/doc CPU")
    print(f"  {'word':<10} {'len':>3} {'LIKE hits':>9} {'lean hits':>9} {'lean ms':>8}   (documents_fts.title/text "
          f"LIKE, the index then the pattern checked)")
    ok = True
    for w in WORDS:
        if len(w) < 3:
            continue
        where, params = fts.search_where(w, fts_layout="lean")
        got, t = timed(conn, f"SELECT count(*) FROM documents WHERE {where}", params)
        ok &= got == like_counts[w]
        print(f"  {w:<10} {len(w):>3} {like_counts[w]:>9,} {got:>9,} {t * 1e3:>8.1f}")
    t0 = time.perf_counter()
    where, params = fts.search_where("营商环境", fts_layout="lean")
    conn.execute(f"SELECT id FROM documents WHERE {where} ORDER BY id LIMIT 20", params).fetchall()
    print(f"  first 20 hits of 营商环境 (what `fanwen search` lists): {(time.perf_counter() - t0) * 1e3:.1f} ms")
    print("  " + optimized(conn, n))
    corpus.close()
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--chars", type=int, default=1500, help="characters per document (about)")
    ap.add_argument("--db", help="where to build the database (default: a temporary folder)")
    ap.add_argument("--rebuild", action="store_true", help="also time a full 'rebuild' of the index (migration)")
    ap.add_argument("--no-lean", action="store_true", help="skip the lean layout (a second corpus of the same "
                    "documents)")
    args = ap.parse_args(argv)

    from fanwen.store import Corpus

    paras = load_paragraphs()
    tmp = tempfile.TemporaryDirectory(prefix="fts-bench-")
    path = args.db or str(Path(tmp.name) / "bench.db")
    corpus = Corpus(path)
    conn = corpus.db.conn
    print(f"{args.docs:,} documents of ~{args.chars:,} characters from {len(paras):,} real paragraphs")

    insert_s = insert_docs(conn, make_docs(paras, args.docs, args.chars))

    # the same rows again with the triggers' work left out, to isolate what the index costs at insert time
    t0 = time.perf_counter()
    conn.execute("CREATE TABLE plain AS SELECT * FROM documents WHERE 0")
    with conn:
        conn.execute("INSERT INTO plain SELECT * FROM documents")
    copy_s = time.perf_counter() - t0
    rebuild_s = None
    if args.rebuild:  # what migrating an old corpus costs (about the insert cost again)
        t0 = time.perf_counter()
        with conn:
            conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
        rebuild_s = time.perf_counter() - t0
    print(f"  stored in {insert_s:.0f} s", flush=True)

    t0 = time.perf_counter()
    conn.execute("CREATE VIRTUAL TABLE bench_pairs USING fts5(terms, content='', detail=none, "
                 "tokenize='unicode61')")
    with conn:
        last = 0
        while True:
            part = conn.execute("SELECT id, title, text FROM documents WHERE id > ? ORDER BY id LIMIT 1000",
                                [last]).fetchall()
            if not part:
                break
            conn.executemany("INSERT INTO bench_pairs(rowid, terms) VALUES (?, ?)",
                             [(i, pair_tokens(t + "\n" + x)) for i, t, x in part])
            last = part[-1][0]
    pairs_s = time.perf_counter() - t0

    sz = sizes(conn)
    n = args.docs
    total_chars = conn.execute("SELECT sum(chars) FROM documents").fetchone()[0]
    fts_bytes = sum(v for k, v in sz.items() if k.startswith("documents_fts"))
    pair_bytes = sum(v for k, v in sz.items() if k.startswith("bench_pairs"))
    text_bytes = sz.get("plain", 0)
    print(f"\nindex size (dbstat)                  bytes/doc   bytes per 1,000 chars   total MB")
    print(f"  documents table (text, for scale) {text_bytes / n:10,.0f}   {text_bytes / total_chars * 1000:10,.0f}"
          f"   {text_bytes / 1e6:12,.1f}")
    print(f"  documents_fts (trigram)           {fts_bytes / n:10,.0f}   {fts_bytes / total_chars * 1000:10,.0f}"
          f"   {fts_bytes / 1e6:12,.1f}")
    print(f"  pair index (detail=none)          {pair_bytes / n:10,.0f}   {pair_bytes / total_chars * 1000:10,.0f}"
          f"   {pair_bytes / 1e6:12,.1f}")
    print(f"\ninsert with the FTS trigger {insert_s / n * 1e3:.3f} ms/doc CPU; the same rows without an index "
          f"{copy_s / n * 1e3:.3f} ms/doc; pair index build {pairs_s / n * 1e3:.3f} ms/doc"
          + (f"; trigram 'rebuild' {rebuild_s:.1f} s" if rebuild_s is not None else ""))

    print(f"\nquery time (median of 3) and hits; LIKE is the exact count")
    print(f"  {'word':<10} {'len':>3} {'LIKE hits':>9} {'LIKE ms':>9} {'trigram hits':>12} {'trigram ms':>10} "
          f"{'pairs hits':>10} {'pairs ms':>9}")
    ok = True
    like_counts = {}
    for w in WORDS:
        like_n, like_t = timed(conn, "SELECT count(*) FROM documents WHERE title LIKE ? OR text LIKE ?",
                               [f"%{w}%", f"%{w}%"])
        like_counts[w] = like_n
        if len(w) >= 3:
            tri_n, tri_t = timed(conn, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?",
                                 ['"' + w + '"'])
            tri = f"{tri_n:>12,} {tri_t * 1e3:>10.1f}"
            ok &= tri_n == like_n
        else:
            tri = f"{'(no match)':>12} {'':>10}"
        if len(w) <= 2:
            pair_n, pair_t = timed(conn, "SELECT count(*) FROM bench_pairs WHERE bench_pairs MATCH ?", ['"' + w + '"'])
            pairs = f"{pair_n:>10,} {pair_t * 1e3:>9.1f}"
            ok &= pair_n == like_n
        else:
            pairs = f"{'':>10} {'':>9}"
        print(f"  {w:<10} {len(w):>3} {like_n:>9,} {like_t * 1e3:>9.1f} {tri} {pairs}")
    # keyword in context on the hits of a 4-character word, as a researcher's query would
    t0 = time.perf_counter()
    rows = conn.execute("SELECT snippet(documents_fts, 0, '[', ']', '…', 12) FROM documents_fts "
                        "WHERE documents_fts MATCH '营商环境' LIMIT 50").fetchall()
    print(f"\nsnippet() for 50 hits of 营商环境: {(time.perf_counter() - t0) * 1e3:.1f} ms, e.g. {rows[0][0] if rows else ''}")
    print("full layout " + optimized(conn, n))
    corpus.close()
    if not args.no_lean:
        ok &= lean_pass(args, paras, str(Path(path).parent), like_counts)
    print(f"every count equals LIKE: {ok}")
    tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
