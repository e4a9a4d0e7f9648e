"""Classify stage: relevance (0..1) and label (speech / other_speech / other) of a cleaned document.

What "relevant" means: a city, county, district (or town) leader speaking at a government or party work meeting
about economic and development work -- 高质量发展推进会, 经济调度会, 项目建设推进会, 政府全体会议, 中心组学习 …
Near misses on the same sites (国旗下讲话, 主持词, 致辞, 党课, 心得体会, 述职报告, 申请书, news about a meeting,
官场 novels quoting a speech, 政府工作报告, 作文, plans) must not get the label ``speech``.

The model is small, offline and explainable:

* **cues** (``fanwen/data/relevance_cues.toml``): about forty named regular expressions for what a reader looks at --
  the title's form (在…会上的讲话), the opening (同志们: / 今天我们召开… / 刚才…同志通报), first-person address to an
  audience, directives, the closing (谢谢大家), the numbered structure (一、二、三 / 一要…二要…), the vocabulary of
  economic and government work, and the marks of each near-miss genre (会议指出/XX强调, “…”道, 同学们, 男:女:,
  祝愿, 党性, 通过学习, 本人, 敬爱的党组织, 各位代表, 妈妈, 指导思想, 公司);
* **similarity**: cosine of the text's character-bigram TF-IDF vector to the centroid of the genre's speeches and
  to the nearest near-miss genre's centroid; with ``seeds_dir`` the speech centroid is blended with the seeds';
* two **logistic regressions** over those signals (speech vs. the rest; among the rest, spoken address vs. written
  text), whose weights are learned from the project's own labelled texts with each cue's sign fixed in advance (a
  speech cue can only raise the score), so that every contribution reads the way a person would read it.

The learned part (weights, feature scaling, IDF and centroids) is ``fanwen/data/relevance_profile.json``, built by
``python -m benchmarks.relevance --train`` from the training part of the labelled set (never from the held-out part,
never from the seed texts). Everything runs on the first 1,500 characters plus the last 400, so a 1,000-character
preview is classified the same way as the full text; traditional script and inline pinyin are normalised first.
"""
from __future__ import annotations

import json
import math
import operator
import re
try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from cleaners.fingerprint import nfkc  # unicodedata NFKC, 4x faster on Chinese text
from fanwen.relevance_page import read_page

DATA_DIR = Path(__file__).parent / "data"
CUES_PATH = DATA_DIR / "relevance_cues.toml"
PROFILE_PATH = DATA_DIR / "relevance_profile.json"
LABELS = ("speech", "other_speech", "other")

OPENING_CHARS, HEAD_CHARS, TAIL_CHARS = 500, 1500, 400
_CUT_CHARS = 4 * HEAD_CHARS
_MIN_SCOPE = 200  # densities of very short texts are computed as if the text had this many characters

# ----------------------------------------------------------------------------------------------- normalisation
_PINYIN = re.compile(
    r"\((?:[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ]+[\s,]*){1,8}\)"
)
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_HAN = re.compile(r"[^\u4e00-\u9fff]+")
_t2s = None


def _opencc():
    global _t2s
    if _t2s is None:
        try:
            import opencc

            _t2s = opencc.OpenCC("t2s").convert
        except Exception:  # pragma: no cover - opencc is a dependency; degrade to identity without it
            _t2s = lambda s: s  # noqa: E731
    return _t2s


def normalise(s: str) -> str:
    """Comparison form for classifying: NFKC, traditional -> simplified, pinyin in parentheses dropped."""
    if not s:
        return ""
    s = nfkc(s)
    s = _opencc()(s)
    s = _PINYIN.sub("", s)
    s = _SPACES.sub(" ", s)
    return "\n".join(ln.strip() for ln in s.splitlines() if ln.strip())


# ----------------------------------------------------------------------------------------------- cues
@dataclass
class Cue:
    name: str
    doc: str
    scope: str
    kind: str
    sign: int
    pattern: re.Pattern
    cap: int = 6
    unless: tuple[str, ...] = ()


