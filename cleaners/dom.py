"""DOM pass on the one parsed tree of a page, before trafilatura sees it.

    prepare_tree(tree, site_clean) -> info

1. layout tables (a cell holding blocks or long text, or a one-column table) become <div>s, so the extractor keeps
   each cell's lines instead of flattening the table into `|`-separated cells;
2. widget blocks (打印本文/关闭窗口, share bars, 关注我们, APP promos, 上一篇/下一篇, author bios, 推荐阅读 …),
   link-list blocks (their text is mostly anchor text), legal notices (反侵权公告, 版权声明 …) and comment sections
   (跟贴, 热门评论 …) are removed, along with
   the site config's own `clean.prune_xpath` selectors;
3. every removal keeps the page's main text: an element holding a large share of the page's non-link text is never
   removed, whatever its class says.

Forum threads keep their reply lists (the replies are the content there); `is_forum(tree, url, site_clean)` says
which pages are threads: the site config's `clean.kind = "forum"`, Discuz! markers, or a thread URL.
"""
from __future__ import annotations

import re

from lxml import etree

_COUNT = re.compile(r"[\w\u3400-\u9fff]", re.U)
_BLOCKISH = {"p", "div", "table", "ul", "ol", "dl", "section", "article", "blockquote", "h1", "h2", "h3", "h4", "pre"}
_SKIP = {"script", "style", "noscript", "template"}

# short blocks that are page furniture, whatever their markup
_WIDGET_TEXT = re.compile(
    r"打印本文|打印本页|【\s*打印\s*】|关闭窗口|【\s*关闭\s*】|分享到|分享至|一键分享|微信扫一扫|扫一扫|扫码|二维码|关注我们|关注公众号|"
    r"下载APP|下载客户端|APP精彩推荐|APP下载|客户端下载|打开APP|上一篇|下一篇|上一条|下一条|作者最近文章|作者简介|作者介绍|"
    r"推荐阅读|相关阅读|相关文章|相关推荐|猜你喜欢|热门文章|热点推荐|精彩推荐|延伸阅读|责任编辑|责编|编辑[:：]|来源[:：]|"
    r"收藏本文|加入收藏|字号[:：]|发布于[:：]|IP属地|平台声明|仅提供信息存储(?:空间)?服务|【\s*大\s*中\s*小\s*】|返回顶部|返回首页|我要纠错|我要评论|本文标签|版权所有|Copyright|ICP备"
)
_RELATED_HEAD = re.compile(r"^[【\[]?(推荐阅读|相关阅读|相关文章|相关推荐|猜你喜欢|热门文章|热点推荐|精彩推荐|延伸阅读|相关资源|推荐访问)[】\]]?[:：]?$")
_RELATED_ATTR = re.compile(r"(^|[-_\s])(recommend|recommended|recommendations?|related|relate|tuijian|xiangguan|xgwz|hotnews|hot-news|morestories|more-stories|stream-items?|you-?may-?like|next-?articles?)($|[-_\s\d])", re.I)
_COMMENT_ATTR = re.compile(r"(^|[-_\s])(comments?|cmt|reply|replies|pinglun|gentie|tie|discuss|review)s?($|[-_\s\d])", re.I)
_COMMENT_HEAD = re.compile(r"^\s*[【\[]?\s*(跟贴|跟帖|热门评论|最新评论|网友评论|精彩评论|全部评论|评论列表|发表评论|我要评论|用户评论|"
                           r"网友留言|留言板|\d+\s*条评论|评论\s*[(（]\s*\d+\s*[)）])")
_COMMENT_WORDS = ("评论", "跟贴", "跟帖", "留言")
# a site's legal notice block under every article (反侵权公告：…, 版权声明：…, 免责声明：…)
_NOTICE_HEAD = re.compile(r"^[【\[]?(反侵权|侵权|版权|免责|郑重|特别|法律|平台)(公告|声明)[】\]]?[:：]?")
_DISCUZ = re.compile(r"Discuz!|discuz_uid|id=\"postlist\"|class=\"t_f\"|mod=viewthread|forum\.php\?mod=", re.I)
# URLs that name a thread, a question with its answers, or a comment page (where replies are the content)
_THREAD_URL = re.compile(r"thread-\d+-\d+|viewthread|/t/\d+|showtopic|viewtopic|bbs\.|/bbs/|tieba\.|zhidao\.|/question/|"
                         r"/questions/|/answer/|/topics?/|/comments(?:[/?]|$)|/d/\d+|/faq/|/discuss|/forum", re.I)


