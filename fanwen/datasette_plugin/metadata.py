"""What Datasette shows of a corpus: descriptions, column descriptions, default facets, hidden internals, canned
queries. Plain data, merged by the plugin's get_metadata hook into every database that is a fanwen corpus."""
from __future__ import annotations

HIDDEN = ["pages", "dedup_keys", "dedup_keys_mid", "dedup_keys_new", "dedup_docs", "dedup_state", "dedup_stop_keys",
          "dedup_filters", "documents_fts"]

DOCUMENT_COLUMNS = {
    "id": "document id (the row page shows the text and every copy)",
    "url": "canonical URL of the article (every other URL it was seen under is in document_urls)",
    "site": "site configuration name (crawler/sites/<site>.toml)",
    "title": "cleaned title",
    "text": "cleaned text of the speech as the site had it (all pages joined)",
    "published": "publication date found on the page (YYYY-MM-DD)",
    "fetched_at": "when it was stored (UTC)",
    "content_hash": "hash of the normalised text: equal for exact copies",
    "chars": "characters of text",
    "cluster_id": "near-duplicate cluster: copies of one speech share it",
    "is_canonical": "1 for the copy that represents its cluster (complete beats truncated, clean beats mangled)",
    "label": "speech, other_speech or other (relevance model)",
    "relevance": "relevance score 0..1",
    "truncated": "1 when the site showed only part of the text (a preview, a paywall)",
    "mangled": "0..1: signs of 伪原创 synonym swapping",
    "placeholders": "kinds of placeholders for names (XX, *, 某)",
    "script": "simplified, traditional or traditional_pinyin",
    "speaker": "speaker's role when the title or a heading names it",
    "meeting": "the meeting, from the title",
    "level": "administrative level: 省, 市, 县, 区, 镇",
    "year": "year of the speech",
    "page_count": "pages the article was split over",
    "low_trust": "1 for sites whose copies never become canonical",
    "crawl_id": "the crawl (crawls.id) that stored it",
}

SPEECH_COLUMNS = {k: v for k, v in DOCUMENT_COLUMNS.items() if k in (
    "id", "url", "site", "published", "truncated", "mangled", "placeholders", "speaker", "level", "year")} | {
    "cluster_id": "near-duplicate cluster (see `copies of a speech` for every copy)",
    "copies": "documents in the cluster (copies on any site)",
    "speech_copies": "copies labelled speech: the cluster is a speech when at least half are",
    "canonical_label": "label of the canonical copy alone",
}

SEARCH_SQL = """
WITH hits AS (
  SELECT rowid AS id, snippet(documents_fts, -1, char(2), char(3), '…', 24) AS context
  FROM documents_fts
  WHERE length(:word) >= 3 AND documents_fts MATCH '"' || replace(:word, '"', '""') || '"'
  UNION ALL
  SELECT id, '…' || substr(text, max(1, instr(text, :word) - 30), 60 + length(:word)) || '…'
  FROM documents
  WHERE length(:word) < 3 AND (title LIKE '%' || :word || '%' OR text LIKE '%' || :word || '%')
)
SELECT s.id, s.title, s.site, s.level, s.year, hits.context, s.copies
FROM hits JOIN speeches s ON s.id = hits.id
ORDER BY s.year DESC, s.id
LIMIT 200
"""

# the same for a lean index (`fanwen fts --layout lean`: no positions, so no MATCH of 3+ characters and no snippet):
# its indexed LIKE finds the rows, the context is cut around the word's first occurrence
SEARCH_SQL_LEAN = """
WITH hits AS (
  SELECT id, '…' || substr(text, max(1, instr(text, :word) - 30), 60 + length(:word)) || '…' AS context
  FROM documents
  WHERE (length(:word) >= 3 AND (id IN (SELECT rowid FROM documents_fts WHERE text LIKE '%' || :word || '%')
                                 OR id IN (SELECT rowid FROM documents_fts WHERE title LIKE '%' || :word || '%')))
     OR (length(:word) < 3 AND (title LIKE '%' || :word || '%' OR text LIKE '%' || :word || '%'))
)
SELECT s.id, s.title, s.site, s.level, s.year, hits.context, s.copies
FROM hits JOIN speeches s ON s.id = hits.id
ORDER BY s.year DESC, s.id
LIMIT 200
"""

