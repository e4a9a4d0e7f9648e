"""Dedup stage: exact and near-duplicate clusters, containment, and the canonical copy of each speech.

Entry points (the store's contract): `ensure_schema(db)`, `update_clusters(db, doc_ids)` (incremental, inside the
store's transaction), `rebuild(db)` (from scratch, same result). Benchmark: `python -m benchmarks.dedup`.

Comparison text
---------------
Documents are compared on their fingerprint (`cleaners.fingerprint.fingerprint_text`: traditional script, pinyin,
placeholders, figures, known 伪原创 swaps, punctuation and whitespace folded away), as character NGRAM-grams.
5-grams: between different demo speeches the mean Jaccard is 0.0013 with 5-grams against 0.0026 with 4-grams (stock
phrases), so fewer chance candidates; on the generated copies the worst copy/negative coverages are 0.91/0.69 for
both 4- and 5-grams, and longer grams lose more to every swap or watermark (0.89/0.68 for 8-grams).

Candidates: one persisted index
-------------------------------
`dedup_keys(key, doc_id)` is an indexed SQLite table (WITHOUT ROWID): nothing is loaded into memory at start and a
lookup is a B-tree seek. New keys go to the small `dedup_keys_new` first and move over in one sorted insert every
HOT_KEYS keys, so a transaction dirties few pages whatever the size of the corpus. A document writes these keys:
- `x`: its content hash (exact copies);
- `f`: FULL_BANDS band hashes of a MinHash signature (datasketch's affine32 permutations, FULL_BANDS x FULL_ROWS)
  of all its n-grams: near copies whose differences are spread over the text (swaps, watermarks, page markers).
  16 bands of 4 catch a pair at Jaccard 0.6 with probability 0.89, at 0.7 with 0.99, at 0.1 with 0.002;
- `h`: band hashes of the MinHash of its first 100 and first 400 characters (HEADS): a truncated preview shares its
  head with the full copy even when both are noisy (the 400-character head also survives a title glued to the
  start);
- `c`: one hash per content-defined chunk, the text between two consecutive anchors (n-grams whose hash is 0
  modulo CHUNK_MOD, about one per CHUNK_MOD characters): a passage found anywhere in two documents gives the same
  keys in both whatever precedes it, so previews cut anywhere, copies inside wrappers, and the second speech of a
  compilation are found however small their Jaccard. Chunks shorter than CHUNK_MIN n-grams are skipped (stock
  phrases);
- `s`: the first SEAM_CHARS characters of the document and of every speech that starts inside it after a title
  (…会上的讲话): a compilation cut off a few lines into its second speech still shares a key with that speech.
Only the first document of a group of exact copies is indexed and compared; the others link to it. The keys of a
document are ~2 + 16 + 8 + length/280: about 36 for a 3,300-character speech, 0.6 KB of index per document.

Verification: exact n-grams, no estimate
----------------------------------------
Every candidate is verified on the n-grams recomputed from the stored fingerprints (a Jaccard estimate from 64
permutations has a standard error of 0.06: not good enough to decide). For the pair, the smaller document is
"covered" by the bigger: the share of its n-gram positions whose window of SMOOTH_WINDOW positions has at least
SMOOTH_MIN of its n-grams in the other. Noise spread over a copy (a swap every 50 characters, a watermark every
200, a page marker) leaves the coverage near 1, while a different speech that shares whole paragraphs is covered
by exactly the share of those paragraphs (0.3 and 0.6 for the benchmark's hard negatives, at most 0.68 measured),
so one threshold separates them:
- exact: same fingerprint;
- near: the smaller is covered >= LINK_COVERAGE (0.8) and the bigger >= NEAR_BIG (0.7) by the smaller (a copy, a
  copy with leftovers of up to 30 %);
- contains: the smaller is covered >= CONTAIN_COVERAGE (0.9) but the bigger less than NEAR_BIG (a preview, one
  speech of a compilation); it needs MIN_CONTAINED n-grams. The stricter threshold keeps out an abridged different
  speech (60 % of a speech's paragraphs, shorter new ones instead of the rest: 80-85 % of it is the other text),
  while a preview is covered but for its paywall line (0.94 and more in the benchmark);
- contains, cut off: the beginning of one document (PART_MIN n-grams or more) ends the other, after something else
  (a compilation preview cut off inside its second speech); its containment is below LINK_COVERAGE.
Each link records the Jaccard, both coverages and the span of the bigger document that the smaller covers.

Clusters: a pure function of the links
--------------------------------------
So incremental placement and a rebuild agree (the links depend only on which pairs share a key, not on the order).
The parts of a document are the smaller documents linked to it, each with its span. A document is a compilation
if two of its parts lie side by side (overlap < 20 %) and the later one's title stands where that part starts.
- exact links join;
- near and contains links join only if both documents or neither are compilations, and in a compilation only a
  part that overlaps every other part (by SPAN_OVERLAP: a copy of the whole compilation): so a compilation links
  to both its speeches and joins neither, and a bigger copy of one speech cannot absorb it either;
- a contains link joins the part to one container only, its best (highest coverage, then the most similar title,
  then Jaccard, then lowest id): a preview that also fits in a different speech opening with the same paragraphs
  cannot bridge the two; cut-off links never join.
A cluster's id is its lowest document id; every document has one (a document with no link is its own cluster).

The canonical copy
------------------
For each cluster, the first of its documents in this order (`canonical_rank`), is_canonical = 1:
1. not from a low-trust (hijacked) host: such a document is never canonical;
2. not a compilation: never canonical either (its speeches are canonical in their own clusters), so a cluster of
   compilations (or of low-trust copies only) has no canonical copy and no row in `speeches`;
3. complete beats truncated: the `truncated` flag, or contained in a cluster member of which it is at most
   PREVIEW_RATIO, or covering less than COMPLETE_MIN of the n-grams that most members share;
4. not mangled beats mangled, graded in steps of 0.1: the cleaners' `mangled` score (0..1) or the swap signs in
   the text (效劳, 根底, 原那么, 咨询题, 〞: 5 per 1000 characters count 1), plus 1 for a traditional-script or pinyin
   mirror;
5. fewer leftovers: the share of its n-grams that most members do not share (boilerplate, watermarks, noise),
   rounded to 0.01;
6. earliest `published` (unknown dates last);
7. lowest id.
The figures are kept in dedup_docs (preview, leftovers, completeness, signs, compilation) to explain the choice.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
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
HEADS = ((100, 3, 6), (400, 5, 5))
NUM_PERM = max([FULL_BANDS * FULL_ROWS] + [b * r for _, b, r in HEADS])
CHUNK_MOD = 256  # anchors every 256 n-grams on average
CHUNK_MIN = 24  # chunks shorter than this (in n-grams) are not indexed (stock phrases)
CHUNK_MAX = 256  # a longer chunk is hashed on its first 256 n-grams
SEAM_CHARS = 60  # a seam key is the first 60 characters of a speech (see `seams`)
PART_MIN = 100  # n-grams of the beginning of a document that a cut-off compilation must show to be linked
SMOOTH_WINDOW = 50  # coverage: a position counts as matched if its window of 50 n-grams ...
SMOOTH_MIN = 0.4  # ... has at least 40 % of them in the other document
LINK_COVERAGE = 0.8  # a link needs the smaller document covered at least this much by the bigger
NEAR_BIG = 0.7  # ... and it is `near` (not `contains`) if the bigger is covered at least this much by the smaller
CONTAIN_COVERAGE = 0.9  # a `contains` link (the bigger mostly something else) needs the smaller covered this much
MIN_CONTAINED = 64  # a contained document needs at least this many n-grams (shorter texts: exact and near only)
SPAN_GAP = 64  # matched runs closer than this (n-grams) form one span
SPAN_OVERLAP = 0.1  # in a compilation, a part joins only if it overlaps every other part by 10 % (it spans them)
PREVIEW_RATIO = 0.6  # a member contained in another member at most 0.6 its length is a preview
COMPLETE_MIN = 0.85
KEY_BITS = 47  # keys are stored as 6-byte SQLite integers
HOT_KEYS = 100_000  # keys kept in dedup_keys_new before they move to dedup_keys in one sorted insert


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


def _permuted(h64: np.ndarray) -> np.ndarray:
    """(NUM_PERM, len) permuted 32-bit hash values of the shingles: datasketch's affine32 scheme."""
    a, b = _permutations()
    hv = _fmix32((h64 & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    with np.errstate(over="ignore"):
        m = a[:, None] * hv[None, :]
        m += b[:, None]
    return m


def minhash(h64: np.ndarray) -> np.ndarray:
    """MinHash signature (NUM_PERM uint32) of a set of 64-bit shingle hashes.

    Identical to datasketch `MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=<low 32 bits>).update_batch(...)`
    (scheme affine32), computed on the whole array at once.
    """
    if len(h64) == 0:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    out = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    for i in range(0, len(h64), 8192):  # bounded temporary memory for very long documents
        np.minimum(out, _permuted(h64[i:i + 8192]).min(axis=1), out=out)
    return out


def _key(tag: bytes, payload: bytes) -> int:
    d = hashlib.blake2b(tag + payload, digest_size=8).digest()
    return int.from_bytes(d, "little") & ((1 << KEY_BITS) - 1)


class Sketch:
    """A fingerprint's n-grams: `u` the sorted unique hashes (kept), `h` the hashes in text order (recomputed from
    the fingerprint when needed, so that cached sketches stay small)."""

    __slots__ = ("fp", "u", "_h", "size")

    def __init__(self, fp: str, h: np.ndarray | None = None):
        self.fp = fp
        h = shingle_hashes(fp) if h is None else h
        self._h = h
        self.u = _sorted_unique(h)
        self.size = len(h)

    @property
    def h(self) -> np.ndarray:
        return self._h if self._h is not None else shingle_hashes(self.fp)

    def compact(self) -> "Sketch":
        self._h = None
        return self


def _sorted_unique(h: np.ndarray) -> np.ndarray:
    u = np.sort(h)
    if len(u) > 1:
        u = u[np.concatenate(([True], u[1:] != u[:-1]))]
    return u


def sketch(fp: str) -> Sketch:
    return Sketch(fp)


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
    longest = max(chars for chars, _, _ in HEADS) - NGRAM + 1
    head = _permuted(sk.h[:longest])
    for chars, bands, rows in HEADS:
        hsig = head[:bands * rows, : max(1, chars - NGRAM + 1)].min(axis=1)
        for band in range(bands):
            keys.append(_key(b"h%d.%d" % (chars, band), hsig[band * rows:(band + 1) * rows].tobytes()))
    anc = anchors(sk.h)
    for s, e in zip(anc[:-1], anc[1:]):
        if e - s >= CHUNK_MIN:
            keys.append(_key(b"c", sk.h[s:min(e, s + CHUNK_MAX)].tobytes()))
    for start in seams(sk.fp):
        keys.append(_key(b"s", sk.fp[start:start + SEAM_CHARS].encode()))
    return sorted(set(keys))


_SEAM = re.compile(r"上的?(?:讲话|致辞|发言|报告)(?:提纲|稿|材料|全文)*|讲话(?:提纲|稿|材料)+")


def seams(fp: str) -> list[int]:
    """Where a speech may start in a fingerprint: at its start, and after a speech title (…会上的讲话). A
    compilation has one seam per speech, so its second speech is found from that speech's own beginning even when
    the compilation is cut off a few lines into it."""
    starts = [0] + [m.end() for m in _SEAM.finditer(fp)]
    return sorted({i for i in starts if len(fp) - i >= SEAM_CHARS})


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
    runs = _runs(mask, SPAN_GAP)
    return max(runs, key=lambda r: r[1] - r[0]) if runs else (0, 0)


@dataclass
class Match:
    kind: str  # exact | near | contains
    jaccard: float  # of the n-gram sets
    cov_small: float  # smoothed coverage of the smaller document by the bigger
    cov_big: float  # smoothed coverage of the bigger document by the smaller
    span: tuple[int, int]  # the n-gram positions of the bigger document that the smaller covers
    a_is_bigger: bool


def compare(a: Sketch, b: Sketch) -> Match | None:
    """Verify a candidate pair on exact shingles: None if neither document is a copy of (a part of) the other.

    The bigger document is the one with more n-grams (ties: `a`); `a_is_bigger` says whether `a` is doc_a of the
    link (the bigger one, or for a cut-off compilation the one that holds the other's beginning)."""
    a_big = a.size >= b.size
    big, small = (a, b) if a_big else (b, a)
    if a.fp == b.fp:
        return Match("exact", 1.0, 1.0, 1.0, (0, big.size), a_big)
    if small.size == 0:
        return None
    inter = int(_member(small.u, big.u).sum())
    if inter == 0:
        return None
    jac = inter / (len(a.u) + len(b.u) - inter)
    # cheap bound: the smaller document's coverage needs enough shared n-grams (smoothing counts a window as
    # matched from SMOOTH_MIN of its n-grams)
    if inter / max(1, len(small.u)) >= LINK_COVERAGE * SMOOTH_MIN * 0.9:
        m_small = _matched(small.h, big.u)
        c_small = float(m_small.mean())
        if c_small >= LINK_COVERAGE:
            m_big = _matched(big.h, small.u)
            c_big = float(m_big.mean())
            span = _span(m_big)
            if c_big >= NEAR_BIG:
                return Match("near", jac, c_small, c_big, span, a_big)
            if small.size >= MIN_CONTAINED and c_small >= CONTAIN_COVERAGE:
                return Match("contains", jac, c_small, c_big, span, a_big)
            return None
    if inter >= PART_MIN:
        return _cut_off(a, b, jac) or _cut_off(b, a, jac, swapped=True)
    return None


def _runs(mask: np.ndarray, gap: int) -> list[tuple[int, int]]:
    pos = np.flatnonzero(mask)
    if len(pos) == 0:
        return []
    breaks = np.flatnonzero(np.diff(pos) > gap)
    starts = np.concatenate(([pos[0]], pos[breaks + 1]))
    ends = np.concatenate((pos[breaks], [pos[-1]])) + 1
    return list(zip(starts.tolist(), ends.tolist()))


def _cut_off(p: Sketch, q: Sketch, jac: float, swapped: bool = False) -> Match | None:
    """`p` ends with the beginning of `q`: a compilation cut off a few lines into its next speech (docx previews).

    The beginning of q (at least PART_MIN n-grams, from its first position) must be the last run of p that q
    matches, reaching p's end, with little else of p matched. Linked as `contains` with the share of q present as
    its containment (below LINK_COVERAGE: such a link never joins, it only marks the part of p that is q)."""
    mq = _matched(q.h, p.u)
    runs = _runs(mq, 8)
    if not runs or runs[0][0] > 8 or runs[0][1] < PART_MIN:
        return None
    head = runs[0][1]
    mp = _matched(p.h, q.u)
    pruns = _runs(mp, SPAN_GAP)
    if not pruns:
        return None
    s0, s1 = pruns[-1]
    if s0 < PART_MIN or p.size - s1 > 30 or (s1 - s0) < 0.8 * head or mp[:s0].mean(dtype=np.float64) > 0.2:
        return None  # not at p's end, too short, or p is not something else before it
    if _member(p.h[s0:s1], _sorted_unique(q.h[:head])).mean(dtype=np.float64) < 0.6:
        return None  # the end of p is not the beginning of q
    return Match("contains", jac, head / max(1, q.size), (s1 - s0) / max(1, p.size), (s0, s1), not swapped)


# ------------------------------------------------------------------------------------- signs for the canonical rule
_SWAP_SIGNS = re.compile(r"效劳|根底|原那么|咨询题|〞|〝")
_PINYIN_SIGNS = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü ]{1,20}[)）]")