def load_cues(path: Path = CUES_PATH) -> list[Cue]:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    cues = []
    for c in data["cue"]:
        unless = c.get("unless", ())
        unless = (unless,) if isinstance(unless, str) else tuple(unless)
        cues.append(Cue(c["name"], c.get("doc", ""), c["scope"], c["kind"], int(c["sign"]),
                        re.compile(c["pattern"], re.M), int(c.get("cap", 6)), unless))
    return cues


def _scopes(title: str, text: str, chrome: str = "") -> dict[str, str]:
    body = text
    head = body[:HEAD_CHARS]
    tail = body[-TAIL_CHARS:] if len(body) > 600 else ""
    return {
        "title": title,
        "opening": body[:OPENING_CHARS],
        "head": head,
        "tail": tail,
        "body": head if len(body) <= HEAD_CHARS else head + "\n" + body[-TAIL_CHARS:],
        "chrome": chrome,
    }


def _cue_value(cue: Cue, s: str) -> tuple[float, str]:
    if not s:
        return 0.0, ""
    if cue.kind == "flag":
        m = cue.pattern.search(s)
        return (1.0, m.group(0)) if m else (0.0, "")
    # findall builds the list in C, and without groups it gives each whole match: the same list
    found = cue.pattern.findall(s) if not cue.pattern.groups else [m.group(0) for m in cue.pattern.finditer(s)]
    if not found:
        return 0.0, ""
    if cue.kind == "distinct":
        return min(len(set(found)), cue.cap) / cue.cap, ",".join(sorted(set(found))[:4])
    rate = len(found) * 1000.0 / max(len(s), _MIN_SCOPE)
    common = Counter(found).most_common(3)
    return math.log1p(rate), " ".join(f"{k}×{v}" for k, v in common)


# ----------------------------------------------------------------------------------------------- TF-IDF
def bigrams(text: str) -> Counter:
    han = _HAN.sub("", text)
    return Counter(map(operator.add, han, han[1:]))  # han[i:i+2] for each i, in order, built in C


_ONE_PLUS_LOG = None  # 1.0 + math.log(n) at index n (n >= 1): the values tfidf() computes


def _log_table(n: int):
    """The table of 1 + log, covering counts up to n."""
    global _ONE_PLUS_LOG
    if _ONE_PLUS_LOG is None or n >= len(_ONE_PLUS_LOG):
        import numpy as np

        size = max(2048, 2 * n + 1)
        _ONE_PLUS_LOG = np.array([0.0] + [1.0 + math.log(i) for i in range(1, size)], dtype=np.float64)
    return _ONE_PLUS_LOG


def _bigram_code(g: str) -> int:
    return (ord(g[0]) << 21) | ord(g[1])


def _bigram_counts(text: str):
    """bigrams(text) as numpy arrays: the distinct bigrams' integer codes (_bigram_code) in ascending order, where
    each first occurs, and their counts."""
    import numpy as np

    cp = np.frombuffer(_HAN.sub("", text).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(cp) < 2:
        empty = np.zeros(0, dtype=np.intp)
        return empty.astype(np.int64), empty, empty
    codes = (cp[:-1] << 21) | cp[1:]
    order = np.argsort(codes, kind="stable")  # stable: each group of equal codes starts at its first occurrence
    ordered = codes[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(ordered)))
    return ordered[starts], order[starts], counts


def tfidf(text: str, idf: dict[str, float]) -> dict[str, float]:
    vec = {}
    idf_get, log = idf.get, math.log
    for g, n in bigrams(text).items():
        w = idf_get(g)
        if w:
            vec[g] = (1.0 + log(n)) * w
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {g: v / norm for g, v in vec.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(g, 0.0) for g, v in a.items())


def _unit(vec: dict[str, float], top: int | None = None) -> dict[str, float]:
    items = sorted(vec.items(), key=lambda kv: -kv[1])
    if top:
        items = items[:top]
    norm = math.sqrt(sum(v * v for _, v in items)) or 1.0
    return {g: v / norm for g, v in items}