def measure(root) -> dict:
    """{element: (chars outside links, chars inside links)} for every element of root, in one walk."""
    stats: dict = {}
    count = _COUNT.findall  # bound once: this walk visits every element of the page

    def walk(el, in_link: bool) -> tuple[int, int]:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            stats[el] = (0, 0)
            return 0, 0
        link = in_link or tag == "a"
        own = lnk = 0
        s = el.text
        c = len(count(s)) if s else 0
        if link:
            lnk += c
        else:
            own += c
        for ch in el:
            if isinstance(ch.tag, str):
                t, l = walk(ch, link)
                own += t
                lnk += l
            s = ch.tail
            if s:
                if link:
                    lnk += len(count(s))
                else:
                    own += len(count(s))
        stats[el] = (own, lnk)
        return own, lnk

    walk(root, False)
    return stats


def visible_text(root) -> str:
    """The page's text without scripts and styles, whitespace removed (for locating notices after the main text)."""
    parts = []

    def walk(el):
        if isinstance(el.tag, str) and el.tag in _SKIP:
            return
        if el.text and isinstance(el.tag, str):
            parts.append(el.text)
        for ch in el:
            walk(ch)
            if ch.tail:
                parts.append(ch.tail)

    walk(root)
    return re.sub(r"\s+", "", "".join(parts))


def is_forum(tree, url: str = "", site_clean: dict | None = None, raw_head: str = "") -> bool:
    """A forum thread (the site's kind, Discuz! markers in the tree or in `raw_head` — the page's first and last
    bytes —, or a thread URL), where replies are content and the density pass may apply."""
    kind = (site_clean or {}).get("kind")
    if kind:
        return kind == "forum"
    if raw_head and _DISCUZ.search(raw_head):
        return True
    gen = tree.xpath("//meta[@name='generator']/@content")
    if gen and "discuz" in gen[0].lower():
        return True
    if tree.xpath("//*[@id='postlist' or @class='t_f' or starts-with(@id,'postmessage_')][1]"):
        return True
    return bool(_THREAD_URL.search(url or ""))


