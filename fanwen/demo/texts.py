"""Original demo texts (fanwen/demo/content/) and the ways real 范文 sites alter a text when they repost it.

Every transform is a pure function of (paragraphs, random.Random) so that the demo is deterministic. The transforms
imitate what SITES.md documents: placeholders (*, X, xx, xxx, 某), figures replaced (三味园: `1%`), 伪原创 synonym
swaps and PDF line breaks (简表), truncated previews, traditional script with inline pinyin (lidaojianhua mirrors),
a censorship token (文秘家园), watermarks injected inside words and ASCII anti-copy lines (老秘网).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CONTENT_DIR = Path(__file__).with_name("content")


@dataclass
class Text:
    source_id: str  # "s07" or "news_03"
    kind: str  # "speech" | "other"
    title: str
    paras: list[str]
    label: str  # speech | other_speech | other
    genre: str = "speech"
    meta: dict = field(default_factory=dict)

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.paras)


def parse_text(path: Path, kind: str) -> Text | None:
    """`key: value` header lines, a `---` line, then one paragraph per line. None for an unusable (half-written) file."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    head, sep, body = raw.partition("\n---")
    if not sep:
        return None
    meta = {}
    for line in head.splitlines():
        k, colon, v = line.partition(":")
        if not colon:
            k, colon, v = line.partition(":")
        if colon and k.strip():
            meta[k.strip().lower()] = v.strip()
    body = body.split("\n", 1)[1] if "\n" in body else ""
    paras = [p.strip() for p in body.splitlines() if p.strip()]
    title = meta.get("title", "").strip()
    if not title or len(paras) < 3:
        return None
    if kind == "speech":
        return Text(path.stem, "speech", title, paras, "speech", "speech", meta)
    genre = meta.get("genre") or path.stem.rsplit("_", 1)[0]
    label = meta.get("label") if meta.get("label") in ("other_speech", "other", "speech") else "other"
    return Text(path.stem, "other", title, paras, label, genre, meta)


# More near misses, same header format with a `label:` field: the labelled set's hard cases (fanwen/demo/content/extra,
# original project texts). Only those whose label is not `speech` are used by the demo.
EXTRA_NEAR_MISS_DIR = Path(__file__).resolve().parent / "content" / "extra"


def load_extra_near_misses(folder: Path | None = None) -> list[Text]:
    """Near-miss texts (label other / other_speech) of fanwen/demo/content/extra, sorted by file name; [] if absent."""
    folder = Path(folder) if folder else EXTRA_NEAR_MISS_DIR
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.glob("*_*.txt")):
        t = parse_text(p, "other")
        if t is not None and t.meta.get("label") in ("other", "other_speech"):
            out.append(t)
    return out


def load_texts(content_dir: Path | None = None) -> tuple[list[Text], list[Text]]:
    """(speeches, others) found right now (the files are written progressively: glob, never a fixed list)."""
    folder = Path(content_dir) if content_dir else CONTENT_DIR
    speeches = [t for p in sorted((folder / "speeches").glob("s*.txt")) if (t := parse_text(p, "speech"))]
    others = [t for p in sorted((folder / "others").glob("*_*.txt")) if (t := parse_text(p, "other"))]
    return speeches, others


# ---------------------------------------------------------------------------------------------------------------------
# Transforms
# ---------------------------------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:X{1,3}|x{1,3}|×{1,3}|\*{1,3})(?![A-Za-z])")
_FIGURE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?=(?:%|个百分点|亿元|万元|亿|万人|万户|家|个项目))")
_PLACE_SUFFIX = re.compile(r"(经济开发区|高新区|开发区|市|县|区|镇|乡)$")


def anonymise(paras: list[str], style: str, place: str = "", figures: bool = False) -> list[str]:
    """Unify the copy's placeholders to `style` (`*`, `X`, `xx`, `xxx`, `某`), hide the place name, optionally figures."""
    stem = _PLACE_SUFFIX.sub("", place or "")
    out = []
    for p in paras:
        p = _PLACEHOLDER.sub(style, p)
        if len(stem) >= 2:
            p = p.replace(stem, style)
        if figures and style != "某":
            p = _FIGURE.sub(style, p)
        out.append(p)
    return out


def figures_to_one(paras: list[str]) -> list[str]:
    """三味园范文网 replaces figures: every percentage becomes `1%` (and so do 个百分点)."""
    return [re.sub(r"(?<![\d.])\d+(?:\.\d+)?(?=%|个百分点)", "1", p) for p in paras]


SWAPS = [("发展", "开展"), ("服务", "效劳"), ("基础", "根底"), ("比如", "比方"), ("反映", "反响"), ("储备", "储藏"),
         ("则", "那么"), ("”", "〞")]


def synonym_swaps(paras: list[str]) -> list[str]:
    """简表范文网's 伪原创 rewriting (dumb, everywhere: 不进则退 → 不进那么退)."""
    out = []
    for p in paras:
        for a, b in SWAPS:
            p = p.replace(a, b)
        out.append(p)
    return out


