"""Dedup stage: exact and near-duplicate clusters, containment, and the canonical copy of each speech.

How it works (docs/dedup.md has the reasoning and the measured figures)
----------------------------------------------------------------------
Every document is compared on its fingerprint (`cleaners.fingerprint.fingerprint_text`): traditional script,
pinyin, placeholders, figures, known 伪原创 swaps, punctuation and whitespace folded away.

Candidates come from one persisted index, the table `dedup_keys(key, doc_id)` (an indexed SQLite table: nothing is
loaded into memory at start, a lookup is a B-tree seek). A document writes these keys:
- `x`: its content hash (exact copies);
- `f`: FULL_BANDS band hashes of a MinHash signature (datasketch's affine32 permutations) over the character
  NGRAM-grams of the whole fingerprint: near copies with noise spread over the text (swaps, watermarks, markers);
- `h`: HEAD_BANDS band hashes of the MinHash of the first HEAD_CHARS characters: a truncated preview shares the head
  of its full copy even when both are noisy;
- `c`: one hash per content-defined chunk: the text between two consecutive anchors (positions whose n-gram hash
  is 0 modulo CHUNK_MOD), so a passage found anywhere in two documents gives the same key in both whatever comes
  before it: previews, wrapped copies, and each speech of a compilation.
Only one document of a group of exact copies (the lowest id) is indexed; the others link to it.

Every candidate is verified on exact shingles recomputed from the stored fingerprint (no estimate): the Jaccard of
the n-gram sets, and the smoothed coverage of each document by the other: the share of its n-gram positions whose
window of SMOOTH_WINDOW positions has at least SMOOTH_MIN of its n-grams in the other document. Noise spread over a
copy (a swap every 50 characters, a watermark every 200) leaves the coverage near 1, while a different speech that
shares whole paragraphs gets exactly the share of those paragraphs, so the threshold separates them cleanly.
- exact: same content hash;
- near: both coverages >= LINK_COVERAGE;
- contains: the smaller document's coverage >= LINK_COVERAGE (a preview, a copy inside a wrapper, one speech of a
  compilation); the link keeps the span of the container that matched.

Clusters are the connected components of the links that join, a pure function of the links (so incremental
placement and a rebuild agree): exact and near links always join; a `contains` link joins the contained document to
one container only (its best: highest coverage, then the most similar title, then Jaccard, then lowest id), and only
if its span overlaps the span of every other document contained in that container, so a compilation (two speeches
in disjoint spans) links to both speeches and merges neither, and a preview that also fits inside a different speech
sharing its first paragraphs cannot bridge the two. A cluster's id is its lowest document id.

The canonical copy of each cluster (`is_canonical = 1`), by this order (first difference decides):
1. not from a low-trust (hijacked) host: such a document is never canonical;
2. not a compilation (several speeches in one document);
3. complete beats truncated: `truncated` flag, or contained in a cluster member at most PREVIEW_RATIO its length, or
   covering less than COMPLETE_MIN of the text the cluster's members agree on (n-grams found in two or more members);
4. not mangled beats mangled: `mangled` >= MANGLED_MIN, 伪原创 swap signs in the text (效劳, 根底, 原那么, 〞 …),
   or a traditional/pinyin mirror;
5. fewer leftovers: the share of its n-grams that no other member has (boilerplate, watermarks, noise), in steps
   of 0.01;
6. earliest `published` (unknown dates last);
7. lowest id.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np
import sqlite_utils

from cleaners.fingerprint import content_hash, fingerprint_text

# --------------------------------------------------------------------------------------------- parameters
NGRAM = 5  # character n-grams of the fingerprint
SEED = 1  # datasketch MinHash seed (affine32 permutations)
FULL_BANDS, FULL_ROWS = 16, 4  # whole-document MinHash: 64 permutations in 16 bands of 4
# head signatures: (characters, bands, rows) over the first characters of the fingerprint (same permutations)
HEADS = ((100, 4, 6), (400, 8, 5))
NUM_PERM = max([FULL_BANDS * FULL_ROWS] + [b * r for _, b, r in HEADS])
CHUNK_MOD = 128  # anchors every 128 n-grams on average
CHUNK_MIN = 24  # chunks shorter than this (in n-grams) are not indexed (stock phrases)
CHUNK_MAX = 256  # a longer chunk is hashed on its first 256 n-grams
SMOOTH_WINDOW = 50  # coverage: a position counts as matched if its window of 50 n-grams ...
SMOOTH_MIN = 0.4  # ... has at least 40 % of them in the other document
LINK_COVERAGE = 0.8  # a link needs the smaller document covered at least this much
MIN_CONTAINED = 120  # a contained document needs at least this many n-grams (short texts: exact only)
SPAN_GAP = 64  # matched runs closer than this (n-grams) form one span
SPAN_OVERLAP = 0.5  # two spans are compatible if they overlap by half of the smaller one
PREVIEW_RATIO = 0.6  # a member contained in another member at most 0.6 its length is a preview
COMPLETE_MIN = 0.85
MANGLED_MIN = 0.3
KEY_BITS = 47  # keys are stored as 6-byte SQLite integers


# --------------------------------------------------------------------------------------------- sketches
@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


_M64 = np.uint64((1 << 64) - 1)
_P = np.uint64(0x100000001B3)


def _mix64(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def shingle_hashes(fp: str, n: int = NGRAM) -> np.ndarray:
    """64-bit hashes of the character n-grams of `fp`, in text order."""
    if len(fp) < n:
        return np.zeros(0, dtype=np.uint64)
    cp = np.frombuffer(fp.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    m = len(cp) - n + 1
    with np.errstate(over="ignore"):
        h = cp[:m].copy()
        for j in range(1, n):
            h = h * _P + cp[j:j + m]
        return _mix64(h)


def minhash(h64: np.ndarray) -> np.ndarray:
    """MinHash signature (NUM_PERM uint32) of a set of 64-bit shingle hashes.

    Identical to datasketch `MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=<low 32 bits>).update_batch(...)`
    (scheme affine32), computed on the whole array at once.
    """
    a, b = _permutations()
    if len(h64) == 0:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    hv = _fmix32((h64 & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    out = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    step = 4096
    with np.errstate(over="ignore"):
        for i in range(0, len(hv), step):
            blk = hv[i:i + step, None] * a + b
            np.minimum(out, blk.min(axis=0), out=out)
    return out


def _key(tag: bytes, payload: bytes) -> int:
    d = hashlib.blake2b(tag + payload, digest_size=8).digest()
    return int.from_bytes(d, "little") & ((1 << KEY_BITS) - 1)


@dataclass
class Sketch:
    fp: str
    h: np.ndarray  # shingle hashes in text order
    u: np.ndarray  # sorted unique shingle hashes

    @property
    def size(self) -> int:
        return len(self.h)


def _sorted_unique(h: np.ndarray) -> np.ndarray:
    u = np.sort(h)
    if len(u) > 1:
        u = u[np.concatenate(([True], u[1:] != u[:-1]))]
    return u


def sketch(fp: str) -> Sketch:
    h = shingle_hashes(fp)
    return Sketch(fp, h, _sorted_unique(h))


def _member(x: np.ndarray, sorted_u: np.ndarray) -> np.ndarray:
    """x[i] in sorted_u, for every i (binary search: no sorting of x)."""
    if len(sorted_u) == 0:
        return np.zeros(len(x), dtype=bool)
    idx = np.searchsorted(sorted_u, x)
    idx[idx == len(sorted_u)] = 0
    return sorted_u[idx] == x


def anchors(h: np.ndarray) -> np.ndarray:
    return np.flatnonzero((h >> np.uint64(20)) % np.uint64(CHUNK_MOD) == 0)


def index_keys(sk: Sketch, chash: str) -> list[int]:
    """The index keys of a document (see the module docstring)."""
    keys = [_key(b"x", chash.encode())]
    if sk.size < 1:
        return keys
    sig = minhash(sk.h)
    for band in range(FULL_BANDS):
        keys.append(_key(b"f%d" % band, sig[band * FULL_ROWS:(band + 1) * FULL_ROWS].tobytes()))
    for chars, bands, rows in HEADS:
        head = minhash(sk.h[: max(1, chars - NGRAM + 1)])
        for band in range(bands):
            keys.append(_key(b"h%d.%d" % (chars, band), head[band * rows:(band + 1) * rows].tobytes()))
    anc = anchors(sk.h)
    for s, e in zip(anc[:-1], anc[1:]):
        if e - s >= CHUNK_MIN:
            keys.append(_key(b"c", sk.h[s:min(e, s + CHUNK_MAX)].tobytes()))
    return sorted(set(keys))


# --------------------------------------------------------------------------------------------- verification
def _matched(h: np.ndarray, other_u: np.ndarray) -> np.ndarray:
    """Smoothed mask of the positions of `h` matched in the other document."""
    hit = _member(h, other_u).astype(np.float32)
    w = min(SMOOTH_WINDOW, len(h))
    if w <= 1:
        return hit >= 0.5
    c = np.concatenate(([0.0], np.cumsum(hit, dtype=np.float64)))
    idx = np.arange(len(h))
    lo = np.clip(idx - w // 2, 0, len(h))
    hi = np.clip(idx - w // 2 + w, 0, len(h))
    frac = (c[hi] - c[lo]) / np.maximum(hi - lo, 1)
    return frac >= SMOOTH_MIN


def _span(mask: np.ndarray) -> tuple[int, int]:
    """The longest run of matched positions, joining runs separated by less than SPAN_GAP."""
    pos = np.flatnonzero(mask)
    if len(pos) == 0:
        return (0, 0)
    breaks = np.flatnonzero(np.diff(pos) > SPAN_GAP)
    starts = np.concatenate(([pos[0]], pos[breaks + 1]))
    ends = np.concatenate((pos[breaks], [pos[-1]])) + 1
    i = int(np.argmax(ends - starts))
    return int(starts[i]), int(ends[i])


@dataclass
class Match:
    kind: str  # exact | near | contains
    jaccard: float
    cov_a: float  # share of a covered by b
    cov_b: float  # share of b covered by a
    span: tuple[int, int] | None = None  # for contains: the matched span of the container (n-gram positions)
    container: int = 0  # for contains: 0 if a contains b, 1 if b contains a


def compare(a: Sketch, b: Sketch) -> Match | None:
    """Verify a candidate pair on exact shingles: None if the documents are not copies of each other."""
    if a.fp == b.fp:
        return Match("exact", 1.0, 1.0, 1.0)
    if a.size == 0 or b.size == 0:
        return None
    inter = int(_member(a.u, b.u).sum())
    if inter == 0:
        return None
    jac = inter / (len(a.u) + len(b.u) - inter)
    # cheap bound: coverage cannot exceed what the shared n-grams allow (plus smoothing slack)
    if inter / min(len(a.u), len(b.u)) < LINK_COVERAGE * SMOOTH_MIN * 0.9:
        return None
    ma, mb = _matched(a.h, b.u), _matched(b.h, a.u)
    ca, cb = float(ma.mean()), float(mb.mean())
    if min(ca, cb) >= LINK_COVERAGE:
        return Match("near", jac, ca, cb)
    if ca >= LINK_COVERAGE and a.size >= MIN_CONTAINED:  # a inside b
        return Match("contains", jac, ca, cb, _span(mb), container=1)
    if cb >= LINK_COVERAGE and b.size >= MIN_CONTAINED:  # b inside a
        return Match("contains", jac, ca, cb, _span(ma), container=0)
    return None


# --------------------------------------------------------------------------------------------- signs for the canonical rule
_SWAP_SIGNS = re.compile(r"效劳|根底|原那么|咨询题|〞|〝")
_PINYIN_SIGNS = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü ]{1,20}[)）]")


def mangle_signs(text: str) -> float:
    """伪原创 swap signs and pinyin insertions per 1000 characters of text."""
    if not text:
        return 0.0
    n = len(_SWAP_SIGNS.findall(text)) + len(_PINYIN_SIGNS.findall(text))
    return 1000.0 * n / len(text)


def _title_grams(title: str | None) -> set[str]:
    t = fingerprint_text(title or "")
    return {t[i:i + 2] for i in range(len(t) - 1)} or ({t} if t else set())


def title_similarity(a: str | None, b: str | None) -> float:
    ga, gb = _title_grams(a), _title_grams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


# --------------------------------------------------------------------------------------------- schema
LINK_COLUMNS = {"doc_a": int, "doc_b": int, "kind": str, "jaccard": float, "containment": float, "joins": int,
                "span_start": int, "span_end": int}

CLUSTERS_VIEW = """
SELECT g.id AS id, g.size AS size, g.sites AS sites, g.site_list AS site_list,
       c.id AS canonical_id, c.title AS canonical_title, c.url AS canonical_url, c.site AS canonical_site,
       c.label AS canonical_label
