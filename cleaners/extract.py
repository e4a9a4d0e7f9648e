"""Extract stage: HTML -> Document (title, main text, date, site name) with trafilatura and htmldate.

`extract_pages(pages)` is the entry point: pages of one article, in order, each `(url, html)`; `html` may be `str`
or `bytes` (bytes go through `cleaners.decode`, the one decoder; `fanwen.pipeline` decodes before calling this).
"""
from __future__ import annotations

import re

import copy

import lxml.html
import trafilatura
from htmldate import find_date
from lxml import etree
from trafilatura.metadata import (META_URL, examine_meta, extract_meta_json, extract_sitename, extract_title,
                                  extract_url, set_date_params)
from trafilatura.utils import is_dubious_html, repair_faulty_html

from cleaners.decode import decode_html  # the one decoder (cleaners.decode); text passes through
from cleaners.document import Document
from cleaners.dom import is_forum, prepare_tree, visible_text
from cleaners.patterns import PAYWALL, cjk_count, squash


def _bare(tree, url: str, **opts) -> dict:
    """trafilatura on the parsed tree (it works on its own copy, so the tree can be handed over again)."""
    kw = {"with_metadata": False, "include_comments": False, "deduplicate": False, **opts}
    try:
        result = trafilatura.bare_extraction(tree, url=url, **kw)
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


# trafilatura's parser options, with a lookup of element classes done in C: lxml.html's own lookup is a Python method
# that runs each time an element gets a Python proxy (1.5 million calls on 160 real pages, in our walks and in
# trafilatura's, ~5 % of a worker's time). Every element is an HtmlElement as with lxml.html's parser (neither
# trafilatura nor this project uses its form-element classes); copies of the tree keep the parser, so trafilatura's
# work on its copies gains too. Same text, title and date on the benchmark pages (tests/test_fast_paths.py).
_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                               remove_pis=True)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))


def _from_bytes(html: str):
    try:
        return lxml.html.fromstring(html.encode("utf8", "surrogatepass"), parser=_PARSER)
    except Exception:
        return None


def _load_html(html: str):
    """trafilatura.utils.load_html for a decoded page (the same repairs, fallbacks and checks), parsed with _PARSER."""
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    as_bytes = False
    try:
        tree = lxml.html.fromstring(html, parser=_PARSER)
    except ValueError:  # a str with an XML encoding declaration: lxml wants bytes
        tree, as_bytes = _from_bytes(html), True
    except Exception:
        tree = None
    if (tree is None or len(tree) < 1) and not as_bytes:
        tree = _from_bytes(html)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def parse_html(html: str):
    """The one lxml parse of a page (trafilatura's loader and parser options, see _PARSER)."""
    try:
        tree = _load_html(html)
    except Exception:
        tree = None
    if (tree is None or tree.tag != "html" or tree.find("body") is None) and html and html.strip():
        # trafilatura gives up on, or roots at the wrong element, markup that does not start like a page (a saved
        # fragment, a page wrapped in another element, text before <html>); lxml's document parser puts such
        # markup in <html><body>, where extraction, the DOM pass and the post finder look for it
        try:
            whole = lxml.html.document_fromstring(html)
        except Exception:
            whole = None
        if whole is not None and whole.find("body") is not None:
            tree = whole
    if tree is None:
        tree = lxml.html.document_fromstring("<html><body></body></html>")
    return tree


def page_metadata(tree, url: str) -> dict:
    """title, date and site name of the unpruned tree: the steps of trafilatura's `extract_metadata` that give them,
    in its order (meta tags, JSON-LD, <title>, URL, htmldate run once, site name). Its other steps (author: a copy of
    the tree and a pruning of it; categories, tags, licence) read the tree only and were ~30 % of its time, for
    fields nothing here uses. tests/test_fast_paths.py checks the three fields against `extract_metadata`."""
    try:
        meta = examine_meta(tree)
        try:
            meta = extract_meta_json(tree, meta)
        except Exception:  # as trafilatura: bugs in its JSON-LD reader
            pass
        if not meta.title:
            meta.title = extract_title(tree)
        if not meta.url:
            meta.url = extract_url(tree, url)
        date_config = set_date_params(True)
        date_config["url"] = meta.url
        date = find_date(tree, **date_config)
        sitename = meta.sitename or extract_sitename(tree)
        if sitename:
            sitename = sitename.lstrip("@")
            if sitename and "." not in sitename and not sitename[0].isupper():
                sitename = sitename.title()
        elif meta.url:
            m = META_URL.match(meta.url)
            sitename = m[1] if m else None
        meta.date, meta.sitename = date, sitename
        meta.clean_and_trim()
    except Exception:  # a page whose metadata cannot be read still has a text
        return {}
    return {"title": meta.title, "date": meta.date, "sitename": meta.sitename}


