"""`fanwen query`, `fanwen search`, `fanwen stats`, `fanwen export` and `fanwen serve`: reading the corpus."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from fanwen.cli.base import DB_OPTION, FAIL_ON_ALERT_OPTION, friendly_errors, main
from fanwen.cli.tables import CUT_MARK, emit_rows, run_query


@main.command()
@click.argument("sql")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Rows as a JSON array.")
@click.option("--csv", "as_csv", is_flag=True, help="Rows as CSV.")
@click.option("--width", type=click.IntRange(min=2), default=40, show_default=True,
              help=f"Cut table cells to this many characters (a cut cell ends with {CUT_MARK}).")
@click.option("--full", is_flag=True, help="Never cut table cells.")
@friendly_errors
def query(sql, db, as_json, as_csv, width, full):
    """Run read-only SQL against the corpus (a table by default; JSON and CSV are never cut).

    Example: fanwen query "SELECT site, count(*) AS n FROM speeches GROUP BY site"
    """
    rows, columns = run_query(db, sql)
    emit_rows(rows, columns, as_json, as_csv, width=None if full else width)


SEARCH_COUNT_MAX = 1000


@main.command()
@click.argument("words", nargs=-1, required=True)
@DB_OPTION
@click.option("--all", "all_docs", is_flag=True, help="Search every document, not just the speeches.")
@click.option("--limit", default=20, show_default=True)
@click.option("--count-max", default=SEARCH_COUNT_MAX, show_default=True, type=click.IntRange(min=1),
              help="Count the hits up to this many (more: 'over N').")
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def search(words, db, all_docs, limit, count_max, as_json):
    """Full-text search: words of any length; all words must occur, `OR` between words or groups of words.

    Prints the SQL condition it used (on stderr), the hits up to --limit and how many more there are (counted up to
    --count-max: the exact count of a common word's hits reads every one of them).

    Example: fanwen search 营商环境 招商       fanwen search 养老 OR 托育
    """
    from fanwen import fts
    from fanwen.readonly import read_only_execute
    from fanwen.store import Corpus
    corpus = Corpus(db, readonly=True)  # one connection for the layout, the count and the rows
    try:
        where, params = fts.search_where(" ".join(words), fts_layout=fts.layout(corpus.db.conn))
        table = "documents" if all_docs else "speeches"
        # counting stops at count_max + 1: the count reads each hit's row and, for speeches, its cluster, so an exact
        # count of a word in most documents grows with the corpus (0.38 s at 100k documents, 0.88 s at 300k)
        total = read_only_execute(corpus.db.conn, f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} "
                                  "LIMIT ?)", (*params, count_max + 1)).fetchone()[0]
        cur = read_only_execute(corpus.db.conn, f"SELECT id, site, title, chars FROM {table} WHERE {where} "
                                "ORDER BY id LIMIT ?", (*params, limit))
        columns = [d[0] for d in cur.description]
        rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    finally:
        corpus.close()
    shown_sql = where
    for p in params:
        shown_sql = shown_sql.replace("?", "'" + p.replace("'", "''") + "'", 1)
    if not as_json:
        click.echo(f"-- WHERE {shown_sql}", err=True)
    emit_rows(rows, columns, as_json, False)
    if total > count_max:
        click.echo(f"… more: over {count_max:,} found; --count-max N counts further, "
                   f"`fanwen query \"SELECT count(*) FROM {table} WHERE …\"` counts them all", err=as_json)
    elif total > len(rows):
        click.echo(f"… {total - len(rows)} more (of {total}); --limit {total} shows them all", err=as_json)
    else:
        click.echo(f"{total} found", err=as_json)


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True)
@click.option("--health", is_flag=True, help="Each site's latest crawl figures and yield alerts.")
@FAIL_ON_ALERT_OPTION
@friendly_errors
def stats(db, as_json, health, fail_on_alert):
    """Counts per site and per label, clusters, and the last crawls.

    Example: fanwen stats --db corpus.db
    """
    if health:
        return _print_health(db, as_json, fail_on_alert)
    per_site, _ = run_query(db, """
        SELECT site, count(*) AS documents, sum(label = 'speech') AS speech, sum(label = 'other_speech') AS other_speech,
               sum(label = 'other') AS other, sum(is_canonical AND label = 'speech') AS canonical_speeches,
               sum(truncated) AS truncated
        FROM documents GROUP BY site ORDER BY documents DESC""")
    totals, _ = run_query(db, """
        SELECT count(*) AS documents, count(DISTINCT cluster_id) AS clusters,
               (SELECT count(*) FROM speeches) AS speeches FROM documents""")
    present = {r["name"] for r in run_query(db, "SELECT name FROM pragma_table_info('crawls')")[0]}
    by_kind = ", error_counts, robots_blocked" if "error_counts" in present else ""  # older corpora lack them
    crawls, ccols = run_query(db, "SELECT id, started_at, finished_at, command, sites, requests, new_documents, "
                                   f"duplicates, errors{by_kind}, status FROM crawls ORDER BY id DESC LIMIT 5")
    if as_json:
        click.echo(json.dumps({"totals": totals[0], "sites": per_site, "crawls": crawls}, ensure_ascii=False,
                              indent=2))
        return
    t = totals[0]
    click.echo(f"{t['documents']} documents, {t['clusters']} clusters, {t['speeches']} speeches\n")
    emit_rows(per_site, ["site", "documents", "speech", "other_speech", "other", "canonical_speeches", "truncated"],
          False, False)
    click.echo("\nlast crawls:")
    emit_rows(crawls, ccols, False, False)


def _print_health(db: str, as_json: bool, fail_on_alert: bool) -> None:
    from fanwen import health
    from fanwen.store import Corpus
    corpus = Corpus(db, readonly=True)
    try:
        rows, alerts = health.latest_health(corpus.db)
    finally:
        corpus.close()
    if as_json:
        click.echo(json.dumps({"sites": rows, "alerts": alerts}, ensure_ascii=False, indent=2))
    else:
        click.echo("each site's latest crawl:")
        emit_rows(rows, ["site", "crawl_id", *health.COUNT_COLUMNS, "http_errors", "seconds"], False, False)
        click.echo("")
        for line in alerts:
            click.echo(f"ALERT {line}")
        if not alerts:
            click.echo("no alerts")
    if alerts and fail_on_alert:
        sys.exit(3)


@main.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl", show_default=True)
@click.option("--what", type=click.Choice(["speeches", "documents", "clusters"]), default="speeches",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file (default: stdout; required "
              "for parquet).")
@friendly_errors
def export(db, fmt, what, output):
    """Export speeches (or all documents, or clusters) as JSONL, CSV or Parquet.

    Example: fanwen export --format csv -o speeches.csv
    """
    rows, columns = run_query(db, f"SELECT * FROM {what}")
    if what == "documents":
        columns = [c for c in columns if c != "fingerprint"]
        rows = [{c: r[c] for c in columns} for r in rows]
    if fmt == "parquet":
        if not output:
            raise click.UsageError("--format parquet needs -o FILE")
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise click.ClickException("parquet export needs pyarrow: pip install 'fanwen-corpus[parquet]'") from None
        pq.write_table(pa.Table.from_pylist(rows), output)
    else:
        fh = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            if fmt == "jsonl":
                for r in rows:
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            else:
                w = csv.DictWriter(fh, fieldnames=columns)
                w.writeheader()
                w.writerows(rows)
        finally:
            if output:
                fh.close()
    if output:
        click.echo(f"exported {len(rows)} {what} to {output}", err=True)


@main.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True)
@friendly_errors
def serve(db, host, port):
    """Browse the corpus in Datasette, with a search box that finds Chinese words of any length.

    Example: fanwen serve --db corpus.db --port 8001
    """
    from fanwen.datasette_app import run
    from fanwen.store import Corpus, CorpusError
    if not Path(db).exists():
        raise click.ClickException(f"{db}: no such database (run `fanwen demo` or `fanwen crawl` first)")
    try:
        Corpus(db).close()  # brings an older corpus up to date (trigram index, document_urls) before serving it
    except CorpusError as exc:
        click.echo(f"note: {exc}; serving it as it is", err=True)
    run(db, host=host, port=port)
