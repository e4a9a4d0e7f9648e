"""What dedup keeps in corpus.db: its tables, the persisted key index (posting lists, capped), and where the
sketch of a stored document comes from (recomputed from its text; a small cache of recent ones)."""
from __future__ import annotations

from collections import defaultdict

from cleaners.fingerprint import fingerprint_text
from fanwen.dedup import keyfilter
from fanwen.dedup.sketch import Sketch, sketch

POSTING_CAP = 8  # a key shared by this many indexed documents is a stop key: never a reason to compare, not extended
# The posting lists live in three tables, newest first (an LSM tree of SQLite B-trees, see `merge_keys`):
KEY_TABLES = ("dedup_keys_new", "dedup_keys_mid", "dedup_keys")
HOT_KEYS = 100_000  # keys kept in dedup_keys_new before they move to dedup_keys_mid in one sorted insert
MID_KEYS = 1_000_000  # dedup_keys_mid moves into dedup_keys once it holds this many keys ...
MID_SHARE = 0.125  # ... or this share of dedup_keys' keys, whichever is more


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


def ensure_schema(db) -> None:
    """Create the dedup tables and the clusters view if missing (called by store.ensure_schema).

    - dedup_keys(key, doc_id): the persisted LSH index (see the module docstring), WITHOUT ROWID, with its newer
      keys in dedup_keys_mid and dedup_keys_new (the same columns; `merge_keys` moves them);
    - dedup_docs(doc_id, fp_hash, rep, ngrams, signs, compilation, preview, leftovers, completeness, sig): one row
      per placed document: rep is the indexed document of its group of exact copies; sig its packed MinHash
      signature (256 bytes, read to screen candidates that share a single key); the rest are the figures of the
      canonical rule (signs: 伪原创/pinyin signs per 1000 characters; compilation: several speeches in one document);
    - dedup_stop_keys(key), dedup_filters(level, keys, bits): what a lookup may skip (fanwen.dedup.keyfilter);
    - links(doc_a, doc_b, kind, jaccard, containment, coverage_a, joins, span_start, span_end): verified links.
      doc_a is the bigger document (for exact: the indexed copy), doc_b the smaller; jaccard: of the n-gram sets;
      containment: the share of doc_b found in doc_a (smoothed coverage); coverage_a: the share of doc_a found in
      doc_b; joins: 1 if the link puts the two in one cluster (see the module docstring); span_start/span_end: the
      n-gram positions of doc_a that doc_b covers;
    - view clusters(id, size, sites, site_list, canonical_id, canonical_title, canonical_url, canonical_site,
      canonical_label).
    """
    for table in KEY_TABLES:
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key INTEGER NOT NULL, doc_id INTEGER NOT NULL, "
                   "PRIMARY KEY (key, doc_id)) WITHOUT ROWID")
    db.execute("CREATE TABLE IF NOT EXISTS dedup_state (name TEXT PRIMARY KEY, value INTEGER)")
    db.execute("CREATE TABLE IF NOT EXISTS dedup_stop_keys (key INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE IF NOT EXISTS dedup_filters (id INTEGER PRIMARY KEY, level TEXT NOT NULL, "
               "keys INTEGER NOT NULL, bits BLOB NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS dedup_docs (doc_id INTEGER PRIMARY KEY, fp_hash INTEGER, rep INTEGER, "
               "ngrams INTEGER, signs REAL, pinyin REAL, compilation INTEGER DEFAULT 0, preview INTEGER DEFAULT 0, "
               "leftovers REAL, completeness REAL, sig BLOB)")
    if "sig" not in {r[1] for r in db.execute("PRAGMA table_info(dedup_docs)")}:
        db.execute("ALTER TABLE dedup_docs ADD COLUMN sig BLOB")  # a database made before: `rebuild` fills it
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


