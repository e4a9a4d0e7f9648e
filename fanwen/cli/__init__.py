"""The `fanwen` command: crawl, demo, write, ingest, extract, reclean, fts, dedup, query, search, stats, export,
serve. One module per group of commands; each imports what its work needs only when it runs, so that a reading
command starts fast."""
from __future__ import annotations

from fanwen.cli import crawling, indexes, ingesting, reading  # noqa: F401  (their commands join the group)
from fanwen.cli.base import friendly_errors, main

__all__ = ["friendly_errors", "main"]
