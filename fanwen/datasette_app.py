"""`fanwen serve`: Datasette on corpus.db, with the search box wired to the Chinese FTS index.

Datasette's search box sends `documents_fts MATCH escape_fts(:search)`; this plugin replaces `escape_fts` with
fanwen.fts.fts_query, so a visitor types 养老 or 营商环境 and gets the documents that contain them.
"""
from __future__ import annotations

from pathlib import Path

from datasette import hookimpl

from fanwen.fts import fts_query


def metadata_for(db_path: str) -> dict:
    name = Path(db_path).stem
    search = {"fts_table": "documents_fts", "fts_pk": "id", "searchmode": "escaped"}
    return {
        "title": "fanwen corpus",
        "description": "Leader speeches collected from 范文 sites: one row of `speeches` per distinct speech.",
        "databases": {name: {"tables": {
            "documents": dict(search, sort_desc="id"),
            "speeches": dict(search, sort_desc="id"),
            "documents_fts": {"hidden": True},
            "pages": {"hidden": False, "description": "raw HTML (zlib) of every fetched page"},
        }}},
    }


# This module is the plugin. `fanwen serve` registers it (it is no entry point), so other Datasette instances in the
# same environment keep their own escape_fts.
@hookimpl(trylast=True)  # run after Datasette's own prepare_connection, so this escape_fts wins
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, fts_query)


def make_datasette(db_path: str):
    from datasette.app import Datasette
    from datasette.plugins import pm

    import sys

    if pm.get_plugin("fanwen_search") is None:
        pm.register(sys.modules[__name__], name="fanwen_search")
    return Datasette([db_path], metadata=metadata_for(db_path), settings={"default_page_size": 50})


def run(db_path: str, host: str = "127.0.0.1", port: int = 8001) -> None:
    import uvicorn

    ds = make_datasette(db_path)
    print(f"Datasette on http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
