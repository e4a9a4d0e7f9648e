"""Store stage: corpus.db with sqlite-utils — the single writer.

Tables (names are a contract, see ../shared/DESIGN.md):
- documents: one row per article URL, the cleaned speech and everything derived from it;
- pages: every fetched page of a document as received (`html_z`: the zlib-compressed bytes, `content_type`: the
  response's Content-Type, `as_received` = 1), so `fanwen reclean` can decode again and rebuild every derived column
  without fetching anything. Rows written by older versions hold UTF-8 text of an already decoded page
  (`as_received` NULL); text input (JSONL `html` strings) is stored the same way with `as_received` = 0;
- crawls: one row per run (the crawl log), with its errors by kind (error_counts JSON) and robots_blocked;
- crawl_sites: per crawl and site, requests, pages, documents, speeches, failures (fanwen.health);
- document_urls: every URL each document was seen under (fanwen.provenance);
- documents_fts: FTS5 trigram index over title and text with external content (see fanwen.fts);
- view speeches: the canonical copy of each distinct speech whose cluster is labelled 'speech' (SPEECHES_VIEW);
- links / clusters: near-duplicate links and clusters (fanwen.dedup).
The database runs in WAL mode and every batch is one transaction, so a killed crawl loses nothing committed.
"""
from __future__ import annotations

import json
import sqlite3
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from fanwen import fts, provenance

if TYPE_CHECKING:  # sqlite-utils, numpy and dedup load only where something is written (read commands start fast)
    from cleaners.document import Document

CRAWL_ERROR_COLUMNS = {"error_counts": str, "robots_blocked": int}
DOCUMENT_COLUMNS = {
    "id": int, "url": str, "site": str, "title": str, "text": str, "published": str, "fetched_at": str,
    "content_hash": str, "chars": int, "cluster_id": int, "is_canonical": int, "label": str, "relevance": float,
    "truncated": int, "mangled": float, "placeholders": str, "script": str, "speaker": str, "meeting": str,
    "level": str, "year": int, "site_name": str, "raw_title": str, "rules": str, "page_count": int,
    "low_trust": int, "crawl_id": int,
    "unusable": str,  # set only by reclean on a stored page that is no document any more (kept, left out of speeches)
}
PAGE_COLUMNS = {"id": int, "document_id": int, "seq": int, "url": str, "fetched_at": str, "html_z": bytes,
                "content_type": str, "as_received": int}
# `fingerprint` (the comparison text) is not stored: dedup recomputes it from `text` (a pure function of it, ~0.1 ms
# per 1,000 characters), which saves a second copy of the text; databases made before keep the column, unused.
# The text goes last in the row so that reading the columns before it never touches its overflow pages.
LAST_COLUMNS = ("text",)
# covers what `fanwen stats` and the speeches view count, so they read this index, never the rows with the text
STATS_INDEX = ("site", "label", "is_canonical", "truncated", "cluster_id")
# the columns that `reclean` recomputes from the stored pages
DERIVED = [c for c in DOCUMENT_COLUMNS if c not in ("id", "url", "site", "fetched_at", "cluster_id", "is_canonical",
                                                   "crawl_id", "low_trust")]

# One row per distinct speech: the canonical copy of each cluster that at least half of its copies label 'speech'
# (the label is decided per cluster, so one mislabelled canonical copy does not drop a speech its copies agree on).
# The cluster figures are subqueries on the cluster_id index, per row: a query on the view (a search, a lookup by id)
# counts only the clusters of the rows it reads. A join with a GROUP BY over every document (the form before) made
# `speeches WHERE id IN (<full-text hits>)` take 100 s at 100k documents.
SPEECHES_VIEW = """
SELECT d.id, d.url, d.site, d.title, d.text, d.published, d.fetched_at, d.chars, d.cluster_id, d.relevance,
       d.speaker, d.meeting, d.level, d.year, d.truncated, d.mangled, d.placeholders,
       (SELECT count(*) FROM documents x WHERE x.cluster_id = d.cluster_id) AS copies,
       (SELECT sum(x.label = 'speech') FROM documents x WHERE x.cluster_id = d.cluster_id) AS speech_copies,
       d.label AS canonical_label
FROM documents d
WHERE d.is_canonical = 1 AND d.unusable IS NULL
  AND (SELECT sum(2 * coalesce(x.label = 'speech', 0) - 1) FROM documents x WHERE x.cluster_id = d.cluster_id) >= 0
"""