def mangle_signs(text: str) -> tuple[float, float]:
    """(伪原创 swap signs, pinyin insertions) per 1000 characters of text."""
    if not text:
        return 0.0, 0.0
    return (1000.0 * len(_SWAP_SIGNS.findall(text)) / len(text), 1000.0 * len(_PINYIN_SIGNS.findall(text)) / len(text))


@lru_cache(maxsize=65536)
def _title_grams(title: str | None) -> frozenset[str]:
    t = fingerprint_text(title or "")
    return frozenset({t[i:i + 2] for i in range(len(t) - 1)} or ({t} if t else set()))


def title_similarity(a: str | None, b: str | None) -> float:
    ga, gb = _title_grams(a), _title_grams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


# --------------------------------------------------------------------------------------------- schema
LINK_COLUMNS = {"doc_a": int, "doc_b": int, "kind": str, "jaccard": float, "containment": float, "coverage_a": float,
                "joins": int, "span_start": int, "span_end": int}

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
      placed document: rep is the indexed document of its group of exact copies; the rest are the figures of the
      canonical rule (signs: 伪原创/pinyin signs per 1000 characters; compilation: several speeches in one document);
    - links(doc_a, doc_b, kind, jaccard, containment, coverage_a, joins, span_start, span_end): verified links.
      doc_a is the bigger document (for exact: the indexed copy), doc_b the smaller; jaccard: of the n-gram sets;
      containment: the share of doc_b found in doc_a (smoothed coverage); coverage_a: the share of doc_a found in
      doc_b; joins: 1 if the link puts the two in one cluster (see the module docstring); span_start/span_end: the
      n-gram positions of doc_a that doc_b covers;
    - view clusters(id, size, sites, site_list, canonical_id, canonical_title, canonical_url, canonical_site,
      canonical_label).
    """
    for table in ("dedup_keys", "dedup_keys_new"):
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key INTEGER NOT NULL, doc_id INTEGER NOT NULL, "
                   "PRIMARY KEY (key, doc_id)) WITHOUT ROWID")
    db.execute("CREATE TABLE IF NOT EXISTS dedup_state (name TEXT PRIMARY KEY, value INTEGER)")
    db.execute("CREATE TABLE IF NOT EXISTS dedup_docs (doc_id INTEGER PRIMARY KEY, fp_hash INTEGER, rep INTEGER, "
               "ngrams INTEGER, signs REAL, pinyin REAL, compilation INTEGER DEFAULT 0, preview INTEGER DEFAULT 0, "
               "leftovers REAL, completeness REAL)")
    if "links" not in db.table_names():
        db["links"].create(LINK_COLUMNS, pk=("doc_a", "doc_b"))
    else:
        have = set(db["links"].columns_dict)
        for col, typ in LINK_COLUMNS.items():
            if col not in have:
                db["links"].add_column(col, typ)
    db.execute("CREATE INDEX IF NOT EXISTS links_doc_b ON links (doc_b)")
    if "documents" in db.table_names() and not any(
            idx.columns[:1] == ["cluster_id"] for idx in db["documents"].indexes):
        db.execute("CREATE INDEX IF NOT EXISTS documents_cluster_id ON documents (cluster_id)")
    db.execute("DROP VIEW IF EXISTS clusters")
    db.execute(f"CREATE VIEW clusters AS {CLUSTERS_VIEW}")


# --------------------------------------------------------------------------------------------- placement
class _SketchCache:
    """Sketches of recently compared documents (LRU, bounded), keyed by the fingerprint's hash: a sketch is a pure
    function of the fingerprint, so the cache is safe across databases and re-cleaned documents."""

    def __init__(self, size: int = 2048):
        self.size = size
        self.data: dict[int, Sketch] = {}

    def put(self, fp_hash: int, sk: Sketch) -> None:
        self.data[fp_hash] = sk.compact()
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


def _load_fp(db, doc_id: int) -> str:
    """The stored fingerprint (computed from the text if the row has none)."""
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
    """Forget a document's placement (it is placed again, e.g. after its text changed)."""
    row = db.execute("SELECT rep FROM dedup_docs WHERE doc_id = ?", [doc_id]).fetchone()
    if row is None:
        return
    if row[0] == doc_id:
        db.execute("DELETE FROM dedup_keys WHERE doc_id = ?", [doc_id])
        db.execute("DELETE FROM dedup_keys_new WHERE doc_id = ?", [doc_id])
    db.execute("DELETE FROM links WHERE doc_a = ? OR doc_b = ?", [doc_id, doc_id])
    db.execute("DELETE FROM dedup_docs WHERE doc_id = ?", [doc_id])


