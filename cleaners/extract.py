"""Extract stage: HTML -> Document (title, main text, date, site name) with trafilatura and htmldate.

`extract_pages(pages)` is the entry point: pages of one article, in order, each `(url, html)`; `html` may be `str`
or `bytes` (bytes go through `cleaners.decode`, the one decoder; `fanwen.pipeline` decodes before calling this).
"""
from __future__ import annotations

import re

import lxml.etree
import lxml.html
import trafilatura
from htmldate import find_date

from cleaners.decode import decode_html  # the one decoder (cleaners.decode); text passes through
from cleaners.document import Document
from cleaners.patterns import PAYWALL, squash


def _bare(html: str, url: str, **opts) -> dict:
    kw = {"with_metadata": True, "include_comments": False, "deduplicate": False, **opts}
    try:
        result = trafilatura.bare_extraction(html, url=url, **kw)
    except Exception:  # trafilatura raises on some broken markup: treat as nothing extracted
        return {}
    if result is None:
        return {}
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    if opts.get("include_comments") and (data.get("comments") or "").strip():
        data["text"] = (data.get("text") or "").rstrip("\n") + "\n" + data["comments"]
    return data


_WORD = re.compile(r"[\w\u3400-\u9fff]")


def _size(text: str) -> int:
    return len(_WORD.findall(text or ""))


def main_text(html: str, url: str) -> tuple[str, dict, dict]:
    """(text, trafilatura metadata, how it was chosen). Three opinions on where the main text is:

    1. trafilatura favouring precision (comments included: on a forum they are the content);
    2. when that returns almost nothing (< 100 characters), trafilatura with its defaults;
    3. the density pass (`cleaners.density`): when its region is a list of repeated post-like blocks (a thread, a Q&A
       page, a comment list) and holds more text than trafilatura kept, its text is used instead.
    """
    data = _bare(html, url, include_tables=True, favor_precision=True, include_comments=True)
    text = data.get("text") or ""
    how = {"extractor": "trafilatura-precision"}
    if _size(text) < 100:
        other = _bare(html, url, include_tables=True, include_comments=True)
        if _size(other.get("text") or "") >= _size(text):
            text, how = other.get("text") or "", {"extractor": "trafilatura-default"}
            data = {**other, **{k: v for k, v in data.items() if isinstance(v, str) and v and k != "text"}}
    try:
        from cleaners.density import density_region

        dense, info = density_region(html, 0.75)
    except Exception:  # the density pass is a second opinion: never let it fail an extraction
        dense, info = "", {}
    if info.get("repeats", 0) >= 2 and _size(dense) > _size(text):
        how = {"extractor": "density", "repeats": info["repeats"], "trafilatura_chars": _size(text)}
        text = dense
    return text, data, how


def _visible_text(html: str) -> str:
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return squash(tree.text_content())


def paywall_after_text(html: str, text: str, reach: int = 80) -> str | None:
    """A paywall notice (阅读全文, 您需要先登陆, 预览结束 …) right after the main text on the page, or None.

    Such notices usually sit in their own box that the extractor drops, so the cleaners never see them; only one
    within `reach` characters after the text's end counts (a "阅读全文" link in a sidebar says nothing).
    """
    tail = squash(text)[-20:]
    if len(tail) < 8:
        return None
    page = _visible_text(html)
    at = page.rfind(tail)
    if at < 0:
        return None
    m = PAYWALL.search(page, at + len(tail), at + len(tail) + reach)
    return m.group(0) if m else None


def extract_page(html: str | bytes, url: str) -> Document:
    """One page's main text, title, date and site name. The text is the extractor's, before any cleaning."""
    html = decode_html(html)
    doc = Document(url=url, page_urls=[url])
    text, data, how = main_text(html, url)
    marker = paywall_after_text(html, text)
    if marker:
        how["paywall_after_text"] = marker
    doc.raw_title = (data.get("title") or "").strip()
    doc.raw_text = text
    doc.site_name = data.get("sitename")
    doc.explain["extract"] = how
    doc.published = page_date(html, url) or _plausible(data.get("date"), html)
    return doc


def _plausible(date: str | None, html: str) -> str | None:
    """htmldate's answer, unless it is a bare year guess (YYYY-01-01 from a copyright line) the page never states."""
    if not date or not re.match(r"^\d{4}-\d{2}-\d{2}$", date):
        return None
    y, m, d = date.split("-")
    if (m, d) == ("01", "01"):
        forms = (date, f"{y}-1-1", f"{y}/1/1", f"{y}/01/01", f"{y}年1月1日", f"{y}年01月01日", f"{y}.01.01")
        if not any(f in html for f in forms):
            return None
    return date


def page_date(html: str, url: str) -> str | None:
    """The publication date htmldate finds in the page (meta tags, URL, date lines), or None."""
    try:
        found = find_date(html, url=url, original_date=True, extensive_search=False)
    except Exception:  # htmldate raises on odd markup; a missing date is not an error
        return None
    return _plausible(found, html)


def extract_pages(pages: list[tuple[str, str | bytes]]) -> Document:
    """A document split over several pages: page 1 gives title and date, the texts are joined in order."""
    if not pages:
        raise ValueError("no pages to extract")
    first = extract_page(pages[0][1], pages[0][0])
    for url, html in pages[1:]:
        more = extract_page(html, url)
        first.raw_text = first.raw_text.rstrip("\n") + "\n" + more.raw_text.lstrip("\n")
        first.page_urls.append(url)
        # only the last page's paywall notice says where the copy stops
        first.explain["extract"].pop("paywall_after_text", None)
        if more.explain.get("extract", {}).get("paywall_after_text"):
            first.explain["extract"]["paywall_after_text"] = more.explain["extract"]["paywall_after_text"]
    return first