def centroid(vectors: Iterable[dict[str, float]], top: int | None = None) -> dict[str, float]:
    acc: Counter = Counter()
    for v in vectors:
        acc.update(v)
    return _unit(dict(acc), top)


# ----------------------------------------------------------------------------------------------- links
_LINK_POSITIVE_CHANNEL = re.compile(r"领导讲话|讲话发言|讲话稿|讲话材料|公文范文|会议讲话|领导发言")
_DENIED = re.compile(
    r"作文|申请书|入党申请|思想汇报|国旗下|学生|演讲稿|演讲比赛|主持词|婚礼|婚庆|祝酒|贺词|祝福语|心得体会|读后感|观后感|"
    r"日记|周记|小说|书库|最新章节|全文阅读|言情|玄幻|教案|试题|试卷|课件|简历|求职|检讨书|保证书|情书|句子|说说|"
    r"述职|党课|工作总结|工作计划|实施方案|对照检查|自我评价|个人总结|幼儿园|小学|初中|高中|开学|毕业|家长会|班会|"
    r"手抄报|黑板报|对联|诗歌|散文|英语|作业|考试|教学|"
    r"政府工作报告|新闻|动态|资讯|致辞|主持|贺信|感谢信|倡议书|邀请函"
)
_DENY_OVERRIDE = re.compile(r"领导讲话|工作会议|经济工作|政府全体|推进会|调度会|常务会议|中心组")
_MEETING_NAME = re.compile(
    r"(?:在)?(?:20[0-9]{2}年度?|[0-9一二三四五六七八九十]+月份?)?"
    r"(?:全市|全县|全区|全镇|全乡|市|县|区|镇)?"
    r"(?P<name>[^在,。、\s]{2,24}?(?:推进会|调度会|分析会|部署会|动员会|座谈会|工作会议|工作会|全体会议|常务会议|"
    r"碰头会|务虚会|观摩会|点评会|现场会|联席会议|中心组[^会]{0,12}会议?|专题学习会|发展大会|大会))"
)
# Link scoring weights (logit) over the title cues, set by hand: an anchor is short, so one clear mark of another genre
# (召开/强调 of a news title, 第N章, 国旗下, 主持词, 心得 …) must outweigh the 讲话 it may also contain. A logistic fit
# on the labelled titles (kept in the profile as `learned_for_comparison`) ranks the same way but with weaker negatives.
LINK_WEIGHTS = {
    "bias": -2.0,
    "weights": {
        "title_meeting_speech": 2.5, "title_speech_word": 1.5, "title_work_meeting": 0.8, "title_development": 0.8,
        "title_jurisdiction": 0.6, "title_leader": 0.5,
        "title_student": -3.0, "title_host": -3.0, "title_toast": -3.0, "title_partylesson": -3.0,
        "title_xinde": -3.0, "title_shuzhi": -3.0, "title_shenqing": -3.0, "title_news": -3.5, "title_novel": -4.0,
        "title_report": -3.0, "title_zuowen": -3.0, "title_document": -2.5, "title_corporate": -3.0,
    },
}
_PAGINATION = re.compile(r"^\s*(下一页|下页|上一页|上页|尾页|末页|第?[0-9]+页?|[<>»«›‹]+|next|prev|更多|查看更多|more)\s*$", re.I)
GENERIC_KEYWORDS = [
    "推进会上的讲话", "调度会上的讲话", "高质量发展推进会", "经济运行调度会", "项目建设推进会", "全体会议上的讲话",
    "常务会议上的讲话", "中心组学习", "经济形势分析会", "招商引资工作会议", "优化营商环境", "重点工作推进会",
    "经济工作会议上的讲话", "县长讲话", "市长讲话",
]