def pdf_breaks(paras: list[str], rng: random.Random, share: float = 0.3) -> list[str]:
    """A PDF-converted text: some paragraphs broken in mid-sentence into two lines."""
    out = []
    for p in paras:
        if len(p) > 80 and rng.random() < share:
            cut = rng.randint(len(p) // 3, len(p) * 3 // 4)
            out.extend([p[:cut], p[cut:]])
        else:
            out.append(p)
    return out


def truncate(paras: list[str], frac: float) -> list[str]:
    """The first `frac` of the characters, cut wherever that falls (paywalled previews cut mid-sentence)."""
    total = sum(len(p) for p in paras)
    budget = max(40, int(total * frac))
    out = []
    for p in paras:
        if budget <= 0:
            break
        if len(p) <= budget:
            out.append(p)
            budget -= len(p)
        else:
            cut = max(budget, 12)
            # never end on punctuation: a cut preview ends inside a sentence
            while cut < len(p) - 1 and p[cut - 1] in ",。;:、!?”“)(":
                cut += 1
            out.append(p[:cut])
            budget = 0
    return out


def censor_token(paras: list[str], rng: random.Random) -> list[str]:
    """文秘家园: one character removed by the site's filter, the token `(单字替换)` standing in its place."""
    out = list(paras)
    cands = [i for i, p in enumerate(out) if len(p) > 60]
    if not cands:
        return out
    i = cands[len(cands) // 2]
    p = out[i]
    positions = [j for j in range(10, len(p) - 10) if "\u4e00" <= p[j] <= "\u9fff"]
    j = rng.choice(positions)
    out[i] = p[:j] + "(单字替换)" + p[j + 1:]
    return out


# Pinyin of the first character of some frequent words, as the traditional-script mirrors print them: 書記(shū).
PINYIN = {"書記": "shū", "發展": "fā", "經濟": "jīng", "會議": "huì", "幹部": "gàn", "項目": "xiàng", "領導": "lǐng",
          "建設": "jiàn", "服務": "fú", "改革": "gǎi", "創新": "chuàng", "責任": "zé", "落實": "luò", "問題": "wèn",
          "推進": "tuī", "鄉村": "xiāng", "產業": "chǎn", "環境": "huán", "黨委": "dǎng", "政府": "zhèng",
          "企業": "qǐ", "投資": "tóu", "群衆": "qún", "羣衆": "qún", "群眾": "qún", "招商": "zhāo", "財政": "cái"}


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    try:
        return opencc.OpenCC("s2t")
    except Exception:  # some builds want the .json name
        return opencc.OpenCC("s2t.json")


def to_traditional(s: str) -> str:
    return _s2t().convert(s)


def traditional_pinyin(paras: list[str], rng: random.Random, share: float = 0.35) -> list[str]:
    """Traditional script, with the pinyin of a word's first character in parentheses after some words."""
    pat = re.compile("|".join(sorted(map(re.escape, PINYIN), key=len, reverse=True)))
    out = []
    for p in paras:
        t = to_traditional(p)
        t = pat.sub(lambda m: m.group(0) + (f"({PINYIN[m.group(0)]})" if rng.random() < share else ""), t)
        out.append(t)
    return out


def inject_watermark(lines: list[str], mark: str, rng: random.Random, n: int = 3) -> list[str]:
    """The site name injected between two CJK characters (我区 → 我老秘网区), n times."""
    out = list(lines)
    for _ in range(n):
        cands = [i for i, l in enumerate(out) if len(l) > 30 and mark not in l]
        if not cands:
            break
        i = rng.choice(cands)
        l = out[i]
        pos = [j for j in range(5, len(l) - 5) if "\u4e00" <= l[j - 1] <= "\u9fff" and "\u4e00" <= l[j] <= "\u9fff"]
        if pos:
            j = rng.choice(pos)
            out[i] = l[:j] + mark + l[j:]
    return out


def generic_title(t: Text) -> str:
    """lidaojianhua sites give reposts generic titles (市经济形势分析讲话)."""
    level = t.meta.get("level", "")
    topics = ["经济形势分析", "高质量发展", "招商引资", "乡村振兴", "营商环境", "项目建设", "安全生产", "财税", "城市更新",
              "文旅", "数字经济", "理论学习", "重点工作", "经济运行", "工业经济", "民营经济", "消费促进", "财政收支"]
    topic = next((k for k in topics if k in t.title), "工作会议")
    if level and level[-1] in "省市县区镇":
        level = level[-1]
    return f"{level}{topic}讲话"


def keywords(title: str) -> list[str]:
    """Word-like 2-character pieces of a title (the 关 键 词 line of docx previews)."""
    s = re.sub(r"[^\u4e00-\u9fff]", "", title)
    s = re.sub(r"^在|上的|讲话$", " ", s)
    words = []
    for chunk in s.split():
        words += [chunk[i:i + 2] for i in range(0, len(chunk) - 1, 2)]
    return list(dict.fromkeys(words + ["讲话"]))
