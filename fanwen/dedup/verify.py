"""Verification of a candidate pair on exact n-grams: exact, near, contains (and a compilation cut off inside its
second speech); and the figures of the canonical rule read from a text (伪原创 signs, title similarity)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from cleaners.fingerprint import fingerprint_text
from fanwen.dedup.sketch import Sketch, _member, _sorted_unique

PART_MIN = 100  # n-grams of the beginning of a document that a cut-off compilation must show to be linked
SMOOTH_WINDOW = 50  # coverage: a position counts as matched if its window of 50 n-grams ...
SMOOTH_MIN = 0.4  # ... has at least 40 % of them in the other document
LINK_COVERAGE = 0.8  # a link needs the smaller document covered at least this much by the bigger
NEAR_BIG = 0.7  # ... and it is `near` (not `contains`) if the bigger is covered at least this much by the smaller
CONTAIN_COVERAGE = 0.9  # a `contains` link (the bigger mostly something else) needs the smaller covered this much
MIN_CONTAINED = 64  # a contained document needs at least this many n-grams (shorter texts: exact and near only)
SPAN_GAP = 64  # matched runs closer than this (n-grams) form one span


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
    qh = q.h
    # cheap necessary conditions first, so that most candidates stop before any full pass (the windows are of
    # SMOOTH_WINDOW positions with >= SMOOTH_MIN matched):
    # - p's last matched run ends within 30 positions of p's end: at least 11 raw hits in p's last 56 n-grams;
    # - q's first PART_MIN positions are one run: at least 31 raw hits in q's first PART_MIN + 4 n-grams
    if q.size < PART_MIN or p.size < PART_MIN or int(_member(p.h[-60:], q.u).sum()) < 10:
        return None
    if int(_member(qh[:PART_MIN + 10], p.u).sum()) < 30:
        return None
    mq = _matched(qh, p.u)
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
    if _member(p.h[s0:s1], _sorted_unique(qh[:head])).mean(dtype=np.float64) < 0.6:
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
