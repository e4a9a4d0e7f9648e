"""Extract stage: HTML -> Document (title, main text, date, site name) with trafilatura and htmldate."""
from __future__ import annotations

import trafilatura
from htmldate import find_date

from cleaners.document import Document


def extract_page(html: str, url: str) -> Document:
    """One page's main text, title, date and site name. The text is trafilatura's, before any cleaning."""
    result = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True,
        favor_recall=True, deduplicate=False,
    )
    doc = Document(url=url, page_urls=[url])
    if result is None:
        return doc
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    doc.raw_title = (data.get("title") or "").strip()
    doc.raw_text = data.get("text") or ""
    doc.site_name = data.get("sitename")
    try:
        doc.published = find_date(html, url=url, original_date=True, extensive_search=False) or data.get("date")
    except Exception:  # htmldate raises on odd markup; a missing date is not an error
        doc.published = data.get("date")
    return doc


def extract_pages(pages: list[tuple[str, str]]) -> Document:
    """A document split over several pages: page 1 gives title and date, the texts are joined in order."""
    if not pages:
        raise ValueError("no pages to extract")
    first = extract_page(pages[0][1], pages[0][0])
    for url, html in pages[1:]:
        more = extract_page(html, url)
        first.raw_text = first.raw_text.rstrip("\n") + "\n" + more.raw_text.lstrip("\n")
        first.page_urls.append(url)
    return first
