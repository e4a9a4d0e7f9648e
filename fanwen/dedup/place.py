"""Placement: index a document, verify its candidates, write its links; the entry points `update_clusters` and
`rebuild` (see fanwen.dedup for the rules)."""
from __future__ import annotations

from collections import Counter, defaultdict

from cleaners.fingerprint import content_hash, fingerprint_text
from fanwen.dedup import index as _index
from fanwen.dedup import keyfilter, precheck
from fanwen.dedup.clusters import _cluster_region, _region, _rows
from fanwen.dedup.index import KeyIndex, ensure_schema, load_fp, sketches
from fanwen.dedup.sketch import NGRAM, _key, from_prepared, prepare, signature_similarity
from fanwen.dedup.verify import Match, compare, mangle_signs


def _hash_int(chash: str) -> int:
    return int(chash[:15], 16)


def _remove(db, doc_id: int) -> None:
    """Forget a document's placement (it is placed again, e.g. after its text changed)."""
    row = db.execute("SELECT rep FROM dedup_docs WHERE doc_id = ?", [doc_id]).fetchone()
    if row is None:
        return
    if row[0] == doc_id:
        for table in _index.KEY_TABLES:  # one scan finds the keys (no index on doc_id); the deletes seek them
            keys = [r[0] for r in db.execute(f"SELECT key FROM {table} WHERE doc_id = ?", [doc_id])]
            db.conn.executemany(f"DELETE FROM {table} WHERE key = ? AND doc_id = ?", [(k, doc_id) for k in keys])
            # a stop key whose list loses a posting is a stop key no more
            db.conn.executemany("DELETE FROM dedup_stop_keys WHERE key = ?", [(k,) for k in keys])
        keyfilter.forget(db)
    db.execute("DELETE FROM links WHERE doc_a = ? OR doc_b = ?", [doc_id, doc_id])
    db.execute("DELETE FROM dedup_docs WHERE doc_id = ?", [doc_id])


def _link_row(earlier: int, later: int, m: Match) -> tuple:
    a, b = (earlier, later) if m.a_is_bigger else (later, earlier)
    return (a, b, m.kind, round(m.jaccard, 4), round(m.cov_small, 4), round(m.cov_big, 4), int(m.kind != "contains"),
            m.span[0], m.span[1])


_LINK_INSERT = ("INSERT OR REPLACE INTO links (doc_a, doc_b, kind, jaccard, containment, coverage_a, joins, "
                "span_start, span_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_DOC_INSERT = ("INSERT INTO dedup_docs (doc_id, fp_hash, rep, ngrams, signs, pinyin, sig) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)")
# a candidate that shares a single key with the new document, one of its band keys (whole text or head), is verified
# only if their signatures agree this much:
# one band of 16 matches by chance between texts sharing stock passages (Jaccard 0.2: 2.5 % per pair, so a few per
# new document in a big corpus), while a copy (Jaccard >= 0.6) shares several keys or agrees on >= 0.3 of its
# signature in all but ~1e-4 of cases (standard error of 64 values at 0.6: 0.06). A head band alone is the same
# chance between speeches that open with the same formula (同志们：今天召开…): a preview or copy of a text shares
# its head's other bands, its seam and its first chunks as well, so the lone head band is screened too (measured
# on the scale benchmark's documents at 5k: half of all candidates; none verified as near; 2 in 300 documents
# verified as a cut-off compilation, both false: the two speeches share their opening formula, and one ends with a
# stock passage the other has after it. The dedup benchmark's real cut-off compilations share seam and chunk keys.)
SINGLE_KEY_SIMILARITY = 0.3


def _near_copies(db, docs: list[int], seen: set[int]) -> list[int]:
    """The documents linked `near` to any of `docs` (the copies those stand for in the index), not in `seen`."""
    out: set[int] = set()
    for a, b in _rows(db, "SELECT doc_a, doc_b FROM links WHERE kind = 'near' AND (doc_a IN ({q}) OR doc_b IN ({q}))",
                      sorted(docs), 2) if docs else []:
        out.update((a, b))
    return sorted(out - seen - set(docs))


def _same_fingerprint(db, other: int, fp: str, pre: tuple | None, stats: dict) -> bool:
    """Whether the stored document `other` has fingerprint `fp`: a worker's answer (fp_hash, same) if it was made
    with other's current fingerprint, else compared here from its text."""
    if pre is not None:
        row = db.execute("SELECT fp_hash FROM dedup_docs WHERE doc_id = ?", [other]).fetchone()
        if row and row[0] == pre[0]:  # a label is never None
            stats["prechecked"] += 1
            return pre[1]
    return load_fp(db, other) == fp


