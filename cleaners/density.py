"""A second opinion on where a page's main text is: the smallest element holding most of its non-link text.

trafilatura is tuned for articles; on forum threads and comment lists it often keeps only the first post. This pass
(lxml only, no model) finds the element whose subtree holds at least `share` of the page's text outside links, and
returns that element's text as lines, without link-dominated lines. `cleaners.extract` compares the two and keeps
trafilatura's text unless it clearly missed most of the region.
"""
from __future__ import annotations

from cleaners.dom import drop_keeping_tail

import re

from lxml import etree, html as lxml_html

_DROP_TAGS = {"script", "style", "noscript", "iframe", "svg", "canvas", "template", "select", "option", "button",
              "input", "textarea", "nav", "header", "footer", "aside", "head", "object", "embed"}
_BOILER = re.compile(
    r"(^|[-_\s])(nav|navbar|menu|topbar|toolbar|header|footer|foot|sidebar|side|aside|breadcrumbs?|crumbs?|position|"
    r"copyright|share|sharing|social|login|signin|register|banner|ads?|advert|advertisement|adsbygoogle|recommend|related|"
    r"hot|hotlist|tags?|tagcloud|pager|pagination|pages|search|popup|modal|cookie|subscribe|qrcode|friendlink|links)"
    r"($|[-_\s\d])",
    re.I,
)
_BLOCK = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "blockquote",
          "pre", "dd", "dt", "table", "ul", "ol", "dl", "main", "figure", "figcaption", "center", "form", "hr"}
_COUNT = re.compile(r"[\w\u3400-\u9fff]", re.U)


def _n(s: str | None) -> int:
    return len(_COUNT.findall(s or ""))


def _prune(root) -> None:
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        attrs = " ".join(filter(None, (el.get("class"), el.get("id"))))
        style = (el.get("style") or "").replace(" ", "").lower()
        if tag in _DROP_TAGS or "display:none" in style or (attrs and _BOILER.search(attrs) and tag not in ("body", "html")):
            drop_keeping_tail(el)  # the tail text belongs to the parent


def _measure(el, stats: dict) -> tuple[int, int]:
    """(text outside links, text inside links) of el's subtree, memoised in stats."""
    own = _n(el.text) if el.tag != "a" else 0
    link = _n(el.text) if el.tag == "a" else 0
    for ch in el:
        if not isinstance(ch.tag, str):
            if ch.tail:
                own += _n(ch.tail)
            continue
        t, l = _measure(ch, stats)
        if el.tag == "a":
            l += t
            t = 0
        own += t
        link += l
        if ch.tail:
            if el.tag == "a":
                link += _n(ch.tail)
            else:
                own += _n(ch.tail)
    stats[el] = (own, link)
    return own, link


def _lines(el, skip=None) -> list[tuple[str, int, int]]:
    """Block-separated lines of el: (text, chars outside links, chars in links); `skip(node)` leaves a node's own
    text and subtree out (its tail stays)."""
    out: list[list] = [["", 0, 0]]

    def newline():
        if out[-1][0].strip():
            out.append(["", 0, 0])

    def add(s: str | None, in_link: bool):
        if not s:
            return
        s = re.sub(r"\s+", " ", s)
        out[-1][0] += s
        if in_link:
            out[-1][2] += _n(s)
        else:
            out[-1][1] += _n(s)

    def walk(node, in_link: bool):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in _BLOCK:
            newline()
        link = in_link or tag == "a"
        add(node.text, link)
        for ch in node:
            if isinstance(ch.tag, str) and not (skip and skip(ch)):
                walk(ch, link)
            add(ch.tail, link)
        if tag in _BLOCK:
            newline()

    walk(el, False)
    return [(t.strip(), a, b) for t, a, b in out if t.strip()]


def density_text(html: str, share: float = 0.8) -> str:
    """The text of the smallest element that holds `share` of the page's non-link text (link-heavy lines dropped)."""
    return density_region(html, share)[0]


