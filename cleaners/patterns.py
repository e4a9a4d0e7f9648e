"""Character classes and small helpers shared by the rules, flags and metadata."""
from __future__ import annotations

import re
from functools import lru_cache

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
# punctuation that may end a paragraph (a sentence end, a colon before a list, a closing quote/bracket)
END_PUNCT = "。！？!?；;：:…”’」』）)】》\"'"
END_RE = re.compile(f"[{re.escape(END_PUNCT)}]$")
# a line that opens an enumeration item: 一、 (一) 1. 1、 （1） 第一, ①  一要/一是 …
ENUM_RE = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．](?!\d)|[①-⑳]"
    r"|第[一二三四五六七八九十\d]+[，,、:：是要条点个部分方面章节]|[一二三四五六七八九十]+[是要来][，,：:]?"
    r"|[一二三四五六七八九十]+(?:要|是|来|抓|看|讲)|首先|其次|再次|最后|总之|同志们)"
)
DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
TIME_RE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
SPACE_RE = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u200a\u3000\ufeff\u200b\u200c\u200d\u2060]+")


def char_counter(char_class: str, cache: bool = True):
    """A function counting the characters of `char_class` (a regex class body) in a string: the length of what is
    left once every run of other characters is cut (no list of one-character matches, as findall would build), with a
    cache for lines, since every rule counts the same lines again (only the last few long strings are kept: the
    cache must stay small in a worker)."""
    others = re.compile(f"[^{char_class}]+")
    if not cache:
        return lambda s: len(others.sub("", s))
    cached = lru_cache(maxsize=4096)(lambda s: len(others.sub("", s)))
    cached_long = lru_cache(maxsize=4)(lambda s: len(others.sub("", s)))  # whole texts, counted by several flags

    def count(s: str) -> int:
        return cached(s) if len(s) <= 2000 else cached_long(s)

    return count


cjk_count = char_counter(CJK)


def line_tester(pattern: re.Pattern):
    """`bool(pattern.search(line))`, faster for a pattern made of many alternatives of which most start with ^: those
    are tried once, at the start of the line (`match`), the others by one `search`. The same answer, since without
    re.M a ^ matches only at the start of the string."""
    alts, depth, in_class, start, i, src = [], 0, False, 0, 0, pattern.pattern
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if src[i + 1: i + 2] == "]" or src[i + 1: i + 3] == "^]":
                i += 2 if src[i + 1] == "]" else 3  # a ] first in a class is a literal
                continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            alts.append(src[start:i])
            start = i + 1
        i += 1
    alts.append(src[start:])
    assert "|".join(alts) == src and not pattern.flags & re.M
    head = [a for a in alts if a.startswith("^")]
    rest = [a for a in alts if not a.startswith("^")]
    head_re = re.compile("|".join(head), pattern.flags) if head else None
    rest_re = re.compile("|".join(rest), pattern.flags) if rest else None

    def test(line: str) -> bool:
        return bool((head_re and head_re.match(line)) or (rest_re and rest_re.search(line)))

    test.head_re, test.rest_re = head_re, rest_re  # (for a caller that searches the whole text first)
    return test


def squash(s: str) -> str:
    """The string without any whitespace (for comparing lines and titles)."""
    return re.sub(r"\s+", "", s)


def core(s: str) -> str:
    """Letters, digits and CJK only: for fuzzy comparisons of titles."""
    return re.sub(r"[\W_]+", "", s)


def ends_sentence(line: str) -> bool:
    return bool(END_RE.search(line.rstrip()))


def bigram_similarity(a: str, b: str) -> float:
    """Dice coefficient over character bigrams of two whitespace-free strings."""
    a, b = core(a), core(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ga = [a[i : i + 2] for i in range(max(1, len(a) - 1))]
    gb = [b[i : i + 2] for i in range(max(1, len(b) - 1))]
    from collections import Counter

    ca, cb = Counter(ga), Counter(gb)
    return 2 * sum((ca & cb).values()) / (sum(ca.values()) + sum(cb.values()))

# paywall / preview notices: where a site stops showing the text (shared by the extract and clean stages). Every
# alternative starts with a plain character (`\\(X|（X`, not `[(（]X`): then the regex engine skips every position
# whose character starts none of them, ten times faster on a speech than trying each alternative everywhere.
PAYWALL = re.compile(
    r"\(亲[,，]\s*该文档总共\s*\d+\s*页|（亲[,，]\s*该文档总共\s*\d+\s*页|亲[,，]\s*该文档总共\s*\d+\s*页|该文档总共\s*\d+\s*页|超出免费预览|免费预览范围|如果喜欢就下载|阅读全文|想阅读完全部|阅读全部图文|您需要先登[陆录]|需要登[录陆]后|预览结束|免费获取全文|定制代笔|全文约\s*\d+\s*字[,，]?\s*请下载|"
    r"\(\s*未完[,，]?\s*全文共|（\s*未完[,，]?\s*全文共|当前显示\s*\d+\s*字|如果喜欢本篇内容|请赞赏鼓励|下载本文|点击下载|下载完整版|下载全文|开通会员|"
    r"展开全文|剩余\s*\d+\s*%?\s*未读|还剩\s*\d+\s*页未读|继续阅读|查看全文|余下全文|本文共\s*\d+\s*页|试读结束|免费试读|"
    r"请下载后阅读|付费阅读|VIP专享|升级VIP|联系老师|\([^()（）]{0,12}省略\s*\d+\s*字|（[^()（）]{0,12}省略\s*\d+\s*字|正式会员可完整阅读|\(\s*未完[,，)）]|（\s*未完[,，)）]"
)
