"""What a key lookup may skip: the keys the two older key tables cannot hold, and the stop keys.

Most keys of a new document are in no posting list (two thirds of them at a million documents), and a quarter are
stop keys (full lists: stock passages). Looked up in SQLite, each is a seek that reads a leaf page of a B-tree far
bigger than any cache once the corpus is large: at 1M documents the lookups were 3.3 ms of a document's ~10 (0.27
at 10k), the main reason the writer's cost grew with the corpus. So the writer keeps, per database:

- `stop`: every stop key (a key with POSTING_CAP postings), exact: a key is added the moment its last posting is
  written and removed when a document of its list is removed; persisted in dedup_stop_keys, in the same
  transaction as the postings;
- Bloom filters over the keys of dedup_keys (one, rebuilt from the table whenever dedup_keys_mid moves into it)
  and of dedup_keys_mid (one per move of dedup_keys_new into it, built from the keys that move); persisted in
  dedup_filters. A key that no filter holds is in neither table (a Bloom filter has no false negatives), so only
  the small, hot dedup_keys_new is asked for it. A false positive only costs the seek it would have cost (0.6 % of
  keys for the big table's filter at 24M keys, 0.2 % for each of the middle table's: ~5 % with 21 of them, measured).

The answer of a lookup is the same as without any of this (tests/test_dedup.py checks it), only cheaper. The
invariant: every key in dedup_keys_mid and dedup_keys is in a filter; only `fanwen.dedup.index` writes those tables.

The loaded state is cached per database object between batches and checked against a random token in dedup_state,
replaced at the start of every batch that may change it, in the batch's transaction (written through the connection,
not sqlite-utils' `execute`, which would commit it on its own): a rolled-back batch, or another process that wrote
to the corpus, leaves a token that no cache holds, so the state is read again from the tables.

So a batch's token names the committed state of the key tables it leaves: while the cached state lives, it keeps
what each of its last batches posted (`history`), and a lookup a worker made at a committed state (its token) is
brought up to date by adding the postings of the batches after it (fanwen.dedup.index.KeyIndex.caught_up). Nothing
but this writer's batches can have changed the postings in between: a removal drops the cached state (`forget`),
and another writer's batch changes the token. The filters carry an id of their own (`filters_id`, new with
each filter written), by which a reader knows that the filters it holds are the ones of the state it reads.
"""
from __future__ import annotations

import random
import weakref

import numpy as np

BITS_PER_KEY = 12  # at least; one 64-bit word per key, 6 bits set in it: 0.84 % false positives at 12.8 bits a key
PROBES = 6
_BIG_STEP = 1 << 20
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every bit of the result depends on every bit of the key."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    return x ^ (x >> np.uint64(31))


