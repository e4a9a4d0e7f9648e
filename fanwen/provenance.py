"""`document_urls`: every URL a document was seen under, so any URL a user saw or gave finds its document.

kind is one of
- `canonical`: documents.url, the site's canonical form of the article URL;
- `given`: the URL handed to `fanwen ingest` as it was written (before canonicalisation);
- `fetched`: the URL the first page was fetched from (after redirects);
- `redirect`: a URL the crawler was redirected through on the way (Scrapy's redirect_urls);
- `page`: page 2, 3 … of an article split over several pages.

A URL belongs to the first document stored under it (url is the primary key). The incremental crawl skips every URL
in this table (Corpus.known_urls).
"""
from __future__ import annotations

from typing import Iterable, Sequence

KINDS = ("canonical", "given", "fetched", "redirect", "page")


def ensure_schema(conn) -> None:
    """Create document_urls; a corpus made before it existed is backfilled from documents.url and pages.url."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'document_urls'").fetchone()
    if exists:
        return
    conn.execute("CREATE TABLE document_urls (url TEXT PRIMARY KEY, document_id INTEGER NOT NULL "
                 "REFERENCES documents(id), kind TEXT NOT NULL)")
    conn.execute("CREATE INDEX document_urls_document_id ON document_urls(document_id)")
    conn.execute("INSERT OR IGNORE INTO document_urls (url, document_id, kind) "
                 "SELECT url, id, 'canonical' FROM documents ORDER BY id")
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pages'").fetchone():
        conn.execute("INSERT OR IGNORE INTO document_urls (url, document_id, kind) "
                     "SELECT url, document_id, CASE WHEN seq = 1 THEN 'fetched' ELSE 'page' END FROM pages "
                     "WHERE url IS NOT NULL ORDER BY document_id, seq")


def seen_urls(canonical: str, page_urls: Sequence[str], extra: Iterable[Sequence[str]] = ()) -> list[tuple[str, str]]:
    """(url, kind) for a document: its canonical URL, the URLs it was given or redirected under, its pages."""
    out = [(canonical, "canonical")]
    out += [(u, k) for u, k in extra if u]
    out += [(u, "fetched" if i == 0 else "page") for i, u in enumerate(page_urls) if u]
    return out


def record(conn, document_id: int, urls: Iterable[tuple[str, str]]) -> None:
    """Add the (url, kind) pairs for a document; a URL already known (to it or another document) is kept as it is."""
    conn.executemany("INSERT OR IGNORE INTO document_urls (url, document_id, kind) VALUES (?, ?, ?)",
                     [(u, document_id, k) for u, k in urls])


def document_for_url(conn, url: str) -> int | None:
    row = conn.execute("SELECT document_id FROM document_urls WHERE url = ?", [url]).fetchone()
    return row[0] if row else None
