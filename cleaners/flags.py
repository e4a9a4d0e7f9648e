"""Flags filled on every document after the rules ran: truncated, mangled, placeholders, script.

Each function is pure and returns the value together with the reasons, which go into doc.explain["cleaning"].
"""
from __future__ import annotations

import re
from functools import lru_cache

from cleaners.patterns import CJK, cjk_count, ends_sentence, squash

# ---------------------------------------------------------------------------------------------------------------
# truncated


def truncated(text: str, evidence: dict) -> tuple[bool, list[str]]:
    """A preview or paywalled copy: a tail marker, declared pages/characters beyond what is shown, a cut sentence."""
    why: list[str] = []
    if evidence.get("paywall_marker"):
        why.append(f"tail marker {evidence['paywall_marker']!r}")
    if evidence.get("hidden_chars"):
        why.append(f"{evidence['hidden_chars']} characters hidden")
    if evidence.get("site_truncation"):
        why.append(f"site truncation pattern {evidence['site_truncation']!r}")
    if evidence.get("cut_ellipsis"):
        why.append("ends in an ellipsis mid-sentence")
    pages = evidence.get("declared_pages")
    if pages:
        shown = evidence.get("shown_pages", 1)
        if pages > shown:
            why.append(f"{pages} pages declared, {shown} shown")
    chars = evidence.get("declared_chars")
    if chars:
        n = len(squash(text))
        if n < 0.75 * chars:
            why.append(f"{chars} characters declared, {n} shown")
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if lines:
        last = lines[-1].strip()
        signoff = re.search(r"(\d{4}年\d{1,2}月\d{1,2}日|谢谢大家?|谢谢|此致|敬礼)$", last)
        # a closing field line (出席:…, 列席:…, 抄送:…) lists names, it does not end a sentence
        signoff = signoff or re.match(r"^[\u4e00-\u9fff]{2,6}[:：]", last)
        if re.search(r"[，,、；;]$", last):
            why.append(f"ends on a comma: …{last[-12:]!r}")
        elif not ends_sentence(last) and not signoff and (cjk_count(last) >= 30 or re.search(r"[，,、；;。！？!?]", last)):
            why.append(f"cut sentence at the end: …{last[-12:]!r}")
    return bool(why), why


# ---------------------------------------------------------------------------------------------------------------
# mangled (伪原创 synonym swaps)

# each sign: a pattern that a 伪原创 tool leaves and a human writer does not
_DEV = r"(?:经济|社会|高质量|协调|可持续|创新|绿色|加快|产业|区域|持续|健康|跨越|转型|科学|协同|融合|长远|快速|全面|城乡|共同|自身|事业)"
MANGLE_SIGNS: list[tuple[str, re.Pattern, float]] = [
    # _DEV's words one by one (经济开展|社会开展|…): every alternative starts with a plain character, so the engine
    # skips the positions no alternative can start at (the same matches as `(?:经济|社会|…)开展`)
    ("开展 for 发展", re.compile(
        "|".join(w + "开展" for w in _DEV[3:-1].split("|")) + r"|开展(?:之势|不充分|不平衡|不均衡|环境|成果|动能|理念|思路|战略|目标|方向|阶段|格局|势头|态势|水平|机遇|空间|潜力|"
        r"优势|道路|大局|质量|方式|需要|要求|中心|第一要务|的(?:总体|根本|基础|关键|主要|重要|新))|推动开展、|谋开展|促开展|求开展|加快开展|聚力开展"), 1.0),
    ("效劳 for 服务", re.compile(r"效劳"), 1.0),
    ("根底 for 基础", re.compile(r"根底"), 1.0),
    ("那么 for 则", re.compile(r"原那么|否那么|规那么|准那么|细那么|总那么|不进那么退|不盛那么衰|那么[是须需应要必]"), 1.0),
    ("比方 for 比如", re.compile(r"比方(?!说)[，,]?"), 0.6),
    ("〞 for ”", re.compile(r"〞|〝"), 0.5),
    ("反响 for 反映", re.compile(r"反响(?:了|出|在|比较|集中|问题|情况)"), 0.8),
    ("储藏 for 储备", re.compile(r"(?:项目|人才|资金|干部|政策)储藏"), 1.0),
    ("确实定性 for 确定性", re.compile(r"确实定性"), 1.0),
    ("奉献 for 贡献", re.compile(r"比奉献|奉献率|奉献度"), 0.6),
    ("到达 for 达到", re.compile(r"到达\s*[\dxX*]"), 0.5),
    ("外表 for 表面", re.compile(r"停留在外表"), 0.8),
    ("方法 for 办法", re.compile(r"想方法"), 0.5),
    ("催促 for 督促", re.compile(r"引导催促|催促指导"), 0.5),
    ("鼓励 for 激励", re.compile(r"考核鼓励"), 0.3),
]


