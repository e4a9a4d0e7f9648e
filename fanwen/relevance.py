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
import re
try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

DATA_DIR = Path(__file__).parent / "data"
CUES_PATH = DATA_DIR / "relevance_cues.toml"
PROFILE_PATH = DATA_DIR / "relevance_profile.json"
LABELS = ("speech", "other_speech", "other")

OPENING_CHARS, HEAD_CHARS, TAIL_CHARS = 500, 1500, 400
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
    s = unicodedata.normalize("NFKC", s)
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
    unless: str = ""


def load_cues(path: Path = CUES_PATH) -> list[Cue]:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    cues = []
    for c in data["cue"]:
        cues.append(Cue(c["name"], c.get("doc", ""), c["scope"], c["kind"], int(c["sign"]),
                        re.compile(c["pattern"], re.M), int(c.get("cap", 6)), c.get("unless", "")))
    return cues


def _scopes(title: str, text: str) -> dict[str, str]:
    body = text
    head = body[:HEAD_CHARS]
    tail = body[-TAIL_CHARS:] if len(body) > 600 else ""
    return {
        "title": title,
        "opening": body[:OPENING_CHARS],
        "head": head,
        "tail": tail,
        "body": head if len(body) <= HEAD_CHARS else head + "\n" + body[-TAIL_CHARS:],
    }


def _cue_value(cue: Cue, s: str) -> tuple[float, str]:
    if not s:
        return 0.0, ""
    if cue.kind == "flag":
        m = cue.pattern.search(s)
        return (1.0, m.group(0)) if m else (0.0, "")
    found = [m.group(0) for m in cue.pattern.finditer(s)]
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
    return Counter(han[i:i + 2] for i in range(len(han) - 1))


def tfidf(text: str, idf: dict[str, float]) -> dict[str, float]:
    vec = {}
    for g, n in bigrams(text).items():
        w = idf.get(g)
        if w:
            vec[g] = (1.0 + math.log(n)) * w
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
        text = normalise(text or "")
        title = normalise(title or "")
        if not title:
            first = text.split("\n", 1)[0]
            title = first if len(first) <= 100 else ""
        scopes = _scopes(title, text)
        values: dict[str, float] = {}
        matches: dict[str, str] = {}
        for cue in self.cues:
            v, m = _cue_value(cue, scopes[cue.scope])
            if cue.unless and values.get(cue.unless):
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
        # previews (paywalls show 200-500 characters) lack evidence a full text has; this lets the model know
        values["short_text"] = max(0.0, 1.0 - len(text) / 1000.0)
        sim = {}
        if self.idf:
            vec = tfidf(title + "\n" + scopes["head"], self.idf)
            sim["speech"] = round(cosine(vec, self.ref_centroid), 4)
            near = {g: cosine(vec, c) for g, c in self.genre_centroids.items()}
            g_best = max(near, key=near.get) if near else ""
            values["sim_speech"] = sim["speech"]
            values["sim_near_miss"] = near.get(g_best, 0.0)
            sim["nearest_genre"] = g_best
            sim["nearest_genre_similarity"] = round(near.get(g_best, 0.0), 4)
            if self.seed_centroid:
                sim["seeds"] = round(cosine(vec, self.seed_centroid), 4)
        return values, matches, sim

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
        return label, score, explain

    # ------------------------------------------------------------------ links (focused crawl)
    def _link_logit(self, text: str) -> float:
        lm = self.profile.get("link") or LINK_WEIGHTS
        z = lm["bias"]
        fired = set()
        for cue in self._title_cues:
            if cue.unless and cue.unless in fired:
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
def fit_logistic(X: list[list[float]], y: list[int], signs: list[int] | None = None, l2: float = 0.05,
                 epochs: int = 600, lr: float = 0.3, sample_weight: list[float] | None = None) -> tuple[float, list[float]]:
    """Logistic regression by full-batch gradient descent; weights with a sign are projected onto that side."""
    n, d = len(X), len(X[0])
    w = [0.0] * d
    b = 0.0
    sw = sample_weight or [1.0] * n
    tot = sum(sw)
    for _ in range(epochs):
        gw = [0.0] * d
        gb = 0.0
        for xi, yi, si in zip(X, y, sw):
            z = b + sum(wj * xj for wj, xj in zip(w, xi))
            g = (_sigmoid(z) - yi) * si
            gb += g
            for j, xj in enumerate(xi):
                gw[j] += g * xj
        b -= lr * gb / tot
        for j in range(d):
            w[j] -= lr * (gw[j] / tot + l2 * w[j])
            if signs and signs[j] > 0 and w[j] < 0:
                w[j] = 0.0
            elif signs and signs[j] < 0 and w[j] > 0:
                w[j] = 0.0
    return b, w


def head_of(text: str, n: int = 1000) -> str:
    return text[:n]


