"""Rows on the terminal (tables cut to a width, CJK characters two columns wide), as JSON or CSV; and the
read-only query every reading command runs."""
from __future__ import annotations

import csv
import json
import sys
import unicodedata

import click


CUT_MARK = "…"  # ends a table cell that was cut to --width


def display_width(value: str) -> int:
    """Terminal columns the text takes: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def fit_cell(value: str, width: int | None) -> str:
    """The cell cut to `width` columns, ending with CUT_MARK when something was cut, padded to the width."""
    if width is not None and display_width(value) > width:
        out, used = [], 0
        for ch in value:
            w = display_width(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        value = "".join(out) + CUT_MARK
    return value + " " * max(0, (width or 0) - display_width(value))


def emit_rows(rows: list[dict], columns: list[str], as_json: bool, as_csv: bool, width: int | None = 40) -> None:
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    elif as_csv:
        w = csv.DictWriter(sys.stdout, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    else:
        if not rows:
            click.echo("(no rows)")
            return
        widest = {c: max(display_width(c), *(display_width(cell_text(r.get(c))) for r in rows)) for c in columns}
        shown = {c: widest[c] if width is None else min(max(width, display_width(c)), widest[c]) for c in columns}
        click.echo("  ".join(fit_cell(c, shown[c]) for c in columns).rstrip())
        click.echo("  ".join("-" * shown[c] for c in columns))
        for r in rows:
            click.echo("  ".join(fit_cell(cell_text(r.get(c)), shown[c]) for c in columns).rstrip())


def cell_text(v) -> str:
    return "" if v is None else str(v).replace("\n", " ")


def run_query(db: str, sql: str, params=()) -> tuple[list[dict], list[str]]:
    from fanwen.readonly import read_only_execute
    from fanwen.store import Corpus
    corpus = Corpus(db, readonly=True)
    try:
        cur = read_only_execute(corpus.db.conn, sql, params)
        columns = [d[0] for d in cur.description or []]
        rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    finally:
        corpus.close()
    return rows, columns
