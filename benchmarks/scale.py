"""Ingest at scale: cost per document as the corpus grows, through the same path as `fanwen ingest FILE.jsonl`.

    python -m benchmarks.scale                          # 10k and 100k documents (about 20-30 minutes on 2 cores)
    python -m benchmarks.scale --sizes 2000,10000       # quicker
    python -m benchmarks.scale --sizes 10000,100000,1000000   # 1M: hours, outside CI

Documents are generated at run time, never stored in the repository: sentences are built from clauses of the base
texts that `benchmarks.dedup` reads at run time (the demo texts, and the seeds' gold texts when ../shared is
there), and every document is made of sentences drawn from one fixed pool, so sentences recur verbatim across
documents the way speeches repeat formulas; on top of that:
- stock passages (套话 paragraphs, 100-700 characters) drawn with Zipf popularity: the most common ones are in
  thousands of documents; every document opens with one of 20 stock openings;
- ~10 % near copies of a recent document: site chrome around it, a watermark every 200-400 characters, random
  character edits, or a 40 % preview with a paywall line.
The corpus is ingested in segments, a .jsonl file of {url, title, text} lines each; the figures "at N" are those of
the last WINDOW documents before N, which go through `fanwen.cli.ingesting.ingest_items` (the loop of `fanwen ingest`,
with its worker pool). The documents between the windows go straight to the writer's own code
(`Corpus.add_documents`: rows, FTS, dedup) with only their fingerprint computed, so that 100k stored documents take
minutes, not hours, on a shared machine (`--full-fill` sends them through the workers too):
- docs/s (wall; the machine may be shared) and the CPU time per document of the writer (the main process: reading,
  storing, dedup) and of the workers (clean, fingerprint, classify; resource.getrusage of the children);
- dedup candidates verified per document;
- database bytes per document by table (dbstat), and the whole database against the bytes of the stored text;
- peak RSS of the writer (this process: the generator is small; datasketch runs in a process of its own) and
  of the biggest worker (its own high-water mark, VmHWM, read from /proc during the measured windows);
- datasketch MinHashLSH (64 permutations, 16 bands x 4) fed the same documents' fingerprint n-grams (query, then
  insert), as CPU ms per document and candidates per document, beside ours as ratios;
- the ratio of the writer's cost per document at the largest size to the smallest.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

WINDOW = 5000
CHUNK = 50_000  # documents per .jsonl segment between the measured windows
POOL_SENTENCES = 20_000
STOCK_PASSAGES = 400
OPENINGS = 20
COPY_SHARE = 0.10
MEETINGS = ["经济工作会议", "重点项目推进会", "安全生产工作会议", "招商引资大会", "乡村振兴工作会议", "党风廉政建设工作会议",
            "优化营商环境大会", "生态环境保护工作会议", "民生实事推进会", "干部作风建设大会"]
PLACES = ["东城", "西岭", "南湖", "北川", "青山", "白河", "红旗", "金沙", "石门", "云溪", "长林", "平安"]
SUFFIX = ["县", "区", "市", "镇"]
COMMON = "的一是在不和有大这主中人上为们地个用工时要动国产以我到他会作来分生对于学下级就年阶义发成部民可出能方进"


class SpeechMaker:
    """Speech-like documents from a fixed pool of sentences, stock passages and openings (see the docstring)."""

    def __init__(self, seed: int = 13):
        from benchmarks.dedup import load_bases

        self.rng = rng = random.Random(seed)
        clauses = sorted({c for b in load_bases() for p in b.paragraphs for c in re.split(r"[,，。;；!！?？、:：]", p)
                          if 4 <= len(c) <= 30})
        self.pool = [self._sentence(clauses) for _ in range(POOL_SENTENCES)]
        self.stock = []
        for _ in range(STOCK_PASSAGES):
            target = int(math.exp(rng.uniform(math.log(100), math.log(700))))
            passage = ""
            while len(passage) < target:
                passage += self._sentence(clauses)
            self.stock.append(passage)
        self.stock_weights = [1.0 / (i + 1) for i in range(STOCK_PASSAGES)]  # Zipf: the first in thousands of docs
        self.openings = ["同志们：" + "".join(self._sentence(clauses) for _ in range(3)) for _ in range(OPENINGS)]
        self.recent: deque = deque(maxlen=2000)

    def _sentence(self, clauses: list[str]) -> str:
        rng = self.rng
        return "，".join(rng.choice(clauses) for _ in range(rng.randint(2, 4))) + "。"

    def _original(self, i: int) -> dict:
        rng = self.rng
        place = rng.choice(PLACES) + rng.choice(SUFFIX)
        target = rng.randint(2500, 4500)
        paras = [rng.choice(self.openings)]
        n = len(paras[0])
        while n < target:
            if rng.random() < 0.3:
                p = rng.choices(self.stock, weights=self.stock_weights)[0]
            else:
                p = "".join(rng.choice(self.pool) for _ in range(rng.randint(3, 7)))
            paras.append(p)
            n += len(p)
        title = f"在{place}{rng.choice(MEETINGS)}上的讲话"
        return {"title": title, "text": "\n".join(paras).replace("我们", place + "我们", 1)}

    def _copy(self, src: dict) -> dict:
        rng = self.rng
        text = src["text"]
        kind = rng.choice(["chrome", "watermark", "edits", "preview"])
        if kind == "chrome":
            text = f"当前位置：首页 > 讲话稿\n{src['title']}\n{text}\n相关推荐：{rng.choice(self.pool)}\n本文来源于网络"
        elif kind == "watermark":
            out, pos = [], 0
            while pos < len(text):
                step = rng.randint(200, 400)
                out.append(text[pos:pos + step])
                pos += step
            text = "范文网".join(out)
        elif kind == "edits":
            text = "".join(rng.choice(COMMON) if rng.random() < 0.01 else ch for ch in text)
        else:
            text = text[: int(len(text) * rng.uniform(0.35, 0.45))] + "……(未完，下载全文请登录)"
        return {"title": src["title"], "text": text}

    def make(self, i: int) -> dict:
        if self.recent and self.rng.random() < COPY_SHARE:
            d = self._copy(self.rng.choice(self.recent))
        else:
            d = self._original(i)
            self.recent.append(d)
        host = f"www.site{i % 50}.test"
        return {"url": f"http://{host}/a/{i}.html", "title": d["title"], "text": d["text"]}


class LSHBaseline:
    """datasketch MinHashLSH on the same documents: fingerprint n-grams (fanwen.dedup.shingle_hashes) -> MinHash.

    It runs in a process of its own, fed a segment at a time and waited for before the segment is ingested (so it
    never shares the cores with a measured window): in the benchmark's process its index (100k MinHashes, ~500 MB)
    would count as the writer's memory, and every worker spawned after it as well (Linux carries a process's peak
    RSS across fork+exec, so `RUSAGE_CHILDREN` reported the parent's size for workers spawned from it)."""

    def __init__(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_lsh_init)
        self.pid = self.pool.submit(_lsh_pid).result()
        self.cpu = 0.0
        self.candidates = 0
        self.docs = 0
        self.peak_mb = 0.0

    def add(self, docs: list[tuple[str, str]]) -> None:
        """Query, then insert, each (key, text), in order; waits for datasketch's process to finish them."""
        if docs:
            cpu, candidates, self.peak_mb = self.pool.submit(_lsh_add, docs).result()
            self.cpu += cpu
            self.candidates += candidates
            self.docs += len(docs)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