FROM (SELECT cluster_id AS id, count(*) AS size, count(DISTINCT site) AS sites,
             group_concat(DISTINCT site) AS site_list
      FROM documents WHERE cluster_id IS NOT NULL GROUP BY cluster_id) AS g
LEFT JOIN documents AS c ON c.cluster_id = g.id AND c.is_canonical = 1
"""


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the dedup tables and the clusters view if missing (called by store.ensure_schema).

    - dedup_keys(key, doc_id): the persisted LSH index (see the module docstring), WITHOUT ROWID;
    - dedup_docs(doc_id, fp_hash, rep, ngrams, signs, compilation, preview, leftovers, completeness): one row per
      placed document (rep: the indexed document of its group of exact copies) and the figures of the canonical rule;
    - links(doc_a, doc_b, kind, jaccard, containment, joins, span_start, span_end): verified links. exact/near:
      doc_a < doc_b; contains: doc_a contains doc_b. jaccard: of the n-gram sets; containment: the smoothed coverage
      of doc_b by doc_a for contains, the smaller of the two coverages for near; joins: 1 if the link unites the two
      documents' clusters; span_start/end: the n-gram positions of doc_a that doc_b covers (contains only);
    - view clusters(id, size, sites, site_list, canonical_id, canonical_title, canonical_url, canonical_site,
      canonical_label).
    """
    db.execute("CREATE TABLE IF NOT EXISTS dedup_keys (key INTEGER NOT NULL, doc_id INTEGER NOT NULL, "
               "PRIMARY KEY (key, doc_id)) WITHOUT ROWID")
    db.execute("CREATE TABLE IF NOT EXISTS dedup_docs (doc_id INTEGER PRIMARY KEY, fp_hash INTEGER, rep INTEGER, "
               "ngrams INTEGER, signs REAL, compilation INTEGER DEFAULT 0, preview INTEGER DEFAULT 0, "
               "leftovers REAL, completeness REAL)")
    if "links" not in db.table_names():
        db["links"].create(LINK_COLUMNS, pk=("doc_a", "doc_b"))
    else:
        have = set(db["links"].columns_dict)
        for col, typ in LINK_COLUMNS.items():
            if col not in have:
                db["links"].add_column(col, typ)
    db.execute("CREATE INDEX IF NOT EXISTS links_doc_b ON links (doc_b)")
    if "documents" in db.table_names():
        db.execute("CREATE INDEX IF NOT EXISTS documents_cluster_id ON documents (cluster_id)")
    db.execute("DROP VIEW IF EXISTS clusters")
    db.execute(f"CREATE VIEW clusters AS {CLUSTERS_VIEW}")


