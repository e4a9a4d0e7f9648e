"""The `fanwen` command: crawl, demo, ingest, extract, reclean, dedup, query, search, stats, export, serve."""
from __future__ import annotations

import csv
import functools
import json
import sqlite3
import sys
import time
from pathlib import Path

import click

from fanwen import __version__

DB_OPTION = click.option("--db", default="corpus.db", show_default=True, type=click.Path(dir_okay=False),
                         help="The corpus database.")
SEEDS_OPTION = click.option("--seeds", type=click.Path(exists=True, file_okay=False),
                            help="Folder of example speeches (.txt/.html) that define 'similar'.")


def friendly_errors(fn):
    """Known failures become one line on stderr and exit code 1 (2 for usage), never a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from fanwen.crawl import CrawlError
        from fanwen.ingest import IngestError
        from fanwen.store import CorpusError
        from crawler.siteconfig import SiteConfigError
        try:
            return fn(*args, **kwargs)
        except (CorpusError, CrawlError, IngestError, SiteConfigError) as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.Error as exc:
            raise click.ClickException(f"SQL error: {exc}") from None
        except OSError as exc:
            raise click.ClickException(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}") from None
        except KeyboardInterrupt:
            click.echo("\ninterrupted; everything stored so far is kept", err=True)
            sys.exit(130)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fanwen")
def main():
    """Collect leader speeches from 范文 sites into a clean, deduplicated SQLite corpus."""


# ---------------------------------------------------------------------------------------------- crawling
def _print_crawl_summary(db: str, stats: dict, title: str) -> None:
    from fanwen.store import Corpus
    corpus = Corpus(db, readonly=True)
    q = lambda sql: corpus.db.execute(sql).fetchone()[0]  # noqa: E731
    click.echo(f"\n{title}")
    click.echo(f"  pages fetched      {stats.get('downloader/response_count', 0)}"
               f"  (requests {stats.get('downloader/request_count', 0)},"
               f" skipped as stored {stats.get('fanwen/skipped_known', 0)})")
    click.echo(f"  new documents      {stats.get('fanwen/new_documents', 0)}")
    click.echo(f"  documents in db    {q('SELECT count(*) FROM documents')}")
    click.echo(f"  clusters           {q('SELECT count(DISTINCT cluster_id) FROM documents')}")
    click.echo(f"  speeches           {q('SELECT count(*) FROM speeches')}")
    click.echo(f"  seconds            {stats.get('seconds')}")
    click.echo(f"  database           {db}")
    corpus.close()


@main.command()
@DB_OPTION
@click.option("--site", "sites", multiple=True, help="Site name from crawler/sites (repeatable); default: all.")
@click.option("--max-requests", type=int, default=0, help="Stop after this many page requests (0: no limit).")
@SEEDS_OPTION
@click.option("--bfs", is_flag=True, help="Plain breadth-first order instead of the focused crawl.")
@click.option("--jobdir", type=click.Path(file_okay=False), help="Scrapy JOBDIR: pause with Ctrl-C, resume later.")
@click.option("--workers", type=int, help="Extraction worker processes (default: CPU count).")
@click.option("--threshold", type=float, help="Relevance threshold for label 'speech'.")
@click.option("--log-level", default="WARNING", show_default=True)
@friendly_errors
def crawl(db, sites, max_requests, seeds, bfs, jobdir, workers, threshold, log_level):
    """Crawl the configured 范文 sites into the corpus (incremental: stored articles are not fetched again).

    Example: fanwen crawl --site caiyes --site sanweiyuan --max-requests 500
    """
    from fanwen.crawl import run_crawl
    stats = run_crawl(db, sites=list(sites) or None, max_requests=max_requests, seeds_dir=seeds, focused=not bfs,
                      jobdir=jobdir, workers=workers, threshold=threshold, log_level=log_level, progress=True)
    _print_crawl_summary(db, stats, "crawl finished")


@main.command()
@DB_OPTION
@click.option("--max-requests", type=int, default=0, help="Stop after this many page requests (0: no limit).")
@SEEDS_OPTION
@click.option("--bfs", is_flag=True, help="Plain breadth-first order instead of the focused crawl.")
@click.option("--log-level", default="WARNING", show_default=True)
@friendly_errors
def demo(db, max_requests, seeds, bfs, log_level):
    """Serve the bundled demo sites on 127.0.0.1 and crawl them into the corpus, then print a summary.

    Example: fanwen demo --db corpus.db
    """
    from fanwen.crawl import run_crawl
    stats = run_crawl(db, demo=True, max_requests=max_requests, seeds_dir=seeds, focused=not bfs,
                      log_level=log_level, progress=True)
    _print_crawl_summary(db, stats, "demo crawl finished")


# ---------------------------------------------------------------------------------------------- documents
def _process_items(items, db: str, seeds: str | None, workers: int | None, batch: int = 32) -> dict:
    """Run items through the worker pool and store them in batches, with a progress line."""
    import os
    from fanwen.store import Corpus
    from fanwen.workers import document_from_dict, make_pool, process_item

    corpus = Corpus(db)
    crawl_id = corpus.begin_crawl([], command="ingest")
    totals = {"new": 0, "skipped": 0, "duplicates": 0, "read": 0}
    status = "failed"
    pool = make_pool(workers or os.cpu_count() or 2, seeds_dir=seeds)
    try:
        pending: list = []

        def flush():
            if not pending:
                return
            docs = [document_from_dict(f.result()) for f, _ in pending]
            stats = corpus.add_documents(
                [(d, [tuple(p) for p in it.get("pages") or []]) for d, (_, it) in zip(docs, pending)], crawl_id)
            for k in ("new", "skipped", "duplicates"):
                totals[k] += stats[k]
            pending.clear()
            click.echo(f"\r  read {totals['read']}, stored {totals['new']} new documents", nl=False, err=True)

        for item in items:
            totals["read"] += 1
            pending.append((pool.submit(process_item, item), item))
            if len(pending) >= batch:
                flush()
        flush()
        status = "finished"
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        click.echo("", err=True)
        corpus.finish_crawl(crawl_id, status, requests=0, new_documents=totals["new"],
                            duplicates=totals["duplicates"], errors=0 if status == "finished" else 1)
        corpus.close()
    return totals


@main.command()
@click.argument("paths", nargs=-1, required=True)
@DB_OPTION
@click.option("--url-prefix", help="Base URL for saved .html files without <link rel=canonical> or og:url.")
@SEEDS_OPTION
@click.option("--workers", type=int, help="Worker processes (default: CPU count).")
@friendly_errors
def ingest(paths, db, url_prefix, seeds, workers):
    """Ingest saved pages: .html files or folders, .jsonl ({url, html} or {url, title?, text}), .warc(.gz).

    Example: fanwen ingest saved_pages/ --url-prefix http://www.example.cn/news/
    """
    from fanwen.ingest import check_inputs, iter_items
    check_inputs(list(paths))
    started = time.time()
    totals = _process_items(iter_items(list(paths), url_prefix=url_prefix), db, seeds, workers)
    click.echo(f"ingested {totals['read']} pages: {totals['new']} new documents, {totals['skipped']} already stored,"
               f" {totals['duplicates']} exact copies of stored text ({time.time() - started:.1f}s)")


@main.command()
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--url", help="The page's URL (picks the site's rules); default: canonical link or og:url.")
@click.option("--explain", is_flag=True, help="Also show which cleaning rules fired and why the label.")
@SEEDS_OPTION
@friendly_errors
def extract(file, url, explain, seeds):
    """One saved page -> its cleaned document as JSON on stdout. Touches no database.

    Example: fanwen extract page.html --url http://www.sanweiyuan.com/news/1.html
    """
    from fanwen import pipeline
    from fanwen.ingest import IngestError, decode_html, looks_binary, url_from_html
    from fanwen.relevance import load_model
    if file == "-":
        body = sys.stdin.buffer.read()
    else:
        path = Path(file)
        if not path.exists():
            raise IngestError(f"{file}: no such file")
        body = path.read_bytes()
    if looks_binary(body):
        raise IngestError(f"{file}: not an HTML file (binary content)")
    html = decode_html(body)
    url = url or url_from_html(html) or "http://unknown.invalid/"
    if seeds:
        pipeline.set_model(load_model(seeds))
    if explain:
        from cleaners.registry import EXPLAIN_SAMPLES
        EXPLAIN_SAMPLES["difflib"] = True  # exact samples of what each rule removed, only when asked
    from crawler.siteconfig import site_for_url
    site = site_for_url(url)  # demo pages (<domain>.test) get their site's config too
    try:
        doc = pipeline.process_pages([(url, html)], url=site.canonical_url(url) if site else url, site=site)
    finally:
        if explain:
            EXPLAIN_SAMPLES["difflib"] = False
    out = {k: v for k, v in doc.to_dict().items() if k not in ("raw_text", "fingerprint", "explain")}
    if explain:
        out["explain"] = doc.explain
    else:
        out.pop("rules", None)
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


@main.command()
@DB_OPTION
@SEEDS_OPTION
@click.option("--workers", type=int, help="Worker processes (default: CPU count).")
@friendly_errors
def reclean(db, seeds, workers):
    """Rebuild every derived column (text, flags, labels, clusters, FTS) from the stored raw pages; no fetching.

    Example: fanwen reclean --db corpus.db --seeds ../shared/seeds
    """
    import os
    from fanwen import dedup
    from fanwen.store import Corpus
    from fanwen.workers import document_from_dict, make_pool, process_item
    corpus = Corpus(db)
    rows = corpus.db.execute("SELECT id, url, site FROM documents ORDER BY id").fetchall()
    pool = make_pool(workers or os.cpu_count() or 2, seeds_dir=seeds)
    started = time.time()
    done = 0
    try:
        futures = []
        for doc_id, url, site in rows:
            pages = corpus.pages_of(doc_id)
            if pages:
                futures.append((doc_id, pool.submit(process_item, {"url": url, "site": site, "pages": pages})))
        updates = []
        for doc_id, fut in futures:
            updates.append((doc_id, document_from_dict(fut.result())))
            done += 1
            if done % 20 == 0:
                click.echo(f"\r  recleaned {done}/{len(futures)}", nl=False, err=True)
        corpus.replace_derived(updates)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    corpus.rebuild_fts()
    stats = dedup.rebuild(corpus.db)
    click.echo(f"\rrecleaned {done} documents from stored pages in {time.time() - started:.1f}s; clusters rebuilt "
               f"({json.dumps(stats, ensure_ascii=False)})")


@main.command(name="dedup")
@DB_OPTION
@click.option("--rebuild", is_flag=True, help="Recompute all clusters and links from scratch.")
@friendly_errors
def dedup_cmd(db, rebuild):
    """Show near-duplicate clustering figures, or recompute them with --rebuild.

    Example: fanwen dedup --rebuild
    """
    from fanwen import dedup
    from fanwen.store import Corpus
    corpus = Corpus(db)
    if rebuild:
        with corpus.db.conn:
            stats = dedup.rebuild(corpus.db)
        click.echo(f"rebuilt clusters: {json.dumps(stats, ensure_ascii=False)}")
    q = lambda sql: corpus.db.execute(sql).fetchone()[0]  # noqa: E731
    click.echo(f"documents {q('SELECT count(*) FROM documents')}, clusters "
               f"{q('SELECT count(DISTINCT cluster_id) FROM documents')}, links {q('SELECT count(*) FROM links')}")


# ---------------------------------------------------------------------------------------------- reading
def _emit(rows: list[dict], columns: list[str], as_json: bool, as_csv: bool) -> None:
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
        width = {c: min(40, max(len(c), *(len(_cell(r.get(c))) for r in rows))) for c in columns}
        click.echo("  ".join(c.ljust(width[c]) for c in columns))
        click.echo("  ".join("-" * width[c] for c in columns))
        for r in rows:
            click.echo("  ".join(_cell(r.get(c))[: width[c]].ljust(width[c]) for c in columns))


def _cell(v) -> str:
    return "" if v is None else str(v).replace("\n", " ")


def _run_query(db: str, sql: str, params=()) -> tuple[list[dict], list[str]]:
    from fanwen.store import Corpus
    corpus = Corpus(db, readonly=True)
    try:
        cur = corpus.db.execute(sql, params)
        columns = [d[0] for d in cur.description or []]
        rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    finally:
        corpus.close()
    return rows, columns


@main.command()
@click.argument("sql")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Rows as a JSON array.")
@click.option("--csv", "as_csv", is_flag=True, help="Rows as CSV.")
@friendly_errors
def query(sql, db, as_json, as_csv):
    """Run read-only SQL against the corpus (a table by default).

    Example: fanwen query "SELECT site, count(*) AS n FROM speeches GROUP BY site"
    """
    rows, columns = _run_query(db, sql)
    _emit(rows, columns, as_json, as_csv)


@main.command()
@click.argument("words", nargs=-1, required=True)
@DB_OPTION
@click.option("--all", "all_docs", is_flag=True, help="Search every document, not just the speeches.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def search(words, db, all_docs, limit, as_json):
    """Full-text search for Chinese words of any length; prints the MATCH expression it used.

    Example: fanwen search 营商环境 招商
    """
    from fanwen.fts import fts_query
    match = fts_query(" ".join(words))
    table = "documents" if all_docs else "speeches"
    sql = (f"SELECT id, site, title, chars FROM {table} WHERE id IN "
           f"(SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?) ORDER BY id LIMIT ?")
    rows, columns = _run_query(db, sql, (match, limit))
    if not as_json:
        click.echo(f"-- documents_fts MATCH '{match}'", err=True)
    _emit(rows, columns, as_json, False)


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True)
@friendly_errors
def stats(db, as_json):
    """Counts per site and per label, clusters, and the last crawls.

    Example: fanwen stats --db corpus.db
    """
    per_site, _ = _run_query(db, """
        SELECT site, count(*) AS documents, sum(label = 'speech') AS speech, sum(label = 'other_speech') AS other_speech,
               sum(label = 'other') AS other, sum(is_canonical AND label = 'speech') AS canonical_speeches,
               sum(truncated) AS truncated
        FROM documents GROUP BY site ORDER BY documents DESC""")
    totals, _ = _run_query(db, """
        SELECT count(*) AS documents, count(DISTINCT cluster_id) AS clusters,
               (SELECT count(*) FROM speeches) AS speeches FROM documents""")
    crawls, ccols = _run_query(db, "SELECT id, started_at, finished_at, command, sites, requests, new_documents, "
                                   "duplicates, errors, status FROM crawls ORDER BY id DESC LIMIT 5")
    if as_json:
        click.echo(json.dumps({"totals": totals[0], "sites": per_site, "crawls": crawls}, ensure_ascii=False,
                              indent=2))
        return
    t = totals[0]
    click.echo(f"{t['documents']} documents, {t['clusters']} clusters, {t['speeches']} speeches\n")
    _emit(per_site, ["site", "documents", "speech", "other_speech", "other", "canonical_speeches", "truncated"],
          False, False)
    click.echo("\nlast crawls:")
    _emit(crawls, ccols, False, False)


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
    rows, columns = _run_query(db, f"SELECT * FROM {what}")
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
    if not Path(db).exists():
        raise click.ClickException(f"{db}: no such database (run `fanwen demo` or `fanwen crawl` first)")
    run(db, host=host, port=port)


if __name__ == "__main__":
    main()
