"""Clusters from links (a pure function of the links) and the canonical copy of each cluster; see fanwen.dedup."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Iterable

import numpy as np

from fanwen.dedup.sketch import _member
from fanwen.dedup.index import load_fp, sketches
from fanwen.dedup.verify import LINK_COVERAGE, _title_grams

SPAN_OVERLAP = 0.1  # in a compilation, a part joins only if it overlaps every other part by 10 % (it spans them)
PREVIEW_RATIO = 0.6  # a member contained in another member at most 0.6 its length is a preview
COMPLETE_MIN = 0.85


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
    fps = {x: load_fp(db, x) for x in sorted(need_fps)}
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
        sk = {r: sketches.get(db, r) for r in content}
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
