"""Comparisons made in the workers, ahead of the writer: a new document against its candidates already committed.

There is one writer, and at a million documents most of its time per document went to candidates: each is a
document from anywhere in the corpus (the candidates of 2,000 new documents were 4,293 distinct documents of
4,779, so no cache holds them), whose text must be read, fingerprinted and sketched before it is compared. A
comparison is a pure function of the two fingerprints, so a worker can make it before the writer gets the document:
it opens the corpus read-only (WAL: readers and the writer do not wait for each other), picks the candidates the way
the writer does (`fanwen.dedup.place.candidates`, in one read transaction; and first, the writer's exact-copy
check: the stored documents with its content-hash key, is the fingerprint the same), compares the new document
with each, and sends the results with the document (`Document.dedup_checked`), each labelled with the fingerprint
hash of the candidate it was compared with.

The writer still finds the candidates itself, in its own transaction, and decides everything from them as before.
It takes a worker's result for a candidate only when the candidate's fingerprint hash in its transaction is the
label (and the new document's fingerprint the one the worker had); it compares the others itself: documents
committed after the worker looked (the batches in flight), re-cleaned ones. So the links, clusters and canonical
copies do not depend on what the workers saw, or whether they looked at all: only the writer's cost does.

What the worker reads of the lookup state (stop keys, Bloom filters of the older key tables, fanwen.dedup.keyfilter)
is loaded when the filters change (their random id in dedup_state: a move of keys into the middle table, every
~2,800 documents), so the filters it uses are always the ones of the state it reads, while its stop keys may be
behind: a key that became a stop key since is seen with its full list and left out the same way.

The worker sends its key lookup too (the postings of the document's keys, the keys it took for stop keys, and the
fp_hash and signature of every document in those postings), with the token of the committed state it read. The
writer keeps, for its last batches, what each posted (fanwen.dedup.keyfilter: `LookupState.history`), and so brings
the lookup up to date instead of making it again (`KeyIndex.caught_up`: the worker's postings plus the ones posted
since; its own, exact, stop keys; a table lookup for any key the worker took for a stop key that is none now). It
does so only for a token of its own history: a state another writer made, one it rolled back, or one from before a
removal of postings (a document placed again), it has not got, and it looks up itself.
"""
from __future__ import annotations

import sqlite3

from fanwen.dedup import index as _index
from fanwen.dedup import keyfilter
from fanwen.dedup.sketch import _key, from_prepared
from fanwen.dedup.verify import Match, compare


def match_from(value: tuple | None) -> Match | None:
    """A comparison as the worker sent it (plain values, cheap to pickle) -> the Match `compare` returned."""
    if value is None:
        return None
    kind, jaccard, cov_small, cov_big, s0, s1, a_is_bigger = value
    return Match(kind, jaccard, cov_small, cov_big, (s0, s1), a_is_bigger)


def _plain(m: Match | None) -> tuple | None:
    return None if m is None else (m.kind, m.jaccard, m.cov_small, m.cov_big, int(m.span[0]), int(m.span[1]),
                                   bool(m.a_is_bigger))


class _Unfiltered:
    """A lookup state that skips nothing (a corpus whose filters are not built yet): every table is asked."""

    stop: set[int] = set()

    @staticmethod
    def maybe_older(keys: list[int]) -> list[int]:
        return list(keys)


class CommittedCorpus:
    """A worker's read-only view of the corpus being written, for `check`. Opened at the first document; any
    error reading it (no corpus yet, no dedup tables, a busy file) makes `check` return None for that document."""

    def __init__(self, path: str):
        self.path = path
        self.db = None
        self.state = None
        self.filters: tuple | None = None  # (id, keys) of the dedup_filters rows the state was loaded from

    def _open(self):
        from fanwen.store import Corpus

        self.db = Corpus(self.path, readonly=True).db
        return self.db

    def _state(self, db, filters_id):
        filters = (filters_id, tuple(db.execute("SELECT id, keys FROM dedup_filters ORDER BY id").fetchall()))
        if self.state is None or filters != self.filters:
            self.state = keyfilter.load(db) if filters[1] else None
            if self.state is None:
                self.state = _Unfiltered()
            self.filters = filters
        return self.state

    def check(self, fp: str, chash: str, prepared) -> dict | None:
        """{"fp_hash": the new document's, "exact": {indexed document with its content-hash key: (its fp_hash,
        same fingerprint)}, "matches": {candidate id: (its fp_hash, the comparison or None)}} for a new document
        (fingerprint `fp`, content hash `chash`, `prepare`d) against the committed ones; None if the corpus cannot be
        read now."""
        from fanwen.dedup.place import _hash_int, candidates
        from fanwen.store import CorpusError

        try:
            db = self.db or self._open()
            db.conn.execute("BEGIN")  # one snapshot: the keys, the candidates' rows and their texts agree
            try:
                token, filters_id = keyfilter.snapshot_ids(db)
                keys_index = _index.KeyIndex(db, state=self._state(db, filters_id))
                exact = self._exact(db, keys_index, fp, chash)
                matches, lookup = {}, None
                if not any(same for _h, same in exact.values()):  # else the writer links the copy, compares none
                    sk, keys, sig, bands = from_prepared(fp, prepared)
                    live, stop, cands, rows, _ = candidates(db, keys_index, keys, bands, sig)
                    fp_hashes = {d: r[0] for d, r in rows.items()}
                    for other in cands:
                        if fp_hashes.get(other) is not None:  # labelled with the fingerprint it was compared with
                            m = compare(_index.sketches.get(db, other, fp_hashes), sk)
                            matches[other] = (fp_hashes[other], _plain(m))
                    # the lookup itself, for the writer to bring up to date (KeyIndex.caught_up): only if the
                    # filters used are known to be this state's (a filter skipped a table: it must be the right one)
                    if token is not None and (filters_id is not None or isinstance(self.state, _Unfiltered)):
                        lookup = {"token": token, "live": {k: list(v) for k, v in live.items()},
                                  "stop": sorted(stop), "rows": rows}
            finally:
                db.conn.rollback()
        except (sqlite3.Error, CorpusError, OSError):  # the writer compares them all itself
            self.db, self.state = None, None
            return None
        out = {"fp_hash": _hash_int(chash), "exact": exact, "matches": matches}
        if lookup is not None:
            out["lookup"] = lookup
        return out

    @staticmethod
    def _exact(db, keys_index, fp: str, chash: str) -> dict[int, tuple[int, bool]]:
        """{indexed document holding the content-hash key: (its fp_hash, whether its fingerprint is `fp`)}: the
        writer's exact-copy check (fanwen.dedup.place._same_fingerprint), made here."""
        xkey = _key(b"x", chash.encode())
        out = {}
        for other in keys_index.postings([xkey]).get(xkey, []):
            row = db.execute("SELECT fp_hash FROM dedup_docs WHERE doc_id = ?", [other]).fetchone()
            if row and row[0] is not None:
                out[other] = (row[0], _index.load_fp(db, other) == fp)
        return out