def _link_row(earlier: int, later: int, m: Match) -> tuple:
    a, b = (earlier, later) if m.a_is_bigger else (later, earlier)
    return (a, b, m.kind, round(m.jaccard, 4), round(m.cov_small, 4), round(m.cov_big, 4), int(m.kind != "contains"),
            m.span[0], m.span[1])


_LINK_INSERT = ("INSERT OR REPLACE INTO links (doc_a, doc_b, kind, jaccard, containment, coverage_a, joins, "
                "span_start, span_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _place(db, doc_id: int, stats: dict) -> None:
    """Index one document and write its verified links to documents placed before it."""
    row = db.execute("SELECT fingerprint, text FROM documents WHERE id = ?", [doc_id]).fetchone()
    if row is None:
        return
    fp = row[0] or fingerprint_text(row[1] or "")
    signs, pinyin = mangle_signs(row[1] or "")
    if not fp:  # nothing to compare: a singleton
        db.execute("INSERT INTO dedup_docs (doc_id, fp_hash, rep, ngrams, signs, pinyin) VALUES (?, NULL, ?, 0, ?, ?)",
                   [doc_id, doc_id, signs, pinyin])
        return
    chash = content_hash(fp)
    ngrams = max(0, len(fp) - NGRAM + 1)
    xkey = _key(b"x", chash.encode())
    for (other,) in db.execute("SELECT doc_id FROM dedup_keys WHERE key = ? UNION SELECT doc_id FROM dedup_keys_new "
                               "WHERE key = ? ORDER BY doc_id", [xkey, xkey]).fetchall():
        if _load_fp(db, other) == fp:  # an exact copy: link it to the indexed copy, index nothing
            db.execute("INSERT INTO dedup_docs (doc_id, fp_hash, rep, ngrams, signs, pinyin) VALUES (?, ?, ?, ?, ?, ?)",
                       [doc_id, _hash_int(chash), other, ngrams, signs, pinyin])
            db.execute("INSERT OR REPLACE INTO links (doc_a, doc_b, kind, jaccard, containment, coverage_a, joins, "
                       "span_start, span_end) VALUES (?, ?, 'exact', 1.0, 1.0, 1.0, 1, 0, ?)", [other, doc_id, ngrams])
            stats["exact"] += 1
            return
    sk = sketch(fp)
    keys = index_keys(sk, chash)
    cands: set[int] = set()
    for i in range(0, len(keys), 500):
        part = keys[i:i + 500]
        q = ",".join("?" * len(part))
        cands.update(r[0] for r in db.execute(f"SELECT doc_id FROM dedup_keys WHERE key IN ({q}) UNION ALL "
                                              f"SELECT doc_id FROM dedup_keys_new WHERE key IN ({q})", part + part))
    stats["candidates"] += len(cands)
    rows = []
    for other in sorted(cands):
        m = compare(_cache.get(db, other), sk)
        if m is not None:
            stats[m.kind] += 1
            rows.append(_link_row(other, doc_id, m))
    db.conn.executemany(_LINK_INSERT, rows)
    db.conn.executemany("INSERT OR IGNORE INTO dedup_keys_new (key, doc_id) VALUES (?, ?)",
                        [(k, doc_id) for k in keys])
    stats["keys"] += len(keys)
    db.execute("INSERT INTO dedup_docs (doc_id, fp_hash, rep, ngrams, signs, pinyin) VALUES (?, ?, ?, ?, ?, ?)",
               [doc_id, _hash_int(chash), doc_id, sk.size, signs, pinyin])
    _cache.put(_hash_int(chash), sk)


# --------------------------------------------------------------------------------------------- clusters
def _in(n: int) -> str:
    return ",".join("?" * n)


def _rows(db, sql: str, ids: list[int], repeat: int = 1) -> list[tuple]:
    """Run `sql` (with `{q}` for the id list, `repeat` times) over `ids` in slices."""
    out = []
    for i in range(0, len(ids), 400):
        part = ids[i:i + 400]
        out += db.execute(sql.format(q=_in(len(part))), part * repeat).fetchall()
    return out


def _region(db, seeds: Iterable[int]) -> set[int]:
    """All documents connected to `seeds` by links of any kind (clusters never cross such a region)."""
    seen = set(seeds)
    frontier = sorted(seen)
    while frontier:
        nxt = []
        for a, b in _rows(db, "SELECT doc_a, doc_b FROM links WHERE doc_a IN ({q}) OR doc_b IN ({q})", frontier, 2):
            for x in (a, b):
                if x not in seen:
                    seen.add(x)
                    nxt.append(x)
        frontier = nxt
    return seen


def _overlaps(spans: list[tuple[int, int]]) -> np.ndarray:
    """Pairwise overlap of spans, as a share of the smaller span (1 on the diagonal)."""
    sp = np.array(spans, dtype=np.int64).reshape(-1, 2)
    inter = np.minimum.outer(sp[:, 1], sp[:, 1]) - np.maximum.outer(sp[:, 0], sp[:, 0])
    length = sp[:, 1] - sp[:, 0]
    smaller = np.maximum(1, np.minimum.outer(length, length))
    ov = np.maximum(0, inter) / smaller
    np.fill_diagonal(ov, 1.0)
    return ov


def _parts(links) -> dict[int, list[tuple[int, tuple[int, int]]]]:
    """The parts of each bigger document: (smaller document, its span) of its near and contains links."""
    parts: dict[int, list[tuple[int, tuple[int, int]]]] = defaultdict(list)
    for a, b, kind, jac, cov, s0, s1, *_ in links:
        if kind in ("near", "contains"):
            parts[a].append((b, (s0 or 0, s1 or 0)))
    return parts


_BOUNDARY = 80  # characters around the start of a later part where its title is looked for


def joining_links(links: list[tuple], titles: dict[int, str | None], fps: dict[int, str] | None = None
                  ) -> tuple[set[tuple[int, int]], set[int]]:
    """Which links join clusters, and which documents are compilations (a pure function of the links).

    `links`: (doc_a, doc_b, kind, jaccard, containment, span_start, span_end) with doc_a the bigger document.
    - the parts of a document x are the smaller documents linked to it (near, contains, cut-off) with their spans
      in x; x is a compilation if two of its parts lie side by side (overlap < 20 %) and the later one's title
      stands in x where it starts (`fps` gives the fingerprints of such x, `titles` the parts' titles);
    - exact links join; a near or contains link joins only if both documents or neither are compilations, and in a
      compilation only a part whose span overlaps (by SPAN_OVERLAP) every other part's (a copy of the whole);
    - a contains link joins the part to its best container only (highest containment, then most similar title,
      then Jaccard, then lowest id), so a part that fits in two different texts cannot bridge them;
    - a cut-off link (the beginning of a speech at the end of a compilation preview) never joins.
    """
    parts = _parts(links)
    overlaps = {x: _overlaps([sp for _, sp in lst]) for x, lst in parts.items()}
    grams: dict[int, frozenset[str]] = {}

    def g(i):
        if i not in grams:
            grams[i] = _title_grams(titles.get(i))
        return grams[i]

    # compilations: two parts side by side (overlap < 20 %), the later one's title where it starts
    compilation: set[int] = set()
    for x, lst in parts.items():
        fp = (fps or {}).get(x, "")
        ov = overlaps[x]
        for k, (y, (s0, _)) in enumerate(lst):
            if not any(ov[k, j] < 0.2 and s0 >= sz[0] for j, (_, sz) in enumerate(lst) if j != k):
                continue
            window = fp[max(0, s0 - _BOUNDARY): s0 + _BOUNDARY]
            tg = g(y)
            if tg and len(tg & {window[i:i + 2] for i in range(len(window) - 1)}) >= 0.6 * len(tg):
                compilation.add(x)
                break
    # in a compilation, only a part that spans the others (a copy of the whole compilation) may join
    compatible: dict[tuple[int, int], bool] = {}
    for x, lst in parts.items():
        ok = (overlaps[x] >= SPAN_OVERLAP).all(axis=1) if x in compilation else np.ones(len(lst), dtype=bool)
        for k, (y, _) in enumerate(lst):
            compatible[(x, y)] = bool(ok[k])
    joins: set[tuple[int, int]] = set()
    containers: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for a, b, kind, jac, cov, s0, s1 in links:
        if kind == "exact":
            joins.add((a, b))
        elif not compatible.get((a, b)) or (a in compilation) != (b in compilation):
            continue
        elif kind == "near":
            joins.add((a, b))
        elif kind == "contains" and cov >= LINK_COVERAGE:  # (a cut-off part never joins)
            containers[b].append((a, jac, cov))

    def tsim(a: int, b: int) -> float:
        ga, gb = g(a), g(b)
        return len(ga & gb) / len(ga | gb) if ga and gb else 0.0

    for y, lst in containers.items():
        best = lst[0] if len(lst) == 1 else min(
            lst, key=lambda t: (-round(t[2], 2), -round(tsim(y, t[0]), 2), -round(t[1], 3), t[0]))
        joins.add((best[0], y))
    return joins, compilation


def _cluster_region(db, region: set[int], new: set[int], stats: dict, everything: bool = False) -> None:
    """Recompute joins, clusters and canonical copies of a link-closed region (new: the documents just placed;
    everything: choose the canonical copy of every cluster of the region)."""
    ids = sorted(region)
    links = _rows(db, "SELECT doc_a, doc_b, kind, jaccard, containment, span_start, span_end, joins FROM links "
                      "WHERE doc_a IN ({q})", ids)
    # titles and fingerprints are needed only where a part has several containers or parts lie side by side
    multi = {b for b, n in Counter(l[1] for l in links if l[2] == "contains").items() if n > 1}
    need_titles = multi | {l[0] for l in links if l[2] == "contains" and l[1] in multi}
    need_fps = set()
    for x, lst in _parts(links).items():
        close = (_overlaps([sp for _, sp in lst]) < 0.2).any(axis=1)
        if close.any():
            need_fps.add(x)
            need_titles.update(y for (y, _), c in zip(lst, close) if c)
    titles = dict(_rows(db, "SELECT id, title FROM documents WHERE id IN ({q})", sorted(need_titles))) \
        if need_titles else {}
    fps = {x: _load_fp(db, x) for x in sorted(need_fps)}
    joins, compilation = joining_links([l[:7] for l in links], titles, fps)
    changed = [(int((a, b) in joins), a, b) for a, b, *_, old in links if int((a, b) in joins) != old]
    db.conn.executemany("UPDATE links SET joins = ? WHERE doc_a = ? AND doc_b = ?", changed)
    # union-find over the joining links; a cluster's id is its lowest document id
    up = {i: i for i in ids}

    def find(x):
        while up[x] != x:
            up[x] = up[up[x]]
            x = up[x]
        return x

    for a, b in joins:
        ra, rb = find(a), find(b)
        if ra != rb:
            up[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    for i in ids:
        members[find(i)].append(i)
    old = dict(_rows(db, "SELECT id, cluster_id FROM documents WHERE id IN ({q})", ids))
    updates = [(root, m) for root, mem in members.items() for m in mem if old.get(m) != root]
    db.conn.executemany("UPDATE documents SET cluster_id = ? WHERE id = ?", updates)
    old_comp = dict(_rows(db, "SELECT doc_id, compilation FROM dedup_docs WHERE doc_id IN ({q})", ids))
    db.conn.executemany("UPDATE dedup_docs SET compilation = ? WHERE doc_id = ?",
                        [(int(i in compilation), i) for i in ids if old_comp.get(i) != int(i in compilation)])
    # the canonical copy changes only where a cluster changed or holds a document with new links
    touched = set(new)
    for a, b, *_ in links:
        if a in new or b in new:
            touched.update((a, b))
    old_members: dict[int, set[int]] = defaultdict(set)
    for i, c in old.items():
        old_members[c].add(i)
    contained_in: dict[int, list[int]] = defaultdict(list)
    for a, b, kind, *_ in links:
        if kind == "contains":
            contained_in[b].append(a)
    for root, mem in members.items():
        if everything or not touched.isdisjoint(mem) or old_members.get(root) != set(mem):
            _choose_canonical(db, mem, compilation, contained_in)
            stats["clusters_touched"] += 1


def canonical_rank(d: dict) -> tuple:
    """The sort key of the canonical rule (smallest first); `d` holds the figures named in the module docstring."""
    swaps = max(d.get("mangled") or 0.0, min(1.0, (d.get("signs") or 0.0) / 5))
    mirror = (d.get("script") or "simplified") != "simplified" or (d.get("pinyin") or 0) >= 1.0
    mangled = round(swaps + int(mirror), 1)
    incomplete = bool(d.get("truncated")) or bool(d.get("preview")) or d.get("completeness", 1.0) < COMPLETE_MIN
    return (int(bool(d.get("low_trust"))), int(bool(d.get("compilation"))), int(incomplete), mangled,
            round(d.get("leftovers", 0.0), 2), d.get("published") or "9999-99-99", d["id"])


def _choose_canonical(db, mem: list[int], compilation: set[int], contained_in: dict[int, list[int]]) -> None:
    rows = _rows(db, "SELECT d.id, d.truncated, d.mangled, d.script, d.published, d.low_trust, x.rep, x.ngrams, "
                     "x.signs, x.pinyin FROM documents d LEFT JOIN dedup_docs x ON x.doc_id = d.id "
                     "WHERE d.id IN ({q})", mem)
    names = ("id", "truncated", "mangled", "script", "published", "low_trust", "rep", "ngrams", "signs", "pinyin")
    info = {r[0]: dict(zip(names, r)) for r in rows}
    memset = set(mem)
    # groups of exact copies count once for the figures, with their number of copies as weight
    reps: dict[int, list[int]] = defaultdict(list)
    for i in mem:
        rep = info[i]["rep"] if info[i]["rep"] in memset else i
        info[i]["group"] = rep
        reps[rep].append(i)
    content = [r for r in sorted(reps) if r not in compilation]
    if len(content) > 1 or (content and len(reps[content[0]]) > 1):
        sk = {r: _cache.get(db, r) for r in content}
        allu = np.concatenate([sk[r].u for r in content for _ in reps[r]])
        vals, counts = np.unique(allu, return_counts=True)
        weight = sum(len(reps[r]) for r in content)
        agreed = vals[counts >= max(2, math.ceil(weight / 2))]
        for r in content:
            u = sk[r].u
            left = 1.0 - float(_member(u, agreed).sum()) / max(1, len(u))
            comp = float(_member(agreed, u).sum()) / max(1, len(agreed))
            for i in reps[r]:
                info[i]["leftovers"], info[i]["completeness"] = left, comp
    for i in mem:
        d = info[i]
        g = d["group"]
        d["compilation"] = g in compilation
        d["preview"] = any(c in memset and (d["ngrams"] or 0) <= PREVIEW_RATIO * (info[c]["ngrams"] or 0)
                           for c in contained_in.get(g, []))
    best = min(mem, key=lambda i: canonical_rank(info[i]))
    if info[best]["low_trust"] or info[best]["compilation"]:  # only low-trust copies or compilations: no canonical
        best = None
    db.conn.executemany("UPDATE documents SET is_canonical = ? WHERE id = ?", [(int(i == best), i) for i in mem])
    db.conn.executemany("UPDATE dedup_docs SET preview = ?, leftovers = ?, completeness = ? WHERE doc_id = ?",
                        [(int(info[i]["preview"]), round(info[i].get("leftovers", 0.0), 4),
                          round(info[i].get("completeness", 1.0), 4), i) for i in mem])


# --------------------------------------------------------------------------------------------- entry points
def update_clusters(db: sqlite_utils.Database, doc_ids: list[int]) -> dict:
    """Place newly inserted documents (rows committed with fingerprint/content_hash/flags) into clusters.

    Each document is indexed and linked to the documents placed before it, then the clusters of everything linked
    to the new documents are recomputed from the links (merging or splitting clusters as the links say) and their
    canonical copies chosen again. A document placed before (its text changed) is placed again, with its exact
    copies. Runs inside the caller's transaction (no commit). Returns counts: links found by kind (exact, near,
    contains), candidates verified, clusters touched, new_clusters.
    """
    stats: dict = defaultdict(int)
    ids = {r[0] for r in _rows(db, "SELECT id FROM documents WHERE id IN ({q})", sorted(set(doc_ids)))}
    again = [i for i in ids if db.execute("SELECT 1 FROM dedup_docs WHERE doc_id = ?", [i]).fetchone()]
    if again:  # re-placed documents: their old links' partners may change cluster too
        old_region = _region(db, again)
        ids.update(r[0] for r in _rows(db, "SELECT doc_id FROM dedup_docs WHERE rep IN ({q}) AND doc_id != rep",
                                       sorted(again)))
    else:
        old_region = set()
    ids = sorted(ids)
    for doc_id in ids:
        _remove(db, doc_id)
    for doc_id in ids:
        _place(db, doc_id, stats)
    if stats.get("keys"):
        _merge_keys(db, stats["keys"])
    if ids:
        _cluster_region(db, _region(db, ids) | old_region, set(ids), stats)
        stats["new_clusters"] = sum(1 for i, c in _rows(db, "SELECT id, cluster_id FROM documents WHERE id IN ({q})",
                                                         ids) if i == c)
    return dict(stats)


def _merge_keys(db, added: int) -> None:
    """New keys go to the small table dedup_keys_new, whose B-tree pages stay few and hot, so a transaction writes
    few pages; once it holds HOT_KEYS keys they move to dedup_keys in one sorted insert (each page of the big table
    written once). Inserting every key straight into the big table would dirty one random page per key, and the
    cost per document would grow with the corpus (measured: 1.6x from 10k to 100k documents)."""
    db.execute("INSERT INTO dedup_state (name, value) VALUES ('new_keys', ?) "
               "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value", [added])
    if db.execute("SELECT value FROM dedup_state WHERE name = 'new_keys'").fetchone()[0] >= HOT_KEYS:
        db.execute("INSERT OR IGNORE INTO dedup_keys (key, doc_id) SELECT key, doc_id FROM dedup_keys_new "
                   "ORDER BY key, doc_id")
        db.execute("DELETE FROM dedup_keys_new")
        db.execute("UPDATE dedup_state SET value = 0 WHERE name = 'new_keys'")


def rebuild(db: sqlite_utils.Database, incremental: bool = False, batch: int = 500) -> dict:
    """Recompute every key, link, cluster and canonical copy from the documents' fingerprints; commits at the end.

    The result is the one incremental placement gives (tests/test_dedup.py checks it): a pair of documents is
    verified iff they share an index key, whatever the order they came in; an exact copy links to the lowest id of
    its group; joins and canonical copies are functions of the links. The bulk path computes every document's keys
    first and inserts the index sorted (much faster than one B-tree insert per key); `incremental=True` replays the
    documents one batch at a time through `update_clusters` instead.
    """
    ensure_schema(db)
    db.execute("DELETE FROM dedup_keys")
    db.execute("DELETE FROM dedup_keys_new")
    db.execute("DELETE FROM dedup_state")
    db.execute("DELETE FROM dedup_docs")
    db.execute("DELETE FROM links")
    db.execute("UPDATE documents SET cluster_id = NULL, is_canonical = 0")
    ids = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY id")]
    total: dict = defaultdict(int)
    if incremental:
        for i in range(0, len(ids), batch):
            for k, v in update_clusters(db, ids[i:i + batch]).items():
                if k not in ("clusters_touched", "new_clusters"):
                    total[k] += v
    else:
        _bulk(db, total)
    db.conn.commit()
    total["documents"] = len(ids)
    total["clusters"] = db.execute("SELECT count(DISTINCT cluster_id) FROM documents").fetchone()[0]
    return dict(total)


def _bulk(db, stats: dict) -> None:
    """Rebuild in bulk: keys of all documents, candidate pairs from shared keys, verification, then clusters."""
    reps: dict[str, list[tuple[int, str]]] = {}
    doc_rows, key_rows, link_rows = [], [], []
    keys_of: list[tuple[int, list[int]]] = []
    for doc_id, fpv, text in db.execute("SELECT id, fingerprint, text FROM documents ORDER BY id"):
        fp = fpv or fingerprint_text(text or "")
        signs, pinyin = mangle_signs(text or "")
        if not fp:
            doc_rows.append((doc_id, None, doc_id, 0, signs, pinyin))
            continue
        chash = content_hash(fp)
        group = reps.setdefault(chash, [])
        rep = next((r for r, rfp in group if rfp == fp), None)
        if rep is not None:  # an exact copy of the group's first document
            doc_rows.append((doc_id, _hash_int(chash), rep, max(0, len(fp) - NGRAM + 1), signs, pinyin))
            link_rows.append((rep, doc_id, "exact", 1.0, 1.0, 1.0, 1, 0, max(0, len(fp) - NGRAM + 1)))
            stats["exact"] += 1
            continue
        group.append((doc_id, fp))
        sk = sketch(fp)
        keys = index_keys(sk, chash)
        keys_of.append((doc_id, keys))
        doc_rows.append((doc_id, _hash_int(chash), doc_id, sk.size, signs, pinyin))
    del reps
    # candidate pairs: documents sharing a key (the later one verifies against the earlier ones)
    by_key: dict[int, list[int]] = defaultdict(list)
    for doc_id, keys in keys_of:
        for k in keys:
            by_key[k].append(doc_id)
            key_rows.append((k, doc_id))
    pairs: dict[int, set[int]] = defaultdict(set)
    for lst in by_key.values():
        if len(lst) > 1:
            for j in range(1, len(lst)):
                pairs[lst[j]].update(lst[:j])
    del by_key, keys_of
    db.conn.executemany("INSERT INTO dedup_docs (doc_id, fp_hash, rep, ngrams, signs, pinyin) "
                        "VALUES (?, ?, ?, ?, ?, ?)", doc_rows)
    key_rows.sort()
    db.conn.executemany("INSERT OR IGNORE INTO dedup_keys (key, doc_id) VALUES (?, ?)", key_rows)
    del key_rows
    for later in sorted(pairs):
        sk = _cache.get(db, later)
        for earlier in sorted(pairs[later]):
            stats["candidates"] += 1
            m = compare(_cache.get(db, earlier), sk)
            if m is not None:
                stats[m.kind] += 1
                link_rows.append(_link_row(earlier, later, m))
    db.conn.executemany(_LINK_INSERT, link_rows)
    # clusters of every linked document; the others are alone
    linked = sorted({r[0] for r in link_rows} | {r[1] for r in link_rows})
    _cluster_region(db, set(linked), set(), stats, everything=True)
    db.execute("UPDATE dedup_docs SET preview = 0, leftovers = 0.0, completeness = 1.0 WHERE doc_id IN "
               "(SELECT id FROM documents WHERE cluster_id IS NULL)")
    db.execute("UPDATE documents SET cluster_id = id, is_canonical = (coalesce(low_trust, 0) = 0) "
               "WHERE cluster_id IS NULL")
