"""Generic cleaning rules: what 范文 sites wrap around a speech, recognised on any site (known or not).

Each rule is a small pure function, registered in the order it runs (see ``cleaners.registry``). Text rules take and
return the text; document rules also read the title or the site's name, or note evidence (a declared page count, a
paywall marker) that ``cleaners.flags`` turns into the ``truncated`` flag.

What counts as speech and is never removed: enumerations (一、 (一) 1. 第一, 一要…), placeholders (* X xx 某 ☆ ×),
the censorship token (单字替换), figures and quotes.
"""
from __future__ import annotations

import re

from cleaners.document import Document
from cleaners.patterns import PAYWALL as _PAYWALL
from cleaners.patterns import (
    CJK,
    DATE_RE,
    ENUM_RE,
    TIME_RE,
    bigram_similarity,
    cjk_count,
    core,
    ends_sentence,
    line_tester,
    squash,
)
from cleaners.registry import cleaning_info, note, rule

# ---------------------------------------------------------------------------------------------------------------
# helpers


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _join(lines: list[str]) -> str:
    return "\n".join(lines)


def _prose(line: str) -> bool:
    """A line that reads as running text (long enough, with sentence punctuation)."""
    return cjk_count(line) >= 30 and bool(re.search(r"[，,。；;！!？?]", line))


def _head_limit(lines: list[str], n: int = 10) -> int:
    """Index of the end of the head region: the first n lines, but never past the first long prose line."""
    for i, ln in enumerate(lines[:n]):
        if cjk_count(ln) >= 80 and _prose(ln):
            return i
    return min(n, len(lines))


def _tail_start(lines: list[str], frac: float = 0.4) -> int:
    """Index from which a line is in the tail region: at least `frac` of the text's characters come before it."""
    total = sum(len(ln) for ln in lines) or 1
    acc = 0
    for i, ln in enumerate(lines):
        if acc >= frac * total:
            return i
        acc += len(ln)
    return len(lines)


def _cut_at_first(lines: list[str], pat: re.Pattern, min_before: int = 150, max_len: int = 200) -> tuple[list[str], str | None]:
    """Cut the text from the first line matching `pat` that has at least `min_before` CJK characters before it."""
    before = 0
    for i, ln in enumerate(lines):
        if len(ln) <= max_len and pat.search(ln) and before >= min_before:
            return lines[:i], ln
        before += cjk_count(ln)
    return lines, None


# ---------------------------------------------------------------------------------------------------------------
# 1. whitespace

_ZW = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_NBSP = re.compile("[\u00a0\u2002\u2003\u2009\u200a]")


@rule()
def normalize_space(text: str) -> str:
    """Whitespace the page left: zero-width and no-break spaces, indentation (U+3000), \\r, blank lines."""
    text = _ZW.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _NBSP.sub(" ", text)
    out = []
    for ln in text.split("\n"):
        ln = ln.strip(" \t\u3000")
        if ln:
            out.append(ln)
    return _join(out)


_PIPES = re.compile(r"^[|\s\-–—:：]*$")


@rule()
def strip_table_pipes(text: str) -> str:
    """Table scaffolding from layout tables (`| | |` rows, leading and trailing cell bars)."""
    out = []
    for ln in _lines(text):
        if "|" not in ln:
            out.append(ln)
            continue
        if _PIPES.match(ln):
            continue
        if ln.startswith("|") or ln.endswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", ln.strip().strip("|"))]
            cells = [c.replace("\\|", "|") for c in cells if c and not _PIPES.match(c)]
            if not cells:
                continue
            for c in cells:
                out.append(c)
        else:
            out.append(ln)
    return _join(out)


# ---------------------------------------------------------------------------------------------------------------
# 2. forum (Discuz!) chrome and print views

