"""`fanwen crawl`, `fanwen write` (the writer of a distributed crawl) and `fanwen demo`."""
from __future__ import annotations

import sys
import time

import click

from fanwen.cli.base import DB_OPTION, FAIL_ON_ALERT_OPTION, REDIS_OPTION, SEEDS_OPTION, friendly_errors, main
from fanwen.cli.tables import run_query


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
    requests = run_query(db, "SELECT requests FROM crawls WHERE id = ?", [totals["crawl_id"]])[0][0]["requests"]
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