def _columns(table) -> int:
    best = 0
    for tr in table.iter("tr"):
        if tr.getparent() is not None and _owner_table(tr) is table:
            best = max(best, sum(1 for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")))
    return best


def _owner_table(el):
    p = el.getparent()
    while p is not None and p.tag != "table":
        p = p.getparent()
    return p


def _layout_table(table, stats: dict) -> bool:
    """A table used for page layout, not for data: a cell holds blocks, <br> lines or long text; or one column."""
    cells = [c for c in table.iter("td", "th") if _owner_table(c) is table]
    if not cells:
        return False
    for c in cells:
        own, lnk = stats.get(c, (0, 0))
        if own >= 120:
            return True
        if any(isinstance(d.tag, str) and (d.tag in _BLOCKISH) for d in c.iterdescendants()):
            return True
        if sum(1 for _ in c.iter("br")) >= 2 and own >= 40:
            return True
    return _columns(table) <= 1 and sum(stats.get(c, (0, 0))[0] for c in cells) >= 40


def unwrap_layout_tables(root, stats: dict) -> int:
    """Layout tables -> nested <div>s (innermost first), so each cell's lines stay lines. Returns how many."""
    n = 0
    for table in reversed(list(root.iter("table"))):
        if not _layout_table(table, stats):
            continue
        mine = [el for el in table.iterdescendants() if isinstance(el.tag, str) and _owner_table(el) is table]
        for el in [table, *mine]:
            if el.tag in ("table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption"):
                el.tag = "div"
                for a in ("width", "height", "colspan", "rowspan", "valign", "align", "cellpadding", "cellspacing", "border"):
                    el.attrib.pop(a, None)
        n += 1
    return n


def drop_keeping_tail(el) -> None:
    """Remove an element but keep its tail text (it belongs to the parent): lxml.html's drop_tree for any tree."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _inside(el, gone: set) -> bool:
    """el, or one of its ancestors, was already removed."""
    while el is not None:
        if el in gone:
            return True
        el = el.getparent()
    return False


def _head_text(el, n: int = 30) -> str:
    """The first n characters of el's text (without walking the whole subtree)."""
    first = el.text
    if first and len(first) >= n:  # itertext's first piece is el.text: no walk needed
        return first[:n]
    out = ""
    for t in el.itertext():
        out += t
        if len(out) >= n:
            break
    return out[:n]


def _attrs(el) -> str:
    return " ".join(filter(None, (el.get("class"), el.get("id"))))


def prune(root, stats: dict, forum: bool, extra_xpath: list[str] | None = None) -> tuple[list[str], int, bool]:
    """Remove widget, link-list and comment blocks. Returns a short note per removed block (for --explain) and the
    page's non-link characters left, and whether the page is a discussion by its shape (replies kept)."""
    body = root.find(".//body")
    body = body if body is not None else root
    total = max(1, stats.get(body, (0, 0))[0])
    removed: list[str] = []
    gone: set = set()
    dropped = [0]  # non-link characters removed
    comments = set() if forum else _comment_sections(body, stats, total)
    # a short post whose replies hold the page's text is a discussion (a thread by its shape): replies stay
    thread = bool(comments) and total - sum(stats.get(c, (0, 0))[0] for c in comments) < 500
    if thread:
        comments = set()

    def protected(el) -> bool:
        # never take a block that holds a real share of the page's own (non-link) text
        return stats.get(el, (0, 0))[0] >= max(150, 0.3 * total)

    def note(kind: str, el) -> None:
        gone.add(el)
        dropped[0] += stats.get(el, (0, 0))[0]
        txt = re.sub(r"\s+", " ", "".join(el.itertext()))[:40]
        removed.append(f"{kind}: {txt}")

    for xp in extra_xpath or []:
        try:
            found = root.xpath(xp)
        except etree.XPathError:
            continue
        for el in found:
            if isinstance(el, etree._Element) and el is not body:
                note("site", el)
                drop_keeping_tail(el)

    for el in list(body.iterdescendants()):
        if not isinstance(el.tag, str) or el.tag in ("a", "br", "img", "span", "b", "strong", "font", "em", "i"):
            continue
        own, lnk = stats.get(el, (0, 0))
        if own + lnk == 0 or _inside(el, gone):
            continue
        # a recommended/related block, however long (a feed of other articles): the page's own text is elsewhere
        if _RELATED_ATTR.search(_attrs(el)) and total - own >= 150 and el.find(".//h1") is None:
            note("related", el)
            drop_keeping_tail(el)
            continue
        # comment sections under an article (on a forum thread the replies are the content)
        if el in comments:
            note("comments", el)
            drop_keeping_tail(el)
            continue
        # a legal notice, however long (its numbered clauses are no speech), unless it is the page's own text
        if (40 <= own < min(1500, 0.5 * total) and _NOTICE_HEAD.match(re.sub(r"\s+", "", _head_text(el, 60)))
                and el.find(".//h1") is None):
            note("notice", el)
            drop_keeping_tail(el)
            continue
        if protected(el):
            continue
        n_links = sum(1 for _ in el.iter("a"))
        # a list of links: related titles, menus, tag clouds
        if n_links >= 3 and lnk >= 2 * own and own < 60:
            note("links", el)
            drop_keeping_tail(el)
            continue
        # a short block of page furniture: it opens with a widget word, or holds several, or is mostly links
        if own + lnk <= 160:
            txt = re.sub(r"\s+", "", "".join(el.itertext()))
            if _RELATED_HEAD.match(txt):
                continue  # a bare 相关推荐 / 猜你喜欢 heading: kept as the marker where the text rules cut the tail
            hits = len(_WIDGET_TEXT.findall(txt))
            opens = bool(_WIDGET_TEXT.match(txt.lstrip("【[(（·|")))
            prose = own >= 40 and len(re.findall(r"[，,。；;！!？?]", txt)) >= 2  # a paragraph mentioning 编辑/分享
            if hits and (opens or (not prose and (hits >= 2 or lnk >= own))):
                note("widget", el)
                drop_keeping_tail(el)
    return removed, total - dropped[0], thread


def _comment_sections(body, stats: dict, total: int) -> set:
    """The outermost comment blocks (class/id like comment/reply/pinglun, or a 跟贴/热门评论 heading) that do not
    hold the page's heading or most of its text."""
    found: set = set()
    # every _COMMENT_HEAD alternative holds one of these words; an element's head text is a piece of the body's
    # itertext, so a body without them needs no head test (one C-level walk instead of one per element)
    body_text = "".join(body.itertext())
    heads = any(w in body_text for w in _COMMENT_WORDS)
    for el in body.iterdescendants():
        if not isinstance(el.tag, str) or el.tag in ("a", "br", "img", "span", "b", "strong", "font", "em", "i"):
            continue
        if _inside(el.getparent(), found):
            continue
        if _COMMENT_ATTR.search(_attrs(el)) or (heads and _COMMENT_HEAD.match(_head_text(el))):
            if stats.get(el, (0, 0))[0] < 0.7 * total and el.find(".//h1") is None:
                found.add(el)
    return found


def prepare_tree(tree, url: str = "", site_clean: dict | None = None, forum: bool | None = None,
                 titles: list[str] | None = None) -> dict:
    """Run the DOM pass in place on `tree`; returns what it did (for doc.explain["extract"]). With `titles` (the
    page's <title>, og:title, <h1>), also the page's sibling posts when it holds several (`cleaners.posts`), under
    "posts" (an object, not for the explain record)."""
    stats = measure(tree)
    tables = unwrap_layout_tables(tree, stats)
    if forum is None:
        forum = is_forum(tree, url, site_clean)
    extra = (site_clean or {}).get("prune_xpath") or []
    if isinstance(extra, str):
        extra = [extra]
    removed, left, thread = prune(tree, stats, forum, extra)
    posts = None
    if titles is not None and not forum and not thread:
        from cleaners.posts import find_posts

        posts = find_posts(tree, stats, titles)
    return {"layout_tables": tables, "pruned": removed, "forum": forum, "thread": thread, "page_chars": left,
            "posts": posts}