_FORUM = re.compile(
    r"\[复制链接\]|\[打印本页\]|^发表于\s*[\d昨前今半]|^显示全部楼层|^阅读模式$|您需要登录后才可以回帖|^登录\s*\|\s*立即注册|"
    r"^只看该作者|^倒序浏览|^使用道具|^举报$|^回复$|^(楼主|沙发|板凳|地板|\d+\s*#|\d+楼)$|^电梯直达|^本帖最后由\s*\S+\s*于.{0,30}编辑|"
    r"^查看[:：]\s*\d+\s*\|\s*回复[:：]\s*\d+|Powered by Discuz|^返回列表|^发新帖|^快速回复|^高级模式|^马上注册|^本版积分规则|"
    r"^(Archiver|手机版|小黑屋)\b|^GMT\+8|^收藏\s*\d*$|^分享\s*\d*$|^支持\s*\d*\s*反对\s*\d*$|^回复\s*引用|^点评$|^评分$|"
    r"^积分\s*\d+$|^主题\s*\d*$|^帖子\s*\d*$|^(上一主题|下一主题)|^楼主\s*\|\s*发表于|^跳转到指定楼层|^\d+\s*/\s*\d+\s*页$|"
    r"^立即注册$|^找回密码$|^登录$|^注册$|"
    # Q&A and comment-list chrome
    r"你对这个回答的评价是|^抢首赞|已赞过|已踩过|^评论\s*举报|^我来答|^更多回答|^展开全部$|^收起$|^(关注|点赞|首赞|评论|举报|赞|踩)\s*\d*$|"
    r"^(采纳数|获赞数|回答量|采纳率|帮助的人|粉丝数?|关注数?)[:：]|^推荐律师服务|^查看更多|^加载更多|^写回答|^邀请回答|^好问题\s*\d*$|"
    r"^(上传|发布)于\s*\d|^\d+\s*(人赞同了该回答|条评论|个回答|人关注)|"
    # a comment box and a topic list's counters: 全部评论, 最热 最新, 表情 图片, 0/200, 等人赞过, 3 点赞 · 1 评论
    r"^全部评论\s*\d*$|^最热\s*[|·]?\s*最新$|^表情\s*图片$|^0\s*/\s*\d{3,4}$|^等?\d*人赞过$|"
    r"^\d+\s*(点赞|赞|评论|回复|阅读|浏览)(\s*[·•|]\s*\d+\s*(点赞|赞|评论|回复|阅读|浏览))+$|"
    # a post's or reply's relative time alone on its line, and thread tools: 6天前, 仅看楼主, 倒序看帖, 暂无数据
    r"^(\d+\s*(秒|分钟|小时|天|周|个月|年)前|刚刚)$|^(仅看楼主|倒序看帖|手机查看|暂无数据|没有更多了|该评论已删除|关注问题|发布于)$|"
    r"^评\s*论$|^\d+\s*个评论$|^\[作者\]$|^问题标签[:：]$"
)
_is_forum_line = line_tester(_FORUM)
_PRINT_TITLE = re.compile(r"^标题[:：]\s*\S")
_PRINT_AUTHOR = re.compile(r"^作者[:：].{0,40}时间[:：]")


@rule(kind="doc")
def drop_forum_chrome(doc: Document) -> Document:
    """Forum chrome and print-view headers: [复制链接], 发表于…, 显示全部楼层, 登录|立即注册, 标题: … [打印本页], 作者:… 时间:…"""
    out = []
    for ln in _lines(doc.text):
        if len(ln) <= 120 and _is_forum_line(ln):
            m = re.match(r"^标题[:：]\s*(.+?)\s*\[打印本页\]", ln)
            if m:
                note(doc, "print_title", m.group(1))
            continue
        if len(ln) <= 150 and (_PRINT_AUTHOR.search(ln) or (_PRINT_TITLE.search(ln) and not _prose(ln))):
            m = re.match(r"^标题[:：]\s*(.+)$", ln)
            if m:
                cleaning_info(doc)["evidence"].setdefault("print_title", m.group(1).strip())
            continue
        out.append(ln)
    doc.text = _join(out)
    return doc


# ---------------------------------------------------------------------------------------------------------------
# 3. tails: related lists, paywalls, site footers

_RELATED = re.compile(
    r"^[【\[（(]?\s*(推荐访问|猜你喜欢|相关推荐|热门文章|相关文章|相关阅读|延伸阅读|推荐阅读|精彩推荐|热门推荐|相关范文|最新范文|更多范文|"
    r"大家在看|大家都在看|其他人也在看|为你推荐|为您推荐|热门标签|本文标签|相关标签|相关热搜|相关搜索|相关资料|相关文档|更多相关|热门阅读|最新文章|随机文章|"
    r"精选范文|推荐文章|相关报道|相关新闻|相关链接|猜您喜欢|你可能(也)?(感兴趣|喜欢)|您可能(也)?(感兴趣|喜欢)|看了本文的还看了|"
    r"Tags?|标签)\s*[】\]）)]?\s*([:：]|$|\s)"
)
_NAV_LINE = re.compile(r"^(上一篇|下一篇|上一页|下一页|上一主题|下一主题)\s*[:：]?")


@rule(kind="doc")
def cut_related_tail(doc: Document) -> Document:
    """Related-article lists and tag lines after the speech (推荐访问, 猜你喜欢, 相关推荐, 热门文章 … and what follows)."""
    lines = _lines(doc.text)
    kept, hit = _cut_at_first(lines, _RELATED, min_before=150, max_len=400)
    if hit is None:
        kept = [ln for ln in lines if not (len(ln) <= 40 and _RELATED.search(ln))]
    kept = [ln for ln in kept if not (_NAV_LINE.search(ln) and len(ln) <= 80)]
    doc.text = _join(kept)
    return doc


_HIDDEN = re.compile(r"[…\.。]*\s*此处隐藏\s*[:：]?\s*(\d+)\s*个?字\s*[…\.。]*")
_DECLARED_CHARS = re.compile(r"(?:全文共|全文约|文章共|本页约|本文共|全文|共)\s*(\d{3,6})\s*\+?\s*字")
_DECLARED_PAGES = re.compile(r"(?:共|全文共)?\s*(\d{1,4})\s*页(?:珍藏版|[)）]|\s*$|,|，)")


def _declared_chars(doc: Document, s: str) -> None:
    m = _DECLARED_CHARS.search(s)
    if m:
        n = int(m.group(1))
        ev = cleaning_info(doc)["evidence"]
        ev["declared_chars"] = max(n, ev.get("declared_chars", 0))