def main_text(tree, url: str, forum: bool, dense: tuple[str, dict] | None = None,
              page_chars: int = 0, post_bodies: list | None = None) -> tuple[str, dict, dict]:
    """(text, trafilatura data, how it was chosen) from the pruned tree. Two or three opinions:

    1. trafilatura favouring precision (comments included on a forum thread: there they are the content);
    2. only when that returns almost nothing (< 100 characters), trafilatura with its defaults; and when it kept
       less than 40 % of the page's text left after the DOM pass (it took a side box for the article), trafilatura
       favouring recall, if that finds much more (only under 500 characters: a longer text is an article found);
    3. on forum threads only, the density pass (`cleaners.density`): when its region is a list of repeated post-like
       blocks and holds more text than trafilatura kept, its text is used instead. Under a news article a comment
       list is never taken over the article;
    4. on forum threads whose engine marks its post bodies (`post_bodies`, `cleaners.density.thread_posts_text`),
       those posts, first post first, when the text so far holds less than 60 % of them.
    """
    data = _bare(tree, url, include_tables=True, favor_precision=True, include_comments=forum)
    text = data.get("text") or ""
    how = {"extractor": "trafilatura-precision"}
    second = None
    if _size(text) < 100:
        second = "default"
        other = _bare(tree, url, include_tables=True, include_comments=forum)
        if _size(other.get("text") or "") > _size(text):
            text, how = other.get("text") or "", {"extractor": "trafilatura-default"}
            data = other
    elif page_chars and _size(text) < min(500, 0.4 * page_chars) and page_chars - _size(text) > 500:
        second = "recall"
        other = _bare(tree, url, include_tables=True, include_comments=forum, favor_recall=True)
        new_lines = [ln for ln in (other.get("text") or "").split("\n") if ln.strip() and ln.strip() not in text]
        # only when what it adds reads as article paragraphs, not a list of related titles and blurbs
        if _size(other.get("text") or "") > 1.5 * _size(text) and max(map(_size, new_lines), default=0) >= 150:
            how = {"extractor": "trafilatura-recall", "precision_chars": _size(text)}
            text, data = other.get("text") or "", other
    if second:
        how["second_call"] = second  # a second trafilatura run (whether or not its text was taken)
    if dense:
        dtext, info = dense
        if info.get("repeats", 0) >= 2 and _size(dtext) > _size(text):
            how = {"extractor": "density", "repeats": info["repeats"], "trafilatura_chars": _size(text)}
            text = dtext
    if post_bodies and _covered(text, "".join(el.text_content() for el in post_bodies)) < 0.6:
        from cleaners.density import thread_posts_text

        ptext, kept, short = thread_posts_text(None, post_bodies)
        if kept:
            how = {"extractor": "forum-posts", "post_bodies": kept, "short_replies_left_out": short,
                   "before": how.get("extractor"), "before_chars": _size(text)}
            text = ptext
    return text, data, how


def _covered(text: str, part: str) -> float:
    """Share of `part`'s character bigrams (whitespace ignored) found in `text`."""
    a, b = squash(text or ""), squash(part or "")
    want = {b[i: i + 2] for i in range(len(b) - 1)}
    if not want:
        return 1.0
    return len(want & {a[i: i + 2] for i in range(len(a) - 1)}) / len(want)


def paywall_after_text(page: str, text: str, reach: int = 80) -> str | None:
    """A paywall notice (阅读全文, 您需要先登陆, 预览结束 …) right after the main text on the page, or None.

    `page` is the page's visible text without whitespace (`cleaners.dom.visible_text`). Such notices usually sit in
    their own box that the extractor drops, so the cleaners never see them; only one within `reach` characters after
    the text's end counts (a "阅读全文" link in a sidebar says nothing).
    """
    tail = squash(text)[-20:]
    if len(tail) < 8:
        return None
    at = page.rfind(tail)
    if at < 0:
        return None
    for m in PAYWALL.finditer(page, at + len(tail), at + len(tail) + reach):
        if not re.match(r"才(可以|能)(回帖|回复|发表|评论|发帖)|(回帖|回复|评论)", page[m.end(): m.end() + 6]):
            return m.group(0)  # (您需要登录后才可以回帖 is a forum's reply box, not a paywall)
    return None


