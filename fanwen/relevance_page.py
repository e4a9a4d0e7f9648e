"""Page openings as real 范文 sites serve them: find the title and the speech behind the site's chrome.

Real pages (see benchmarks/data/real_pages.tsv) rarely start with a clean title and a clean body. Before the speech
there may be a breadcrumb (``当前位置:首页 > 领导讲话 > 正文``), a ``| 标题:… |`` table row, a docx viewer's header
(``VIP专免 / 18.6KB / 14 页 / 侵权投诉``), a download notice followed by the title broken into keyword tokens, a
repost boilerplate (``导语:…来源于网友上传``, ``前言:本站为你精心整理了…``, ``编者按:…``), a database mark
(``论文部分内容阅读 【正】``) or a table of contents; the title may be glued to the text (``…上讲话…上的讲话同志们:``),
given as a slogan with a ``——在…会议上的讲话`` line under it, or appear only at the end (``收藏《…》``); and paywalls
cut the text with ``(未完,全文共N字…)`` or ``此处隐藏N个字``.

``read_page(title, text)`` takes the normalised title and text and returns the title a reader would take, the body of
the speech without the chrome, and the chrome itself (breadcrumbs and channel names are weak evidence of the genre).
It only removes lines a reader would skip; it never rewrites the speech.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# a breadcrumb: 当前位置 / 您的位置 / 首页 > … or several `>` separated segments
_BREADCRUMB = re.compile(r"^(?:当前位置|您的位置|您的当前位置|你的位置|位置)[::]|^首页\s*[>›»/]|(?:[^>›»]{1,20}[>›»]){2,}")
# metadata and viewer chrome: one short line each
_META = re.compile(
    r"^(?:发布(?:时间|日期)|更新时间|时间|日期|来源|作者|编辑|责任编辑|阅读(?:次数|量)?|浏览(?:次数)?|点击|字数|编号|"
    r"文章来源|手机版|移动端|分享到?|标签|关键词|摘要|分类)[::]|"
    r"^(?:VIP(?:专免|专享)?|海报|侵权投诉|举报|收藏|下载|复制下载|立即下载|打印|分享|纠错|手机版.*|目录|"
    r"[0-9]+(?:\.[0-9]+)?\s*[KM]B|[0-9]+\s*页|第?[0-9]+页共\s*[0-9]+\s*页|[0-9]{1,4}\+?|"
    r"[0-9]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?(?:\s+[0-9:]+)?|\(?[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日\)?)$|"
    r"\|\s*(?:发布|来源|作者|阅读|浏览|字数|时间|日期)|"
    r"^[0-9]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?.{0,40}(?:来源|浏览|阅读|作者|编辑|点击|字数|下载)|"
    r"^(?:正文复制|一键复制(?:全文)?|复制全文|下载文档.{0,8}|文档下载|全文阅读)$"
)
# boilerplate of repost and document sites (the line is dropped; a title inside it is not trusted)
_BOILERPLATE = re.compile(
    r"^(?:温馨提示|[0-9][.、]\s*(?:文件|本文档|下载|部分包含)|导语[::]|前言[::]|编者按[::]|摘要[::]|"
    r"下面是小编|以下是(?:小编|本站|网友)|论文部分内容阅读|本篇文章[0-9]+字|.{0,40}供大家参考|.{0,30}来源于网友上传|"
    r"本文档由|下载前请|网站客服|.{0,20}仅供参考)"
)
_DB_MARK = re.compile(r"^【正】")
# paywall and pager footers (dropped from the body; 收藏《title》 gives the title when the page has none)
_FOOTER = re.compile(
    r"^(?:\(未完|……\(.{0,20}省略|\(本站省略|此处隐藏|\(请认真阅读|预览结束|因篇幅问题|\(阅读全部|上一篇[::]|下一篇[::]|"
    r"收藏《|本章未完|点击下一页|.{0,10}正式会员可|第?[0-9]+页\s*共\s*[0-9]+\s*页)"
)
_BOOKMARK_TITLE = re.compile(r"收藏《([^》]{4,80})》")
# a docx viewer's page marker glued to the start of the text (第1页共4页在全镇…讲话同志们:…): only the marker is chrome
_PAGER_PREFIX = re.compile(r"^第?[0-9]+页\s*共\s*[0-9]+\s*页\s*(?=\S{20})")
_TABLE_TITLE = re.compile(r"^\|?\s*(?:文章)?标题[::]\s*(.+?)\s*\|?$")
_INLINE_TITLE = re.compile(r"^(?:文章标题|标题)[::]\s*(.+)$")
_SUBTITLE = re.compile(r"^(?:——|--|—|-{1,2}|─+)\s*(?:在|于)")
_SALUTATION = re.compile(r"^(?:同志们|各位|尊敬的|主席团|女士们|老师们|同学们|亲爱的|敬爱的|主任、)")
_SENTENCE = re.compile(r"[。!?;]")
_TOC_LINE = re.compile(r"^[^,。:;!?]{4,60}\s+[0-9]{1,3}$")
_TOKEN_LINE = re.compile(r"^[^\s,。:;!?、]{1,6}$")
# a title glued to the text: …在…会上讲话…在…会上的讲话同志们:… (the sharing sites drop the line breaks)
_RUN_IN = re.compile(r"^((?:[^,。:;!?、\s]{4,60}?(?:讲话|发言|讲话稿|讲稿|致辞|主持词|报告|演讲稿)(?:\([0-9一二三四五六七八九十]+\))?){1,2})(?=[^,。:;!?、\s])")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\s-\s|-(?=VIP|免费|下载|范文)|\s\|\s|——\s*[^—]{2,12}网$)\s*")


@dataclass
class PageView:
    title: str
    body: str
    chrome: str
    title_from: str  # "given", "first line", "table row", "bookmark", "run-in", "" (none)


def _is_breadcrumb(line: str) -> bool:
    return bool(_BREADCRUMB.search(line)) and len(line) <= 120 and not _SENTENCE.search(line)


def _is_chrome(line: str) -> bool:
    if len(line) > 160:
        return False
    return bool(_is_breadcrumb(line) or _META.search(line) or _BOILERPLATE.search(line))


def _clean_title(title: str) -> tuple[str, str]:
    """A page title often carries the channel and the site: `X_领导讲话_某某范文网` -> (X, '领导讲话 某某范文网')."""
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    if len(parts) > 1:
        return parts[0], " ".join(parts[1:])
    return title, ""


def read_page(title: str, text: str) -> PageView:
    """The reader's view of a page opening: title, body without chrome, and the chrome (both inputs normalised)."""
    chrome: list[str] = []
    title = (title or "").strip()
    title_from = "given" if title else ""
    if title and _is_breadcrumb(title):
        chrome.append(title)
        title, title_from = "", ""
    elif title:
        title, rest = _clean_title(title)
        if rest:
            chrome.append(rest)
    lines = [ln.strip() for ln in (text or "").split("\n") if ln.strip()]
    body: list[str] = []
    started = False  # the speech has started: a salutation, a sentence or a long line
    tokens: list[str] = []
    for i, ln in enumerate(lines):
        pager = _PAGER_PREFIX.match(ln)
        if pager:
            chrome.append(pager.group(0).strip())
            ln = ln[pager.end():]
        if not started:
            m = _TABLE_TITLE.match(ln) or _INLINE_TITLE.match(ln)
            if m and len(m.group(1)) <= 80:
                if title_from != "given":
                    title, title_from = m.group(1).strip(" |"), "table row"
                chrome.append(ln)
                continue
            if _is_chrome(ln) or _TOC_LINE.match(ln):
                chrome.append(ln)
                continue
            if _DB_MARK.match(ln):
                chrome.append("【正】")
                ln = ln[3:].strip()
                if not ln:
                    continue
            # a run of keyword tokens (a download page splits the title into words, one a line)
            if _TOKEN_LINE.match(ln) and not _SALUTATION.match(ln) and (
                    tokens or (i + 1 < len(lines) and _TOKEN_LINE.match(lines[i + 1]))):
                tokens.append(ln)
                continue
            if _SALUTATION.match(ln) or _SENTENCE.search(ln) or len(ln) > 40:
                started = True
        if _FOOTER.match(ln):
            m = _BOOKMARK_TITLE.search(ln)
            if m and not title:
                title, title_from = m.group(1), "bookmark"
            chrome.append(ln[:60])
            continue
        body.append(ln)
    if tokens:
        chrome.append(" ".join(tokens))
    # the first line is the title when it reads like one (short, no sentence, not a salutation)
    if body:
        first = body[0]
        if len(first) <= 80 and not _SENTENCE.search(first) and not _SALUTATION.match(first) and \
                not first.endswith((":", ",")):
            if not title:
                title, title_from = first, "first line"
                body = body[1:]
            while body and (body[0] == title or body[0] in title):
                body = body[1:]
            if body and _SUBTITLE.match(body[0]) and len(body[0]) <= 100:
                title = f"{title} {body[0]}" if title else body[0]
                body = body[1:]
        elif len(first) > 100:
            m = _RUN_IN.match(first)
            if m and not re.match(r"^(?:刚才|今天|下面|这次|方才|首先|按照|根据|我们)", m.group(1)):
                if not title:
                    title, title_from = m.group(1), "run-in"
                body[0] = first[m.end():]
    elif title and _SUBTITLE.match(title):
        pass
    return PageView(title=title, body="\n".join(body), chrome="\n".join(chrome), title_from=title_from)