# --------------------------------------------------------------------------------------------- key index
class KeyIndex:
    """The posting lists of the three key tables, each capped at POSTING_CAP documents.

    A key whose list is full is a stop key: a stock passage (套话, slogans, the opening formula of a speech) shared by
    that many different indexed documents says nothing about copying, so it yields no candidates and takes no more
    postings. Lookups read at most POSTING_CAP rows per key, whatever the size of the corpus, and no table at all
    for a stop key or a key that the older tables' filters do not hold (fanwen.dedup.keyfilter). One KeyIndex
    serves one batch, inside the writer's transaction; or, given a `state`, only looks up (a worker's read-only
    connection, fanwen.dedup.precheck)."""

    def __init__(self, db, state: keyfilter.LookupState | None = None):
        self.db = db
        self.added = 0
        self.read_only = state is not None
        self.state = state if state is not None else keyfilter.state_for(db, KEY_TABLES, POSTING_CAP)

    def _fetch(self, out: dict[int, list[int]], tables: tuple[str, ...], keys: list[int]) -> None:
        for i in range(0, len(keys), 300):
            part = keys[i:i + 300]
            q = ",".join("?" * len(part))
            sql = " UNION ALL ".join(f"SELECT key, doc_id FROM {t} WHERE key IN ({q})" for t in tables)
            for k, d in self.db.execute(sql, part * len(tables)):
                out[k].append(d)

    def postings(self, keys: list[int]) -> dict[int, list[int]]:
        """Every posting of `keys` (stop keys' full lists too), newest table first."""
        out: dict[int, list[int]] = defaultdict(list)
        self._fetch(out, KEY_TABLES[:1], keys)
        self._fetch(out, KEY_TABLES[1:], self.state.maybe_older(keys))
        return out

    def lookup(self, keys: list[int]) -> tuple[dict[int, list[int]], set[int]]:
        """The postings of the keys that are no stop keys, and the stop keys among `keys`."""
        stop = self.state.stop
        found = {k for k in keys if k in stop}
        posted = self.postings([k for k in keys if k not in found] if found else keys)
        full = [k for k, lst in posted.items() if len(lst) >= POSTING_CAP]
        if full:  # a corpus whose stop keys were not all recorded (or a reader's older copy of them): record them
            if not self.read_only:
                self._stopped(full)
            found.update(full)
            for k in full:
                del posted[k]
        return posted, found

    def _stopped(self, keys: list[int]) -> None:
        self.db.conn.executemany("INSERT OR IGNORE INTO dedup_stop_keys (key) VALUES (?)", [(k,) for k in keys])
        self.state.stop.update(keys)

    def caught_up(self, seen: dict | None, keys: list[int]):
        """(live postings, stop keys, {doc: (fp_hash, sig)}) of `keys` now, from a worker's lookup of them at an
        earlier committed state (`seen`, fanwen.dedup.precheck) and the postings of this writer's batches since;
        None if this state cannot bring it up to date (see fanwen.dedup.keyfilter). The answer is `lookup`'s: the
        worker's stop keys may be fewer than the ones now (its copy of them is older), never more unless a removal
        happened since it loaded them; the keys it took for stop keys that are none now are looked up here."""
        tail = self.state.since(seen["token"]) if seen else None
        if tail is None:
            return None
        (since, since_rows), (current, current_rows) = tail
        stop, seen_live, seen_stop = self.state.stop, seen["live"], set(seen["stop"])
        live: dict[int, list[int]] = {}
        found, ask = set(), []
        for k in keys:
            if k in stop:
                found.add(k)
            elif k in seen_stop:
                ask.append(k)
            else:
                lst = [d for part in (seen_live.get(k), since.get(k), current.get(k)) if part for d in part]
                if lst:
                    live[k] = lst
        full = [k for k, lst in live.items() if len(lst) >= POSTING_CAP]
        if full:  # as in `lookup` (a corpus whose stop keys were not all recorded)
            self._stopped(full)
            found.update(full)
            for k in full:
                del live[k]
        if ask:
            more, more_stop = self.lookup(ask)
            live.update(more)
            found |= more_stop
        rows = dict(seen["rows"])
        for lst in live.values():  # the rows of the documents posted since that the lists hold
            for d in lst:
                if d not in rows:
                    row = since_rows.get(d) or current_rows.get(d)
                    if row is not None:
                        rows[d] = row
        return live, found, rows

    def add(self, doc_id: int, keys: list[int], filled: list[int] = (), row: tuple | None = None) -> None:
        """Post `keys` for `doc_id`; `filled` are those of them whose lists this posting fills (stop keys now);
        `row` its (fp_hash, sig) in dedup_docs, kept for `caught_up` with the postings."""
        self.db.conn.executemany("INSERT OR IGNORE INTO dedup_keys_new (key, doc_id) VALUES (?, ?)",
                                 [(k, doc_id) for k in keys])
        if filled:
            self._stopped(list(filled))
        self.added += len(keys)
        if not self.read_only:
            self.state.posted(doc_id, keys, row)

    def finish(self) -> None:
        if self.added:
            merge_keys(self.db, self.added, self.state)
            self.added = 0