def train_profile(examples: list[dict], l2: float = 0.05, idf_top: int = 12000, centroid_top: int = 1200,
                  hand_link: bool = True) -> dict:
    """Learn the profile from labelled examples: dicts with title, text, label, genre (training part only).

    Each example is used four times: the full text, its first 1,000 characters with and without the title, and its
    first 300 characters (a paywall preview)."""
    cues = load_cues()
    # --- TF-IDF over the examples (full texts), idf of bigrams seen in >= 2 documents
    docs = [normalise(e["title"]) + "\n" + normalise(e["text"])[:HEAD_CHARS] for e in examples]
    df: Counter = Counter()
    for d in docs:
        df.update(set(bigrams(d)))
    N = len(docs)
    idf_all = {g: math.log((N + 1) / (c + 1)) + 1.0 for g, c in df.items() if c >= 2}
    idf = dict(sorted(idf_all.items(), key=lambda kv: -df[kv[0]])[:idf_top])
    vecs = [tfidf(d, idf) for d in docs]
    genre_of = ["speech" if e["label"] == "speech" else e["genre"] for e in examples]
    sums: dict[str, Counter] = {}
    for g, v in zip(genre_of, vecs):
        sums.setdefault(g, Counter()).update(v)
    centroids = {g: _unit(dict(s), centroid_top) for g, s in sums.items()}

    # --- features, with leave-one-out centroids for the similarity of the example's own genre
    prof0 = {"idf": idf, "centroids": centroids}
    model = RelevanceModel(cues=cues, profile=prof0)
    names = [c.name for c in cues] + ["sim_speech", "sim_near_miss", "short_text"]
    signs = [c.sign for c in cues] + [1, -1, 0]
    rows, ys, ys2, genres, blank = [], [], [], [], []
    for e, g, v in zip(examples, genre_of, vecs):
        own = Counter(sums[g])
        own.subtract(v)
        loo = _unit({k: x for k, x in own.items() if x > 1e-12}, centroid_top)
        for title, variant in ((e["title"], e["text"]), (e["title"], head_of(normalise(e["text"]))),
                               ("", head_of(normalise(e["text"]))), (e["title"], head_of(normalise(e["text"]), 300))):
            saved = model.speech_centroid if g == "speech" else model.genre_centroids.get(g)
            if g == "speech":
                model.speech_centroid = model.ref_centroid = loo
            else:
                model.genre_centroids[g] = loo
            vals, hits, _ = model.features(title, variant)
            blank.append("title_uninformative" in hits)
            if g == "speech":
                model.speech_centroid = model.ref_centroid = saved
            else:
                model.genre_centroids[g] = saved
            rows.append([vals.get(nm, 0.0) for nm in names])
            ys.append(1 if e["label"] == "speech" else 0)
            ys2.append(1 if e["label"] == "other_speech" else 0)
            genres.append(g)
    d = len(names)
    mean = [sum(r[j] for r in rows) / len(rows) for j in range(d)]
    # rows without an informative title: their title cues abstain (take the mean of the rows that have one)
    tcols = [j for j, nm in enumerate(names) if nm.startswith("title_")]
    informative = [r for r, bl in zip(rows, blank) if not bl] or rows
    for j in tcols:
        mean[j] = sum(r[j] for r in informative) / len(informative)
    for r, bl in zip(rows, blank):
        if bl:
            for j in tcols:
                r[j] = mean[j]
    std = [math.sqrt(sum((r[j] - mean[j]) ** 2 for r in rows) / len(rows)) or 1.0 for j in range(d)]
    Z = [[(r[j] - mean[j]) / std[j] for j in range(d)] for r in rows]
    # balance the classes
    pos = sum(ys)
    sw = [0.5 / pos if yi else 0.5 / (len(ys) - pos) for yi in ys]
    sw = [s * len(ys) for s in sw]
    b, w = fit_logistic(Z, ys, signs, l2=l2, sample_weight=sw)
    # spoken address among the non-speech texts
    idx = [i for i, yi in enumerate(ys) if not yi]
    b2, w2 = fit_logistic([Z[i] for i in idx], [ys2[i] for i in idx], None, l2=l2)
    # link model: title cues only, on the titles
    tnames = [c.name for c in cues if c.scope == "title"]
    tsigns = [c.sign for c in cues if c.scope == "title"]
    Xt, yt = [], []
    for e in examples:
        t = normalise(e["title"])
        Xt.append([1.0 if c.pattern.search(t) else 0.0 for c in cues if c.scope == "title"])
        yt.append(1 if e["label"] == "speech" else 0)
    post = sum(yt)
    swt = [(0.5 / post if yi else 0.5 / (len(yt) - post)) * len(yt) for yi in yt]
    bl, wl = fit_logistic(Xt, yt, tsigns, l2=0.02, sample_weight=swt)
    link = {"bias": bl, "weights": dict(zip(tnames, wl)), "learned": True}
    if hand_link:
        link = dict(LINK_WEIGHTS, learned=False, learned_for_comparison={"bias": bl, "weights": dict(zip(tnames, wl))})
    return {
        "version": 1,
        "about": "Built-in relevance profile of fanwen-corpus: learned from the project's own labelled texts "
                 "(training part only; never the held-out part, never the seed texts).",
        "trained_on": dict(Counter(e["label"] for e in examples)),
        "features": names,
        "mean": dict(zip(names, mean)),
        "std": dict(zip(names, std)),
        "speech": {"bias": b, "weights": dict(zip(names, w))},
        "spoken": {"bias": b2, "weights": dict(zip(names, w2))},
        "link": link,
        "threshold": 0.5,
        "idf": {g: round(v, 4) for g, v in idf.items()},
        "centroids": {g: {k: round(x, 5) for k, x in c.items()} for g, c in centroids.items()},
    }
