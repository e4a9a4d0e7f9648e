"""The Datasette plugin for fanwen corpora, installed as an entry point, so a plain `datasette corpus.db` gets it.

It acts only on databases that are fanwen corpora (documents + document_urls + the trigram documents_fts); every
other database served beside them keeps Datasette's own behaviour, search included.

- metadata (get_metadata): descriptions, column descriptions, default facets, hidden internals, canned queries;
- search (asgi_wrapper + filters_from_request): the box on `documents` and `speeches` takes words of any length and
  `OR` (fanwen.fts.search_where: trigram MATCH for 3+ characters, LIKE for 1–2); without the plugin, Datasette's own
  search still finds words of 3+ characters, since the index is a plain external-content FTS5 table;
- reading (render_cell, extra_css_urls, templates/row.html): long text cut in tables with a link to the document's
  page, which shows the text at reading width and every copy of it (URL, site, truncated, mangled).
"""
from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

from fanwen.datasette_plugin.metadata import corpus_metadata
from fanwen.fts import search_where

SEARCH_TABLES = ("documents", "speeches")
SEARCH_ARG = "_fanwen_search"  # where the plugin moves `_search` on corpus tables, out of Datasette's own filter
CELL_CHARS = 140  # text cells in tables are cut here, with a link to the whole text


@lru_cache(maxsize=64)
def _corpus_layout(path: str, mtime: float) -> str | None:
    """The layout of a corpus file's documents_fts ('full' or 'lean', fanwen.fts.layout), None if no corpus."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = dict(conn.execute("SELECT name, sql FROM sqlite_master").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    fts = (names.get("documents_fts") or "").lower()
    if not ("documents" in names and "document_urls" in names and "trigram" in fts):
        return None
    return "lean" if "detail=none" in fts.replace(" ", "") else "full"


def corpus_layout(datasette, database: str | None) -> str | None:
    if not database or database not in datasette.databases:
        return None
    path = getattr(datasette.databases[database], "path", None)
    if not path or not Path(path).exists():
        return None
    return _corpus_layout(str(Path(path).resolve()), Path(path).stat().st_mtime)


def is_corpus(datasette, database: str | None) -> bool:
    return corpus_layout(datasette, database) is not None


def corpus_databases(datasette) -> list[str]:
    return [name for name in datasette.databases if is_corpus(datasette, name)]


# ---------------------------------------------------------------------------------------------- metadata
@hookimpl
def get_metadata(datasette, key, database, table):
    names = corpus_databases(datasette)
    if not names:
        return {}
    meta = {"databases": {name: corpus_metadata(datasette.urls.database(name), corpus_layout(datasette, name))
                          for name in names}}
    if set(names) == {n for n in datasette.databases if n != "_internal"}:  # only corpora: their front page
        db = datasette.urls.database(names[0])
        meta.update(title="fanwen corpus", description_html=(
            f"Leader speeches from 范文 sites. <a href='{db}/speeches'>Browse the speeches</a> (one row per distinct "
            f"speech), <a href='{db}/search'>search them with each hit in context</a>, "
            f"<a href='{db}/url_lookup'>look any URL up</a>, <a href='{db}/crawl_health'>see how the crawls went</a>."))
    return meta


# ---------------------------------------------------------------------------------------------- search
def _route(datasette, path: str) -> tuple[str, str] | None:
    parts = path.strip("/").split("/")
    if len(parts) != 2:
        return None
    table = parts[1].rsplit(".", 1)[0] if parts[1].endswith((".json", ".csv")) else parts[1]
    try:
        db = datasette.get_database(route=parts[0])
    except KeyError:
        return None
    return (db.name, table) if table in SEARCH_TABLES else None


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def rewrite_search(scope, receive, send):
            if scope.get("type") == "http" and b"_search=" in scope.get("query_string", b""):
                found = _route(datasette, scope.get("path", ""))
                if found and is_corpus(datasette, found[0]):
                    args = [(SEARCH_ARG if k == "_search" else k, v)
                            for k, v in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True,
                                                  encoding="utf-8", errors="replace")]
                    scope = dict(scope, query_string=urlencode(args).encode("ascii"))
            await app(scope, receive, send)
        return rewrite_search
    return wrap


@hookimpl
def filters_from_request(request, database, table, datasette):
    typed = request.args.get(SEARCH_ARG)
    if typed is None or table not in SEARCH_TABLES or not is_corpus(datasette, database):
        return None
    from datasette.filters import FilterArguments

    where, params = search_where(typed, fts_layout=corpus_layout(datasette, database))
    named = {}
    for i, value in enumerate(params):
        where = where.replace("?", f":fanwen_search_{i}", 1)
        named[f"fanwen_search_{i}"] = value
    return FilterArguments([where], named, [f'search matches "{typed}"'],
                           {"search": typed, "supports_search": True})


# ---------------------------------------------------------------------------------------------- reading
@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not isinstance(value, str) or not is_corpus(datasette, database):
        return None
    if "\x02" in value:  # keyword in context from the search query: mark the word
        return Markup('<span class="fanwen-context">' + str(escape(value)).replace("\x02", "<mark>").replace(
            "\x03", "</mark>") + "</span>")
    if table in SEARCH_TABLES and column not in ("url", "title") and len(value) > CELL_CHARS:  # text, fingerprint
        doc_id = row["id"] if "id" in row.keys() else None
        link = datasette.urls.row(database, "documents", str(doc_id)) if doc_id is not None else None
        more = f' <a class="fanwen-more" href="{link}">…read all {len(value):,} characters</a>' if link else "…"
        return Markup(f'<span class="fanwen-cut">{escape(value[:CELL_CHARS])}</span>{more}')
    return None


def _plugin_name(datasette) -> str:
    from datasette.plugins import get_plugins

    for p in get_plugins():
        if p["static_path"] and Path(p["static_path"]).parent == Path(__file__).parent:
            return p["name"]
    return __name__


@hookimpl
def extra_css_urls(template, database, table, columns, view_name, request, datasette):
    if database and not is_corpus(datasette, database):
        return []
    if not database and not corpus_databases(datasette):
        return []
    return [datasette.urls.static_plugins(_plugin_name(datasette), "fanwen.css")]


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    if view_name != "row" or table != "documents" or not is_corpus(datasette, database):
        return {}

    async def speech_page():
        pk = request.url_vars.get("pks", "")
        db = datasette.get_database(database)
        doc = (await db.execute("SELECT * FROM documents WHERE id = ?", [pk])).first()
        if doc is None:
            return {}
        copies = (await db.execute(
            "SELECT id, url, site, title, chars, truncated, mangled, label, is_canonical, published FROM documents "
            "WHERE cluster_id = ? ORDER BY is_canonical DESC, truncated, id", [doc["cluster_id"]])).rows
        urls = (await db.execute("SELECT url, kind FROM document_urls WHERE document_id = ? ORDER BY rowid",
                                 [doc["id"]])).rows
        return {"fanwen_doc": dict(doc), "fanwen_copies": [dict(r) for r in copies],
                "fanwen_urls": [dict(r) for r in urls]}

    return speech_page