@rule(kind="doc")
def cut_paywall_tail(doc: Document) -> Document:
    """Paywall and preview tails: 阅读全文, 预览结束, (未完,全文共N字…), 全文约N字请下载, ……此处隐藏N个字…… (the copy is truncated)."""
    lines = _lines(doc.text)
    out = []
    for ln in lines:
        m = _HIDDEN.search(ln) if "此处隐藏" in ln else None
        if m:
            note(doc, "hidden_chars", int(m.group(1)))
            ln = _HIDDEN.sub("", ln).strip()
            if not ln:
                continue
        out.append(ln)
    before = 0
    total = sum(cjk_count(x) for x in out)
    for i, ln in enumerate(out):
        m = _PAYWALL.search(ln)
        after = total - before - cjk_count(ln)
        if m and (len(ln) <= 160 or m.start() <= 5) and before >= 30 and after > 200 and after > before:
            out[i] = ""  # a download/login notice in the middle of the speech: an ad line, not where the copy stops
            before += cjk_count(ln)
            continue
        inline_end = m and before + cjk_count(ln[: m.start()]) >= 150 and after + cjk_count(ln[m.end():]) < 300
        if m and (len(ln) <= 160 or m.start() <= 5 or inline_end) and before >= 30 or (inline_end and i == 0):
            note(doc, "paywall_marker", m.group(0))
            pm = re.search(r"总共\s*(\d+)\s*页", ln)
            if pm:
                cleaning_info(doc)["evidence"].setdefault("declared_pages", int(pm.group(1)))
            for rest in out[i:]:
                _declared_chars(doc, rest)
            # a marker after some speech on the same line (…真…阅读全文): keep the part before it
            head = ln[: m.start()].rstrip(" ([（【:：….")
            out = out[:i] + ([head] if cjk_count(head) >= 10 and not re.search(r"[)）】]$", head) else [])
            break
        before += cjk_count(ln)
    doc.text = _join([x for x in out if x])
    return doc


_FOOTER = re.compile(
    r"《[^》]{2,120}》\s*由\s*(互联网用户|网友|用户)\S{0,6}分享|文章地址[:：]\s*(https?://|www\.)|^本文(链接|地址|网址)[:：]|"
    r"^原文(链接|地址)[:：]|^转载请(注明|保留)|^[【\[]?(反侵权|侵权|版权|免责)(公告|声明|说明)[】\]]?\s*[:：]?\s*$|^[【\[]?(版权声明|免责声明|声明|郑重声明|特别声明)[】\]]?\s*[:：]|^Notice: The content above|^-[\s\-]*(配套讲稿|特殊限制|关\s*键\s*词)\s*[:：]|"
    r"欢迎光临.{0,60}Powered by|^(用户评论|网友评论|发表评论|评论列表|精彩评论|最新评论)|^本文(来源|来自)于?[:：]|"
    r"^(责任编辑|责编)[:：]|^(上传|投稿)人?[:：]|^文档(格式|页数|大小)[:：]|^(文章)?(所在)?栏目[:：]|"
    r"^(Copyright|©|版权所有)"
)

_is_footer_line = line_tester(_FOOTER)


@rule(kind="doc")
def cut_site_footer(doc: Document) -> Document:
    """Site footers after the speech: 《…》由互联网用户分享整理。文章地址:…, - 配套讲稿/特殊限制/关 键 词, 欢迎光临 … Powered by, 用户评论."""
    lines = _lines(doc.text)
    tail = _tail_start(lines, 0.5)
    out = []
    for i, ln in enumerate(lines):
        if len(ln) <= 300 and _is_footer_line(ln):
            if i >= tail and i > 0:
                for rest in lines[i:]:
                    _declared_chars(doc, rest)
                break
            continue  # a footer-like line above the speech: drop only that line
        out.append(ln)
    doc.text = _join(out)
    return doc


# ---------------------------------------------------------------------------------------------------------------
# 4. heads: docx-preview header, breadcrumbs, bylines, lead-ins, summaries

_DOC_FILE = re.compile(r"^(.{4,200}?)\.(docx?|pdf|pptx?|wps|txt|xlsx?)\s*$", re.I)
_MEMBER_SHARE = re.compile(r"由会员分享[,，]?\s*可在线阅读|请在.{2,12}上搜索|更多相关《")


@rule(kind="doc")
def drop_docx_header(doc: Document) -> Document:
    """Document-preview headers: `<title>.docx` and 《….docx》由会员分享,可在线阅读,更多相关《…(N页珍藏版)》请在…上搜索。"""
    out = []
    head = _head_limit(_lines(doc.text), 6)
    for i, ln in enumerate(_lines(doc.text)):
        if i < head + 1:
            m = _DOC_FILE.match(ln)
            if m and cjk_count(ln) < 200:
                note(doc, "doc_file_title", m.group(1))
                continue
        if _MEMBER_SHARE.search(ln) and len(ln) <= 600:
            pm = re.search(r"[(（]\s*(\d{1,4})\s*页", ln)
            if pm:
                note(doc, "declared_pages", int(pm.group(1)))
            continue
        out.append(ln)
    doc.text = _join(out)
    return doc


