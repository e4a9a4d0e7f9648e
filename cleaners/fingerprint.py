"""Normalise stage: the comparison text of a document (never shown as its text).

`fingerprint_text(text)` folds away everything by which two copies of one speech differ on 范文 sites but which says
nothing about the speech itself, in this order:

1. OpenCC traditional -> simplified (mirrors in traditional script), applied to every text alike;
2. NFKC (full-width letters, digits and punctuation -> ASCII forms);
3. pinyin in parentheses removed: `书记(shū)`, `（jīng jì）` (lower-case Latin with at least one vowel);
4. lower case;
5. known 伪原创 synonym swaps mapped back (效劳 -> 服务, 根底 -> 基础, 原那么 -> 原则 via 那么 -> 则, 开展 -> 发展, 比方 -> 比如,
   反响 -> 反映, 储藏 -> 储备, 咨询题 -> 问题; the curly quotes 〝〞 go with the punctuation). Both words of a pair fold
   to one form, so the genuine word and its swap compare equal; the fingerprint is for comparison only, so a
   genuine 开展 becoming 发展 costs nothing;
6. placeholders and figures folded to one symbol `#`: `*`, `×`, `☆`, `○`, `X`/`xx`/`xxx` (standing alone, not inside
   a Latin word), `某`, and every run of digits, so `1*月`, `6月`, `X月` and `xx月` all read `#月`;
7. punctuation, symbols and whitespace dropped, then runs of `#` collapsed to one.

The result is idempotent (`fingerprint_text(fingerprint_text(t)) == fingerprint_text(t)`).
`content_hash(fp)` is the SHA-1 of it: two documents with the same hash are exact copies.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

PLACEHOLDER = "#"

# Pinyin in parentheses after a word, e.g. 書記(shū), 经济(jīng jì). Lower-case Latin letters with tone marks, at
# least one vowel so that a placeholder like (x) is kept; upper case (GDP) is not pinyin.
_PINYIN_CHARS = "a-zü\u00e0-\u00ff\u0100-\u017f\u01cd-\u01dc\u01f8-\u01f9\u1e3f\u0300-\u036f"
_PINYIN = re.compile(
    r"[(\uff08]\s*(?=[^)\uff09]*[aeiouüvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])"
    rf"[{_PINYIN_CHARS}]+(?:[\s'’·-]+[{_PINYIN_CHARS}]+)*\s*[)\uff09]"
)

# 伪原创 swaps seen on 范文 sites (a word replaced by a near-synonym), each pair folded to one form.
SWAPS: dict[str, str] = {
    "开展": "发展",
    "效劳": "服务",
    "根底": "基础",
    "那么": "则",  # 原则 -> 原那么
    "比方": "比如",
    "反响": "反映",
    "储藏": "储备",
    "咨询题": "问题",
    "〞": "”",
    "〝": "“",
}
_SWAP = re.compile("|".join(sorted(map(re.escape, SWAPS), key=len, reverse=True)))

# Placeholders: symbols, 某, digit runs (one character class: fast), and x-runs standing alone (not part of a Latin
# word: `excel` keeps its x).
_FOLD = re.compile(r"[#*×☆★○●□■△▲※某\d]+")
# the plain form is (?<![a-wyz])x+(?![a-wyz]); starting the pattern with the literal lets the regex engine jump from
# one "x" to the next instead of trying the lookbehind at every character (20x faster on a speech)
_XRUN = re.compile(r"x(?<![a-wyz]x)x*(?![a-wyz])")
_DROP = re.compile(r"[^\w#]+")
_RUNS = re.compile(r"#{2,}")


NFKC_SCAN_END = 0x30000


@lru_cache(maxsize=1)
def _nfkc_table() -> dict[int, str]:
    """Every code point that NFKC changes on its own, mapped to its NFKC form (~4,900 entries, built once).

    Planes 0-2 only: no character beyond them has a decomposition (the last is U+2FA1D), and scanning all 17 planes
    took ~0.4 s at the start of every process; tests/test_fast_paths.py checks the table against the full scan."""
    out = {}
    for cp in range(NFKC_SCAN_END):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        n = unicodedata.normalize("NFKC", c)
        if n != c:
            out[cp] = n
    return out


def _utf32(t: str):
    """t's code points as a numpy uint32 array (lone surrogates included)."""
    import numpy as np

    return np.frombuffer(t.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@lru_cache(maxsize=1)
def _nfkc_lookup():
    """(a bool per code point: does NFKC change it alone, its replacement by character) for `nfkc`. No replacement
    contains a character that is itself replaced (checked here), so replacing one character after another equals
    mapping them all at once."""
    import numpy as np

    table = _nfkc_table()
    changed = np.zeros(0x110000, dtype=bool)
    changed[list(table)] = True
    by_char = {chr(cp): rep for cp, rep in table.items()}
    assert not any(changed[ord(c)] for rep in by_char.values() for c in rep)
    return changed, by_char


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), four times as fast on Chinese text: the characters NFKC changes on their
    own (full-width punctuation, mostly) are found with one numpy lookup over the code points and replaced one
    distinct character at a time (str.replace); after that most texts pass NFKC's quick check and need no
    normalisation. (str.translate with the same table costs ~35 ns a character for the dictionary lookups of
    characters it leaves alone: 0.25 ms of a 3,700-character speech, against 0.07 ms here.) Exact: each character
    is replaced by a string with the same compatibility decomposition, so the whole text's NFKD, and hence its
    NFKC, is unchanged."""
    changed, by_char = _nfkc_lookup()
    points = _utf32(text)
    for cp in set(points[changed[points]].tolist()):  # order is free: no replacement holds a replaced character
        c = chr(cp)
        text = text.replace(c, by_char[c])
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


_last_t2s = ("", "")  # the last conversion: the script flag converts the same text just before the fingerprint


def to_simplified(text: str) -> str:
    global _last_t2s
    if text == _last_t2s[0]:
        return _last_t2s[1]
    out = _t2s().convert(text)
    _last_t2s = (text, out)
    return out


def strip_pinyin(text: str) -> str:
    return _PINYIN.sub("", text)


CLASS_TABLE_END = 0x30000  # code points the per-character tables below cover (planes 0-2: CJK and all scripts)


@lru_cache(maxsize=1)
def _class_tables():
    """(is a placeholder for _FOLD, is kept by _DROP and the `_` removal) per code point below CLASS_TABLE_END, read
    off the regexes themselves (~0.1 s once per process), so the table form is the regex form by construction."""
    import numpy as np

    placeholder = np.zeros(CLASS_TABLE_END, dtype=bool)
    kept = np.zeros(CLASS_TABLE_END, dtype=bool)
    for cp in range(CLASS_TABLE_END):
        c = chr(cp)
        placeholder[cp] = _FOLD.match(c) is not None
        kept[cp] = _DROP.match(c) is None and c != "_"
    return placeholder, kept


def _code_points(t: str):
    """t's code points, or None when one is past the tables (the caller takes the regex path)."""
    cp = _utf32(t)
    return cp if not len(cp) or int(cp.max()) < CLASS_TABLE_END else None