# a string every match of the sign holds (or one of several): a text without any cannot match, and `in` is cheap
_MANGLE_NEEDS: dict[str, tuple[str, ...]] = {
    "开展 for 发展": ("开展",), "效劳 for 服务": ("效劳",), "根底 for 基础": ("根底",), "那么 for 则": ("那么",),
    "比方 for 比如": ("比方",), "〞 for ”": ("〞", "〝"), "反响 for 反映": ("反响",), "储藏 for 储备": ("储藏",),
    "确实定性 for 确定性": ("确实定性",), "奉献 for 贡献": ("奉献",), "到达 for 达到": ("到达",),
    "外表 for 表面": ("停留在外表",), "方法 for 办法": ("想方法",), "催促 for 督促": ("催促",), "鼓励 for 激励": ("考核鼓励",),
}


def mangled(text: str) -> tuple[float, dict]:
    """0..1: how strongly the text shows 伪原创 synonym swaps (开展 where 发展 belongs, 效劳, 根底, 原那么, 比方, 〞)."""
    counts: dict[str, int] = {}
    weight = 0.0
    for name, pat, w in MANGLE_SIGNS:
        need = _MANGLE_NEEDS.get(name)
        if need and not any(s in text for s in need):
            continue
        n = len(pat.findall(text))
        if n:
            counts[name] = n
            weight += w * min(n, 20)
    kinds = sum(1 for name, _, w in MANGLE_SIGNS if name in counts and w >= 0.8)
    chars = max(cjk_count(text), 1)
    density = weight / (chars / 1000)
    # one stray sign is not enough: several kinds of sign, or a high density of one
    score = min(1.0, 0.25 * kinds + density / 6)
    if kinds <= 1 and weight < 2:
        score = min(score, 0.2)
    return round(score, 3), counts


# ---------------------------------------------------------------------------------------------------------------
# placeholders

PLACEHOLDER_KINDS: list[tuple[str, re.Pattern]] = [
    ("star", re.compile(r"(?:(?<=[" + CJK + r"\d])\*+|\*+(?=[" + CJK + r"\d]))")),
    ("xx", re.compile(r"(?<![A-Za-z])(?:[xX]{2,}|[xX](?:\s[xX]{1,3})+)(?![A-Za-z])")),
    ("x", re.compile(r"(?<![A-Za-z])[xX](?![A-Za-z])(?=\s?[" + CJK + r"\d+—\-年月日%])|(?<=[" + CJK + r"])\s?[xX](?![A-Za-z])")),
    ("mou", re.compile(r"某(?![些种个一方类项])|某某")),
    ("star2", re.compile(r"[☆★]{1,}(?=[" + CJK + r"])|(?<=[" + CJK + r"])[☆★]+")),
    ("cross", re.compile(r"×{1,}(?=[" + CJK + r"])|(?<=[" + CJK + r"])×+(?![\d\s]*\d)")),
    ("circle", re.compile(r"[○〇]{2,}|(?<=[" + CJK + r"])○")),
    ("censored", re.compile(r"[(（]单字替换[)）]")),
]


# the characters one of which every match of the kind holds: a text without any of them is not searched
_PLACEHOLDER_NEEDS = {"star": "*", "xx": "xX", "x": "xX", "mou": "某", "star2": "☆★", "cross": "×", "circle": "○〇",
                      "censored": "单"}


def placeholders(text: str) -> list[str]:
    """Which kinds of placeholder occur: star (*), x (X), xx (xx/xxx), mou (某), star2 (☆), cross (×), circle (○○), censored ((单字替换))."""
    return [name for name, pat in PLACEHOLDER_KINDS
            if any(c in text for c in _PLACEHOLDER_NEEDS[name]) and pat.search(text)]


# ---------------------------------------------------------------------------------------------------------------
# script

_PINYIN = re.compile(
    r"[" + CJK + r"][(（]\s*[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7}(?:\s+[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7}){0,3}\s*[)）]"
)
_TONED = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:  # OpenCC missing: script detection degrades to "simplified"
        return None


def to_simplified(text: str) -> str:
    from cleaners.fingerprint import to_simplified as t2s  # the same OpenCC t2s, with its memo of the last text

    return t2s(text) if _t2s() else text


def script(text: str) -> tuple[str, dict]:
    """simplified | traditional | traditional_pinyin (traditional characters with inline pinyin: 書記(shū))."""
    sample = text[:20000]
    han = cjk_count(sample)
    if not han:
        return "simplified", {}
    simp = to_simplified(sample)
    changed = 0 if simp == sample else sum(1 for a, b in zip(sample, simp) if a != b)
    ratio = changed / han
    pinyin = [m.group(0) for m in _PINYIN.finditer(sample) if _TONED.search(m.group(0))]
    info = {"traditional_ratio": round(ratio, 3), "pinyin": len(pinyin)}
    if ratio >= 0.03 or (changed >= 5 and ratio >= 0.015):
        return ("traditional_pinyin" if len(pinyin) >= 2 else "traditional"), info
    return "simplified", info