_BREADCRUMB = re.compile(r"^(当前位置|您的位置|你的位置|你现在的位置|您现在的位置|所在位置|位置)\s*[:：]|^首页\s*[>＞»›/]|[>＞»›]\s*首页\s*[>＞»›]")


@rule()
def drop_breadcrumb(text: str) -> str:
    """Breadcrumb lines: 位置: 首页 > 专题范文 > 公文范文 > 文章内容, 当前位置: X网 > …"""
    out = []
    for ln in _lines(text):
        if len(ln) <= 160 and (_BREADCRUMB.search(ln) or (ln.count(">") + ln.count("＞") + ln.count("»") >= 2 and "首页" in ln)):
            continue
        out.append(ln)
    return _join(out)


_BYLINE_FIELD = re.compile(
    r"(投稿作者|作者|来源|发布时间|发布日期|发表时间|更新时间|时间|日期|点击(?:量|数|率)?|浏览(?:量|次数)?|阅读(?:量|数)?|人气|编辑|"
    r"责任编辑|字号|栏目|分类|评论|移动端|手机版|投稿|发布)\s*[:：]"
)
_BYLINE_WORDS = re.compile(r"投稿作者|网友投稿|来源[:：]|作者[:：]|点击[:：]|浏览[:：]|阅读[:：]|【?\s*字号|【\s*大\s*中\s*小\s*】|【\s*小\s*中\s*大\s*】|"
                           r"【打印[^】]*】|【关闭[^】]*】|【收藏[^】]*】|【以稿换稿】|【加入会员】|次浏览|人阅读|次阅读|更新$")
_MMDD = re.compile(r"^\d{1,2}-\d{1,2}(\s|$|\s*\|)")


def _is_byline(ln: str) -> bool:
    if len(ln) > 140 or _prose(ln):
        return False
    if _BYLINE_FIELD.fullmatch(ln.strip()):
        return True  # a field label left alone (发表时间:) when its value was a script
    fields = len(_BYLINE_FIELD.findall(ln))
    has_date = bool(DATE_RE.search(ln) or TIME_RE.search(ln) or _MMDD.match(ln))
    if fields >= 2 or (fields >= 1 and has_date) or _BYLINE_WORDS.search(ln):
        return True
    if has_date:  # a line that is (almost) only a date and time, or a date and a site name
        rest = DATE_RE.sub("", TIME_RE.sub("", _MMDD.sub("", ln)))
        return cjk_count(rest) <= 12 and not re.search(r"[，,。；;]", rest)
    return False