# ----------------------------------------------------------------------------------------------- the model
def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass
class RelevanceModel:
    threshold: float = 0.5
    cues: list[Cue] = field(default_factory=load_cues)
    profile: dict = field(default_factory=dict)
    seed_centroid: dict[str, float] | None = None
    seed_titles: list[str] = field(default_factory=list)
    seeds_dir: str | None = None

    def __post_init__(self) -> None:
        p = self.profile
        self.idf: dict[str, float] = p.get("idf", {})
        cents = p.get("centroids", {})
        self.speech_centroid: dict[str, float] = cents.get("speech", {})
        self.genre_centroids: dict[str, dict[str, float]] = {g: c for g, c in cents.items() if g != "speech"}
        self.ref_centroid = self.speech_centroid
        if self.seed_centroid:
            mix = Counter({g: 0.5 * v for g, v in self.speech_centroid.items()})
            mix.update({g: 0.5 * v for g, v in self.seed_centroid.items()})
            self.ref_centroid = _unit(dict(mix))
        self._direct_similarity = False
        self._index_key: tuple = ()
        self._index: tuple = ()  # (row of each centroid bigram, matrix bigram x centroid of the weights)
        self._index_names: list[str] = []
        # the IDF's bigrams as sorted integer codes, with their weights and centroid-matrix rows (-1: in none)
        self._idf_code = self._idf_w = self._idf_row = None
        self._idf_rows_key: object = None
        self._title_cues = [c for c in self.cues if c.scope == "title"]
        self._cue_doc = {c.name: c.doc for c in self.cues}
        self._cue_doc.update({
            "sim_speech": "TF-IDF (character bigrams) cosine to the speech centroid" + (" blended with the seeds" if self.seed_centroid else ""),
            "sim_near_miss": "TF-IDF cosine to the nearest near-miss genre's centroid",
            "short_text": "a short preview (under 1,000 characters): less evidence either way",
        })

    # ------------------------------------------------------------------ features
    def features(self, title: str, text: str) -> tuple[dict[str, float], dict[str, str], dict]:
        """Normalised signals of one document: values, the text that fired each cue, and similarity details."""
        raw = text or ""
        if len(raw) > _CUT_CHARS:
            # only the head and the tail are read: normalising the rest would cost time for nothing
            raw = raw[:HEAD_CHARS * 2] + "\n" + raw[-TAIL_CHARS * 2:]
        page = read_page(normalise(title or ""), normalise(raw))
        title, text = page.title, page.body
        scopes = _scopes(title, text, page.chrome)
        values: dict[str, float] = {}
        matches: dict[str, str] = {}
        for cue in self.cues:
            v, m = _cue_value(cue, scopes[cue.scope])
            if cue.unless and any(values.get(u) for u in cue.unless):
                v, m = 0.0, ""
            values[cue.name] = v
            if m:
                matches[cue.name] = m
        title_cues = [c.name for c in self._title_cues]
        if not any(values[n] for n in title_cues):
            # no title, or one that says nothing (a site name, a path): the title cues abstain
            for n in title_cues:
                values[n] = self.profile.get("mean", {}).get(n, 0.0)
            matches["title_uninformative"] = title[:40] or "(no title)"
        if page.title_from not in ("", "given"):
            matches["title_found_in_page"] = f"{page.title_from}: {title[:40]}"
        if page.chrome:
            matches["page_chrome"] = page.chrome[:80].replace("\n", " / ")
        # previews (paywalls show 200-500 characters) lack evidence a full text has; this lets the model know
        values["short_text"] = max(0.0, 1.0 - len(text) / 1000.0) if len(raw) < _CUT_CHARS else 0.0
        sim = {}
        if self.idf:
            sims = self._similarities_of(title + "\n" + scopes["head"])
            sim["speech"] = round(sims.pop("\0speech"), 4)
            seed_sim = sims.pop("\0seeds", None)
            near = sims
            g_best = max(near, key=near.get) if near else ""
            values["sim_speech"] = sim["speech"]
            values["sim_near_miss"] = near.get(g_best, 0.0)
            sim["nearest_genre"] = g_best
            sim["nearest_genre_similarity"] = round(near.get(g_best, 0.0), 4)
            if self.seed_centroid:
                sim["seeds"] = round(seed_sim or 0.0, 4)
        return values, matches, sim

    def _similarities_of(self, text: str) -> dict[str, float]:
        """`_similarities(tfidf(text, self.idf))` with the per-bigram work in numpy (bigrams as integer codes looked
        up by binary search in the IDF's sorted codes, no Python step per bigram), then the same floating-point
        operations in the same order: 1 + log n from a table of math.log values, the bigrams in the order of first
        occurrence, the norm summed left to right by Python's sum. Equal to the last bit (tests/test_fast_paths.py)."""
        if self._direct_similarity:
            return self._similarities(tfidf(text, self.idf))
        import numpy as np

        self._similarities({})  # (re)builds the centroid matrix when the centroids changed
        rows, weights = self._index
        if self._idf_rows_key is not self._index:
            kept = sorted((_bigram_code(g), w, rows.get(g, -1)) for g, w in self.idf.items() if w and len(g) == 2)
            self._idf_code = np.array([c for c, _, _ in kept], dtype=np.int64)
            self._idf_w = np.array([w for _, w, _ in kept], dtype=np.float64)
            self._idf_row = np.array([r for _, _, r in kept], dtype=np.intp)
            self._idf_rows_key = self._index
        codes, first, n = _bigram_counts(text)
        pos = np.searchsorted(self._idf_code, codes)  # ascending queries: a cheap search
        pos[pos == len(self._idf_code)] = 0
        hit = self._idf_code[pos] == codes if len(self._idf_code) else np.zeros(len(codes), dtype=bool)
        by_first = np.argsort(first[hit])  # the bigrams in the order of first occurrence, as bigrams() counts them
        pos, n = pos[hit][by_first], n[hit][by_first]
        vals = _log_table(int(n.max()) if len(n) else 0)[n] * self._idf_w[pos]
        norm = math.sqrt(sum(v * v for v in vals.tolist())) or 1.0
        at_arr = self._idf_row[pos]
        keep = at_arr >= 0
        if not keep.any():
            return dict.fromkeys(self._index_names, 0.0)
        unit = vals[keep] / norm  # v / norm, as tfidf() divides
        acc = np.cumsum(weights[at_arr[keep]] * unit[:, None], axis=0)[-1]
        return dict(zip(self._index_names, acc.tolist()))

    def _similarities(self, vec: dict[str, float]) -> dict[str, float]:
        """Cosine of `vec` to the speech centroid, each genre's and the seeds', in one pass over `vec`: one dictionary
        lookup per bigram for its row in a matrix of the centroids' weights (bigram x centroid), then numpy."""
        cents = {"\0speech": self.ref_centroid, **self.genre_centroids}
        if self.seed_centroid:
            cents["\0seeds"] = self.seed_centroid
        if self._direct_similarity:  # training swaps centroids example by example: no index to rebuild each time
            return {g: cosine(vec, c) for g, c in cents.items()}
        key = tuple((g, id(c)) for g, c in cents.items())
        if key != self._index_key:
            import numpy as np

            names = list(cents)
            rows: dict[str, int] = {}
            for c in cents.values():
                for b in c:
                    rows.setdefault(b, len(rows))
            weights = np.zeros((len(rows), len(names)))
            for j, g in enumerate(names):
                for b, w in cents[g].items():
                    weights[rows[b], j] = w
            self._index, self._index_names, self._index_key = (rows, weights), names, key
        import numpy as np

        rows, weights = self._index
        rows_get = rows.get
        hit = [(r, v) for b, v in vec.items() if (r := rows_get(b)) is not None]
        if not hit:
            return dict.fromkeys(self._index_names, 0.0)
        at = np.fromiter((r for r, _ in hit), np.intp, len(hit))
        vals = np.fromiter((v for _, v in hit), np.float64, len(hit))
        # cumsum adds the products in the order of `vec`, one after the other, as a plain loop would: the same
        # floating-point sums to the last bit (a centroid without the bigram adds an exact 0.0)
        acc = np.cumsum(weights[at] * vals[:, None], axis=0)[-1]
        return dict(zip(self._index_names, acc.tolist()))

    def _linear(self, part: str, values: dict[str, float]) -> tuple[float, dict[str, float]]:
        p = self.profile
        m = p[part]
        z = m["bias"]
        contrib = {}
        for name, w in m["weights"].items():
            x = (values.get(name, 0.0) - p["mean"][name]) / p["std"][name]
            c = w * x
            contrib[name] = c
            z += c
        return z, contrib

    # ------------------------------------------------------------------ classify
    def classify(self, title: str, text: str) -> tuple[str, float, dict]:
        values, matches, sim = self.features(title, text)
        if not self.profile:
            raise RuntimeError(f"relevance profile missing: {PROFILE_PATH} (python -m benchmarks.relevance --train)")
        z, contrib = self._linear("speech", values)
        score = _sigmoid(z)
        if score >= self.threshold:
            label = "speech"
            spoken = None
        else:
            z2, _ = self._linear("spoken", values)
            spoken = _sigmoid(z2)
            label = "other_speech" if spoken >= 0.5 else "other"
        signals = []
        for name, c in sorted(contrib.items(), key=lambda kv: -abs(kv[1])):
            if abs(c) < 0.05 and not matches.get(name):
                continue
            s = {"signal": name, "value": round(values.get(name, 0.0), 3), "contribution": round(c, 3),
                 "why": self._cue_doc.get(name, "")}
            if matches.get(name):
                s["match"] = matches[name][:60]
            signals.append(s)
        explain = {
            "label": label,
            "score": round(score, 4),
            "threshold": self.threshold,
            "bias": round(self.profile["speech"]["bias"], 3),
            "signals": signals[:14],
            "similarity": sim,
        }
        if spoken is not None:
            explain["spoken_address"] = round(spoken, 3)
        page = {k: matches[k] for k in ("title_found_in_page", "page_chrome", "title_uninformative") if k in matches}
        if page:
            explain["page"] = page  # how the page opening was read: where the title came from, what was skipped
        return label, score, explain

    # ------------------------------------------------------------------ links (focused crawl)
    def _link_logit(self, text: str) -> float:
        lm = self.profile.get("link") or LINK_WEIGHTS
        z = lm["bias"]
        fired = set()
        for cue in self._title_cues:
            if cue.unless and any(u in fired for u in cue.unless):
                continue
            if cue.pattern.search(text):
                fired.add(cue.name)
                z += lm["weights"].get(cue.name, 0.0)
        if _LINK_POSITIVE_CHANNEL.search(text):
            z += 1.5
        if self.seed_titles and len(text) >= 6:
            ag = set(bigrams(text))
            best = max((len(ag & set(bigrams(t))) / (len(ag) or 1) for t in self.seed_titles), default=0.0)
            z += 1.5 * best
        return z

    def score_link(self, anchor_text: str, context: str = "") -> float:
        """Promise of a link, 0..1, from its anchor text; `context` (the linking page's title or the caption of
        the list the link sits in) decides for pagination anchors and nudges the others by at most 0.15."""
        anchor = normalise(anchor_text or "")
        ctx = normalise(context or "")
        if not anchor:
            # an image or icon link says nothing: half the promise of the page it sits on (the spider should score a
            # URL by the best of its anchors, so the title link beside the icon decides)
            return round(0.5 * _sigmoid(self._link_logit(ctx)), 4) if ctx else 0.0
        if _PAGINATION.match(anchor):
            # a pagination link is as promising as the list it continues
            return round(0.9 * _sigmoid(self._link_logit(ctx)), 4) if ctx else 0.0
        score = _sigmoid(self._link_logit(anchor))
        if ctx:
            score = 0.85 * score + 0.15 * _sigmoid(self._link_logit(ctx))
        return round(score, 4)

    def is_denied_branch(self, anchor_text: str) -> bool:
        """True for a channel / list link of another genre (作文, 申请书, 学生演讲稿 …): do not descend into it."""
        a = normalise(anchor_text or "")
        if not a or _DENY_OVERRIDE.search(a):
            return False
        return bool(_DENIED.search(a))

    def search_keywords(self, n: int = 8) -> list[str]:
        """Keywords for a site's search page: meeting names from the seed titles first, then the genre's own."""
        out: list[str] = []
        for t in self.seed_titles:
            for m in _MEETING_NAME.finditer(t):
                name = m.group("name")
                name = re.sub(r"^(?:[0-9]{4}年度?|年度|全市|全县|全区|市|县|区)", "", name)
                if len(name) >= 4:
                    out.append(name)
        counts = Counter(out)
        ranked = [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], len(kv[0])))]
        result: list[str] = []
        for k in ranked + list(self.profile.get("keywords", [])) + GENERIC_KEYWORDS:
            if k not in result:
                result.append(k)
            if len(result) >= n:
                break
        return result