def _repeats(region, stats: dict) -> int:
    """How many children of the region (or of its largest child) share one tag+class and each hold some text:
    the posts of a thread, the answers of a Q&A page, the comments of a list."""
    best = 0
    nodes = [region] + sorted((c for c in region if isinstance(c.tag, str)), key=lambda c: -stats.get(c, (0, 0))[0])[:2]
    for node in nodes:
        sig: dict = {}
        for ch in node:
            if not isinstance(ch.tag, str):
                continue
            cls = (ch.get("class") or "").split()
            if not cls and not ch.get("id"):
                continue
            key = (ch.tag, cls[0] if cls else re.sub(r"\d+", "N", ch.get("id") or ""))
            if stats.get(ch, (0, 0))[0] >= 15:
                sig[key] = sig.get(key, 0) + 1
        best = max([best, *sig.values()])
    return best


def density_region(html: str, share: float = 0.8) -> tuple[str, dict]:
    """(text, info) of the densest region; info["repeats"] counts repeated post-like blocks inside it."""
    try:
        root = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return "", {}
    return density_region_tree(root, share)


def density_region_tree(root, share: float = 0.8) -> tuple[str, dict]:
    """density_region on an already parsed tree (pruned in place: hand over a copy if the tree is needed again)."""
    body = root.find(".//body")
    if body is None:
        body = root
    _prune(body)
    stats: dict = {}
    total, _ = _measure(body, stats)
    if total < 50:
        return "", {}
    best = body
    node = body
    while True:  # descend while one child still holds `share` of the text
        nxt = None
        for ch in node:
            if isinstance(ch.tag, str) and stats.get(ch, (0, 0))[0] >= share * total:
                nxt = ch
                break
        if nxt is None:
            break
        node = best = nxt
    lines = []
    for text, own, link in _lines(best):
        if link > 0 and link >= own:
            continue  # a line of links (menus, related titles)
        lines.append(text)
    return "\n".join(lines), {"repeats": _repeats(best, stats), "total": total, "region": stats.get(best, (0, 0))[0]}


# the post bodies of forum engines, by the ids and classes the engines give them (Discuz!: postmessage_N / t_f,
# vBulletin: post_message_N, phpBB: postbody > content, Baidu Tieba: d_post_content)
_POST_BODY_XPATH = ("//*[starts-with(@id,'postmessage_') or starts-with(@id,'post_message_') or "
                    "contains(concat(' ',normalize-space(@class),' '),' d_post_content ') or "
                    "(contains(concat(' ',normalize-space(@class),' '),' content ') and "
                    "ancestor::*[contains(concat(' ',normalize-space(@class),' '),' postbody ')])]")
# hidden anti-copy characters (Discuz!'s jammer), edit stamps and quoted earlier posts inside a post body
_POST_NOISE = re.compile(r"(^|\s)(jammer|pstatus|quote|blockcode|attach_nopermission|locked)(\s|$)")


_SHORT_REPLY = 100  # characters: a one-line reply (感谢分享, 顶) under a long first post


def thread_post_bodies(root) -> list:
    """The outermost post-body elements the forum engine marked, in page order (an XPath query, nothing more)."""
    try:
        found = root.xpath(_POST_BODY_XPATH)
    except etree.XPathError:
        return []
    marked = set(found)
    return [el for el in found if not any(a in marked for a in el.iterancestors())]


def thread_posts_text(root, bodies: list | None = None) -> tuple[str, int, int]:
    """(the posts of a forum thread, first post first, one line per block; how many posts kept; how many short
    replies left out) from the engines' own post-body markers, or ("", 0, 0) when the page has none. Link-only lines
    and hidden text are left out. Under a long first post (a speech posted on a forum: 500+ characters), one-line
    replies are not part of it; under a short one (a question), every reply is the thread's content."""
    if bodies is None:
        bodies = thread_post_bodies(root)
    posts = []

    def noise(node) -> bool:
        style = node.get("style")
        return (node.tag in _DROP_TAGS or bool(style and "display:none" in style.replace(" ", "").lower())
                or bool(_POST_NOISE.search(node.get("class") or "")))

    for el in bodies:
        lines = [t for t, own, link in _lines(el, noise) if not (link > 0 and link >= own)]
        if lines:
            posts.append("\n".join(lines))
    short = 0
    if posts and _n(posts[0]) >= 500:
        kept = [posts[0]] + [p for p in posts[1:] if _n(p) >= _SHORT_REPLY]
        short, posts = len(posts) - len(kept), kept
    return "\n".join(posts), len(posts), short