# --------------------------------------------------------------------------------------------- placement
class _SketchCache:
    """Sketches of recently compared documents (LRU, bounded), keyed by the fingerprint's hash: a sketch is a pure
    function of the fingerprint, so the cache is safe across databases and re-cleaned documents."""

    def __init__(self, size: int = 1024):
        self.size = size
        self.data: dict[int, Sketch] = {}

    def put(self, fp_hash: int, sk: Sketch) -> None:
        self.data[fp_hash] = sk
        if len(self.data) > self.size:
            self.data.pop(next(iter(self.data)))

    def get(self, db, doc_id: int) -> Sketch:
        row = db.execute("SELECT fp_hash FROM dedup_docs WHERE doc_id = ?", [doc_id]).fetchone()
        k = row[0] if row else None
        sk = self.data.pop(k, None) if k is not None else None
        if sk is None:
            sk = sketch(_load_fp(db, doc_id))
            if k is None:
                return sk
        self.put(k, sk)
        return sk


_cache = _SketchCache()


def _fp_of(fingerprint: str | None, text: str | None) -> str:
    return fingerprint if fingerprint else fingerprint_text(text or "")


def _load_fp(db, doc_id: int) -> str:
    row = db.execute("SELECT fingerprint FROM documents WHERE id = ?", [doc_id]).fetchone()
    if row is None:
        return ""
    if row[0]:
        return row[0]
    row = db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
    return fingerprint_text(row[0] or "")


