"""The `fanwen` command: crawl, demo, ingest, extract, reclean, dedup, query, search, stats, export, serve."""
from __future__ import annotations

import csv
import functools
import json
import os
import sqlite3
import sys
import time
import unicodedata
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
        try:
            result = fn(*args, **kwargs)
            sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at interpreter exit
            return result
        except BrokenPipeError:
            _quiet_broken_pipe()
        except sqlite3.Error as exc:
            raise click.ClickException(f"SQL error: {exc}") from None
        except OSError as exc:
            raise click.ClickException(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}") from None
        except KeyboardInterrupt:
            click.echo("\ninterrupted; everything stored so far is kept", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # the command's own one-line message or exit code
        except Exception as exc:
            if _known_error(exc):
                raise click.ClickException(str(exc)) from None
            if os.environ.get("FANWEN_DEBUG"):
                raise
            # a bug, not bad input: still one line (what is stored stays stored), the traceback on request
            raise click.ClickException(f"internal error: {type(exc).__name__}: {exc} (FANWEN_DEBUG=1 shows the "
                                       f"traceback; please report it)") from None
    return wrapper


# the errors that name bad input or a bad database; looked up in the modules already loaded (one that raised was
# loaded), so that no command imports the crawler or the store just to be able to catch their errors
_KNOWN_ERRORS = (("fanwen.crawl", "CrawlError"), ("fanwen.ingest", "IngestError"), ("fanwen.store", "CorpusError"),
                 ("crawler.siteconfig", "SiteConfigError"), ("fanwen.distributed", "DistributedError"))


def _known_error(exc: Exception) -> bool:
    return any(isinstance(exc, getattr(sys.modules[mod], name)) for mod, name in _KNOWN_ERRORS if mod in sys.modules)


def _quiet_broken_pipe() -> None:
    """`fanwen export | head`: the reader left, so stop quietly (nothing more to say, nobody to say it to)."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's final flush of stdout must not fail again
    except (OSError, ValueError):
        pass
    sys.exit(0)


def _existing_db(db: str) -> None:
    """Commands that change a corpus refuse a missing one (a mistyped --db must not create an empty database)."""
    from fanwen.store import CorpusError
    if not Path(db).exists():
        raise CorpusError(f"{db}: no such database (run `fanwen demo` or `fanwen crawl` first)")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fanwen")
def main():
    """Collect leader speeches from 范文 sites into a clean, deduplicated SQLite corpus."""


REDIS_OPTION = click.option("--redis", "redis_url", metavar="URL",
                            help="Distributed crawl on scrapy-redis, e.g. redis://127.0.0.1:6379/0.")
FAIL_ON_ALERT_OPTION = click.option("--fail-on-alert", is_flag=True,
                                    help="Exit with code 3 when a site's yield alert fires (for cron).")


# ---------------------------------------------------------------------------------------------- crawling
def _report_alerts(db: str, crawl_id, fail_on_alert: bool) -> None:
    """Yield alerts of the crawl on stderr; exit code 3 with --fail-on-alert."""
    from fanwen import health
    from fanwen.store import Corpus
    if crawl_id is None:
        return
    corpus = Corpus(db, readonly=True)
    try:
        alerts = health.crawl_alerts(corpus.db, int(crawl_id))
    finally:
        corpus.close()
    for line in alerts:
        click.echo(f"ALERT {line}", err=True)
    if alerts and fail_on_alert:
        sys.exit(3)


def _print_crawl_summary(db: str, stats: dict, title: str) -> None:
    from fanwen.store import Corpus
    corpus = Corpus(db, readonly=True)
    q = lambda sql: corpus.db.execute(sql).fetchone()[0]  # noqa: E731
    click.echo(f"\n{title}")
    click.echo(f"  pages fetched      {stats.get('downloader/response_count', 0)}"
               f"  (requests {stats.get('downloader/request_count', 0)},"
               f" skipped as stored {stats.get('fanwen/skipped_known', 0)})")
    click.echo(f"  new documents      {stats.get('fanwen/new_documents', 0)}")
    if stats.get("fanwen/unusable_pages"):
        kinds = ", ".join(f"{k.rsplit('/', 1)[1]} {v}" for k, v in sorted(stats.items())
                          if k.startswith("fanwen/unusable/"))
        click.echo(f"  unusable pages     {stats['fanwen/unusable_pages']}  (not stored: {kinds})")
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
@click.option("--sites-dir", type=click.Path(file_okay=False), envvar="FANWEN_SITES_DIR",
              help="Folder of your own site configs (*.toml) instead of the bundled crawler/sites "
                   "[env: FANWEN_SITES_DIR].")
@REDIS_OPTION
@click.option("--demo-proxy", metavar="URL", help="Crawl the demo sites served at URL (`python -m fanwen.demo.server`)"
              " instead of the real ones; for trying a distributed crawl.")
@FAIL_ON_ALERT_OPTION
@friendly_errors
def crawl(db, sites, max_requests, seeds, bfs, jobdir, workers, threshold, log_level, sites_dir, redis_url, demo_proxy,
          fail_on_alert):
    """Crawl the configured 范文 sites into the corpus (incremental: stored articles are not fetched again).

    With --redis, this is one crawler process of a distributed crawl: it pushes finished documents to the writer
    (`fanwen write`) and never opens the database.

    Example: fanwen crawl --site caiyes --site sanweiyuan --max-requests 500
    """
    from fanwen.crawl import run_crawl
    options = dict(sites=list(sites) or None, max_requests=max_requests, seeds_dir=seeds, focused=not bfs,
                   jobdir=jobdir, workers=workers, threshold=threshold, log_level=log_level, progress=not redis_url,
                   demo=bool(demo_proxy), proxy=demo_proxy, sites_dir=sites_dir)
    if redis_url:
        from fanwen import distributed
        distributed.wait_for_crawl(redis_url)
        stats = run_crawl("", settings=distributed.crawl_settings(redis_url), **options)
        if stats.get("finish_reason") in ("redis_lost", "redis_unreachable"):
            raise distributed.DistributedError(f"{redis_url}: crawler stopped ({stats['finish_reason']}); start the "
                                               f"writer again, then the crawlers")
        click.echo(f"crawler finished ({stats.get('finish_reason')}): {stats.get('downloader/request_count', 0)} "
                   f"requests, {stats.get('fanwen/pushed_items', 0)} documents pushed to the writer, "
                   f"{stats.get('seconds')}s")
        return
    stats = run_crawl(db, **options)
    _print_crawl_summary(db, stats, "crawl finished")
    _report_alerts(db, stats.get("fanwen/crawl_id"), fail_on_alert)


@main.command()
@DB_OPTION
@click.option("--redis", "redis_url", required=True, metavar="URL", help="The Redis of the distributed crawl.")
@click.option("--batch", type=int, default=64, show_default=True, help="Documents per transaction.")
@FAIL_ON_ALERT_OPTION
@friendly_errors
def write(db, redis_url, batch, fail_on_alert):
    """The single writer of a distributed crawl: begins the crawl, stores what the crawlers push, ends the crawl.

    Run it beside the database, then `fanwen crawl --redis URL` anywhere. It exits when no crawler is left and
    nothing is left to fetch or store; killed, it is simply started again (nothing is lost or stored twice).

    Example: fanwen write --redis redis://127.0.0.1:6379/0 --db corpus.db
    """
    from fanwen.distributed import run_writer
    started = time.time()
    totals = run_writer(redis_url, db, batch=batch, progress=True)
    click.echo("", err=True)
    totals["seconds"] = round(time.time() - started, 2)
    requests = _run_query(db, "SELECT requests FROM crawls WHERE id = ?", [totals["crawl_id"]])[0][0]["requests"]
    _print_crawl_summary(db, {"fanwen/new_documents": totals["new"], "seconds": totals["seconds"],
                              "downloader/request_count": requests, "downloader/response_count": requests},
                         f"distributed crawl {totals['crawl_id']} {totals['status']}")
    _report_alerts(db, totals["crawl_id"], fail_on_alert)


@main.command()
@DB_OPTION
@click.option("--max-requests", type=int, default=0, help="Stop after this many page requests (0: no limit).")
@SEEDS_OPTION
@click.option("--bfs", is_flag=True, help="Plain breadth-first order instead of the focused crawl.")
@click.option("--log-level", default="WARNING", show_default=True)
@REDIS_OPTION
@click.option("--crawlers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="With --redis: crawler processes to run beside the writer.")
@FAIL_ON_ALERT_OPTION
@friendly_errors
def demo(db, max_requests, seeds, bfs, log_level, redis_url, crawlers, fail_on_alert):
    """Serve the bundled demo sites on 127.0.0.1 and crawl them into the corpus, then print a summary.

    With --redis URL, N crawler processes and one writer (this process) share the crawl through Redis.

    Example: fanwen demo --db corpus.db
    """
    if redis_url:
        from fanwen.distributed import run_demo
        totals = run_demo(redis_url, db, crawlers=crawlers, max_requests=max_requests, seeds_dir=seeds,
                          focused=not bfs, log_level=log_level, progress=True)
        click.echo("", err=True)
        requests = sum(s.get("downloader/request_count", 0) for s in totals["crawler_stats"])
        _print_crawl_summary(db, {"fanwen/new_documents": totals["new"], "seconds": totals["seconds"],
                                  "downloader/request_count": requests, "downloader/response_count": requests},
                             f"distributed demo crawl {totals['status']} ({crawlers} crawlers, 1 writer)")
        _report_alerts(db, totals["crawl_id"], fail_on_alert)
        return
    from fanwen.crawl import run_crawl
    stats = run_crawl(db, demo=True, max_requests=max_requests, seeds_dir=seeds, focused=not bfs,
                      log_level=log_level, progress=True)
    _print_crawl_summary(db, stats, "demo crawl finished")
    _report_alerts(db, stats.get("fanwen/crawl_id"), fail_on_alert)


# ---------------------------------------------------------------------------------------------- documents
PAGE_ITEM_WEIGHT = 8  # an item with pages in chunk units (a text is 1): 2 pages per chunk


def _process_items(items, db: str, seeds: str | None, workers: int | None, batch: int = 64, chunk: int = 16) -> dict:
    """Run items through the worker pool and store them in batches (one transaction each), with a progress line.

    The workers always have the next batches queued while the writer stores this one: results are collected in
    order, oldest batch first, with up to three batches in flight, so extraction and storing overlap. Items go to the
    workers in chunks (`fanwen.workers.process_items`), so that a worker is not left waiting for the parent between
    short items: a chunk is `chunk` text items or fewer pages (an item with pages weighs PAGE_ITEM_WEIGHT: a page
    costs ~10x a text, and a chunk of 16 pages left one worker alone for a second or more at the end). Pages that
    are no document (`Document.unusable`: empty, binary, blank, garbled, no main text) are counted, not stored."""
    import os
    from collections import deque
    from fanwen.lock import acquire_writer
    from fanwen.store import Corpus
    from fanwen.workers import PageTimeout, PageTooLarge, document_from_dict, make_pool, process_items

    lock = acquire_writer(db, "ingest")
    corpus = Corpus(db)
    crawl_id = corpus.begin_crawl([], command="ingest")
    lock.note(crawl_id=crawl_id)
    from cleaners.usable import unusable_kind

    totals = {"new": 0, "skipped": 0, "duplicates": 0, "read": 0, "candidates": 0, "unusable": 0,
              "unusable_kinds": {}, "dropped": 0}
    status = "failed"
    pool = make_pool(workers or os.cpu_count() or 2, seeds_dir=seeds, corpus=db)
    try:
        inflight: deque = deque()  # (future of a chunk's results, the chunk's items), oldest first
        pending: list = []  # items read, not yet handed to the workers

        def submit_pending():
            if pending:
                inflight.append((pool.submit(process_items, list(pending)), list(pending)))
                pending.clear()

        def store_oldest():
            part, n = [], 0
            while inflight and n < batch:  # the oldest chunks, about one batch of items
                part.append(inflight.popleft())
                n += len(part[-1][1])
            batch_docs = []
            for f, chunk_items in part:
                for it, (ok, value) in zip(chunk_items, f.result()):
                    if not ok:
                        if isinstance(value, (PageTooLarge, PageTimeout)):  # bounded work per page: drop it
                            totals["dropped"] += 1
                            click.echo(f"\n  {it['url']}: dropped, {value}", err=True)
                            continue
                        raise value
                    d = document_from_dict(value)
                    if d.unusable:  # empty, binary, garbled, no main text: counted, never stored as a document
                        totals["unusable"] += 1
                        kind = unusable_kind(d.unusable)
                        totals["unusable_kinds"][kind] = totals["unusable_kinds"].get(kind, 0) + 1
                        continue
                    batch_docs.append((d, [tuple(p) for p in it.get("pages") or []]))
            stats = corpus.add_documents(batch_docs, crawl_id)
            for k in ("new", "skipped", "duplicates"):
                totals[k] += stats[k]
            for k in ("candidates", "prechecked"):  # prechecked: of the candidates, those the workers compared
                totals[k] = totals.get(k, 0) + stats.get("dedup", {}).get(k, 0)
            for k in ("cpu_fts", "cpu_dedup"):
                totals[k] = totals.get(k, 0.0) + stats.get("dedup", {}).get(k, 0.0)
            click.echo(f"\r  read {totals['read']}, stored {totals['new']} new documents", nl=False, err=True)

        from fanwen.ingest import IngestError
        try:
            for item in items:
                totals["read"] += 1
                pending.append(item)
                if sum(PAGE_ITEM_WEIGHT if it.get("pages") else 1 for it in pending) >= chunk:
                    submit_pending()
                    if sum(len(chunk_items) for _, chunk_items in inflight) >= 3 * batch:
                        store_oldest()
        except IngestError:
            submit_pending()
            while inflight:  # the good items read before the bad input are stored; the error is reported after
                store_oldest()
            raise
        submit_pending()
        while inflight:
            store_oldest()
        status = "finished"
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        click.echo("", err=True)
        corpus.finish_crawl(crawl_id, status, requests=0, new_documents=totals["new"],
                            duplicates=totals["duplicates"], errors=0 if status == "finished" else 1,
                            unusable=totals["unusable"])
        corpus.close()
        lock.release()
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
    unusable = ""
    if totals["unusable"]:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(totals["unusable_kinds"].items()))
        unusable = f", {totals['unusable']} unusable pages not stored ({kinds})"
    click.echo(f"ingested {totals['read']} pages: {totals['new']} new documents, {totals['skipped']} already stored,"
               f" {totals['duplicates']} exact copies of stored text{unusable}"
               + (f", {totals['dropped']} dropped (too large or too slow)" if totals.get("dropped") else "")
               + f" ({time.time() - started:.1f}s)")


@main.command()
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--url", help="The page's URL (picks the site's rules); default: canonical link or og:url.")
@click.option("--explain", is_flag=True, help="Also show how the page was decoded (encoding and why), which cleaning "
              "rules fired and why the label.")
@click.option("--content-type", help="The HTTP Content-Type the page was served with (its charset is one declaration "
              "the decoder weighs, as in a crawl).")
@SEEDS_OPTION
@friendly_errors
def extract(file, url, explain, content_type, seeds):
    """One saved page -> its cleaned document as JSON on stdout. Touches no database.

    A page that is no document (empty, blank, garbled, no main text) is printed with its `unusable` reason and the
    command exits 1: crawl and ingest would not store it.

    Example: fanwen extract page.html --url http://www.sanweiyuan.com/news/1.html
    """
    from cleaners.decode import decode_html, looks_binary
    from fanwen import pipeline
    from fanwen.ingest import IngestError, url_from_html
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
    html = decode_html(body, content_type)
    url = url or url_from_html(html) or "http://unknown.invalid/"
    if seeds:
        pipeline.set_model(load_model(seeds))
    if explain:
        from cleaners.registry import EXPLAIN_SAMPLES
        EXPLAIN_SAMPLES["difflib"] = True  # exact samples of what each rule removed, only when asked
    from crawler.siteconfig import site_for_url
    site = site_for_url(url)  # demo pages (<domain>.test) get their site's config too
    # the bytes go through the pipeline's decoder, as in a crawl, so --explain shows its decision
    try:
        doc = pipeline.process_pages([(url, body, content_type)], url=site.canonical_url(url) if site else url,
                                     site=site)
    finally:
        if explain:
            EXPLAIN_SAMPLES["difflib"] = False
    out = {k: v for k, v in doc.to_dict().items() if k not in ("raw_text", "fingerprint", "dedup_sketch", "dedup_checked", "explain", "seen_urls")}
    if explain:
        out["explain"] = doc.explain
    else:
        out.pop("rules", None)
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    if doc.unusable:
        raise click.ClickException(f"{file}: unusable page, would not be stored: {doc.unusable}")


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
    from fanwen.lock import acquire_writer
    from fanwen.workers import PageTimeout, PageTooLarge, document_from_dict, make_pool, process_item
    _existing_db(db)
    lock = acquire_writer(db, "reclean")
    corpus = Corpus(db)
    rows = corpus.db.execute("SELECT id, url, site FROM documents ORDER BY id").fetchall()
    pool = make_pool(workers or os.cpu_count() or 2, seeds_dir=seeds)
    started = time.time()
    done = 0
    try:
        futures = []
        for doc_id, url, site in rows:
            pages = corpus.stored_pages(doc_id)  # bytes as received (or an older row's text): decoded again
            if pages:
                futures.append((doc_id, pool.submit(process_item, {"url": url, "site": site, "pages": pages})))
        updates = []
        for doc_id, fut in futures:
            try:
                updates.append((doc_id, document_from_dict(fut.result())))
            except (PageTooLarge, PageTimeout) as exc:  # keeps its stored columns; the others go on
                click.echo(f"\n  document {doc_id}: not recleaned, {exc}", err=True)
            done += 1
            if done % 20 == 0:
                click.echo(f"\r  recleaned {done}/{len(futures)}", nl=False, err=True)
        corpus.replace_derived(updates)
        corpus.rebuild_fts()
        stats = dedup.rebuild(corpus.db)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        lock.release()
    unusable = sum(1 for _, d in updates if d.unusable)
    click.echo(f"\rrecleaned {done} documents from stored pages in {time.time() - started:.1f}s; clusters rebuilt "
               f"({json.dumps(stats, ensure_ascii=False)})")
    if unusable:
        click.echo(f"{unusable} stored documents are unusable as decoded now (garbled, no main text): kept, marked in "
                   f"documents.unusable, left out of speeches (their bytes were not kept: only a new fetch repairs "
                   f"them)")


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
    _existing_db(db)
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
    _existing_db(db)
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


# ---------------------------------------------------------------------------------------------- reading
CUT_MARK = "…"  # ends a table cell that was cut to --width


def _cols(value: str) -> int:
    """Terminal columns the text takes: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def _fit(value: str, width: int | None) -> str:
    """The cell cut to `width` columns, ending with CUT_MARK when something was cut, padded to the width."""
    if width is not None and _cols(value) > width:
        out, used = [], 0
        for ch in value:
            w = _cols(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        value = "".join(out) + CUT_MARK
    return value + " " * max(0, (width or 0) - _cols(value))


def _emit(rows: list[dict], columns: list[str], as_json: bool, as_csv: bool, width: int | None = 40) -> None:
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
        widest = {c: max(_cols(c), *(_cols(_cell(r.get(c))) for r in rows)) for c in columns}
        shown = {c: widest[c] if width is None else min(max(width, _cols(c)), widest[c]) for c in columns}
        click.echo("  ".join(_fit(c, shown[c]) for c in columns).rstrip())
        click.echo("  ".join("-" * shown[c] for c in columns))
        for r in rows:
            click.echo("  ".join(_fit(_cell(r.get(c)), shown[c]) for c in columns).rstrip())


def _cell(v) -> str:
    return "" if v is None else str(v).replace("\n", " ")


def _run_query(db: str, sql: str, params=()) -> tuple[list[dict], list[str]]:
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
    rows, columns = _run_query(db, sql)
    _emit(rows, columns, as_json, as_csv, width=None if full else width)


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
    _emit(rows, columns, as_json, False)
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
    per_site, _ = _run_query(db, """
        SELECT site, count(*) AS documents, sum(label = 'speech') AS speech, sum(label = 'other_speech') AS other_speech,
               sum(label = 'other') AS other, sum(is_canonical AND label = 'speech') AS canonical_speeches,
               sum(truncated) AS truncated
        FROM documents GROUP BY site ORDER BY documents DESC""")
    totals, _ = _run_query(db, """
        SELECT count(*) AS documents, count(DISTINCT cluster_id) AS clusters,
               (SELECT count(*) FROM speeches) AS speeches FROM documents""")
    present = {r["name"] for r in _run_query(db, "SELECT name FROM pragma_table_info('crawls')")[0]}
    by_kind = ", error_counts, robots_blocked" if "error_counts" in present else ""  # older corpora lack them
    crawls, ccols = _run_query(db, "SELECT id, started_at, finished_at, command, sites, requests, new_documents, "
                                   f"duplicates, errors{by_kind}, status FROM crawls ORDER BY id DESC LIMIT 5")
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
        _emit(rows, ["site", "crawl_id", *health.COUNT_COLUMNS, "http_errors", "seconds"], False, False)
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
    from fanwen.store import Corpus, CorpusError
    if not Path(db).exists():
        raise click.ClickException(f"{db}: no such database (run `fanwen demo` or `fanwen crawl` first)")
    try:
        Corpus(db).close()  # brings an older corpus up to date (trigram index, document_urls) before serving it
    except CorpusError as exc:
        click.echo(f"note: {exc}; serving it as it is", err=True)
    run(db, host=host, port=port)


if __name__ == "__main__":
    main()
