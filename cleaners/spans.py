"""Span rules: boilerplate glued into a line of the speech is cut out of the line, the rest of the line is kept.

Sites glue their header fields, lead-ins, editor's notes and docx share notices to the first paragraph, and paywall
notices to the last one; a rule that drops the whole line drops the speech's opening with it. Each rule here removes
the span only (the guard in ``cleaners.registry`` refuses a cut that would take speech text, see `--explain`).
Registered among the generic rules, ahead of the line rules they protect (``before=``).
"""
from __future__ import annotations

import re

from cleaners.document import Document
from cleaners.patterns import DATE_RE, cjk_count
from cleaners.registry import cleaning_info, note, rule

_SENT_END = "。！？!?"
_SALUTATION = re.compile(r"^(?:\d{1,2}、)?(?:同志们|各位|尊敬的|大家好|亲爱的)")


def speech_start(rest: str) -> bool:
    """What is left of a line after a cut reads as text: 20+ CJK characters, or a salutation (同志们:)."""
    return cjk_count(rest) >= 20 or bool(_SALUTATION.match(rest.strip()))

# (本页约4900+字) 2025-11-08 07:03:52 99 | 公文搜 2022-06-18 21:55:42 经济 | 时间:2023-11-15 19:00:06 脱贫攻坚 来源:网友投稿
_HEADER = re.compile(
    r"^\s*(?:[(（]\s*(?:本页|全文|本文)约?\s*\d+\s*\+?\s*字\s*[)）]\s*)?"
    r"(?:[\u4e00-\u9fffA-Za-z]{1,10}\s+)?(?:(?:时间|日期|发布时间|发布日期|更新时间)\s*[:：]\s*)?"
    r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s+(?:\d{1,8}|[\u4e00-\u9fff]{1,6}))?(?:\s+(?:来源|作者|编辑)\s*[:：]\s*[^\s，。]{1,12})*\s+"
)
_PAGE_CHARS = re.compile(r"^\s*[(（]\s*(?:本页|全文|本文)约?\s*(\d+)\s*\+?\s*字\s*[)）]\s*")


@rule(kind="doc", before="drop_byline", span=True)
def cut_header_fields(doc: Document) -> Document:
    """Header fields glued before the speech's first words: (本页约4900+字) 2025-11-08 07:03:52 99, 公文搜 <date time> 经济."""
    lines = doc.text.split("\n")
    for i, ln in enumerate(lines[:4]):
        m = _HEADER.match(ln) or _PAGE_CHARS.match(ln)
        rest = ln[m.end():] if m else ""
        if not m or not speech_start(rest):
            continue  # a header line on its own: drop_byline takes it whole
        pc = _PAGE_CHARS.match(ln)
        if pc:
            ev = cleaning_info(doc)["evidence"]
            ev["declared_chars"] = max(int(pc.group(1)), ev.get("declared_chars", 0))
        d = DATE_RE.search(m.group(0))
        if d:
            cleaning_info(doc)["evidence"].setdefault(
                "date_line", f"{int(d.group(1)):04d}-{int(d.group(2)):02d}-{int(d.group(3)):02d}")
        lines[i] = ln[m.end():].lstrip()
    doc.text = "\n".join(lines)
    return doc


_EDITOR = re.compile(r"^\s*[【\[]?编者按[】\]]?\s*[:：]")
_EDITOR_END = re.compile(r"(?:具体材料请详见|详见如下|全文如下|内容如下|原文如下|现予刊发|特此编发|以飨读者)[^。:：]{0,6}[:：。]?")


@rule(kind="doc", before="drop_leadin", span=True)
def cut_editor_note(doc: Document) -> Document:
    """An editor's note before the speech (编者按:… 具体材料请详见:), cut up to its closing phrase or its first sentence."""
    lines = doc.text.split("\n")
    for i, ln in enumerate(lines[:5]):
        if not _EDITOR.match(ln):
            continue
        end = _EDITOR_END.search(ln, 0, 400)
        if end is None:
            end = re.search(f"[{_SENT_END}]", ln)
        cut = end.end() if end else len(ln)
        lines[i] = ln[cut:].lstrip(" :：")
        note(doc, "editor_note", ln[:cut][:60])
    doc.text = "\n".join(x for x in lines if x.strip())
    return doc