def _probe(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each key: the hash that picks its word (any filter size) and the mask of its PROBES bits."""
    h = _mix(keys.astype(np.uint64))
    g = _mix(h + _GOLDEN)
    mask = np.zeros(len(keys), dtype=np.uint64)
    for i in range(PROBES):
        mask |= np.uint64(1) << ((g >> np.uint64(6 * i)) & np.uint64(63))
    return (h >> np.uint64(32)).astype(np.intp), mask


class KeyFilter:
    """A blocked Bloom filter of integer keys: each key sets PROBES bits of one 64-bit word. Small filters have a
    power of two words (12-24 bits a key), so that the middle table's filters, of similar key counts, share a size
    and are asked together; a big one a multiple of 2^20 words (8 MB) at most 8 MB past 12 bits a key."""

    def __init__(self, words: np.ndarray, keys: int = 0):
        self.words = words
        self.keys = keys

    @classmethod
    def sized(cls, n: int) -> "KeyFilter":
        words = n * BITS_PER_KEY // 64 + 1
        words = 1 << (words - 1).bit_length() if words <= _BIG_STEP else -(-words // _BIG_STEP) * _BIG_STEP
        return cls(np.zeros(words, dtype=np.uint64))

    @classmethod
    def from_bytes(cls, data: bytes, keys: int) -> "KeyFilter":
        return cls(np.frombuffer(data, dtype=np.uint64).copy(), keys)

    def to_bytes(self) -> bytes:
        return self.words.tobytes()

    def add(self, keys: np.ndarray) -> None:
        if len(keys):
            word, mask = _probe(keys)
            np.bitwise_or.at(self.words, word % len(self.words), mask)
            self.keys += len(keys)

    def might_contain(self, keys: np.ndarray) -> np.ndarray:
        word, mask = _probe(keys)
        return (self.words[word % len(self.words)] & mask) == mask


def filter_of(db, sql: str, params=(), chunk: int = 100_000) -> KeyFilter:
    """A filter of the keys a query returns (one column), read in chunks: memory stays bounded at any size."""
    n = db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
    f = KeyFilter.sized(n)
    cur = db.execute(sql, params)
    while rows := cur.fetchmany(chunk):
        f.add(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
    return f


class LookupState:
    """The stop keys and filters of one database (see the module docstring)."""

    def __init__(self, stop: set[int], big: KeyFilter | None, mids: list[KeyFilter], token: int | None = None):
        self.stop, self.token = stop, token
        # what the batches since the state was loaded posted, oldest first, the last the batch in progress: what
        # `since` adds to a lookup made at an earlier token
        self.history: list[PostedBatch] = []
        self._merged: dict[int, tuple] = {}  # token -> the committed batches after it, merged (see `since`)
        self.big: KeyFilter | None = None
        self.mids: list[KeyFilter] = []
        self._stacks: list[np.ndarray] = []
        self.set_filters(big, mids)

    def set_filters(self, big: KeyFilter | None, mids: list[KeyFilter]) -> None:
        self.big, self.mids = big, list(mids)
        by_size: dict[int, list[KeyFilter]] = {}
        for f in ([big] if big is not None else []) + self.mids:
            by_size.setdefault(len(f.words), []).append(f)
        self._stacks = []
        for fs in by_size.values():  # one gather asks all filters of a size; each filter's words become a row of it
            stack = fs[0].words[None, :] if len(fs) == 1 else np.stack([f.words for f in fs])
            for f, row in zip(fs, stack):
                f.words = row
            self._stacks.append(stack)

    def add_mid(self, f: KeyFilter) -> None:
        self.set_filters(self.big, self.mids + [f])

    def maybe_older(self, keys: list[int]) -> list[int]:
        """The keys that dedup_keys_mid or dedup_keys may hold (all of `keys` but those no filter holds)."""
        if not keys or not self._stacks:
            return []
        word, mask = _probe(np.asarray(keys, dtype=np.int64))
        hit = np.zeros(len(keys), dtype=bool)
        for stack in self._stacks:
            hit |= ((stack[:, word % stack.shape[1]] & mask) == mask).any(axis=0)
        return [k for k, h in zip(keys, hit.tolist()) if h]

    def begin(self, token: int) -> None:
        """A batch starts under a new token: keep the last HISTORY batches' postings."""
        self.token = token
        self.history.append(PostedBatch(token))
        del self.history[:-HISTORY]
        self._merged = {}

    def posted(self, doc_id: int, keys: list[int], row: tuple | None) -> None:
        """Record what the batch in progress posts for `doc_id` (its keys, its (fp_hash, sig))."""
        batch = self.history[-1] if self.history else None
        if batch is None or not batch.complete:
            return
        if batch.count + len(keys) > BATCH_POSTINGS:  # a rebuild's one long batch: not kept (memory)
            batch.complete, batch.posted, batch.rows = False, {}, {}
            return
        for k in keys:
            batch.posted.setdefault(k, []).append(doc_id)
        batch.count += len(keys)
        if row is not None:
            batch.rows[doc_id] = row

    def since(self, token: int) -> tuple[tuple[dict[int, list[int]], dict[int, tuple]], ...] | None:
        """The postings and rows of the batches after the committed state `token`: those committed since, merged
        (once per batch and token: the documents of a batch were mostly looked up at the same state), and the
        batch in progress; or None if this state does not know that token (older than its history, another
        writer's, rolled back, or from before a removal)."""
        current = self.history[-1] if self.history else None
        if current is None or not current.complete:
            return None
        merged = self._merged.get(token)
        if merged is None:
            for i, batch in enumerate(self.history[:-1]):  # the last is the batch in progress: not committed
                if batch.token == token:
                    break
            else:
                return None
            later = self.history[i + 1:-1]
            if not all(b.complete for b in later):
                return None
            posted: dict[int, list[int]] = {}
            rows: dict[int, tuple] = {}
            for b in later:
                for k, docs in b.posted.items():
                    posted.setdefault(k, []).extend(docs)
                rows.update(b.rows)
            merged = self._merged[token] = (posted, rows)
        return merged, (current.posted, current.rows)


class PostedBatch:
    """What one batch posted: {key: [doc ids]}, {doc id: (fp_hash, sig)}; `complete` False once it grew past
    BATCH_POSTINGS (then it is not kept, and no lookup from before it is brought up to date)."""

    __slots__ = ("token", "posted", "rows", "count", "complete")

    def __init__(self, token: int):
        self.token, self.posted, self.rows, self.count, self.complete = token, {}, {}, 0, True


HISTORY = 64  # batches: the workers look a few batches ahead of the writer
BATCH_POSTINGS = 200_000  # postings kept of one batch (an ingest batch of 64 documents posts ~2,000)

_STATES: "weakref.WeakKeyDictionary[object, LookupState]" = weakref.WeakKeyDictionary()


def _token(db) -> int | None:
    row = db.execute("SELECT value FROM dedup_state WHERE name = 'filter_token'").fetchone()
    return row[0] if row else None


def _set_state(db, name: str, value: int) -> None:
    db.conn.execute("INSERT INTO dedup_state (name, value) VALUES (?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = excluded.value", [name, value])


def _set_token(db, token: int) -> None:
    _set_state(db, "filter_token", token)


def snapshot_ids(db) -> tuple[int | None, int | None]:
    """(token, filters_id) of the committed state a reader sees."""
    ids = dict(db.execute("SELECT name, value FROM dedup_state WHERE name IN ('filter_token', 'filters_id')"))
    return ids.get("filter_token"), ids.get("filters_id")


def filters_id(db) -> int | None:
    """The id of the filters in dedup_filters: a new random one whenever a filter is written (module docstring)."""
    row = db.execute("SELECT value FROM dedup_state WHERE name = 'filters_id'").fetchone()
    return row[0] if row else None


def build(db, key_tables: tuple[str, ...], cap: int) -> LookupState:
    """Make the stop keys and filters from the key tables (a corpus indexed before they existed, or after
    `rebuild` emptied the tables): one pass over every key."""
    db.conn.execute("DELETE FROM dedup_stop_keys")
    db.conn.execute("DELETE FROM dedup_filters")
    union = " UNION ALL ".join(f"SELECT key FROM {t}" for t in key_tables)
    db.conn.execute(f"INSERT INTO dedup_stop_keys (key) SELECT key FROM ({union}) GROUP BY key HAVING count(*) >= ?",
                    [cap])
    _new, mid, big = key_tables
    state = LookupState({r[0] for r in db.execute("SELECT key FROM dedup_stop_keys")},
                        filter_of(db, f"SELECT key FROM {big}"), [])
    save_filter(db, "big", state.big)
    if db.execute(f"SELECT 1 FROM {mid} LIMIT 1").fetchone():
        state.add_mid(filter_of(db, f"SELECT key FROM {mid}"))
        save_filter(db, "mid", state.mids[-1])
    # the merge thresholds' counts, from the tables: removed documents' keys leave them too high (nothing counts
    # down), and `load` compares them with the filters' counts
    db.conn.executemany("INSERT INTO dedup_state (name, value) VALUES (?, ?) "
                        "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                        [("mid_keys", state.mids[-1].keys if state.mids else 0), ("big_keys", state.big.keys)])
    return state


def load(db) -> LookupState | None:
    """The persisted state, or None if the filters do not hold as many keys as the older tables were given (a
    version of fanwen from before the filters moved keys in this corpus since): then it must be built again."""
    big, mids = None, []
    for level, keys, bits in db.execute("SELECT level, keys, bits FROM dedup_filters ORDER BY id"):
        f = KeyFilter.from_bytes(bits, keys)
        if level == "big":
            big = f
        else:
            mids.append(f)
    counts = dict(db.execute("SELECT name, value FROM dedup_state WHERE name IN ('mid_keys', 'big_keys')"))
    if len(counts) == 2 and sum(f.keys for f in mids + ([big] if big else [])) != sum(counts.values()):
        return None
    return LookupState({r[0] for r in db.execute("SELECT key FROM dedup_stop_keys")}, big, mids)


def save_filter(db, level: str, f: KeyFilter) -> None:
    if level == "big":
        db.conn.execute("DELETE FROM dedup_filters")  # the big table's filter replaces every filter before it
    db.conn.execute("INSERT INTO dedup_filters (level, keys, bits) VALUES (?, ?, ?)", [level, f.keys, f.to_bytes()])
    _set_state(db, "filters_id", random.getrandbits(62))


def state_for(db, key_tables: tuple[str, ...], cap: int) -> LookupState:
    """The lookup state of `db` for a batch that may change it: the cached one if the database's token still
    matches, else read (or built) from the tables; a new token is written either way (see the module docstring)."""
    token = _token(db)
    state = _STATES.get(db)
    if state is None or token is None or state.token != token:
        state = (load(db) if token is not None else None) or build(db, key_tables, cap)
    state.begin(random.getrandbits(62))
    _set_token(db, state.token)
    if filters_id(db) is None:  # a corpus from before the filters' id
        _set_state(db, "filters_id", random.getrandbits(62))
    _STATES[db] = state
    return state


def forget(db) -> None:
    """Drop the cached state of `db` (its stop keys changed outside a batch): the next batch reads the tables."""
    _STATES.pop(db, None)