def candidates(db, keys_index: KeyIndex, keys: list[int], bands: set[int], sig: bytes, looked_up=None):
    """The documents a new document with these keys is verified against: (live postings, stop keys, candidates,
    {document in the live postings: (fp_hash, sig)}, how many were screened out). The documents in the posting
    lists of its keys, stop keys (full lists) left out, and those that share a single band key with it only if their
    signatures agree (SINGLE_KEY_SIMILARITY). The writer's placement and the workers' prechecks
    (fanwen.dedup.precheck) pick them with this one function; `looked_up` is what `KeyIndex.caught_up` made of a
    worker's lookup (the same postings and rows, read by the worker)."""
    live, stop, rows = keys_index.lookup(keys) + ({},) if looked_up is None else looked_up
    shared = Counter(d for lst in live.values() for d in lst)
    single = {d for k, lst in live.items() if k in bands for d in lst if shared[d] == 1}
    # one read of dedup_docs for every candidate not read yet: the signatures of those that share a single band
    # key, the fingerprint hash (the sketch cache's key) of all
    missing = sorted(d for d in shared if d not in rows)
    if missing:
        rows = dict(rows)
        for d, fp_hash, packed in _rows(db, "SELECT doc_id, fp_hash, sig FROM dedup_docs WHERE doc_id IN ({q})",
                                        missing):
            rows[d] = (fp_hash, packed)
    weak = {d for d in single if d in rows and rows[d][1]
            and signature_similarity(sig, rows[d][1]) < SINGLE_KEY_SIMILARITY}
    return live, stop, sorted(d for d in shared if d not in weak), {d: rows[d] for d in shared if d in rows}, len(weak)


def _place(db, doc_id: int, stats: dict, keys_index: KeyIndex, fp: str | None = None, prepared=None,
           checked: dict | None = None) -> None:
    """Index one document and write its verified links to documents placed before it.

    Candidates are the documents in the posting lists of its keys, stop keys (full lists) left out. It posts only
    the keys that no document it is a near copy of holds already: the first copy of a text stands for its near
    copies, so a speech reposted on a hundred sites does not fill its own keys' lists (and later copies compare
    with that first copy, not with every copy). `fp` and `prepared` (fanwen.dedup.sketch.prepare of that fp), when
    the workers computed them, save computing them here, and so does `checked` (their comparisons with committed
    documents, fanwen.dedup.precheck): the result is the same."""
    row = db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
    if row is None:
        return
    text = row[0] or ""
    if fp is None:
        fp, prepared = fingerprint_text(text), None
    signs, pinyin = mangle_signs(text)
    if not fp:  # nothing to compare: a singleton
        db.execute(_DOC_INSERT, [doc_id, None, doc_id, 0, signs, pinyin, None])
        return
    chash = content_hash(fp)
    ngrams = max(0, len(fp) - NGRAM + 1)
    xkey = _key(b"x", chash.encode())
    # the workers' comparisons with committed documents (fanwen.dedup.precheck), if made for this fingerprint
    if not checked or checked.get("fp_hash") != _hash_int(chash):
        checked = {}
    for other in sorted(keys_index.postings([xkey]).get(xkey, [])):
        if _same_fingerprint(db, other, fp, checked.get("exact", {}).get(other), stats):
            # an exact copy: link it to the indexed copy, index nothing
            db.execute(_DOC_INSERT, [doc_id, _hash_int(chash), other, ngrams, signs, pinyin, None])
            db.execute(_LINK_INSERT, [other, doc_id, "exact", 1.0, 1.0, 1.0, 1, 0, ngrams])
            stats["exact"] += 1
            if prepared is not None and len(prepared[0]) == 8 * ngrams:
                # the copy's sketch is the indexed copy's (the same fingerprint): the canonical choice of their
                # cluster weighs it, so it need not read that text again
                sketches.put(_hash_int(chash), from_prepared(fp, prepared)[0])
            return
    if prepared is None or len(prepared[0]) != 8 * ngrams:  # not made by the workers (or for another text)
        prepared = prepare(fp, chash)
    sk, keys, sig, bands = from_prepared(fp, prepared)
    looked_up = keys_index.caught_up(checked.get("lookup"), keys)
    if looked_up is not None:
        stats["lookups_taken"] += 1
    live, stop, cands, rows, screened = candidates(db, keys_index, keys, bands, sig, looked_up)
    fp_hashes = {d: r[0] for d, r in rows.items()}
    stats["stop_keys"] += len(stop)
    stats["screened"] += screened
    stats["candidates"] += len(cands)
    done = checked.get("matches", {})
    rows, near, contains = [], set(), []
    for other in cands:
        pre = done.get(other)
        if pre is not None and pre[0] == fp_hashes.get(other):  # a label is never None
            m = precheck.match_from(pre[1])  # compared with the same fingerprint of `other`: the same result
            stats["prechecked"] += 1
        else:
            m = compare(sketches.get(db, other, fp_hashes), sk)
        if m is not None:
            stats[m.kind] += 1
            rows.append(_link_row(other, doc_id, m))
            if m.kind == "near":
                near.add(other)
            elif m.kind == "contains":
                contains.append(other)
    # a contains link joins only the best container (or part), so the near copies that a container stands for in
    # the index are compared too: which copy is best must not depend on which copy came first
    seen = set(cands)
    for other in _near_copies(db, contains, seen):
        stats["candidates"] += 1
        m = compare(sketches.get(db, other), sk)
        if m is not None:
            stats[m.kind] += 1
            rows.append(_link_row(other, doc_id, m))
    db.conn.executemany(_LINK_INSERT, rows)
    new_keys = [k for k in keys if k not in stop and not (near and near.intersection(live.get(k, ())))]
    keys_index.add(doc_id, new_keys, [k for k in new_keys if len(live.get(k, ())) == _index.POSTING_CAP - 1],
                   (_hash_int(chash), sig))
    stats["keys"] += len(new_keys)
    db.execute(_DOC_INSERT, [doc_id, _hash_int(chash), doc_id, sk.size, signs, pinyin, sig])
    sketches.put(_hash_int(chash), sk)


