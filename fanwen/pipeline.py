"""The one way through for a page: decode -> extract -> clean -> normalise -> classify.

Pages come as (url, body) or (url, body, content_type); `body` is the bytes as received (str for text input). Each
page is decoded by `cleaners.decode` (the decision goes into doc.explain["decode"]); a page that is no document
(empty, binary, blank, garbled, no main text: `cleaners.usable`) comes back with `doc.unusable` set and is not stored.

Pure CPU work with no I/O, run in worker processes (see `fanwen.workers`) so that the crawler's reactor thread
never waits on parsing. Dedup and storage come after, in the single writer (`fanwen.store`).
"""
from __future__ import annotations

from cleaners.decode import decode_page
from cleaners.document import Document
from cleaners.fingerprint import content_hash, fingerprint_text
from cleaners.rules import clean_document
from cleaners.usable import bytes_unusable, html_unusable, text_unusable
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
    doc.unusable = doc.unusable or text_unusable(doc.text)
    if doc.unusable:
        doc.explain["unusable"] = doc.unusable
    doc.fingerprint = fingerprint_text(doc.text)
    doc.content_hash = content_hash(doc.fingerprint)
    label, score, why = get_model().classify(doc.title, doc.text)
    doc.label, doc.relevance = label, round(float(score), 4)
    doc.explain.setdefault("relevance", why)
    return doc


def page_parts(page) -> tuple[str, bytes | str, str | None]:
    """(url, body) or (url, body, content_type) -> (url, body, content_type)."""
    url, body, *rest = page
    return url, body, (rest[0] if rest else None)


def decode_pages(pages) -> tuple[list[tuple[str, str]], list[dict], str | None]:
    """Decode every page; a later page that is empty or binary is left out (noted), page 1 decides the document."""
    texts, decisions = [], []
    for seq, page in enumerate(pages):
        url, body, ctype = page_parts(page)
        bad = bytes_unusable(body)
        if not bad:
            decoded = decode_page(body, ctype)
            decisions.append({"url": url, **decoded.as_dict()})
        if bad:
            if seq == 0:
                return [], decisions, bad
            decisions.append({"url": url, "left_out": bad})
            continue
        texts.append((url, decoded.text))
    return texts, decisions, None


def process_pages(pages: list[tuple], url: str | None = None, site: SiteConfig | None = None) -> Document:
    """Pages (url, body[, content_type]) of one article, in order -> the finished document (stored under `url`, the
    canonical URL); `doc.unusable` says why when the page is no document."""
    texts, decisions, bad = decode_pages(pages)
    if bad:
        doc = Document(url=url or page_parts(pages[0])[0], page_urls=[page_parts(p)[0] for p in pages], unusable=bad)
        config = _site(doc.url, site)
        doc.site = config.name if config else (doc.url.split("/")[2] if "//" in doc.url else "")
        doc.explain.update(decode=decisions, unusable=bad)
        return doc
    from cleaners.extract import extract_pages  # here: text ingest never loads trafilatura

    site = _site(url or texts[0][0], site)
    doc = extract_pages(texts, site.clean if site else None, decoded=True)  # decoded above: once
    doc.explain["decode"] = decisions
    if url:
        doc.url = url
    doc = finish(doc, site)
    if doc.unusable and doc.unusable.startswith("no main text"):
        doc.unusable = html_unusable(texts[0][1]) or doc.unusable  # say "blank" when the page shows nothing
        doc.explain["unusable"] = doc.unusable
    return doc


def process_text(url: str, text: str, title: str = "", site: SiteConfig | None = None) -> Document:
    """Text input (ingested .jsonl with `text`): skips extraction, goes straight to the cleaners."""
    doc = Document(url=url, page_urls=[url], raw_title=title, raw_text=text)
    return finish(doc, site)