def _hash_int(chash: str) -> int:
    return int(chash[:15], 16)


def _remove(db, doc_id: int) -> None:
    """Forget a document's placement (its fingerprint changed): keys, links, and its exact copies' group."""
    row = db.execute("SELECT rep FROM dedup_docs WHERE doc_id = ?", [doc_id]).fetchone()
    if row is None:
        return
    if row[0] == doc_id:
        db.execute("DELETE FROM dedup_keys WHERE doc_id = ?", [doc_id])
    db.execute("DELETE FROM links WHERE doc_a = ? OR doc_b = ?", [doc_id, doc_id])
    db.execute("DELETE FROM dedup_docs WHERE doc_id = ?", [doc_id])


def _place(db, doc_id: int, stats: dict) -> None:
    row = db.execute("SELECT fingerprint, text FROM documents WHERE id = ?", [doc_id]).fetchone()
    if row is None:
        return
    fp = _fp_of(row[0], row[1])
    chash = content_hash(fp)
    signs = mangle_signs(row[1] or "")
    if not fp:  # nothing to compare: a singleton
        db.execute("INSERT INTO dedup_docs (doc_id, fp_hash, rep, ngrams, signs) VALUES (?, ?, ?, 0, ?)",
                   [doc_id, None, doc_id, signs])
        return
    xkey = _key(b"x", chash.encode())
    for (other,) in db.execute("SELECT doc_id FROM dedup_keys WHERE key = ? ORDER BY doc_id", [xkey]).fetchall():
        if _load_fp(db, other) == fp:
            db.execute("INSERT INTO dedup_docs (doc_id, fp_hash, rep, ngrams, signs) VALUES (?, ?, ?, ?, ?)",
                       [doc_id, _hash_int(chash), other, max(0, len(fp) - NGRAM + 1), signs])
            db.execute("INSERT OR REPLACE INTO links (doc_a, doc_b, kind, jaccard, containment, joins) "
                       "VALUES (?, ?, 'exact', 1.0, 1.0, 1)", [other, doc_id])
            stats["exact"] += 1
            return
    sk = sketch(fp)
    keys = index_keys(sk, chash)
    cands: list[int] = []
    for i in range(0, len(keys), 500):
        part = keys[i:i + 500]
        cands += [r[0] for r in db.execute(
            f"SELECT DISTINCT doc_id FROM dedup_keys WHERE key IN ({','.join('?' * len(part))})", part)]
    stats["candidates"] += len(set(cands))
    rows = []
    for other in sorted(set(cands)):
        m = compare(_cache.get(db, other), sk)
        if m is None:
            continue
        stats[m.kind] += 1
        if m.kind == "contains":
            if m.container == 0:  # other contains the new document
                rows.append((other, doc_id, "contains", m.jaccard, m.cov_b, 0, m.span[0], m.span[1]))
            else:
                rows.append((doc_id, other, "contains", m.jaccard, m.cov_a, 0, m.span[0], m.span[1]))
        else:
            rows.append((min(other, doc_id), max(other, doc_id), m.kind, m.jaccard, min(m.cov_a, m.cov_b), 1,
                         None, None))
    db.conn.executemany("INSERT OR REPLACE INTO links (doc_a, doc_b, kind, jaccard, containment, joins, span_start, "
                        "span_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.conn.executemany("INSERT OR IGNORE INTO dedup_keys (key, doc_id) VALUES (?, ?)", [(k, doc_id) for k in keys])
    db.execute("INSERT INTO dedup_docs (doc_id, fp_hash, rep, ngrams, signs) VALUES (?, ?, ?, ?, ?)",
               [doc_id, _hash_int(chash), doc_id, sk.size, signs])
    _cache.put(_hash_int(chash), sk)


# --------------------------------------------------------------------------------------------- clusters
def _region(db, seeds: Iterable[int]) -> set[int]:
    """All documents connected to `seeds` by links of any kind."""
    seen = set(seeds)
    frontier = list(seen)
    while frontier:
        nxt = []
        for i in range(0, len(frontier), 500):
            part = frontier[i:i + 500]
            q = ",".join("?" * len(part))
            for a, b in db.execute(f"SELECT doc_a, doc_b FROM links WHERE doc_a IN ({q}) OR doc_b IN ({q})",
                                   part + part):
                for x in (a, b):
                    if x not in seen:
                        seen.add(x)
                        nxt.append(x)
        frontier = nxt
    return seen


def _overlap(s1: tuple[int, int], s2: tuple[int, int]) -> float:
    inter = min(s1[1], s2[1]) - max(s1[0], s2[0])
    smaller = max(1, min(s1[1] - s1[0], s2[1] - s2[0]))
    return max(0, inter) / smaller


def _cluster_region(db, region: set[int], stats: dict) -> None:
    ids = sorted(region)
    q = lambda n: ",".join("?" * n)  # noqa: E731
    links = []
    for i in range(0, len(ids), 400):
        part = ids[i:i + 400]
        links += db.execute(f"SELECT doc_a, doc_b, kind, jaccard, containment, span_start, span_end, joins FROM links "
                            f"WHERE doc_a IN ({q(len(part))})", part).fetchall()
    # contains links: spans per container, and which ones may join
    parts: dict[int, list[tuple[int, tuple[int, int]]]] = defaultdict(list)
    for a, b, kind, jac, cov, s0, s1, _ in links:
        if kind == "contains":
            parts[a].append((b, (s0 or 0, s1 or 0)))
    compilation = set()
    allowed: dict[tuple[int, int], bool] = {}
    for x, lst in parts.items():
        for y, sy in lst:
            ok = all(_overlap(sy, sz) >= SPAN_OVERLAP for z, sz in lst if z != y)
            allowed[(x, y)] = ok
            if not ok:
                compilation.add(x)
    titles = {}
    containers: dict[int, list] = defaultdict(list)
    for a, b, kind, jac, cov, s0, s1, _ in links:
        if kind == "contains" and allowed.get((a, b)):
            containers[b].append((a, jac, cov))
    if containers:
        need = sorted({d for y, lst in containers.items() if len(lst) > 1 for d in [y] + [x for x, _, _ in lst]})
        for i in range(0, len(need), 400):
            part = need[i:i + 400]
            titles.update(db.execute(f"SELECT id, title FROM documents WHERE id IN ({q(len(part))})", part).fetchall())
    grams = {i: _title_grams(t) for i, t in titles.items()}

    def tsim(a: int, b: int) -> float:
        ga, gb = grams.get(a, set()), grams.get(b, set())
        return len(ga & gb) / len(ga | gb) if ga and gb else 0.0

    parent: dict[int, int] = {}
    for y, lst in containers.items():
        if len(lst) == 1:
            parent[y] = lst[0][0]
        else:
            parent[y] = min(lst, key=lambda t: (-round(t[2], 2), -round(tsim(y, t[0]), 2), -round(t[1], 3), t[0]))[0]
    # union-find over the joining links
    up = {i: i for i in ids}

    def find(x):
        while up[x] != x:
            up[x] = up[up[x]]
            x = up[x]
        return x

    new_joins = []
    for a, b, kind, jac, cov, s0, s1, old in links:
        j = 1 if kind in ("exact", "near") else int(parent.get(b) == a)
        if j != old:
            new_joins.append((j, a, b))
        if j and a in up and b in up:
            ra, rb = find(a), find(b)
            if ra != rb:
                up[max(ra, rb)] = min(ra, rb)
    db.conn.executemany("UPDATE links SET joins = ? WHERE doc_a = ? AND doc_b = ?", new_joins)
    members: dict[int, list[int]] = defaultdict(list)
    for i in ids:
        members[find(i)].append(i)
    flags = [(int(i in compilation), i) for i in ids]
    db.conn.executemany("UPDATE dedup_docs SET compilation = ? WHERE doc_id = ?", flags)
    old = {}
    for i in range(0, len(ids), 400):
        part = ids[i:i + 400]
        old.update(db.execute(f"SELECT id, cluster_id FROM documents WHERE id IN ({q(len(part))})", part).fetchall())
    updates = []
    for root, mem in members.items():
        cid = min(mem)
        updates += [(cid, m) for m in mem if old.get(m) != cid]
    db.conn.executemany("UPDATE documents SET cluster_id = ? WHERE id = ?", updates)
    contained_in: dict[int, list[int]] = defaultdict(list)
    for a, b, kind, *_ in links:
        if kind == "contains":
            contained_in[b].append(a)
    for root, mem in members.items():
        _choose_canonical(db, sorted(mem), compilation, contained_in)
    stats["clusters_touched"] = stats.get("clusters_touched", 0) + len(members)


def _choose_canonical(db, mem: list[int], compilation: set[int], contained_in: dict[int, list[int]]) -> None:
    q = ",".join("?" * len(mem))
    rows = db.execute(f"SELECT d.id, d.truncated, d.mangled, d.script, d.published, d.low_trust, x.rep, x.ngrams, "
                      f"x.signs FROM documents d LEFT JOIN dedup_docs x ON x.doc_id = d.id WHERE d.id IN ({q})",
                      mem).fetchall()
    info = {r[0]: r for r in rows}
    if len(mem) == 1:
        i = mem[0]
        r = info[i]
        canon = 0 if (r[5] or i in compilation) else 1
        db.execute("UPDATE documents SET is_canonical = ? WHERE id = ?", [canon, i])
        db.execute("UPDATE dedup_docs SET preview = 0, leftovers = 0, completeness = 1 WHERE doc_id = ?", [i])
        return
    memset = set(mem)
    # leftovers and completeness on the n-grams of the group representatives (exact copies count once each)
    reps: dict[int, list[int]] = defaultdict(list)
    for i in mem:
        rep = info[i][6] if info[i][6] in memset else i
        reps[rep].append(i)
    content_reps = [r for r in reps if r not in compilation]
    sk = {r: _cache.get(db, r) for r in content_reps}
    leftovers, completeness = {}, {}
    if len(content_reps) > 1 or any(len(reps[r]) > 1 for r in content_reps):
        allu = np.concatenate([np.repeat(sk[r].u, 1) for r in content_reps for _ in reps[r]]) if content_reps else np.zeros(0, np.uint64)
        vals, counts = np.unique(allu, return_counts=True)
        agreed, single = vals[counts >= 2], vals[counts == 1]
        for r in content_reps:
            u = sk[r].u
            n = max(1, len(u))
            leftovers[r] = len(np.intersect1d(u, single, assume_unique=True)) / n
            completeness[r] = len(np.intersect1d(u, agreed, assume_unique=True)) / max(1, len(agreed))
    ngr = {i: (info[i][7] or 0) for i in mem}

    def rank(i):
        _, truncated, mangled, script, published, low_trust, rep, ngrams, signs = info[i]
        r = rep if rep in reps else i
        preview = any(c in memset and ngr[i] <= PREVIEW_RATIO * ngr[c] for c in contained_in.get(r, [])) \
            or any(c in memset and ngr[i] <= PREVIEW_RATIO * ngr[c] for c in contained_in.get(i, []))
        incomplete = bool(truncated) or preview or completeness.get(r, 1.0) < COMPLETE_MIN
        mangled_ = (mangled or 0) >= MANGLED_MIN or (signs or 0) >= 1.0 or (script or "simplified") != "simplified"
        return (int(bool(low_trust)), int(r in compilation), int(incomplete), int(mangled_),
                round(leftovers.get(r, 0.0), 2), published or "9999-99-99", i), preview
    ranked = {i: rank(i) for i in mem}
    best = min(mem, key=lambda i: ranked[i][0])
    if ranked[best][0][0] or ranked[best][0][1]:  # only low-trust copies or compilations: none is canonical
        best = None
    db.conn.executemany("UPDATE documents SET is_canonical = ? WHERE id = ?", [(int(i == best), i) for i in mem])
    db.conn.executemany("UPDATE dedup_docs SET preview = ?, leftovers = ?, completeness = ? WHERE doc_id = ?",
                        [(int(ranked[i][1]), round(leftovers.get(info[i][6] if info[i][6] in reps else i, 0.0), 4),
                          round(completeness.get(info[i][6] if info[i][6] in reps else i, 1.0), 4), i) for i in mem])


# --------------------------------------------------------------------------------------------- entry points
def _stats() -> dict:
    return defaultdict(int)


def update_clusters(db: sqlite_utils.Database, doc_ids: list[int]) -> dict:
    """Place newly inserted documents (rows committed with fingerprint/content_hash/flags) into clusters.

    Runs inside the caller's transaction (no commit here). Returns counts of links found by kind, new clusters, and
    candidates verified.
    """
    stats = _stats()
    ids = sorted(set(doc_ids))
    for doc_id in ids:
        _remove(db, doc_id)
        _place(db, doc_id, stats)
    if ids:
        region = _region(db, ids)
        _cluster_region(db, region, stats)
        stats["new_clusters"] = sum(1 for i in ids if db.execute(
            "SELECT cluster_id FROM documents WHERE id = ?", [i]).fetchone()[0] == i)
    return dict(stats)


def rebuild(db: sqlite_utils.Database, batch: int = 500) -> dict:
    """Recompute every key, link, cluster and canonical copy from the documents' fingerprints (in id order, as
    incremental placement sees them, so the result is the same as placing them one by one)."""
    ensure_schema(db)
    db.execute("DELETE FROM dedup_keys")
    db.execute("DELETE FROM dedup_docs")
    db.execute("DELETE FROM links")
    db.execute("UPDATE documents SET cluster_id = NULL, is_canonical = 0")
    _cache.data.clear()
    ids = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY id")]
    total = _stats()
    for i in range(0, len(ids), batch):
        st = update_clusters(db, ids[i:i + batch])
        for k, v in st.items():
            if k != "clusters_touched":
                total[k] += v
    db.conn.commit()
    total["documents"] = len(ids)
    total["clusters"] = db.execute("SELECT count(DISTINCT cluster_id) FROM documents").fetchone()[0]
    return dict(total)