# --------------------------------------------------------------------------------------------- entry points
def update_clusters(db, doc_ids: list[int], fingerprints: dict[int, str] | None = None,
                    prepared: dict[int, tuple] | None = None, checked: dict[int, dict] | None = None) -> dict:
    """Place newly inserted documents (rows committed with text/flags) into clusters.

    Each document is indexed and linked to the documents placed before it, then the clusters of everything linked
    to the new documents are recomputed from the links (merging or splitting clusters as the links say) and their
    canonical copies chosen again. A document placed before (its text changed) is placed again, with its exact
    copies. `fingerprints` may give the fingerprints of new documents already computed (by the workers: saves
    computing them again from the text), `prepared` what `fanwen.dedup.sketch.prepare` made of them (the workers do
    that too), `checked` the workers' comparisons with committed documents (`fanwen.dedup.precheck.check`). Runs
    inside the caller's transaction (no commit). Returns counts: links found by kind (exact, near, contains),
    candidates verified, prechecked (the comparisons, exact-copy checks included, that a worker had
    made), stop keys met, keys posted, clusters touched, new_clusters.
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
    keys_index = KeyIndex(db)
    for doc_id in ids:
        _place(db, doc_id, stats, keys_index, (fingerprints or {}).get(doc_id), (prepared or {}).get(doc_id),
               (checked or {}).get(doc_id))
    keys_index.finish()
    if ids:
        _cluster_region(db, _region(db, ids) | old_region, set(ids), stats)
        stats["new_clusters"] = sum(1 for i, c in _rows(db, "SELECT id, cluster_id FROM documents WHERE id IN ({q})",
                                                         ids) if i == c)
    return dict(stats)


def rebuild(db, incremental: bool = False, batch: int = 500) -> dict:
    """Recompute every key, link, cluster and canonical copy from the documents' texts; commits at the end.

    The result is the one incremental placement gives (tests/test_dedup.py checks it): documents are placed in id
    order by the same `_place` as new documents (the candidates of a document depend on the postings of those
    before it), then the clusters and canonical copies of everything are computed once from the links.
    `incremental=True` replays the documents one batch at a time through `update_clusters` instead.
    """
    ensure_schema(db)
    for table in _index.KEY_TABLES:
        db.execute(f"DELETE FROM {table}")
    db.execute("DELETE FROM dedup_state")  # and with it the lookup state's token: the next KeyIndex builds it anew
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
        keys_index = KeyIndex(db)
        for i in range(0, len(ids), batch):
            for doc_id in ids[i:i + batch]:
                _place(db, doc_id, total, keys_index)
            keys_index.finish()
        linked = {r[0] for r in db.execute("SELECT doc_a FROM links")} | {
            r[0] for r in db.execute("SELECT doc_b FROM links")}
        _cluster_region(db, linked, set(), total, everything=True)
        db.execute("UPDATE dedup_docs SET preview = 0, leftovers = 0.0, completeness = 1.0 WHERE doc_id IN "
                   "(SELECT id FROM documents WHERE cluster_id IS NULL)")
        db.execute("UPDATE documents SET cluster_id = id, is_canonical = (coalesce(low_trust, 0) = 0) "
                   "WHERE cluster_id IS NULL")
    db.conn.commit()
    total["documents"] = len(ids)
    total["clusters"] = db.execute("SELECT count(DISTINCT cluster_id) FROM documents").fetchone()[0]
    return dict(total)
