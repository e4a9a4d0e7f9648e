"""Worker processes for the CPU stages (extract -> clean -> normalise -> classify).

trafilatura takes tens of milliseconds a page; in worker processes it never stalls the crawler's reactor, and
`ingest` uses every core. Each worker loads the site configs and the relevance model once.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from crawler.siteconfig import SiteConfig, load_sites, site_for_url

_sites: dict[str, SiteConfig] = {}


def _init(sites_dir: str | None, demo_suffix: str | None, seeds_dir: str | None, threshold: float) -> None:
    global _sites
    from fanwen import pipeline
    from fanwen.relevance import load_model

    sites = load_sites(sites_dir)
    _sites = {n: (c.rehost(demo_suffix) if demo_suffix else c) for n, c in sites.items()}
    pipeline.set_model(load_model(seeds_dir, threshold=threshold))


def _site(name: str | None, url: str) -> SiteConfig | None:
    if name and name in _sites:
        return _sites[name]
    return site_for_url(url, _sites or None)


def process_item(item: dict) -> dict:
    """An item {url, site, pages: [(url, html)]} or {url, site, title, text} -> the document as a dict."""
    from fanwen import pipeline

    site = _site(item.get("site"), item["url"])
    if item.get("pages"):
        doc = pipeline.process_pages([tuple(p) for p in item["pages"]], url=item["url"], site=site)
    else:
        doc = pipeline.process_text(item["url"], item.get("text", ""), item.get("title", ""), site=site)
    if item.get("site") and not site:
        doc.site = item["site"]
    doc.seen_urls = [tuple(u) for u in item.get("seen_urls") or []]
    return doc.to_dict()


def make_pool(workers: int, sites_dir: str | None = None, demo_suffix: str | None = None,
              seeds_dir: str | None = None, threshold: float = 0.5) -> ProcessPoolExecutor:
    # spawn, not fork: the parent runs a reactor and threads that a fork would copy mid-flight
    ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx, initializer=_init,
                               initargs=(sites_dir, demo_suffix, seeds_dir, threshold))


def document_from_dict(d: dict):
    from cleaners.document import Document

    fields = Document.__dataclass_fields__
    return Document(**{k: v for k, v in d.items() if k in fields})