_LSH = None


def _lsh_init() -> None:
    global _LSH
    from datasketch import MinHashLSH

    _LSH = MinHashLSH(num_perm=64, params=(16, 4))


def _lsh_pid() -> int:
    import os
    return os.getpid()


def _lsh_add(docs: list[tuple[str, str]]) -> tuple[float, int, float]:
    from datasketch import MinHash

    from cleaners.fingerprint import fingerprint_text
    from fanwen.dedup import shingle_hashes

    t, candidates = time.process_time(), 0
    for key, text in docs:
        h = shingle_hashes(fingerprint_text(text))
        m = MinHash(num_perm=64, seed=1, hashfunc=int)
        m.update_batch((h & 0xFFFFFFFF).tolist())
        candidates += len(_LSH.query(m))
        _LSH.insert(key, m)
    return time.process_time() - t, candidates, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ChildPeaks:
    """The biggest peak RSS (VmHWM, the process's own high-water mark) of this process's children while it runs,
    read from /proc every `every` seconds, leaving out `exclude` (datasketch's process). Off Linux: None (then the
    figure is resource.RUSAGE_CHILDREN's, which may carry the parent's peak, see LSHBaseline)."""

    def __init__(self, exclude: set[int] = frozenset(), every: float = 0.2):
        import os
        import threading

        self.me, self.exclude, self.every = os.getpid(), set(exclude), every
        self.peak_kb: int | None = 0 if Path("/proc/self/status").exists() else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "ChildPeaks":
        if self.peak_kb is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.every):
                return

    def sample(self) -> None:
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:  # the process ended
                continue
            pid = int(status.parent.name)
            if int(fields.get("PPid", "0")) == self.me and pid not in self.exclude and "VmHWM" in fields:
                self.peak_kb = max(self.peak_kb or 0, int(fields["VmHWM"].split()[0]))

    @property
    def peak_mb(self) -> float | None:
        return None if self.peak_kb is None else self.peak_kb / 1024


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def db_bytes(path: str) -> dict:
    """Bytes by table (indexes counted with their table; FTS shadow tables as 'fts'), from dbstat."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        owner = {r[0]: r[1] for r in conn.execute("SELECT name, tbl_name FROM sqlite_master")}
        out: dict[str, int] = {}
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            table = owner.get(name, name)
            if table.startswith("documents_fts"):
                table = "documents_fts"
            elif table.startswith("dedup_") or table == "links":
                table = "dedup"
            out[table] = out.get(table, 0) + size
        out["text"] = conn.execute("SELECT sum(length(CAST(text AS BLOB))) FROM documents").fetchone()[0] or 0
        out["documents_n"] = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        return out
    finally:
        conn.close()


def writer_document(url: str, title: str, text: str, prepared: bool = False):
    """A generated record as the writer receives it with the workers' stages reduced to the fingerprint (no
    cleaning, no classifier); `prepared`: with the dedup sketch the workers make too."""
    from cleaners.document import Document
    from cleaners.fingerprint import content_hash, fingerprint_text

    d = Document(url=url, site=url.split("/")[2], title=title, text=text, raw_title=title, raw_text=text,
                 page_urls=[url], label="other")
    d.fingerprint = fingerprint_text(d.text)
    d.content_hash = content_hash(d.fingerprint)
    if prepared:
        from fanwen.dedup.sketch import prepare

        d.dedup_sketch = prepare(d.fingerprint, d.content_hash)
    return d


def _fill(path: Path, db: str, batch: int = 64) -> dict:
    """Store the documents of a .jsonl file with the writer's own code (Corpus.add_documents: rows, FTS, dedup)
    but the workers' stages reduced to the fingerprint (no cleaning, no classifier): grows the corpus between the
    measured windows at the writer's speed."""
    from fanwen.store import Corpus

    corpus = Corpus(db)
    totals = {"new": 0, "candidates": 0}
    try:
        with open(path, encoding="utf-8") as fh:
            part = []
            for line in fh:
                rec = json.loads(line)
                part.append((writer_document(rec["url"], rec["title"], rec["text"]), []))
                if len(part) >= batch:
                    totals["new"] += corpus.add_documents(part)["new"]
                    part = []
            if part:
                totals["new"] += corpus.add_documents(part)["new"]
    finally:
        corpus.close()
    return totals