def extract_page(html: str | bytes, url: str, site_clean: dict | None = None, decoded: bool = False) -> Document:
    """One page's main text, title, date and site name. The text is the extractor's, before any cleaning.

    The page is parsed once; the tree goes to trafilatura's metadata (title, date, site name), the paywall check,
    the density pass (forum threads whose engine does not mark its post bodies), the DOM pass (`cleaners.dom`) and
    trafilatura's text extraction.
    `site_clean` is the site config's `[clean]` table (`kind`, `prune_xpath`), when the site is known. `decoded`:
    `html` is text `cleaners.decode` already gave (the pipeline decodes first): not scanned again.
    """
    if not (decoded and isinstance(html, str)):
        html = decode_html(html)
    doc = Document(url=url, page_urls=[url])
    tree = parse_html(html)
    meta = page_metadata(tree, url)
    page = visible_text(tree)
    forum = is_forum(tree, url, site_clean, html[:4096] + html[-8192:])  # Discuz! names itself at the top or foot
    dense = bodies = None
    if forum:
        from cleaners.density import density_region_tree, thread_post_bodies

        bodies = thread_post_bodies(tree)  # looked up before the DOM pass, which may detach some
        if not bodies:
            # the density pass guesses the posts of a thread; where the forum engine marks its post bodies they are
            # known, and the guess (a copy of the tree and a walk of it: the costliest step on big threads) is skipped
            try:
                dense = density_region_tree(copy.deepcopy(tree), 0.75)
            except Exception:  # the density pass is a second opinion: never let it fail an extraction
                dense = None
    h1 = _h1(tree)
    # the page's own titles first: trafilatura's metadata title may be the first post's heading on an index page
    titles = [*tree.xpath("//meta[@property='og:title']/@content")[:1], _title_tag(tree) or "", h1 or "",
              meta.get("title") or ""]
    dom = prepare_tree(tree, url, site_clean, forum=forum, titles=titles)
    text, data, how = main_text(tree, url, forum or dom["thread"], dense, dom.get("page_chars", 0), bodies)
    posts = dom.pop("posts", None)
    if posts is not None:
        text, data, how = _page_post(tree, url, posts, text, data, how, dom)
    how["dom"] = {k: v for k, v in dom.items() if v and k != "page_chars"}
    marker = paywall_after_text(page, text)
    if marker:
        how["paywall_after_text"] = marker
    doc.raw_title = (meta.get("title") or data.get("title") or _title_tag(tree) or "").strip()
    post_title = how.get("posts", {}).get("title") or ""
    if "refused" not in how.get("posts", {"refused": 1}) and cjk_count(post_title) >= 4:
        doc.raw_title = post_title  # the page's post's own title, not the blog's name (nor a user name link)
    doc.raw_text = text
    doc.site_name = meta.get("sitename")
    doc.explain["extract"] = how
    doc.published = _plausible(meta.get("date"), html)
    doc.explain["extract"]["h1"] = h1
    return doc


def _page_post(tree, url: str, posts, text: str, data: dict, how: dict, dom: dict) -> tuple[str, dict, dict]:
    """On a page of sibling posts, the page's own post when trafilatura left it out or took others with it: the
    other posts are removed (each noted in the DOM pass's `pruned`) and trafilatura runs again on what is left."""
    why = posts.misses(text)
    if not why:
        how["posts"] = {**posts.explain(), "because": "trafilatura took it alone"}
        return text, data, how
    notes = posts.keep_only()
    other = _bare(tree, url, include_tables=True, favor_precision=True)
    otext = other.get("text") or ""
    if posts.cover(otext)[posts.chosen] < 0.5:
        other = _bare(tree, url, include_tables=True)  # precision mode can drop a lone post: its defaults
        otext = other.get("text") or ""
    if posts.cover(otext)[posts.chosen] < 0.5:
        how["posts"] = {**posts.explain(), "refused": f"{why}; the post alone was not extracted either"}
        return text, data, how
    dom["pruned"] = list(dom.get("pruned") or []) + notes
    how = {"extractor": "trafilatura-post", "second_call": "post", "posts": {**posts.explain(), "because": why},
           "trafilatura_chars": _size(text)}
    return otext, other, how


def _title_tag(tree) -> str | None:
    """The <title> element's text (when trafilatura's metadata found no title)."""
    t = tree.find(".//title")
    return re.sub(r"\s+", " ", t.text_content()).strip() if t is not None else None


def _h1(tree) -> str | None:
    """The page's first <h1> text (a title candidate beside <title>/og:title), when it is short."""
    for h in tree.iter("h1"):
        t = re.sub(r"\s+", " ", h.text_content()).strip()
        if 4 <= len(t) <= 120:
            return t
    return None


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


def extract_pages(pages: list[tuple[str, str | bytes]], site_clean: dict | None = None,
                  decoded: bool = False) -> Document:
    """A document split over several pages: page 1 gives title and date, the texts are joined in order."""
    if not pages:
        raise ValueError("no pages to extract")
    first = extract_page(pages[0][1], pages[0][0], site_clean, decoded)
    for url, html in pages[1:]:
        more = extract_page(html, url, site_clean, decoded)
        first.raw_text = first.raw_text.rstrip("\n") + "\n" + more.raw_text.lstrip("\n")
        first.page_urls.append(url)
        # only the last page's paywall notice says where the copy stops
        first.explain["extract"].pop("paywall_after_text", None)
        if more.explain.get("extract", {}).get("paywall_after_text"):
            first.explain["extract"]["paywall_after_text"] = more.explain["extract"]["paywall_after_text"]
    return first
