"""`fanwen fts` and `fanwen dedup`: the full-text index and the near-duplicate clusters, shown or rebuilt."""
from __future__ import annotations

import json
import time
from pathlib import Path

import click

from fanwen.cli.base import DB_OPTION, friendly_errors, main, require_existing_db


@main.command(name="fts")
@DB_OPTION
@click.option("--layout", type=click.Choice(["full", "lean"]), help="Rebuild the full-text index in this layout: "
              "full (MATCH as typed, snippet(), sqlite-utils search, any Datasette; ~1.4x the text) or lean (~0.4x the "
              "text; search with `documents_fts.text LIKE '%word%'`, `fanwen search` or `fanwen serve`).")
@click.option("--optimize", is_flag=True, help="Merge the index into one segment (a little smaller and faster to "
              "read; rewrites the whole index).")
@friendly_errors
def fts_cmd(db, layout, optimize):
    """Show the full-text index's layout and size, or rebuild it in the other layout (see fanwen.fts).

    Example: fanwen fts --layout lean
    """
    from fanwen import fts
    from fanwen.lock import acquire_writer
    from fanwen.store import Corpus
    require_existing_db(db)
    writing = bool(layout or optimize)
    lock = acquire_writer(db, "fts") if writing else None
    try:
        corpus = Corpus(db, readonly=not writing)
        started = time.time()
        with corpus.db.conn:
            if layout:
                fts.set_layout(corpus.db.conn, layout)
            if optimize:
                corpus.db.execute("INSERT INTO documents_fts(documents_fts) VALUES ('optimize')")
        if writing:
            click.echo(f"rebuilt in {time.time() - started:.1f}s", err=True)
        q = lambda sql: corpus.db.execute(sql).fetchone()[0] or 0  # noqa: E731
        index = q("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'documents_fts%'")
        text = q("SELECT sum(length(CAST(text AS BLOB))) FROM documents")
        docs = q("SELECT count(*) FROM documents")
        columns, index_layout = fts.columns(corpus.db.conn), fts.layout(corpus.db.conn)
        click.echo(f"documents_fts: layout {index_layout}, columns {', '.join(columns)}, "
                   f"{index / 1e6:,.1f} MB = {index / max(1, docs):,.0f} bytes per document, "
                   f"{index / max(1, text):.2f}x the text")
        if index_layout == "full" and columns != list(fts.FTS_COLUMNS):
            click.echo("the index has the older column order (title, text): `fanwen fts --layout full` rebuilds it "
                       "with the text first, about a quarter smaller (snippet()/highlight() column numbers then swap: "
                       "text 0, title 1)", err=True)
        free = q("PRAGMA freelist_count") * q("PRAGMA page_size")
        if free > 0.2 * Path(db).stat().st_size:  # a rebuild leaves the old index's pages free in the file
            click.echo(f"{free / 1e6:,.0f} MB of the file are free pages: `sqlite3 {db} VACUUM` gives them back "
                       f"(it rewrites the file)", err=True)
        corpus.close()
    finally:
        if lock:
            lock.release()


@main.command(name="dedup")
@DB_OPTION
@click.option("--rebuild", is_flag=True, help="Recompute all clusters and links from scratch.")
@friendly_errors
def dedup_cmd(db, rebuild):
    """Show near-duplicate clustering figures, or recompute them with --rebuild.

    Example: fanwen dedup --rebuild
    """
    from fanwen import dedup
    from fanwen.lock import acquire_writer
    from fanwen.store import Corpus
    require_existing_db(db)
    lock = acquire_writer(db, "dedup") if rebuild else None
    corpus = Corpus(db, readonly=not rebuild)
    if rebuild:
        try:
            with corpus.db.conn:
                stats = dedup.rebuild(corpus.db)
        finally:
            lock.release()
        click.echo(f"rebuilt clusters: {json.dumps(stats, ensure_ascii=False)}")
    q = lambda sql: corpus.db.execute(sql).fetchone()[0]  # noqa: E731
    click.echo(f"documents {q('SELECT count(*) FROM documents')}, clusters "
               f"{q('SELECT count(DISTINCT cluster_id) FROM documents')}, links {q('SELECT count(*) FROM links')}")