def run(sizes: list[int], workers: int, workdir: Path, with_lsh: bool, lsh_max: int,
        fast_fill: bool = True) -> list[dict]:
    from fanwen.cli.ingesting import ingest_items
    from fanwen.ingest import iter_items

    maker = SpeechMaker()
    lsh = LSHBaseline() if with_lsh else None
    db = str(workdir / "scale.db")
    bounds = set()
    for s in sizes:
        bounds.update((max(0, s - min(WINDOW, s // 2)), s))
    marks = sorted(bounds)
    segments, prev = [], 0
    for m in marks:
        while m - prev > CHUNK:
            segments.append((prev, prev + CHUNK))
            prev += CHUNK
        if m > prev:
            segments.append((prev, m))
            prev = m
    results = []
    worker_peak = 0.0  # the biggest worker's own peak RSS (VmHWM) in the measured windows so far
    try:
        for lo, hi in segments:
            path = workdir / f"part_{lo}.jsonl"
            lsh_cpu0, lsh_c0, lsh_n0 = (lsh.cpu, lsh.candidates, lsh.docs) if lsh else (0, 0, 0)
            for_lsh: list[tuple[str, str]] = []
            with open(path, "w", encoding="utf-8") as fh:
                for i in range(lo, hi):
                    d = maker.make(i)
                    fh.write(json.dumps(d, ensure_ascii=False) + "\n")
                    if lsh and i < lsh_max:
                        for_lsh.append((d["url"], d["text"]))
                        if len(for_lsh) >= 2000:
                            lsh.add(for_lsh)
                            for_lsh = []
            if lsh:
                lsh.add(for_lsh)
            measured = hi in sizes or not fast_fill
            w0, c0, t0 = time.process_time(), _children_cpu(), time.perf_counter()
            with ChildPeaks(exclude={lsh.pid} if lsh else set()) as peaks:
                if measured:
                    totals = ingest_items(iter_items([str(path)]), db, None, workers)
                else:
                    totals = _fill(path, db)
            wall = time.perf_counter() - t0
            if measured and peaks.peak_mb is not None:
                worker_peak = max(worker_peak, peaks.peak_mb)
            writer, worker = time.process_time() - w0, _children_cpu() - c0
            path.unlink()
            print(f"  {hi:>9,} documents stored ({totals['new'] / wall:.0f} docs/s wall in this segment"
                  f"{'' if measured else ', writer only'})", file=sys.stderr, flush=True)
            if hi in sizes:
                n = max(1, totals["new"])
                res = {"size": hi, "window": n, "docs_s": n / wall, "writer_ms": 1000 * writer / n,
                       "worker_ms": 1000 * worker / n, "candidates": totals["candidates"] / n,
                       "prechecked": totals.get("prechecked", 0) / n,
                       "dedup_ms": 1000 * totals.get("cpu_dedup", 0.0) / n, "fts_ms": 1000 * totals.get("cpu_fts", 0.0) / n,
                       "bytes": db_bytes(db),
                       "rss_writer_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                       "rss_worker_mb": worker_peak or resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
                if lsh and lsh.docs > lsh_n0:
                    k = lsh.docs - lsh_n0
                    res["lsh_ms"] = 1000 * (lsh.cpu - lsh_cpu0) / k
                    res["lsh_candidates"] = (lsh.candidates - lsh_c0) / k
                    res["rss_lsh_mb"] = lsh.peak_mb
                results.append(res)
                print(fmt(res), flush=True)
    finally:
        if lsh:
            lsh.close()
    return results


def fmt(r: dict) -> str:
    b = r["bytes"]
    n = max(1, b["documents_n"])
    tables = {k: v for k, v in b.items() if k not in ("text", "documents_n")}
    total = sum(tables.values())
    cpu_bound = 1000.0 / max(r["writer_ms"], (r["writer_ms"] + r["worker_ms"]) / 2)
    lines = [f"== at {r['size']:,} documents (figures of the last {r['window']:,}) ==",
             f"  ingest: {r['docs_s']:.0f} docs/s wall; CPU per document: writer {r['writer_ms']:.2f} ms, workers "
             f"{r['worker_ms']:.2f} ms (on 2 free cores that is {cpu_bound:.0f} docs/s); of the writer's: dedup "
             f"{r['dedup_ms']:.2f} ms, FTS insert {r['fts_ms']:.2f} ms, the rest (reading, rows, commits) "
             f"{r['writer_ms'] - r['dedup_ms'] - r['fts_ms']:.2f} ms",
             f"  dedup candidates verified per document: {r['candidates']:.2f} (compared by the workers ahead of the "
             f"writer: {r.get('prechecked', 0):.2f})",
             "  database bytes per document: " + ", ".join(f"{k} {v / n:,.0f}" for k, v in sorted(tables.items())) +
             f"; total {total / n:,.0f} = {total / max(1, b['text']):.2f}x the stored text ({b['text'] / n:,.0f})",
             f"  peak RSS: writer {r['rss_writer_mb']:.0f} MB, biggest worker {r['rss_worker_mb']:.0f} MB"]
    if "lsh_ms" in r:
        lines.append(f"  datasketch MinHashLSH on the same documents: {r['lsh_ms']:.2f} ms/doc, "
                     f"{r['lsh_candidates']:.2f} candidates/doc (ours / datasketch: writer "
                     f"{r['writer_ms'] / max(1e-9, r['lsh_ms']):.2f}x, candidates "
                     f"{r['candidates'] / max(1e-9, r['lsh_candidates']):.2f}x; its own process's peak RSS "
                     f"{r.get('rss_lsh_mb') or 0:.0f} MB)")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="corpus sizes to report (comma-separated)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (as `fanwen ingest --workers`)")
    ap.add_argument("--no-lsh", action="store_true", help="skip the datasketch MinHashLSH comparison")
    ap.add_argument("--lsh-max", type=int, default=100_000, help="feed datasketch only the first N documents")
    ap.add_argument("--full-fill", action="store_true", help="also send the documents between the measured "
                    "windows through the workers (default: only the windows; the others go straight to the writer)")
    ap.add_argument("--fts-layout", choices=["full", "lean"], default="full", help="the corpus's full-text index "
                    "layout (as `fanwen fts --layout`; default: full)")
    ap.add_argument("--keep", help="directory to keep the database in (default: a temporary one)")
    ap.add_argument("--json", help="write the figures as JSON to this file")
    args = ap.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fanwen-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "scale.db").unlink(missing_ok=True)
    if args.fts_layout != "full":
        from fanwen import fts
        from fanwen.store import Corpus
        corpus = Corpus(workdir / "scale.db")
        with corpus.db.conn:
            fts.set_layout(corpus.db.conn, args.fts_layout)
        corpus.close()
    try:
        res = run(sizes, args.workers, workdir, not args.no_lsh, args.lsh_max, fast_fill=not args.full_fill)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if len(res) > 1:
        print(f"\nwriter CPU per document at {res[-1]['size']:,} / at {res[0]['size']:,}: "
              f"{res[-1]['writer_ms'] / max(1e-9, res[0]['writer_ms']):.2f}x (target <= 1.3; dedup alone "
              f"{res[-1]['dedup_ms'] / max(1e-9, res[0]['dedup_ms']):.2f}x, FTS insert alone "
              f"{res[-1]['fts_ms'] / max(1e-9, res[0]['fts_ms']):.2f}x); candidates per document "
              f"{res[0]['candidates']:.2f} -> {res[-1]['candidates']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