# ----------------------------------------------------------------------------------------------- seeds
def read_seed_docs(seeds_dir: str | Path) -> list[tuple[str, str]]:
    """(title, text) of every .txt / .html in seeds_dir, cleaned by the generic cleaning rules like any page."""
    docs = []
    for p in sorted(Path(seeds_dir).iterdir()):
        suffix = p.suffix.lower()
        if suffix not in (".txt", ".html", ".htm"):
            continue
        raw = p.read_bytes()
        try:
            s = raw.decode("utf-8")
        except UnicodeDecodeError:
            s = raw.decode("gb18030", errors="replace")
        title, text = "", s
        try:
            from cleaners.document import Document
            from cleaners.rules import clean_document

            if suffix == ".txt":
                first, _, rest = s.strip().partition("\n")
                doc = Document(url=p.as_uri(), raw_title=first.strip(), raw_text=rest)
            else:
                from cleaners.extract import extract_pages

                doc = extract_pages([(p.as_uri(), s)])
            clean_document(doc, None)
            title, text = doc.title or doc.raw_title, doc.text or doc.raw_text
        except Exception:
            first, _, rest = s.strip().partition("\n")
            title, text = (first.strip(), rest) if suffix == ".txt" else ("", re.sub(r"<[^>]+>", " ", s))
        docs.append((title, text))
    return docs