@rule(kind="doc")
def drop_byline(doc: Document) -> Document:
    """Byline and date lines above or below the speech: 2022-06-11 19:24:01 投稿作者:网友投稿 点击:, | 来源:网友投稿, 时间:…"""
    lines = _lines(doc.text)
    head = _head_limit(lines, 12)
    tail = max(_tail_start(lines, 0.85), len(lines) - 4)
    out = []
    signoff = re.compile(r"^(?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|[二〇零一二三四五六七八九十]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)$")
    for i, ln in enumerate(lines):
        if i >= len(lines) - 2 and i > 0 and signoff.match(ln):
            out.append(ln)  # the date a letter or a speech is signed with: part of the text
            continue
        if (i < head or i >= tail) and _is_byline(ln):
            m = DATE_RE.search(ln)
            if m:
                ev = cleaning_info(doc)["evidence"]
                ev.setdefault("date_line", f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")
            continue
        out.append(ln)
    doc.text = _join(out)
    return doc


_STAMP = re.compile(r"(?:(?:19|20)?\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/月]\d{1,2}日?)\s*\d{1,2}:\d{2}")


@rule()
def drop_post_meta(text: str) -> str:
    """Per-post metadata in threads and comment lists (`user 看过 2024-04-07 13:19:20 贵州`), when it repeats (3+ lines)."""
    lines = _lines(text)
    meta = [i for i, ln in enumerate(lines) if len(ln) <= 90 and _STAMP.search(ln) and not re.search(r"[。！？；]", ln)
            and cjk_count(_STAMP.sub("", ln)) <= 20]
    if len(meta) < 3:
        return text
    drop = set(meta)
    return _join([ln for i, ln in enumerate(lines) if i not in drop])


_LEADIN = re.compile(
    r"小编|为大家(整理|收集|精心|准备|带来|分享)|供大家(参考|借鉴|学习|阅读)|希望(能|可以)?(对|为|帮助)(你|您)|欢迎(阅读|参考|借鉴|参阅|大家阅读)|"
    r"仅供(参考|学习)|一文来源于|来源于网友上传|不代表本站观点|本站为(你|您)精心整理|若需要原创文章|可咨询客服|欢迎咨询|"
    r"^导语[:：]|^前言[:：]\s*本站|^【?\s*(文章|全文)共\s*\d+\s*字[^】]*】|精选参考范文|仅供学习借鉴|以下是.{0,30}(整理|收集|精选)的|"
    r"是一篇好的范文|的详细范文参考文章|觉得有用就收藏|范文参考|参考范文"
)
# the title a lead-in names: 下面是小编为大家整理的<title>,供大家参考 / 导语:<title>一文来源于 / 本站为你精心整理了<title>范文
_LEADIN_TITLE = re.compile(
    r"(?:小编为大家(?:整理|收集|精心整理|准备|带来)的|为(?:你|您|大家)精心整理了|^导语[:：])\s*(.{4,120}?)\s*"
    r"(?:[,，。]\s*(?:供大家|希望|欢迎|仅供)|一文来源于|范文[,，]|$)"
)
_LEADIN_LINE = line_tester(_LEADIN)
_DECLARED_COUNT = re.compile(r"^【?\s*(文章|全文)共\s*\d+\s*字|本页约\s*\d+")
_COUNT_NOTE = re.compile(r"【\s*(文章|全文)共\s*\d+\s*字[^】]*】")
_SUMMARY_LABEL = re.compile(r"^[【\[]?\s*(文章导读|内容摘要|内容提要|摘要|导读|文章摘要|本文导读|内容简介|简介)\s*[】\]]?\s*[:：]?\s*")


@rule(kind="doc")
def drop_leadin(doc: Document) -> Document:
    """Lead-ins and auto-summaries: 下面是小编为大家整理的…,供大家参考。 导语:…一文来源于网友上传…, 文章导读 + summary, 【文章共N字…】"""
    lines = _lines(doc.text)
    head = _head_limit(lines, 14)
    out: list[str] = []
    skip_next = False
    # _LEADIN's alternatives that do not start with ^ cannot match \n: if the whole text holds none, no line does
    # (a line cut below is searched in full, since the cut may join a match)
    unanchored = _LEADIN_LINE.rest_re.search(doc.text) is not None
    for i, ln in enumerate(lines):
        if skip_next:
            skip_next = False
            if i <= head + 1 and not ENUM_RE.match(ln):
                continue
        if ("共" in ln or "本页约" in ln) and _DECLARED_COUNT.search(ln):  # (each match holds one of the two)
            _declared_chars(doc, ln)
        m = _COUNT_NOTE.search(ln) if "共" in ln else None
        if m:
            ln = (ln[: m.start()] + ln[m.end():]).strip()
            if not ln:
                continue
        near_edge = i <= head + 2 or i >= len(lines) - 3
        lm = _LEADIN_LINE.head_re.match(ln) or ((unanchored or m) and _LEADIN_LINE.rest_re.search(ln))
        if lm and (near_edge or len(ln) <= 200):
            tm = _LEADIN_TITLE.search(ln)
            if tm and i <= head + 2:
                cleaning_info(doc)["evidence"].setdefault("leadin_title", tm.group(1).strip())
            rest, gone = ln, 0
            while (lm := _LEADIN.search(rest)) and gone < 3:
                s0, s1 = leadin_sentence(rest, lm)
                if cjk_count(rest[s0:s1]) > 150:
                    break
                rest, gone = (rest[:s0] + rest[s1:]).strip(), gone + 1
            if gone and not _LEADIN.search(rest) and speech_start(rest):
                out.append(rest)  # the lead-in sentence glued to the speech: only the sentence goes
                continue
            if not (_prose(ln) and cjk_count(ln) > 250):
                continue
        sm = _SUMMARY_LABEL.match(ln)
        if sm and i <= head + 2 and cjk_count(ln) > 300:
            out.append(ln[sm.end():])  # a label glued to the speech itself: the label goes, the text stays
            continue
        if sm and i <= head + 2:
            if len(ln) - sm.end() < 4:  # the label alone: the summary is the next line
                skip_next = True
            continue
        out.append(ln)
    doc.text = _join(out)
    return doc


_ELLIPSIS_END = re.compile(r"(\.{3,}|…+|。{3,})\s*$")


@rule()
def drop_summary_echo(text: str) -> str:
    """An auto-summary above the speech that repeats its opening (`同志们:今天,县委…优化营商环境……`)."""
    lines = _lines(text)
    head = _head_limit(lines, 8)
    out = []
    for i, ln in enumerate(lines):
        if i <= head and i + 1 < len(lines):
            m = _ELLIPSIS_END.search(ln)
            body = squash(ln[: m.start()]) if m else ""
            if len(body) >= 20:
                probe = body[:60]
                rest = squash("".join(lines[i + 1 : i + 6]))
                if probe in rest[: len(probe) + 150]:
                    continue
        out.append(ln)
    return _join(out)


# ---------------------------------------------------------------------------------------------------------------
# 5. ads, share/print chrome, anti-copy noise

_AD_STRONG = re.compile(
    r"小编|本站|本网站|范文网|文秘网|范文大全|网友上传|网友投稿|供大家参考|仅供参考|客服|代写|代笔|CTRL\s*\+\s*D|下载本文|点击下载|免费下载|"
    r"登录后|立即注册|赞赏|打赏|扫码|扫一扫|二维码|关注公众号|微信号|QQ群|加微信|原创文章|侵权|版权归|"
    r"收藏本页|加入收藏|设为首页|复制本文|分享到|VIP|开通会员|范文"
)
_AD_SURE = re.compile(
    r"小编|本站|本网站|范文网|文秘网|网友上传|网友投稿|供大家参考|客服|代写|代笔|CTRL\s*\+\s*D|下载本文|点击下载|免费下载|登录后|"
    r"立即注册|赞赏|打赏|收藏本页|加入收藏|设为首页|复制本文|分享到"
)
_SHARE = re.compile(r"^(广告|分享到|分享|打印|关闭|收藏|返回顶部|返回首页|返回列表|打印本页|关闭窗口|【打印】|【关闭】|【收藏】|【返回顶部】|微信扫一扫|扫一扫)\s*[:：]?\s*$")


# separator rules and forum markup (BBCode) left as text: ------ ====== [img]… [marquee]…
_MARKUP_LINE = re.compile(r"^\s*(?:[-=*_~·—]{5,}|\[/?(?:img|marquee|url|color|size|font|quote|align|b|i)\b[^\u4e00-\u9fff]*)\s*$", re.I)


@rule()
def drop_ad_lines(text: str) -> str:
    """Injected ads and site notices: short lines with 小编, 本站, 客服, 代写, 扫码, 赞赏, 下载本文, 分享到 … (never a long speech paragraph)."""
    out = []
    for ln in _lines(text):
        if _SHARE.match(ln) or _MARKUP_LINE.match(ln):
            continue
        if len(ln) <= 160 and not (_prose(ln) and cjk_count(ln) > 120) and not ENUM_RE.match(ln):
            strong = len(_AD_STRONG.findall(ln))
            if (_AD_SURE.search(ln) and len(ln) <= 120) or strong >= 2:
                continue
        out.append(ln)
    return _join(out)


_SYM = set("&^#;\"_~`|\\{}<>=+$@!?%'/:,.*()[]-")


def _noise_token(t: str) -> bool:
    return 1 <= len(t) <= 3 and any(c in _SYM for c in t)


def _is_noise_run(tokens: list[str]) -> bool:
    if len(tokens) < 4 or any(len(t) > 4 for t in tokens):
        return False
    if all(re.fullmatch(r"[xX×*☆]+|\d+|[A-Za-z]", t) for t in tokens):
        return False  # placeholders or a list of figures
    return sum(_noise_token(t) for t in tokens) >= 2


_ASCII_RUN = re.compile(r"(?:(?<=[" + CJK + r"，。；、！？：])|^)\s*((?:[!-~]{1,4}\s+){3,}[!-~]{1,4})\s*(?=[" + CJK + r"，。；、！？]|$)")
# every match of _ASCII_RUN holds this; the run's pattern starts with a lookbehind, which the regex engine tries at
# every character, so lines without it are not searched (most lines of a speech: ~0.2 ms a document)
_ASCII_SPACED = re.compile(r"[!-~]\s+[!-~]")


@rule()
def drop_ascii_noise(text: str) -> str:
    """Anti-copy noise: lines (or runs inside a line) of random ASCII like `& _3 ^; K# R" y; w6 n5 q`."""
    out = []
    for ln in _lines(text):
        if not cjk_count(ln) and _is_noise_run(ln.split()):
            continue
        if cjk_count(ln) and _ASCII_SPACED.search(ln):
            ln = _ASCII_RUN.sub(lambda m: "" if _is_noise_run(m.group(1).split()) else m.group(0), ln)
        out.append(ln)
    return _join(out)


# ---------------------------------------------------------------------------------------------------------------
# 6. watermarks: the site's own name injected inside words

_SITEISH = re.compile(r"(网|范文|文秘|秘书|文库|公文|材料|素材|写作|文档|家园|之家|大全|资料)")
_URL_IN_TEXT = re.compile(r"(?:https?://)?(?:www|m|wap)\.[A-Za-z0-9-]+(?:\.[A-Za-z]{2,6}){1,2}(?:/[^\s，。；]*)?")


def site_name_candidates(doc: Document) -> list[str]:
    """Names the site calls itself: trafilatura's site name, title suffixes, `欢迎光临 X (…)`, `X_Y范文` head lines."""
    names: set[str] = set()

    def add(s: str | None) -> None:
        if not s:
            return
        for part in re.split(r"[_|｜\-–—·•\s]+", s):
            part = part.strip(" 《》()（）[]【】")
            if 3 <= len(part) <= 12 and cjk_count(part) >= 2 and _SITEISH.search(part) and not re.search(r"[在的讲话会议]$", part):
                names.add(part)

    add(doc.site_name)
    raw = doc.raw_title or ""
    segs = re.split(r"\s*[_|｜]\s*|\s+[-–—]\s+", raw)
    for s in segs[1:]:
        add(s)
    for m in re.finditer(r"欢迎光临\s*(\S{2,30})\s*[(（]", doc.raw_text or ""):
        add(m.group(1))
    for ln in (doc.raw_text or "").split("\n")[:4]:
        ln = ln.strip()
        if 3 <= len(ln) <= 24 and cjk_count(ln) >= 3 and not re.search(r"[，,。；;:：]", ln) and re.search(r"(网|范文)", ln):
            add(ln)
    for m in re.finditer(r"请在(\S{2,10}?)上搜索", doc.raw_text or ""):
        add(m.group(1))
    return sorted(names, key=len, reverse=True)


@rule(kind="doc")
def remove_watermarks(doc: Document) -> Document:
    """The site's own name (or domain) injected into the speech as a watermark: 我老秘网区 -> 我区; site-name lines."""
    names = site_name_candidates(doc)
    cleaning_info(doc)["evidence"]["site_names"] = names
    out = []
    name_cores = {core(n) for n in names}
    for ln in _lines(doc.text):
        if names and core(ln) in name_cores:
            continue
        if names and any(n in ln for n in names) and len(ln) <= 40 and not _prose(ln):
            # a short line that is just the site's name with a slogan or a date
            rest = ln
            for n in names:
                rest = rest.replace(n, "")
            if cjk_count(rest) <= 12:
                continue
        if cjk_count(ln) >= 10:
            for n in names:
                if n in ln:
                    ln = ln.replace(n, "")
            if "." in ln:  # every URL match has a dot after www/m/wap
                ln = _URL_IN_TEXT.sub(lambda m: "" if re.search(f"[{CJK}]", ln[max(0, m.start() - 1): m.start()] + ln[m.end(): m.end() + 1]) else m.group(0), ln)
        out.append(ln)
    doc.text = _join(out)
    return doc


# ---------------------------------------------------------------------------------------------------------------
# 7. docx preview page markers, repeated and glued titles

_PAGE_MARK = re.compile(r"^(\d{1,3})、")


@rule(kind="doc")
def join_page_markers(doc: Document) -> Document:
    """Document-preview page markers `1、` `2、`… that start each page, glued into mid-sentence; the pages are joined."""
    lines = _lines(doc.text)
    marks = [(i, int(m.group(1))) for i, ln in enumerate(lines) if (m := _PAGE_MARK.match(ln))]
    # the longest run 1, 2, 3 … in order
    seq: list[int] = []
    want = 1
    for i, n in marks:
        if n == want:
            seq.append(i)
            want += 1
    if len(seq) < 2:
        return doc
    breaks = [j for j in seq[1:] if j > 0]
    mid = sum(1 for j in breaks if not ends_sentence(lines[j - 1]))
    long_pages = sum(1 for j in seq if len(lines[j]) >= 250)
    ev = cleaning_info(doc)["evidence"]
    docx = "declared_pages" in ev or "doc_file_title" in ev
    if not (docx or (breaks and mid / len(breaks) >= 0.5 and long_pages >= len(seq) / 2)):
        return doc
    note(doc, "shown_pages", len(seq))
    out: list[str] = []
    page_starts = set(seq)
    for i, ln in enumerate(lines):
        if i in page_starts:
            ln = _PAGE_MARK.sub("", ln, count=1)
            if out and not ends_sentence(out[-1]):
                out[-1] = out[-1] + ln
                continue
        out.append(ln)
    doc.text = _join(out)
    return doc


_SPEECH_TITLE = re.compile(
    r"^([^，,。；;！!？?]{0,40}?在[^，,。；;！!？?]{2,80}?(?:会议?|大会|座谈会|仪式|典礼|活动|论坛|培训班|研讨班|推进会|调度会|动员会|部署会|报告会|学习会|全会|"
    r"年会|峰会|开幕式|闭幕式|发布会|联席会|碰头会|汇报会|见面会|恳谈会|交流会|现场会|工作会)(?:\(扩大\)|（扩大）)?上?的?"
    r"(?:讲话|发言|致辞|报告|主持词|总结讲话|讲话提纲|动员讲话|表态发言|汇报发言|讲话稿|总结|讲评|主旨演讲|演讲))"
)
_TITLE_SUFFIX = re.compile(
    r"\s*([_|｜]\s*[^_|｜]{1,40})+$|\s+[-–—]\s+[^-–—]{1,40}$|\s*[(（]本页约?\s*\d+\+?字[)）]\s*$|"
    r"\s*[【\[(（](完整版|精选文档|全文完整|最新范本|范文|word版|可编辑|精选|通用|推荐|优秀范文|\d+篇)[】\])）]\s*$|\.(docx?|pdf|wps)$|"
    # a site or channel name glued with a dash and no spaces: X-范文大全, X-秘书之家, X-中国科普网
    r"[-–—]\s*[\u4e00-\u9fffA-Za-z0-9]{0,14}(网|站|之家|大全|范文|文章|在线|频道|政府|官网|平台|报|社|中心|文库|素材|资料)$|"
    r"^(正文|复制|打印|收藏|分享|字号)+(?=[\u4e00-\u9fff]{4})",
    re.I,
)


def strip_title_suffix(title: str) -> str:
    """`X_公文范文_某范文网` -> `X`; also `X (本页约4900+字)`, `X【完整版】`, `X.docx`."""
    t = (title or "").strip()
    for _ in range(4):
        new = _TITLE_SUFFIX.sub("", t).strip()
        if new == t or not new:
            break
        t = new
    return t


def title_candidates(doc: Document) -> list[str]:
    cands = []
    ev = cleaning_info(doc)["evidence"]
    for t in (doc.title, strip_title_suffix(doc.raw_title), ev.get("print_title"), ev.get("doc_file_title"), ev.get("leadin_title")):
        if t and t not in cands:
            cands.append(t)
            for part in re.split(r"\s*[&＆]\s*", t):
                if part and part != t and len(part) >= 6:
                    cands.append(part)
    return cands


def _is_title_line(ln: str, cands: list[str]) -> bool:
    if len(ln) > 120 or ends_sentence(ln) and not ln.endswith(("》", "”", ")", "）")):
        return False
    c = core(ln)
    if not c:
        return False
    for t in cands:
        ct = core(t)
        if not ct:
            continue
        if c == ct or bigram_similarity(c, ct) >= 0.75:
            return True
        if len(ct) >= 8 and (ct in c or c in ct) and abs(len(c) - len(ct)) <= max(8, len(ct) // 2):
            return True
    if _prose(ln):
        return False
    return bool(_SPEECH_TITLE.match(ln) or _TITLE_FORM.search(ln))


# a heading that names a speech without 在: `2022年xx市长市政府党组…会议上讲话`, `县长述职报告`
_TITLE_FORM = re.compile(r"^.{4,80}(?:会议?|大会|会上|仪式|典礼|活动|论坛|班)上?的?(?:讲话|发言|致辞|讲话稿|讲话提纲|主持词|报告)(?:[(（][^)）]{1,20}[)）])?$")


@rule(kind="doc")
def drop_title_lines(doc: Document) -> Document:
    """The title repeated above the speech (page title, the speech's own 在…上的讲话 heading, 标题: lines)."""
    lines = _lines(doc.text)
    cands = title_candidates(doc)
    head = _head_limit(lines, 8)
    out = []
    cores = {c for c in map(core, cands) if c}
    for i, ln in enumerate(lines):
        if i >= head:  # only the head's lines can go: the rest are kept without comparing them
            out.append(ln)
            continue
        exact = bool(cores) and core(ln) in cores
        if exact or (not ENUM_RE.match(ln) and _is_title_line(ln, cands)):
            if _SPEECH_TITLE.match(ln) or "speech_title" not in cleaning_info(doc)["evidence"]:
                note(doc, "speech_title", ln)
            continue
        out.append(ln)
    doc.text = _join(out)
    return doc


@rule(kind="doc")
def split_glued_title(doc: Document) -> Document:
    """A title glued to the first sentence (`市长在…会上的讲话在上半年…`): the title part is removed from the text."""
    lines = _lines(doc.text)
    if not lines:
        return doc
    first = lines[0]
    cands = sorted((c for c in title_candidates(doc) if len(core(c)) >= 8), key=len, reverse=True)
    for t in cands:
        st = squash(t)
        if squash(first).startswith(st) and len(squash(first)) > len(st) + 20:
            # remove the title's characters from the start of the line, whitespace-insensitively
            k, n = 0, 0
            while k < len(first) and n < len(st):
                if not first[k].isspace():
                    n += 1
                k += 1
            lines[0] = first[k:].lstrip(" ，,:：")
            note(doc, "speech_title", t)
            doc.text = _join(lines)
            return doc
    m = _SPEECH_TITLE.match(first)
    if m and len(first) > len(m.group(1)) + 40 and not re.match(r"[，,。、；]", first[len(m.group(1)):]):
        rest = first[len(m.group(1)):]
        if not rest.startswith(("上", "中", "时", "期间", "之际")):
            note(doc, "speech_title", m.group(1))
            lines[0] = rest
            doc.text = _join(lines)
    return doc


# ---------------------------------------------------------------------------------------------------------------
# 8. line breaks from PDF/docx conversion, cut endings


def _heading(ln: str) -> bool:
    return bool(ENUM_RE.match(ln)) and len(ln) <= 60 and not re.search(r"[。！？；]", ln)


@rule()
def rejoin_broken_lines(text: str) -> str:
    """Line breaks a PDF/docx conversion put in mid-sentence (a long line ending without punctuation + its continuation)."""
    lines = _lines(text)
    out: list[str] = []
    for ln in lines:
        if out:
            prev = out[-1]
            if (
                len(prev) >= 40
                and cjk_count(prev) >= 20
                and not ends_sentence(prev)
                and not _heading(prev)
                and (cjk_count(ln[:1]) == 1 or re.match(r"[\d“‘(（《a-zA-Z*]", ln))
                and not ENUM_RE.match(ln)
                and not _SPEECH_TITLE.match(ln)
            ):
                out[-1] = prev + ln
                continue
        out.append(ln)
    return _join(out)


_CUT_END = re.compile(r"(?<=[" + CJK + r"A-Za-z0-9，,、])\s*(\.{2,}|…+|。{2,}|\.\s*\.\s*\.)\s*$")


@rule(kind="doc")
def strip_cut_ellipsis(doc: Document) -> Document:
    """An ellipsis a preview puts where it cut the text mid-sentence (`…真...`): removed, the copy is truncated."""
    lines = _lines(doc.text)
    if lines:
        m = _CUT_END.search(lines[-1])
        if m and len(lines[-1]) > 8:
            lines[-1] = lines[-1][: m.start()].rstrip()
            note(doc, "cut_ellipsis", True)
            doc.text = _join(lines)
    return doc


# span rules (cleaners.spans) register themselves ahead of the line rules they protect
from cleaners import spans as _spans  # noqa: E402,F401
from cleaners.spans import leadin_sentence, speech_start  # noqa: E402
