"""When a fetched page is no document at all: it is not stored, only counted (crawl stats, ingest summary).

The rules, in the order `fanwen.pipeline` applies them (the first that holds is the reason):

- ``empty body``: no bytes, or only whitespace;
- ``binary content (PNG)`` …: an image, PDF, archive … served as HTML (magic numbers, NUL bytes);
- ``blank HTML``: markup with no visible text at all;
- ``garbled text``: still unreadable after decoding (``cleaners.decode.garbled``: U+FFFD, 锟斤拷, 鍦ㄥ叏 …);
- ``no main text``: after cleaning, fewer than ``MIN_CJK`` (20) CJK characters; or fewer than ``SHORT_CJK`` (200)
  and not one sentence among them: no run of ``SENTENCE_CJK`` (8) CJK characters ending in 。！？!?, and no line of
  40 CJK characters (what a page of only ads, links or a login box leaves).

A short real document is kept: two sentences of a notice (30-odd characters) pass.
"""
from __future__ import annotations

import re

import lxml.etree
import lxml.html

from cleaners.decode import binary_kind, cjk_chars, garbled

MIN_CJK = 20
SHORT_CJK = 200
SENTENCE_CJK = 8
LONG_LINE_CJK = 40
_SENTENCE_END = re.compile(r"[。！？!?]")


def bytes_unusable(body: bytes | str) -> str | None:
    """Empty or binary: decided on the page as received, before decoding."""
    if isinstance(body, str):
        return "empty body" if not body.strip() else None
    if not body.strip():
        return "empty body"
    kind = binary_kind(body)
    return f"binary content ({kind}) served as a page" if kind else None


def html_unusable(html: str) -> str | None:
    """Markup without a single visible letter (scripts and styles do not count)."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return "blank HTML (no markup could be parsed)"
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    visible = tree.text_content()
    title = " ".join(tree.xpath("//title/text()"))
    if not re.search(r"\w", visible + title):
        return "blank HTML (no visible text)"
    return None


def has_sentence(text: str) -> bool:
    pieces = _SENTENCE_END.split(text)
    if any(cjk_chars(p) >= SENTENCE_CJK for p in pieces[:-1]):
        return True
    return any(cjk_chars(line) >= LONG_LINE_CJK for line in text.split("\n"))


def text_unusable(text: str) -> str | None:
    """Garbled, or no main text: decided on the cleaned text (see the module doc for the rule)."""
    bad = garbled(text)
    if bad:
        return bad
    cjk = cjk_chars(text)
    if cjk < MIN_CJK:
        return f"no main text ({cjk} CJK characters after cleaning, fewer than {MIN_CJK})"
    if cjk < SHORT_CJK and not has_sentence(text):
        return f"no main text ({cjk} CJK characters and not one sentence: links, ads or widgets only)"
    return None


def unusable_kind(reason: str) -> str:
    """'binary content (PNG) served as a page' -> 'binary_content': a stats key part."""
    return re.sub(r"\W+", "_", reason.split(" (")[0].strip()).strip("_").lower() or "unusable"