QUERIES = {
    "search": {
        "title": "Search the speeches, with each hit in context",
        "description": "A word of any length (营商环境, 养老, 党); the context shows it where it occurs.",
        "sql": SEARCH_SQL.strip(),
    },
    "copies": {
        "title": "Copies of a speech",
        "description": "Every document in the cluster of document :id, with its URL, site and flags.",
        "sql": "SELECT d.id, d.url, d.site, d.title, d.chars, d.truncated, d.mangled, d.label, d.is_canonical\n"
               "FROM documents d\nWHERE d.cluster_id = (SELECT cluster_id FROM documents WHERE id = :id)\n"
               "ORDER BY d.is_canonical DESC, d.truncated, d.id",
    },
    "url_lookup": {
        "title": "Look any URL up",
        "description": "The document a URL belongs to: canonical, as given to ingest, fetched, redirected or a page "
                       "of a multi-page article.",
        "sql": "SELECT u.url, u.kind, d.id AS document_id, d.title, d.url AS canonical_url, d.site\n"
               "FROM document_urls u JOIN documents d ON d.id = u.document_id\nWHERE u.url = :url",
    },
    "speeches_by_level_and_year": {
        "title": "Speeches by level and year",
        "sql": "SELECT coalesce(level, '?') AS level, coalesce(year, '?') AS year, count(*) AS speeches,\n"
               "       sum(copies) AS copies\nFROM speeches\nGROUP BY 1, 2\nORDER BY year DESC, level",
    },
    "crawl_health": {
        "title": "Crawl health per site",
        "description": "Per site: the runs that stored documents, what they stored, and the site's latest run.",
        "sql": """SELECT d.site,
       count(DISTINCT d.crawl_id) AS runs,
       count(*) AS documents,
       sum(d.label = 'speech') AS speech_copies,
       sum(d.truncated) AS truncated,
       max(c.started_at) AS last_stored_in_run,
       (SELECT c2.id || ' ' || c2.status || ' ' || coalesce(c2.finished_at, '') || ' (' || c2.new_documents
               || ' new, ' || c2.errors || ' errors)'
        FROM crawls c2 WHERE ',' || c2.sites || ',' LIKE '%,' || d.site || ',%' ORDER BY c2.id DESC LIMIT 1)
         AS latest_run
FROM documents d LEFT JOIN crawls c ON c.id = d.crawl_id
GROUP BY d.site
ORDER BY documents DESC""",
    },
}


def corpus_metadata(db_path: str = "", fts_layout: str = "full") -> dict:
    """The metadata of one corpus database (the value under databases.<name>); db_path is its URL path; fts_layout
    that of its documents_fts (fanwen.fts.layout)."""
    search = {"fts_table": "documents_fts", "fts_pk": "id"}
    queries = QUERIES if fts_layout == "full" else {
        **QUERIES, "search": dict(QUERIES["search"], sql=SEARCH_SQL_LEAN.strip())}
    return {
        "description_html": "Leader speeches collected from 范文 sites. Start with <a href='{db}/speeches'><code>speeches"
                            "</code></a> (one row per distinct speech) or the <a href='{db}/search'><code>search</code>"
                            "</a> query; a document's page shows its text and every copy of it.".replace("{db}", db_path),
        "tables": {
            "speeches": dict(search, description="One row per distinct speech: the canonical copy of each cluster "
                             "that at least half of its copies label speech.", columns=SPEECH_COLUMNS,
                             facets=["site", "level", "year"], sort_desc="year"),
            "documents": dict(search, description="Every stored article, one row per canonical URL, with the flags "
                              "and labels derived from its raw pages.", columns=DOCUMENT_COLUMNS,
                              facets=["site", "label", "level", "year"], sort_desc="id"),
            "clusters": {"description": "Near-duplicate clusters: the copies of one text, across sites.",
                         "columns": {"id": "cluster id (documents.cluster_id)", "size": "documents in it",
                                     "sites": "distinct sites", "site_list": "those sites",
                                     "canonical_id": "the document that represents it",
                                     "canonical_label": "label of that document"}},
            "crawls": {"description": "One row per run (crawl, demo, ingest).", "sort_desc": "id",
                       "columns": {"requests": "pages requested", "new_documents": "documents stored",
                                   "duplicates": "exact copies of stored text", "errors": "failed requests and "
                                   "extraction errors", "status": "finished, interrupted, budget_reached, running "
                                   "(a run that was killed)", "skipped_known": "article links skipped as stored"}},
            "document_urls": {"description": "Every URL a document was seen under (see the `url_lookup` query).",
                              "columns": {"kind": "canonical, given (to ingest), fetched, redirect, page"}},
            "links": {"description": "Verified near-duplicate links between two documents (doc_a the bigger)."},
            **{name: {"hidden": True} for name in HIDDEN},
        },
        "queries": queries,
    }
