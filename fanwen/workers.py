"""Worker processes for the CPU stages (extract -> clean -> normalise -> classify).

trafilatura takes tens of milliseconds a page; in worker processes it never stalls the crawler's reactor, and
`ingest` uses every core. Each worker loads the site configs and the relevance model once.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor

from crawler.siteconfig import SiteConfig, load_sites, site_for_url
from fanwen.lifeline import die_with_parent

# Bounds on the work one page may cost: a runaway page is dropped (the caller counts it), the crawl keeps moving.
MAX_PAGE_CHARS = 1_000_000  # HTML characters per page; a speech page is well under 500,000 (see benchmarks/page_bounds.py)
EXTRACT_TIMEOUT = 30.0  # seconds of CPU stages per item (extract -> clean -> classify)
# Workers run below the parent's priority. The parent (the single writer, the crawler's reactor) is one thread on
# the critical path: with two workers and the writer runnable on two cores, the scheduler gave each ~2/3 of a core
# and the writer, not the cores, set the pace. Niced workers take what the parent leaves, and as the next batches
# are always queued they are never the ones waited for.
WORKER_NICE = 5

_sites: dict[str, SiteConfig] = {}
_corpus = None  # the corpus being written, read-only (fanwen.dedup.precheck.CommittedCorpus), if the pool has one
_bounds = {"max_chars": MAX_PAGE_CHARS, "timeout": EXTRACT_TIMEOUT}
# Python prints and drops an exception raised in a finaliser or weakref callback ("Exception ignored in ..."): an
# alarm landing there would be lost and the page would run on unbounded. So the timer re-fires every
# ALARM_REPEAT seconds until the item ends, and an item whose deadline passed is a timeout even if it finished.
ALARM_REPEAT = 0.05
_deadline = {"armed": False, "expired": False}


class PageTooLarge(ValueError):
    pass


class PageTimeout(BaseException):
    """Not an Exception: library code's `except Exception` (trafilatura has many) must not swallow the alarm."""


def _on_alarm(signum, frame):
    if not _deadline["armed"]:  # a repeat after the item ended
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    _deadline["expired"] = True
    raise _timeout()


def _timeout() -> PageTimeout:
    return PageTimeout(f"extraction took longer than {_bounds['timeout']:g} s")


def _init(sites_dir: str | None, demo_suffix: str | None, seeds_dir: str | None, threshold: float,
          max_chars: int = MAX_PAGE_CHARS, timeout: float = EXTRACT_TIMEOUT, corpus: str | None = None) -> None:
    global _sites, _corpus
    die_with_parent()  # a worker never outlives the crawl (or ingest) that started it, even after a kill -9
    try:
        os.nice(WORKER_NICE)
    except OSError:  # not permitted here: run at the parent's priority
        pass
    from fanwen import pipeline
    from fanwen.relevance import load_model

    _bounds.update(max_chars=max_chars, timeout=timeout)
    if timeout:
        signal.signal(signal.SIGALRM, _on_alarm)

    sites = load_sites(sites_dir)
    _sites = {n: (c.rehost(demo_suffix) if demo_suffix else c) for n, c in sites.items()}
    pipeline.set_model(load_model(seeds_dir, threshold=threshold))
    if corpus:
        from fanwen.dedup.precheck import CommittedCorpus
        _corpus = CommittedCorpus(corpus)


def _site(name: str | None, url: str) -> SiteConfig | None:
    if name and name in _sites:
        return _sites[name]
    return site_for_url(url, _sites or None)


def process_item(item: dict) -> dict:
    """An item {url, site, pages: [(url, html)]} or {url, site, title, text} -> the document as a dict.

    Raises PageTooLarge before extraction for a page past the size cap, PageTimeout when the stages run too long.
    """
    size = sum(len(p[1]) for p in item.get("pages") or []) + len(item.get("text") or "")
    if _bounds["max_chars"] and size > _bounds["max_chars"]:
        raise PageTooLarge(f"page too large to extract ({size:,} characters, limit {_bounds['max_chars']:,})")
    timeout = _bounds["timeout"] if multiprocessing.parent_process() is not None else 0
    if timeout:
        _deadline.update(armed=True, expired=False)
        signal.setitimer(signal.ITIMER_REAL, timeout, ALARM_REPEAT)
    try:
        doc = _process(item)
    finally:
        if timeout:
            _deadline["armed"] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    if timeout and _deadline["expired"]:  # the alarm was raised where Python ignores exceptions
        raise _timeout()
    return doc


def process_items(items: list[dict]) -> list[tuple[bool, object]]:
    """process_item over a chunk: (True, document dict) or (False, the exception) per item, in order.

    One task per chunk, not per item: the pool's feeder thread in the parent competes for the GIL with the writer,
    and a worker handed one ~5 ms item at a time sits idle between feeds.
    """
    out: list[tuple[bool, object]] = []
    for item in items:
        try:
            out.append((True, process_item(item)))
        except (Exception, PageTimeout) as exc:
            out.append((False, exc))
    return out


def _process(item: dict) -> dict:
    from fanwen import pipeline

    site = _site(item.get("site"), item["url"])
    if item.get("pages"):
        doc = pipeline.process_pages([tuple(p) for p in item["pages"]], url=item["url"], site=site)
    else:
        doc = pipeline.process_text(item["url"], item.get("text", ""), item.get("title", ""), site=site)
    if item.get("site") and not site:
        doc.site = item["site"]
    if doc.fingerprint and not doc.unusable:  # the writer's dedup work that needs nothing stored: done here
        from fanwen.dedup.sketch import prepare
        doc.dedup_sketch = prepare(doc.fingerprint, doc.content_hash)
        if _corpus is not None:  # and its comparisons with the documents already committed
            doc.dedup_checked = _corpus.check(doc.fingerprint, doc.content_hash, doc.dedup_sketch)
    doc.seen_urls = [tuple(u) for u in item.get("seen_urls") or []]
    return doc.to_dict()


def make_pool(workers: int, sites_dir: str | None = None, demo_suffix: str | None = None,
              seeds_dir: str | None = None, threshold: float = 0.5, max_chars: int = MAX_PAGE_CHARS,
              timeout: float = EXTRACT_TIMEOUT, corpus: str | None = None) -> ProcessPoolExecutor:
    """`corpus`: the path of the corpus the parent writes, if any; the workers then compare each new document with
    its candidates already stored there (fanwen.dedup.precheck), which the single writer would do otherwise."""
    # spawn, not fork: the parent runs a reactor and threads that a fork would copy mid-flight
    ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx, initializer=_init,
                               initargs=(sites_dir, demo_suffix, seeds_dir, threshold, max_chars, timeout, corpus))


def document_from_dict(d: dict):
    from cleaners.document import Document

    fields = Document.__dataclass_fields__
    return Document(**{k: v for k, v in d.items() if k in fields})
