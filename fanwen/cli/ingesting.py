"""`fanwen ingest`, `fanwen extract` and `fanwen reclean`: documents from saved pages and texts, through the worker
pool and the single writer."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from fanwen.cli.base import DB_OPTION, SEEDS_OPTION, friendly_errors, main, require_existing_db


PAGE_ITEM_WEIGHT = 8  # an item with pages in chunk units (a text is 1): 2 pages per chunk


def ingest_items(items, db: str, seeds: str | None, workers: int | None, batch: int = 64, chunk: int = 16) -> dict:
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
    totals = ingest_items(iter_items(list(paths), url_prefix=url_prefix), db, seeds, workers)
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
    require_existing_db(db)
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
