"""Metadata where the text states it: title, speaker role, meeting, administrative level, year, published date."""
from __future__ import annotations

import re

from cleaners.patterns import CJK, DATE_RE, cjk_count

_ROLE = re.compile(
    r"((?:开发区|高新区|园区|经开区)?(?:党工委|管委会)?(?:常务)?副?"
    r"(?:省委|市委|县委|区委|州委|镇党委|乡党委|街道党工委|党工委|党委|党组|管委会|人大常委会|政协|纪委)?"
    r"(?:副?书记|省长|市长|县长|区长|镇长|乡长|州长|旗长|主任|局长|部长|厅长|主席|秘书长|委员|常委))"
)
_MEETING = re.compile(r"在(.{2,80}?)(?:上|时)的?(?:讲话|发言|致辞|报告|主持词|总结讲话|讲话提纲|动员讲话|表态发言|汇报发言|讲话稿|讲评|主旨演讲|演讲)")
_LEVEL_OF_ROLE = [("省", "省"), ("州", "市"), ("市", "市"), ("县", "县"), ("旗", "县"), ("区", "区"), ("镇", "镇"), ("乡", "镇"), ("街道", "镇")]
_LEVEL_WORD = re.compile(r"全(省|市|州|县|旗|区|镇|乡)|(省|市|县|区|镇|乡)(?:委|政府|人大|政协)|[" + CJK + r"]{2,4}(省|市|县|区|镇|乡)(?=\d{4}|[" + CJK + r"])")
_YEAR = re.compile(r"((?:19[89]|20[0-4])\d)\s*年")
_LEVEL_NORMAL = {"省": "省", "市": "市", "州": "市", "县": "县", "旗": "县", "区": "区", "镇": "镇", "乡": "镇"}


def normalize_title(title: str) -> str:
    """Spaces between Chinese characters dropped (`x xx 市长在` -> `xxx市长在`), brackets and quotes trimmed."""
    t = (title or "").strip().strip("《》“”\"")
    t = re.sub(r"(?<=[" + CJK + r"xX*])\s+(?=[" + CJK + r"xX*])", "", t)
    t = re.sub(r"\s{2,}", " ", t)
    return t.strip()


def speaker(title: str, text: str = "") -> str | None:
    """The speaker's role as the title states it before 在…: 市长, 县委书记, 常务副县长, 开发区党工委书记 …"""
    t = normalize_title(title)
    head = t.split("在", 1)[0] if "在" in t else ""
    m = None
    for m in _ROLE.finditer(head):
        pass
    if m:
        return m.group(1)
    # a heading line in the text: `xx市长在…会议上的讲话`
    for ln in (text or "").split("\n")[:3]:
        if len(ln) <= 80 and "在" in ln and _MEETING.search(ln):
            for m in _ROLE.finditer(ln.split("在", 1)[0]):
                pass
            if m:
                return m.group(1)
    return None


def meeting(title: str) -> str | None:
    """The `在…上的讲话` part: 在全市高质量发展推进会上的讲话 -> 全市高质量发展推进会."""
    m = _MEETING.search(normalize_title(title))
    return m.group(1).strip() if m else None


def level(role: str | None, meeting_name: str | None, title: str = "", text: str = "") -> str | None:
    """省/市/县/区/镇: from the role (县委书记 -> 县), else the meeting (全市…), else the text's 全X counts."""
    if role:
        r = re.sub(r"(书记|主任|局长|部长|厅长|主席|秘书长|委员|常委)$", "", role)
        for key in ("开发区", "高新区", "园区", "经开区"):
            if r.startswith(key):
                return "区"
        for key, lvl in _LEVEL_OF_ROLE:
            if key in r:
                return lvl
    for s in (meeting_name or "", title or ""):
        m = _LEVEL_WORD.search(s)
        if m:
            return _LEVEL_NORMAL[next(g for g in m.groups() if g)]
        if re.search(r"(开发区|高新区|经开区|园区)", s):
            return "区"
    counts = {k: len(re.findall("全" + k, text or "")) for k in "省市县区镇乡"}
    k, n = max(counts.items(), key=lambda kv: kv[1])
    return _LEVEL_NORMAL[k] if n >= 3 else None


def year(title: str, published: str | None, text: str = "") -> int | None:
    """The year the title states (2022年…), else the published date's year."""
    m = _YEAR.search(title or "")
    if m:
        return int(m.group(1))
    m = re.match(r"((?:19|20)\d{2})", published or "")
    if m:
        return int(m.group(1))
    return None


def date_from_line(line: str) -> str | None:
    m = DATE_RE.search(line or "")
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def best_title(candidates: list[str | None], site_names: list[str] | None = None) -> str:
    """The speech's own heading (在…上的讲话) when the page shows one, else the first usable candidate.

    `candidates` in order of trust: the heading removed from the text, the print view's 标题:, the title a lead-in
    names, the page title without site suffixes, a preview's file name. Site names are never a title."""
    names = {re.sub(r"\W", "", n) for n in site_names or []}
    usable = []
    for t in candidates:
        t = normalize_title(t or "")
        # never a sentence of the text (同志们: 前不久,…) or a line of links taken for a title
        prose = "同志们" in t or len(re.findall(r"[，,。；;！？]", t)) >= 2 or t.count("·") >= 2
        if t and not prose and cjk_count(t) >= 2 and re.sub(r"\W", "", t) not in names and t not in usable:
            usable.append(t)
    for t in usable:
        if _MEETING.search(t):
            return t
    return usable[0] if usable else ""
