"""Sketches of a fingerprint: its character n-grams (hashed), MinHash signatures and the index keys of a document.

A sketch is a pure function of the fingerprint (`cleaners.fingerprint.fingerprint_text(text)`), itself a pure
function of the text, so nothing here is stored: it is recomputed from the text when needed (see fanwen.dedup).
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np

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
KEY_BITS = 47  # keys are stored as 6-byte SQLite integers


# --------------------------------------------------------------------------------------------- sketches
@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch MinHash(num_perm=NUM_PERM, seed=SEED)'s affine32 permutations, drawn the way it draws them
    (tests/test_dedup.py checks the signatures against datasketch's): importing datasketch takes ~1 s (it loads
    scipy), which every worker process would pay at start."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


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
    return keys_and_signature(sk, chash)[0]


def signature_similarity(a: bytes | None, b: bytes | None) -> float:
    """The share of equal MinHash values of two packed signatures (an estimate of the Jaccard; 0 if one is
    missing)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return float((np.frombuffer(a, dtype=np.uint32) == np.frombuffer(b, dtype=np.uint32)).mean())


def keys_and_signature(sk: Sketch, chash: str) -> tuple[list[int], bytes, set[int]]:
    """The index keys of a document, its whole-text MinHash signature packed (uint32, FULL_BANDS x FULL_ROWS values:
    256 bytes), and which of the keys are band keys (of the whole text's signature and of its heads'): a candidate
    that shares one of those and no other key is screened by signature (fanwen.dedup.place)."""
    keys = [_key(b"x", chash.encode())]
    if sk.size < 1:
        return keys, b"", set()
    sig = minhash(sk.h)
    for band in range(FULL_BANDS):
        keys.append(_key(b"f%d" % band, sig[band * FULL_ROWS:(band + 1) * FULL_ROWS].tobytes()))
    band_keys = set(keys[1:])
    longest = max(chars for chars, _, _ in HEADS) - NGRAM + 1
    head = _permuted(sk.h[:longest])
    for chars, bands, rows in HEADS:
        hsig = head[:bands * rows, : max(1, chars - NGRAM + 1)].min(axis=1)
        for band in range(bands):
            keys.append(_key(b"h%d.%d" % (chars, band), hsig[band * rows:(band + 1) * rows].tobytes()))
            band_keys.add(keys[-1])
    anc = anchors(sk.h)
    for s, e in zip(anc[:-1], anc[1:]):
        if e - s >= CHUNK_MIN:
            keys.append(_key(b"c", sk.h[s:min(e, s + CHUNK_MAX)].tobytes()))
    for start in seams(sk.fp):
        keys.append(_key(b"s", sk.fp[start:start + SEAM_CHARS].encode()))
    return sorted(set(keys)), sig[:FULL_BANDS * FULL_ROWS].tobytes(), band_keys


def prepare(fp: str, chash: str) -> tuple[bytes, list[int], bytes, list[int]] | None:
    """What placing a new document needs of its fingerprint, as plain values that pickle cheaply: its n-gram hashes
    in text order (bytes), its index keys, its packed signature and its band keys. Computed by the workers
    (fanwen.workers), so the single writer does not spend ~2 ms a document on MinHash and keys; `from_prepared`
    turns it back into what `keys_and_signature` gives. None for an empty fingerprint."""
    if not fp:
        return None
    sk = sketch(fp)
    keys, sig, bands = keys_and_signature(sk, chash)
    return sk.h.tobytes(), keys, sig, sorted(bands)


def from_prepared(fp: str, prepared) -> tuple[Sketch, list[int], bytes, set[int]]:
    """(sketch, keys, signature, band keys) from `prepare(fp, …)`'s result."""
    h, keys, sig, bands = prepared
    return Sketch(fp, np.frombuffer(h, dtype=np.uint64)), list(keys), sig, set(bands)


_SEAM = re.compile(r"上的?(?:讲话|致辞|发言|报告)(?:提纲|稿|材料|全文)*|讲话(?:提纲|稿|材料)+")


def seams(fp: str) -> list[int]:
    """Where a speech may start in a fingerprint: at its start, and after a speech title (…会上的讲话). A
    compilation has one seam per speech, so its second speech is found from that speech's own beginning even when
    the compilation is cut off a few lines into it."""
    starts = [0] + [m.end() for m in _SEAM.finditer(fp)]
    return sorted({i for i in starts if len(fp) - i >= SEAM_CHARS})