def _from_code_points(cp) -> str:
    return cp.tobytes().decode("utf-32-le", "surrogatepass")


def _without_repeats(cp, mask):
    """cp with every position of `mask` that follows another position of `mask` left out."""
    if not len(cp):
        return cp
    repeat = mask.copy()
    repeat[1:] &= mask[:-1]
    repeat[0] = False
    return cp[~repeat]


def fold_placeholders(t: str) -> str:
    """_FOLD.sub(PLACEHOLDER, t): every run of placeholder characters becomes one `#` (one numpy pass: the regex
    took ~60 µs of a 3,700-character speech)."""
    cp = _code_points(t)
    if cp is None:
        return _FOLD.sub(PLACEHOLDER, t)
    placeholder, _ = _class_tables()
    mask = placeholder[cp]
    if not mask.any():
        return t
    cp = cp.copy()
    cp[mask] = ord(PLACEHOLDER)
    return _from_code_points(_without_repeats(cp, mask))


def drop_punctuation(t: str) -> str:
    """_RUNS.sub(PLACEHOLDER, _DROP.sub("", t).replace("_", "")): only word characters and `#` are kept, and `#`
    runs become one (one numpy pass instead of three regex and replace passes)."""
    cp = _code_points(t)
    if cp is None:
        t = _DROP.sub("", t)
        return _RUNS.sub(PLACEHOLDER, t.replace("_", "") if "_" in t else t)
    _, kept = _class_tables()
    cp = cp[kept[cp]]
    return _from_code_points(_without_repeats(cp, cp == ord(PLACEHOLDER)))


def fingerprint_text(text: str) -> str:
    """The comparison text of a document: see the module docstring for each step."""
    if not text:
        return ""
    t = to_simplified(text)
    t = nfkc(t)
    t = strip_pinyin(t)
    t = t.lower()
    t = _SWAP.sub(lambda m: SWAPS[m.group(0)], t)
    t = fold_placeholders(t)
    if "x" in t:
        t = _XRUN.sub(PLACEHOLDER, t)
    return drop_punctuation(t)


def content_hash(fingerprint: str) -> str:
    return hashlib.sha1(fingerprint.encode("utf-8")).hexdigest()