class _ReadOnlyDatabase:
    """What read commands use of sqlite_utils.Database (`execute`, `conn`, `table_names`), without importing
    sqlite-utils and numpy (0.14 s): `fanwen query`, `search` and `stats` start in a few tens of milliseconds."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, parameters=None) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters) if parameters is not None else self.conn.execute(sql)

    def table_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


class CorpusError(Exception):
    """A database that cannot be used as asked (locked, read-only, not a corpus): one line for the user."""


# Pages of WAL before the writer copies them into the database (SQLite's default: 1,000, 4 MB). A checkpoint copies
# each page once however many transactions rewrote it, and the hot pages (FTS segments, index interiors, the small
# key table) are rewritten by nearly every batch: at 10,000 pages (~40 MB of WAL) text ingest went 179/182 -> 191/197
# docs/s at 10k documents (`python -m benchmarks.scale --sizes 10000`, alternating runs; 30,000 gave the same).
WAL_AUTOCHECKPOINT_PAGES = 10_000


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _explain_sqlite_error(path: str, exc: Exception) -> CorpusError:
    msg = str(exc)
    if "locked" in msg or "busy" in msg:
        return CorpusError(f"{path}: database is locked by another process (is a crawl running?)")
    if "readonly" in msg or "read-only" in msg:
        return CorpusError(f"{path}: database is read-only")
    if "not a database" in msg or "malformed" in msg:
        return CorpusError(f"{path}: not a SQLite database (or corrupt)")
    if "unable to open" in msg:
        return CorpusError(f"{path}: cannot open database file")
    return CorpusError(f"{path}: {msg}")


def compress(html: str | bytes) -> bytes:
    """Bytes as they are (a page as received), text as UTF-8."""
    return zlib.compress(html if isinstance(html, bytes) else html.encode("utf-8"), 6)


def decompress(blob: bytes) -> str:
    """A row stored as text (older versions, text input)."""
    return zlib.decompress(blob).decode("utf-8")


def stored_body(blob: bytes, as_received) -> bytes | str:
    """What was stored: the bytes as received, or (older rows, text input) the text."""
    raw = zlib.decompress(blob)
    return raw if as_received else raw.decode("utf-8")


def _page_parts(page) -> tuple[str, bytes | str, str | None]:
    url, body, *rest = page
    return url, body, (rest[0] if rest else None)


class Corpus:
    """corpus.db, opened for writing (the one writer) or read-only (queries)."""

    def __init__(self, path: str | Path = "corpus.db", readonly: bool = False, timeout: float = 5.0):
        self.path = str(path)
        self.readonly = readonly
        try:
            if readonly:
                if not Path(self.path).exists():
                    raise CorpusError(f"{self.path}: no such database (run `fanwen demo` or `fanwen crawl` first)")
                conn = sqlite3.connect(f"file:{Path(self.path).resolve()}?mode=ro", uri=True, timeout=timeout)
            else:
                parent = Path(self.path).resolve().parent
                if not parent.exists():
                    raise CorpusError(f"{self.path}: directory {parent} does not exist")
                conn = sqlite3.connect(self.path, timeout=timeout)
            if readonly:
                self.db = _ReadOnlyDatabase(conn)
            else:
                import sqlite_utils
                self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA busy_timeout = %d" % int(timeout * 1000))
            if readonly:
                self.db.execute("SELECT count(*) FROM sqlite_master").fetchall()
            else:
                self.db.enable_wal()
                # WAL + NORMAL: a commit is not fsynced, a checkpoint is; a killed process loses nothing committed
                self.db.execute("PRAGMA synchronous = NORMAL")
                self.db.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
                self.ensure_schema()
        except sqlite3.Error as exc:
            raise _explain_sqlite_error(self.path, exc) from None

    # ------------------------------------------------------------------ schema
    def ensure_schema(self) -> None:
        from fanwen import dedup
        db = self.db
        with db.conn:
            if "documents" not in db.table_names():
                columns = {c: t for c, t in DOCUMENT_COLUMNS.items() if c not in LAST_COLUMNS}
                columns.update((c, DOCUMENT_COLUMNS[c]) for c in LAST_COLUMNS)
                db["documents"].create(columns, pk="id", not_null={"url"})
                db["documents"].create_index(["url"], unique=True)
                db["documents"].create_index(["content_hash"])
                db["documents"].create_index(["cluster_id"])
            else:
                existing = set(db["documents"].columns_dict)
                for col, typ in DOCUMENT_COLUMNS.items():
                    if col not in existing:
                        db["documents"].add_column(col, typ)
            db.execute(f"CREATE INDEX IF NOT EXISTS documents_stats ON documents ({', '.join(STATS_INDEX)})")
            # documents_stats starts with site, so an index on site alone only cost bytes (27 per document)
            db.execute("DROP INDEX IF EXISTS idx_documents_site")
            if "pages" not in db.table_names():
                db["pages"].create(PAGE_COLUMNS, pk="id", foreign_keys=[("document_id", "documents", "id")])
                db["pages"].create_index(["document_id", "seq"], unique=True)
                db["pages"].create_index(["url"])
            else:  # a corpus from before the bytes were kept: its rows stay text (as_received NULL)
                existing = set(db["pages"].columns_dict)
                for col, typ in PAGE_COLUMNS.items():
                    if col not in existing:
                        db["pages"].add_column(col, typ)
            if "crawls" not in db.table_names():
                db["crawls"].create({"id": int, "started_at": str, "finished_at": str, "sites": str, "requests": int,
                                     "new_documents": int, "duplicates": int, "errors": int, "status": str,
                                     "skipped_known": int, "command": str, "unusable": int}, pk="id")
            existing = set(db["crawls"].columns_dict)
            for col, typ in {"unusable": int, **CRAWL_ERROR_COLUMNS}.items():  # unusable pages, failures by kind
                if col not in existing:
                    db["crawls"].add_column(col, typ)
            if "crawl_sites" not in db.table_names():
                from fanwen.health import CRAWL_SITES_SCHEMA
                db["crawl_sites"].create(CRAWL_SITES_SCHEMA, pk=("crawl_id", "site"))
            fts.ensure_fts(db.conn)  # also migrates the older contentless pair index
            provenance.ensure_schema(db.conn)
            dedup.ensure_schema(db)
            db.execute("DROP VIEW IF EXISTS speeches")
            db.execute(f"CREATE VIEW speeches AS {SPEECHES_VIEW}")

    # ------------------------------------------------------------------ reads
    def known_urls(self) -> set[str]:
        """Every URL a stored document was seen under: canonical, fetched, redirected through, pages, given."""
        if "document_urls" not in self.db.table_names():  # an old corpus opened read-only, not yet migrated
            urls = {r[0] for r in self.db.execute("SELECT url FROM documents")}
            urls.update(r[0] for r in self.db.execute("SELECT url FROM pages"))
            return urls
        return {r[0] for r in self.db.execute("SELECT url FROM document_urls")}

    def last_crawl_status(self, exclude_id: int | None = None) -> str | None:
        """Status of the latest crawl before this one ('finished', 'interrupted', 'budget_reached', 'running' for a
        killed one), or None when there was none."""
        row = self.db.execute("SELECT status FROM crawls WHERE command IN ('crawl', 'demo') AND id IS NOT ? "
                              "ORDER BY id DESC LIMIT 1", [exclude_id]).fetchone()
        return row[0] if row else None

    def pages_since_last_finished_crawl(self, exclude_id: int | None = None) -> list[tuple[str, str, str]]:
        """(url, html, site) of the pages stored since the last crawl that finished: a crawl cut short found links on
        them that it never followed, and the next run re-reads them from here instead of fetching them again."""
        from cleaners.decode import decode_html

        rows = self.db.execute(
            f"SELECT p.url, p.html_z, {self._page_columns('p.')}, d.site FROM pages p "
            "JOIN documents d ON d.id = p.document_id "
            "WHERE d.crawl_id > coalesce((SELECT max(id) FROM crawls WHERE status = 'finished' "
            "AND command IN ('crawl', 'demo')), 0) AND d.crawl_id IS NOT ? ORDER BY p.id", [exclude_id]).fetchall()
        return [(url, decode_html(stored_body(blob, raw), ctype), site) for url, blob, raw, ctype, site in rows]

    def count(self, sql: str = "SELECT count(*) FROM documents") -> int:
        return self.db.execute(sql).fetchone()[0]

    # ------------------------------------------------------------------ crawl log
    def begin_crawl(self, sites: Sequence[str], command: str = "crawl") -> int:
        with self.db.conn:
            return self.db["crawls"].insert({"started_at": now_iso(), "sites": ",".join(sites), "requests": 0,
                                             "new_documents": 0, "duplicates": 0, "errors": 0,
                                             "status": "running", "skipped_known": 0, "command": command}).last_pk

    def update_crawl(self, crawl_id: int, **values) -> None:
        with self.db.conn:
            self.db["crawls"].update(crawl_id, values)

    def finish_crawl(self, crawl_id: int, status: str, **values) -> None:
        self.update_crawl(crawl_id, finished_at=now_iso(), status=status, **values)

    # ------------------------------------------------------------------ writes
    def _row(self, doc: Document) -> dict:
        return {
            "url": doc.url, "site": doc.site, "title": doc.title, "text": doc.text, "published": doc.published,
            "content_hash": doc.content_hash, "chars": len(doc.text), "label": doc.label,
            "relevance": doc.relevance, "truncated": int(bool(doc.truncated)), "mangled": float(doc.mangled or 0),
            "placeholders": json.dumps(doc.placeholders, ensure_ascii=False), "script": doc.script,
            "speaker": doc.speaker, "meeting": doc.meeting, "level": doc.level, "year": doc.year,
            "site_name": doc.site_name, "raw_title": doc.raw_title,
            "rules": json.dumps(doc.rules, ensure_ascii=False), "page_count": max(1, len(doc.page_urls)),
        }

    def add_documents(self, batch: Iterable[tuple[Document, list[tuple[str, str]]]], crawl_id: int | None = None,
                      low_trust_sites: set[str] = frozenset()) -> dict:
        """Insert new documents with their pages in one transaction, then place them in clusters.

        A URL already stored is skipped (never overwritten), so a re-run or an overlapping ingest adds nothing twice.
        Pages are (url, body) or (url, body, content_type), body the bytes as received (or text). Callers leave out
        documents with `unusable` set (and count them): see crawler.pipelines.StorePipeline and `fanwen ingest`.
        Returns {'new': n, 'skipped': n, 'duplicates': n (exact copies of stored text), 'dedup': {its counts, and
        cpu_fts, cpu_dedup: CPU seconds of the FTS inserts and of dedup}}.
        """
        stats = {"new": 0, "skipped": 0, "duplicates": 0}
        new_ids: list[int] = []
        fingerprints: dict[int, str] = {}
        prepared: dict[int, tuple] = {}
        checked: dict[int, dict] = {}
        cpu = {"fts": 0.0, "dedup": 0.0}  # CPU seconds of the writer in the FTS insert and in dedup (benchmarks)
        fetched = now_iso()
        try:
            with self.db.conn:
                for doc, pages in batch:
                    stored = self.db.execute("SELECT id FROM documents WHERE url = ?", [doc.url]).fetchone()
                    if stored:
                        # the same article under another URL (mobile host, as given to ingest): keep that URL too
                        provenance.record(self.db.conn, stored[0], provenance.seen_urls(
                            doc.url, [_page_parts(p)[0] for p in pages], doc.seen_urls))
                        stats["skipped"] += 1
                        continue
                    if doc.content_hash and self.db.execute(
                            "SELECT 1 FROM documents WHERE content_hash = ? LIMIT 1", [doc.content_hash]).fetchone():
                        stats["duplicates"] += 1
                    row = self._row(doc)
                    row.update(fetched_at=fetched, crawl_id=crawl_id, is_canonical=0,
                               low_trust=int(doc.site in low_trust_sites))
                    t_fts = time.process_time()  # the row's insert, with the FTS trigger it fires
                    doc_id = self.db.conn.execute(  # a plain INSERT: sqlite-utils' insert() reads the schema each call
                        f"INSERT INTO documents ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        list(row.values())).lastrowid
                    cpu["fts"] += time.process_time() - t_fts
                    for seq, page in enumerate(pages, 1):
                        url, body, ctype = _page_parts(page)
                        self.db["pages"].insert({"document_id": doc_id, "seq": seq, "url": url,
                                                 "fetched_at": fetched, "html_z": compress(body),
                                                 "content_type": ctype, "as_received": int(isinstance(body, bytes))})
                    # documents_fts is written by the documents_ai trigger (fanwen.fts), inside the INSERT above
                    provenance.record(self.db.conn, doc_id, provenance.seen_urls(
                        doc.url, [_page_parts(p)[0] for p in pages] or doc.page_urls, doc.seen_urls))
                    new_ids.append(doc_id)
                    if doc.fingerprint:  # computed by the workers from this text (pipeline.finish)
                        fingerprints[doc_id] = doc.fingerprint
                        if doc.dedup_sketch is not None:  # its n-grams, keys and signature (fanwen.workers)
                            prepared[doc_id] = doc.dedup_sketch
                        if doc.dedup_checked:  # its comparisons with committed documents (fanwen.dedup.precheck)
                            checked[doc_id] = doc.dedup_checked
                    stats["new"] += 1
                if new_ids:
                    from fanwen import dedup
                    t_dedup = time.process_time()
                    stats["dedup"] = dedup.update_clusters(self.db, new_ids, fingerprints, prepared, checked)
                    cpu["dedup"] += time.process_time() - t_dedup
                    stats["dedup"].update(cpu_fts=cpu["fts"], cpu_dedup=cpu["dedup"])
        except sqlite3.Error as exc:
            raise _explain_sqlite_error(self.path, exc) from None
        return stats

    def _page_columns(self, prefix: str = "") -> str:
        """as_received, content_type: NULL in a corpus of an older version opened read-only (not migrated)."""
        have = {r[1] for r in self.db.execute("PRAGMA table_info(pages)")}  # read-only connections too
        return ", ".join(f"{prefix}{c}" if c in have else "NULL" for c in ("as_received", "content_type"))

    def stored_pages(self, doc_id: int) -> list[tuple[str, bytes | str, str | None]]:
        """(url, body, content_type) as stored: the bytes as received, or the text of an older row."""
        return [(url, stored_body(blob, raw), ctype) for url, blob, raw, ctype in self.db.execute(
            f"SELECT url, html_z, {self._page_columns()} FROM pages WHERE document_id = ? ORDER BY seq", [doc_id])]

    def pages_of(self, doc_id: int) -> list[tuple[str, str]]:
        """(url, html text) of a document's pages, decoded by the one decoder."""
        from cleaners.decode import decode_html

        return [(url, decode_html(body, ctype)) for url, body, ctype in self.stored_pages(doc_id)]

    def replace_derived(self, updates: Iterable[tuple[int, Document]]) -> int:
        """Overwrite the derived columns of stored documents (reclean); FTS and clusters are rebuilt after.

        A document whose pages are no document any more (`doc.unusable`, e.g. an older row's text that is garbled)
        is marked (`unusable`, and mangled = 1 so a clean copy is canonical) and keeps what was stored, unless its
        new text is garbled less than the stored one (an older row's misreading partly undone): that text is kept."""
        from cleaners.decode import garbled_share

        n = 0
        with self.db.conn:
            for doc_id, doc in updates:
                if doc.unusable:
                    mark = {"unusable": doc.unusable, "mangled": 1.0}
                    stored = (self.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
                              or [""])[0] or ""
                    if doc.unusable.startswith("garbled") and doc.text and garbled_share(doc.text) < garbled_share(
                            stored):
                        row = self._row(doc)
                        mark = {**{k: v for k, v in row.items() if k in DERIVED}, **mark}
                    self.db["documents"].update(doc_id, mark)
                    n += 1
                    continue
                row = self._row(doc)
                row["unusable"] = None  # usable again (e.g. decoded right by a newer decoder)
                self.db["documents"].update(doc_id, {k: v for k, v in row.items() if k in DERIVED})
                n += 1
        return n

    def rebuild_fts(self) -> None:
        """Re-index every title and text (the triggers keep the index current; this repairs it after bulk edits)."""
        with self.db.conn:
            fts.rebuild(self.db.conn)

    def close(self) -> None:
        self.db.conn.close()