def merge_keys(db, added: int, lookups: keyfilter.LookupState) -> None:
    """Move keys down the three tables once the newer ones are full: an LSM tree whose levels are SQLite B-trees.

    New keys go to the small dedup_keys_new, whose pages stay few and hot, so a transaction writes few pages. At
    HOT_KEYS keys they move to dedup_keys_mid in one sorted insert, and that table moves into dedup_keys once it
    holds MID_KEYS keys or MID_SHARE of the big table's, again in one sorted insert. A sorted insert writes each
    page it touches once; one straight into the big table would touch a page per key once the big table has more
    pages than HOT_KEYS (~3M keys, ~150k documents), so the pages written per document would grow with the corpus
    (measured before the middle table: 3.4 KB of WAL per document at ~18k documents, 31 KB at ~214k). With the
    middle level each key is written three times, and the big table is rewritten once per MID_SHARE of its size:
    the pages written per key stay bounded. Lookups read three B-trees, two of them small, and the two older ones
    only for keys their filters hold: each move adds a filter of the keys it moves to dedup_keys_mid's filters, and
    a move into dedup_keys replaces all of them by one filter of dedup_keys, built from the table."""
    state = dict(db.execute("SELECT name, value FROM dedup_state"))
    new = state.get("new_keys", 0) + added
    if new < HOT_KEYS:
        db.execute("INSERT INTO dedup_state (name, value) VALUES ('new_keys', ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = excluded.value", [new])
        return
    lookups.add_mid(keyfilter.filter_of(db, "SELECT key FROM dedup_keys_new"))
    keyfilter.save_filter(db, "mid", lookups.mids[-1])
    moved = _move_keys(db, "dedup_keys_new", "dedup_keys_mid")
    mid = state.get("mid_keys", 0) + moved
    if "big_keys" not in state:  # a corpus made before the middle table: count once
        state["big_keys"] = db.execute("SELECT count(*) FROM dedup_keys").fetchone()[0]
    big = state["big_keys"]
    if mid >= max(MID_KEYS, MID_SHARE * big):
        big += _move_keys(db, "dedup_keys_mid", "dedup_keys")
        mid = 0
        lookups.set_filters(keyfilter.filter_of(db, "SELECT key FROM dedup_keys"), [])
        keyfilter.save_filter(db, "big", lookups.big)
    db.conn.executemany("INSERT INTO dedup_state (name, value) VALUES (?, ?) "
                        "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                        [("new_keys", 0), ("mid_keys", mid), ("big_keys", big)])


def _move_keys(db, source: str, target: str) -> int:
    """Move every posting of `source` into `target` in key order (each page of the target written once); returns
    how many moved."""
    moved = db.execute(f"INSERT OR IGNORE INTO {target} (key, doc_id) SELECT key, doc_id FROM {source} "
                       "ORDER BY key, doc_id").rowcount
    db.execute(f"DELETE FROM {source}")
    return max(0, moved)


# --------------------------------------------------------------------------------------------- sketches
def load_fp(db, doc_id: int) -> str:
    """The fingerprint of a stored document, computed from its text (a pure function of it, ~0.1 ms per 1,000
    characters: cheaper than storing a second copy of the text)."""
    row = db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
    return fingerprint_text(row[0] or "") if row else ""


class SketchCache:
    """Sketches of recently compared documents (LRU, bounded), keyed by the fingerprint's hash: a sketch is a pure
    function of the fingerprint, so the cache is safe across databases and re-cleaned documents. With capped
    posting lists most candidates are the first copies of live clusters, which stay here."""

    def __init__(self, size: int = 1024):
        self.size = size
        self.data: dict[int, Sketch] = {}

    def put(self, fp_hash: int, sk: Sketch) -> None:
        self.data[fp_hash] = sk
        if len(self.data) > self.size:
            self.data.pop(next(iter(self.data)))

    def get(self, db, doc_id: int, fp_hashes: dict[int, int | None] | None = None) -> Sketch:
        """The sketch of a placed document; `fp_hashes` ({doc_id: fp_hash} read with other columns) saves a query."""
        if fp_hashes is not None and doc_id in fp_hashes:
            k = fp_hashes[doc_id]
        else:
            row = db.execute("SELECT fp_hash FROM dedup_docs WHERE doc_id = ?", [doc_id]).fetchone()
            k = row[0] if row else None
        sk = self.data.pop(k, None) if k is not None else None
        if sk is None:
            sk = sketch(load_fp(db, doc_id))
            if k is None:
                return sk
        self.put(k, sk)
        return sk


sketches = SketchCache()
