"""`fanwen serve`: Datasette on corpus.db with the corpus plugin (fanwen.datasette_plugin).

The plugin is an installed entry point, so `datasette corpus.db` gets the same pages; this module only makes sure it
is registered when fanwen runs from a checkout that was not installed.
"""
from __future__ import annotations

import sys


def make_datasette(db_path: str):
    from datasette.app import Datasette
    from datasette.plugins import pm

    import fanwen.datasette_plugin as plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="fanwen")
    return Datasette([db_path], settings={"default_page_size": 50})


def run(db_path: str, host: str = "127.0.0.1", port: int = 8001) -> None:
    import uvicorn

    ds = make_datasette(db_path)
    print(f"Datasette on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
