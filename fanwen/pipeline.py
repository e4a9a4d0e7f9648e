"""The one way through for a page: extract -> clean -> normalise -> classify.

Pure CPU work with no I/O, run in worker processes (see `fanwen.workers`) so that the crawler's reactor thread
never waits on parsing. Dedup and storage come after, in the single writer (`fanwen.store`).
"""
from __future__ import annotations

from cleaners.document import Document
from cleaners.extract import extract_pages
from cleaners.fingerprint import content_hash, fingerprint_text
from cleaners.rules import clean_document
from crawler.siteconfig import SiteConfig, site_for_url
from fanwen.relevance import RelevanceModel, load_model

_model: RelevanceModel | None = None


def set_model(model: RelevanceModel) -> None:
    global _model
    _model = model


def get_model() -> RelevanceModel:
    global _model
    if _model is None:
        _model = load_model()
    return _model


def _site(url: str, site: SiteConfig | None) -> SiteConfig | None:
    return site if site is not None else site_for_url(url)


def finish(doc: Document, site: SiteConfig | None) -> Document:
    """clean -> normalise -> classify, for a document whose raw title/text are set."""
    site = _site(doc.url, site)
    doc.site = doc.site or (site.name if site else (doc.url.split("/")[2] if "//" in doc.url else ""))
    clean_document(doc, site.clean if site else None)
    doc.fingerprint = fingerprint_text(doc.text)
    doc.content_hash = content_hash(doc.fingerprint)
    label, score, why = get_model().classify(doc.title, doc.text)
    doc.label, doc.relevance = label, round(float(score), 4)
    doc.explain.setdefault("relevance", why)
    return doc


def process_pages(pages: list[tuple[str, str]], url: str | None = None, site: SiteConfig | None = None) -> Document:
    """Pages (url, html) of one article, in order -> the finished document (stored under `url`, the canonical URL)."""
    site = _site(url or (pages[0][0] if pages else ""), site)
    doc = extract_pages(pages, site.clean if site else None)
    if url:
        doc.url = url
    return finish(doc, site)


def process_text(url: str, text: str, title: str = "", site: SiteConfig | None = None) -> Document:
    """Text input (ingested .jsonl with `text`): skips extraction, goes straight to the cleaners."""
    doc = Document(url=url, page_urls=[url], raw_title=title, raw_text=text)
    return finish(doc, site)
