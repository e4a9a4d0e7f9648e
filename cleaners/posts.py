"""Pages holding several sibling posts (a blog or column index, a post page that shows its neighbours): which post
is the page's document, and whether trafilatura took it.

    find_posts(tree, stats, titles) -> Posts | None      (on the tree after the DOM pass)
    Posts.misses(text) -> reason | None                  (trafilatura's text lacks the post, or holds others)
    Posts.keep_only(tree) -> notes                       (removes the other posts, for a second extraction)

A post group is a parent whose element children share tag and class, at least two of them holding text, and each
of at least two opening with a post head: a title (a link, a heading or an element of class *title*) or a date
within its first characters. Sections of one article (headings without links or dates) are no group. The page's post is the one whose head names the
page (<title>, og:title or <h1>); failing that, on an index page, the one holding the long speech-like text: the
longest, when it is clearly longer than the next one (1.5x), or the one with speech markers (同志们, numbered
sections), when it holds twice as many as any other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from cleaners.patterns import DATE_RE, core

_HEAD_CHARS = 80  # a post's head (title link, date) sits within its first characters
_SPEECH_MARK = re.compile(r"同志们|[一二三四五六七八九十]、|（[一二三四五六七八九十]）|[一二三四五六七八九十]是要?")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCK_TAGS = {"div", "article", "section", "li", "dd", "tr", "td", "table", "tbody"}


def _text(el) -> str:
    return re.sub(r"\s+", "", el.text_content())


def _head(el) -> tuple[str, bool]:
    """(the post's title: the first link of title length in its opening, whether a date opens it)."""
    opening, title = "", ""
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        if not title and (node.tag == "a" or node.tag in _HEADINGS or "title" in (node.get("class") or "").lower()):
            # a title link, or a title that is no link: a heading, or a cell/div of class post-title, entry-title
            t = re.sub(r"\s+", " ", node.text_content()).strip()
            if 4 <= len(core(t)) <= 60 and len(core(opening)) <= _HEAD_CHARS:
                title = t
        opening += (node.text or "") + (node.tail or "" if node is not el else "")
        if len(core(opening)) > _HEAD_CHARS:
            break
    return title, bool(DATE_RE.search(re.sub(r"\s+", "", opening)[: _HEAD_CHARS + 20]))


def _bigrams(s: str) -> set:
    return {s[i: i + 2] for i in range(len(s) - 1)}


@dataclass
class Posts:
    members: list  # the sibling post elements, in page order
    chosen: int  # index of the page's post
    why: str  # "title" | "longest" | "speech"
    titles: list = field(default_factory=list)

    def cover(self, text: str) -> list[float]:
        """Share of each post's bigrams found in `text`."""
        got = _bigrams(re.sub(r"\s+", "", text or ""))
        out = []
        for el in self.members:
            b = _bigrams(_text(el))
            out.append(len(b & got) / len(b) if b else 0.0)
        return out

    def misses(self, text: str) -> str | None:
        """Why trafilatura's text is not the page's post: it lacks it, or it also holds other posts."""
        cov = self.cover(text)
        if cov[self.chosen] < 0.5:
            return "the page's post left out"
        others = [i for i, c in enumerate(cov) if i != self.chosen and c >= 0.5]
        if others:
            return f"{len(others)} other post(s) taken with it"
        return None

    def keep_only(self) -> list[str]:
        """Remove the other posts from the tree (keeping their tails); a note per removed post for --explain."""
        from cleaners.dom import drop_keeping_tail

        notes = []
        for i, el in enumerate(self.members):
            if i != self.chosen and el.getparent() is not None:
                notes.append(f"other post: {self.titles[i] or _text(el)[:30]}")
                drop_keeping_tail(el)
        return notes

    def explain(self) -> dict:
        return {"posts": len(self.members), "kept": self.chosen + 1, "why": self.why,
                "title": self.titles[self.chosen]}


def _groups(body, stats: dict, floor: float = 0.0):
    """Candidate post groups: element children of one parent with the same tag and class, >= 2 with text; only
    under parents holding at least `floor` characters of non-link text."""
    for parent in body.iter():
        if not isinstance(parent.tag, str) or stats.get(parent, (0, 0))[0] < floor:
            continue
        kids = [c for c in parent if isinstance(c.tag, str) and c.tag in _BLOCK_TAGS]
        if len(kids) < 2:
            continue
        by_sig: dict = {}
        for c in kids:
            by_sig.setdefault((c.tag, c.get("class") or ""), []).append(c)
        for members in by_sig.values():
            if len(members) >= 2:
                yield members


def _named(heads: list[tuple[str, bool]], page_titles: list[str]) -> list[int]:
    """The posts whose head title the page's titles name, asking the titles in order (the page's own first): the
    first title that names any post decides, so a metadata guess naming a neighbour does not outvote <title>."""
    for pt in page_titles:
        hits = [i for i, (t, _) in enumerate(heads) if core(t) and (core(t) in pt or pt in core(t))]
        if hits:
            return hits
    return []


def find_posts(tree, stats: dict, titles: list[str]) -> Posts | None:
    """The largest post group of the page (see the module doc) and its page's post, or None. `titles`: the page's
    titles, the most trustworthy first (og:title, <title>, <h1>, then trafilatura's guess)."""
    body = tree.find(".//body")
    if body is None:
        return None
    total = max(1, stats.get(body, (0, 0))[0])
    page_titles = [core(t) for t in titles if t and len(core(t)) >= 4]
    best, named_best = None, None
    for members in _groups(body, stats, 0.4 * total):
        texty = [m for m in members if stats.get(m, (0, 0))[0] >= 60]
        if len(texty) < 2:
            continue
        heads = [_head(m) for m in texty]
        if sum(1 for t, d in heads if t or d) < 2:
            continue
        own = sum(stats.get(m, (0, 0))[0] for m in texty)
        if own < 0.4 * total:
            continue  # a list of short items beside the page's real text (comments, teasers)
        named = _named(heads, page_titles)
        if best is None or own > best[0]:
            best = (own, texty, heads, named)
        if len(named) == 1 and (named_best is None or own > named_best[0]):
            named_best = (own, texty, heads, named)
    # a group whose heads name the page's post once wins over a bigger group around it (the page's columns: a
    # sidebar and the list of posts are siblings too)
    chosen = named_best or best
    if chosen is None:
        return None
    _, members, heads, named = chosen
    head_titles = [t for t, _ in heads]
    if len(named) == 1:
        return Posts(members, named[0], "title", head_titles)
    if named:
        return None  # several posts match the page's title: no way to tell
    sizes = [stats.get(m, (0, 0))[0] for m in members]
    order = sorted(range(len(members)), key=lambda i: -sizes[i])
    top, second = order[0], order[1]
    if sizes[top] >= 300 and sizes[top] >= 1.5 * sizes[second]:
        return Posts(members, top, "longest", head_titles)
    marks = [len(_SPEECH_MARK.findall(_text(m))) for m in members]
    by_marks = sorted(range(len(members)), key=lambda i: -marks[i])
    first, runner = by_marks[0], by_marks[1]
    if marks[first] >= 3 and marks[first] >= 2 * marks[runner] and sizes[first] >= 300:
        return Posts(members, first, "speech", head_titles)
    return None