# ----------------------------------------------------------------------------------------------- loading
_profile_cache: dict | None = None


def load_profile(path: Path = PROFILE_PATH) -> dict:
    global _profile_cache
    if path == PROFILE_PATH and _profile_cache is not None:
        return _profile_cache
    prof = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if path == PROFILE_PATH:
        _profile_cache = prof
    return prof


def load_model(seeds_dir: str | Path | None = None, threshold: float | None = None,
               profile: dict | None = None) -> RelevanceModel:
    """The relevance model: the built-in profile, plus seed similarity when ``seeds_dir`` is given.

    ``threshold`` (0..1) is the speech score at or above which a document is labelled ``speech``; None takes the
    profile's tuned threshold."""
    prof = profile if profile is not None else load_profile()
    thr = float(threshold) if threshold is not None else float(prof.get("threshold", 0.5))
    seed_centroid, seed_titles = None, []
    if seeds_dir:
        idf = prof.get("idf", {})
        docs = read_seed_docs(seeds_dir)
        seed_titles = [normalise(t) for t, _ in docs if t]
        if docs and idf:
            seed_centroid = centroid((tfidf(normalise(t) + "\n" + normalise(x), idf) for t, x in docs), top=1500)
    return RelevanceModel(threshold=thr, profile=prof, seed_centroid=seed_centroid, seed_titles=seed_titles,
                          seeds_dir=str(seeds_dir) if seeds_dir else None)


# ----------------------------------------------------------------------------------------------- training
def train_profile(examples: list[dict], **kw) -> dict:
    """Learn the profile from labelled examples (see fanwen.relevance_train)."""
    from fanwen.relevance_train import train_profile as _train

    return _train(examples, **kw)