_SHARE_SPAN = re.compile(r"(?:^\s*\S{2,150}?\.(?:docx?|pdf|wps|pptx?)\s+)?《[^》]{2,150}》\s*由\s*(?:会员|用户|网友)\s*分享.{0,300}?请在\s*\S{1,15}?\s*上?\s*搜索[。.]?")


@rule(kind="doc", before="drop_docx_header", span=True)
def cut_share_notice(doc: Document) -> Document:
    """A docx preview's share notice glued to the text: 《….docx》由会员分享,可在线阅读,更多相关《…(N页珍藏版)》请在淘文阁上搜索。"""
    lines = doc.text.split("\n")
    for i, ln in enumerate(lines[:6]):
        m = _SHARE_SPAN.search(ln)
        if not m or not speech_start((ln[: m.start()] + ln[m.end():]).strip()):
            continue  # the notice on its own line: drop_docx_header takes it
        pm = re.search(r"[(（]\s*(\d{1,4})\s*页", m.group(0))
        if pm:
            note(doc, "declared_pages", int(pm.group(1)))
        tm = re.search(r"《([^》]{2,150}?)(?:\.(?:docx?|pdf|wps))?》", m.group(0))
        if tm:
            cleaning_info(doc)["evidence"].setdefault("doc_file_title", tm.group(1))
        lines[i] = (ln[: m.start()] + ln[m.end():]).strip()
    doc.text = "\n".join(x for x in lines if x.strip())
    return doc


def leadin_sentence(ln: str, m: re.Match) -> tuple[int, int]:
    """The sentence of `ln` holding the match: from after the previous sentence end to its own end (inclusive)."""
    start = max((ln.rfind(c, 0, m.start()) for c in _SENT_END), default=-1) + 1
    ends = [j for j in (ln.find(c, m.end()) for c in _SENT_END) if j >= 0]
    end = min(ends) + 1 if ends else len(ln)
    return start, end


_DOC_PAGE = re.compile(r"第\s*(\d{1,4})\s*页\s*[/,，]?\s*共\s*(\d{1,4})\s*页")
_TITLE_LABEL = re.compile(r"^\s*文章标题\s*[:：]\s*")


@rule(kind="doc", before="drop_docx_header")
def cut_page_counters(doc: Document) -> Document:
    """Page counters of a converted document wherever they fall (第1页共21页), and a 文章标题: label at a line start."""
    found = [int(m.group(2)) for m in _DOC_PAGE.finditer(doc.text)]
    if found:
        note(doc, "declared_pages", max(found))
        doc.text = _DOC_PAGE.sub("", doc.text)
    doc.text = "\n".join(_TITLE_LABEL.sub("", ln) for ln in doc.text.split("\n") if ln.strip())
    return doc


# a content platform's disclaimer under a creator's post (搜狐号, 快传号, 百家号 …), often glued to the feed after it
_PLATFORM = re.compile(r"(?:以上内容\s*[（(]\s*包括图片(?:和|及|、)视频\s*[)）]\s*(?:为|由)[^。]{0,40}?)?"
                       r"(?:本平台|平台)?仅提供信息存储(?:空间)?服务|该文观点仅代表作者本人")


@rule(kind="doc", before="cut_site_footer")
def cut_platform_notice(doc: Document) -> Document:
    """A platform's disclaimer (以上内容(包括图片及视频)为…用户上传并发布,本平台仅提供信息存储服务) after the text, and
    in the text's second half everything after it (the platform's feed); the line's part before it is kept."""
    if "仅提供信息存储" not in doc.text and "该文观点仅代表作者本人" not in doc.text:
        return doc  # every match holds one of these: the line-by-line search would find nothing
    lines = doc.text.split("\n")
    total = cjk_count(doc.text)
    before = 0
    for i, ln in enumerate(lines):
        m = _PLATFORM.search(ln)
        if m and before >= 150:
            head = ln[: m.start()].rstrip()
            # in the second half it closes the post: what follows is the platform's feed
            rest = lines[i + 1:] if before + cjk_count(head) < 0.5 * total else []
            lines = lines[:i] + ([head] if cjk_count(head) >= 10 else []) + rest
            note(doc, "platform_notice", m.group(0)[:60])
            break
        before += cjk_count(ln)
    doc.text = "\n".join(lines)
    return doc
