"""Build the demo sites: every page of 10 configured real sites rehosted under `<domain>.test`, plus the ground truth.

How it works
------------
1. `texts.load_texts()` reads whatever original texts exist in content/ (glob; written progressively); the default
   demo adds the near misses of the labelled set (`texts.load_extra_near_misses()`: fanwen/demo/content/extra, the
   files whose label is not `speech`).
2. `_plan()` places each speech on 1–4 sites (seeded RNG: the same files give the same demo), each near-miss text on
   1–5 sites (reposted like the speeches, each copy with that site's habits): in its own channel where the site has
   one (作文, 申请书, 学生演讲稿/国旗下讲话, 心得体会, 致辞/主持词, 工作总结/述职), else -- spoken genres, news of
   meetings, 党课, and a share of misfiled ones -- in the speech channel; and web-novel chapters under /book/ (denied
   by the configs). As on real 范文 sites, speeches are a minority (~19% of the articles; ~36% of the speech
   channels), the near-miss channels are paginated and have sub-channels (小学作文, 入党申请书 …), and every list page
   links all channels (nav bar), all sub-channels (栏目导航) and the site-wide 热门 box (the newest articles of the
   site's biggest near-miss channels). Related links (相关文章) stay in the article's channel (its list page).
3. `_make_copy()` turns a text into the copy one site shows (placeholders, swaps, truncation, script …) and records
   the expected cleaned text; the per-site builders then give each copy its URLs and render the pages with
   `fanwen.demo.layouts`.
4. `Demo.articles` is every article document of the demo; `Demo.focused_articles` the ones a full focused crawl
   stores (reachable without entering a channel the spider denies; `focused_reach()`), every speech among them.

URL shapes come from the site TOMLs (crawler/sites/*.toml): the demo serves exactly the start URLs, list URLs and
article URLs those configs describe, so a crawl of the demo exercises the real configs. All hosts are `*.test`.
"""
from __future__ import annotations

import math
import random
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qs, quote, unquote, urlsplit

from crawler.siteconfig import SiteConfig, load_sites
from fanwen.demo import layouts as L
from fanwen.demo import texts as T

SEED = 20250721
SUFFIX = ".test"

# The demo sites: config name -> hosts (rehosted). The first host is the site's main host.
DEMO_SITES = ["1wenmi", "zhuanti", "jianbiao", "caiyes", "sanweiyuan", "bgz", "lidaojianhua", "7rdy", "wmjy", "laobiganzi"]

# Sites that show only a preview (truncated copies) and sites that show whole texts.
PAYWALLED = {"1wenmi", "bgz"}


@dataclass
class DemoPage:
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b""

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")


@dataclass
class DemoArticle:
    """Ground truth for one article document the crawl should store (one canonical URL)."""
    canonical_url: str
    site: str  # config name
    source_id: str  # "s07", "news_03", compilation "s03+s11"
    label: str  # speech | other_speech | other
    title: str  # the title as the cleaner should output it
    expected_text: str  # the body as this site shows it, all boilerplate removed; paragraphs joined by "\n"
    truncated: bool
    page_urls: list[str]  # every URL stitched into this document, page 1 first
    variants: list[str] = field(default_factory=list)  # preview swaps pdf_breaks pinyin watermark placeholders …
    host: str = ""
    channel: str = "speech"  # speech | zuowen | shenqing | student | xinde | zhici | zongjie
    alt_urls: list[str] = field(default_factory=list)  # other URLs of the same document (mobile mirror, Discuz forms)
    page_title: str = ""  # the heading the site shows (may differ from `title`)
    charset: str = "utf-8"

    @property
    def in_speech_channel(self) -> bool:
        return self.channel == "speech"


@dataclass
class Demo:
    sites: list[SiteConfig]
    pages: dict[str, DemoPage]
    articles: list[DemoArticle]
    hosts: dict[str, str] = field(default_factory=dict)  # host -> config name
    searches: dict[str, tuple] = field(default_factory=dict)  # host -> (path, param, site)
    facts: dict = field(default_factory=dict)  # notable URLs for tests: gbk pages, redirects, robots, denied …
    _index: dict = field(default_factory=dict, repr=False)
    _focused: list | None = field(default=None, repr=False)

    @property
    def focused_articles(self) -> list[DemoArticle]:
        """The articles a full FOCUSED crawl (default settings, no seeds) must store: those reachable from the start
        URLs and the site searches without following a list link whose anchors all name another genre.

        Computed by walking the served pages the way crawler/spiders/fanwen.py does (`focused_reach`): list pages
        (start URLs, search results, followed list links) yield article links and list links, the latter unless every
        anchor of the link contains one of the site's `channel_deny` words or `RelevanceModel.is_denied_branch` says
        so; article pages yield article links only (from the page fetched first; further pages of a multi-page
        article add nothing); robots.txt is obeyed. Every demo speech is among them (they all sit in speech channels).
        """
        if self._focused is None:
            reached = focused_reach(self)
            self._focused = [a for a in self.articles if a.canonical_url in reached]
        return self._focused

    def start_urls(self) -> list[str]:
        return [u for s in self.sites for u in s.start_urls]

    def site(self, name: str) -> SiteConfig:
        return next(s for s in self.sites if s.name == name)

    def resolve(self, url: str) -> DemoPage | None:
        """The page for an absolute URL (exact, then percent-decoding-insensitive), or a site search result."""
        page = self.pages.get(url)
        if page is not None:
            return page
        if len(self._index) != len(self.pages):  # normally built once by build(); rebuilt if pages were added
            self._index = {_norm(u): p for u, p in self.pages.items()}
        page = self._index.get(_norm(url))
        if page is not None:
            return page
        parts = urlsplit(url)
        spec = self.searches.get((parts.hostname or "").lower())
        if spec and parts.path == spec[0]:
            q = _query_param(parts.query, spec[1])
            return _search_page(self, spec[2], url, q)
        return None

    def summary(self) -> dict:
        speeches = {a.source_id for a in self.articles if a.label == "speech"}
        atoms = {s for a in self.articles if a.label == "speech" for s in a.source_id.split("+")}
        return {
            "sites": len(self.sites),
            "hosts": len(self.hosts),
            "pages": len(self.pages),
            "articles": len(self.articles),
            "article_pages": sum(len(a.page_urls) for a in self.articles),
            "speech_articles": sum(1 for a in self.articles if a.label == "speech"),
            "distinct_speeches": len(atoms),
            "distinct_speech_docs": len(speeches),
            "near_miss_articles": sum(1 for a in self.articles if a.label != "speech"),
            "near_miss_in_speech_channels": sum(1 for a in self.articles if a.label != "speech" and a.channel == "speech"),
            "multi_page_articles": sum(1 for a in self.articles if len(a.page_urls) > 1),
            "truncated_articles": sum(1 for a in self.articles if a.truncated),
            "speech_share": round(sum(1 for a in self.articles if a.label == "speech") / max(1, len(self.articles)), 3),
            "articles_by_channel": dict(sorted(Counter(a.channel for a in self.articles).items())),
            "list_pages": sum(len(v) for chans in self.facts.get("list_pages", {}).values() for v in chans.values()),
            "sub_channel_pages": sum(len(v) for v in self.facts.get("sub_lists", {}).values()),
            "novel_pages": len(self.facts.get("novel_urls", [])),
            "gbk_hosts": sorted(self.facts.get("gbk_hosts", [])),
        }


def _norm(url: str) -> str:
    p = urlsplit(url)
    return f"{(p.hostname or '').lower()}{unquote(p.path)}?{unquote(p.query)}"


def _query_param(query: str, name: str) -> str:
    """A query parameter decoded as UTF-8, else GBK (GBK sites' forms send GBK)."""
    for part in query.split("&"):
        k, _, v = part.partition("=")
        if k == name:
            raw = unquote(v.replace("+", " "), encoding="latin-1").encode("latin-1")
            for enc in ("utf-8", "gb18030"):
                try:
                    return raw.decode(enc)
                except UnicodeDecodeError:
                    continue
    return ""


# ---------------------------------------------------------------------------------------------------------------------
# Copies: one text as one site shows it
# ---------------------------------------------------------------------------------------------------------------------

@dataclass
class Copy:
    texts: list  # [Text] (two for a compilation)
    site: str
    host: str
    channel: str = "speech"
    title: str = ""  # expected title
    page_title: str = ""
    expected: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # lines as displayed (before splitting into pages)
    pages: list[list[str]] = field(default_factory=list)  # shown lines per page
    truncated: bool = False
    variants: list[str] = field(default_factory=list)
    date: str = ""
    extra: dict = field(default_factory=dict)
    # set by the site builder
    urls: list[str] = field(default_factory=list)
    alt_urls: list[str] = field(default_factory=list)
    canonical: str = ""
    ident: int = 0

    @property
    def source_id(self) -> str:
        return "+".join(t.source_id for t in self.texts)

    @property
    def label(self) -> str:
        return self.texts[0].label

    @property
    def is_speech(self) -> bool:
        return self.texts[0].kind == "speech"


def _rng(*parts) -> random.Random:
    return random.Random(":".join(map(str, (SEED,) + parts)))


def _date(text: T.Text, site: str, rng: random.Random) -> str:
    base = text.meta.get("published") or ""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", base)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:  # undated texts (the near misses): spread over the same years as the speeches, so that a list's newest
        # page holds as many near misses as its older pages
        k = rng.randint(0, 75)  # 2019-01 … 2025-04
        y, mo, d = 2019 + k // 12, k % 12 + 1, rng.randint(1, 28)
    # reposts come days to months later
    days = rng.randint(1, 200)
    d2 = d + days
    mo2 = mo + (d2 - 1) // 28
    d2 = (d2 - 1) % 28 + 1
    y2 = y + (mo2 - 1) // 12
    mo2 = (mo2 - 1) % 12 + 1
    return f"{y2:04d}-{mo2:02d}-{d2:02d} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def _split_pages(lines: list[str], n: int) -> list[list[str]]:
    if n <= 1 or len(lines) < n * 3:
        return [lines]
    size = math.ceil(len(lines) / n)
    return [lines[i:i + size] for i in range(0, len(lines), size)]


def _make_copy(texts: list, site: str, host: str, channel: str, *, n_pages: int = 1, mirror: bool = False) -> Copy:
    """Apply the site's reposting habits to a text; record what a perfect cleaner would output."""
    first = texts[0]
    rng = _rng("copy", site, host, "+".join(t.source_id for t in texts))
    c = Copy(texts=list(texts), site=site, host=host, channel=channel)
    c.date = _date(first, site, rng)
    speech = first.kind == "speech"
    paras: list[str] = list(first.paras)
    for t in texts[1:]:  # a compilation: the next speech's title, then its text
        paras += [t.title] + list(t.paras)
    c.title = first.title
    variants = []

    if speech:
        style = {"1wenmi": "*", "zhuanti": "X", "jianbiao": "xx", "caiyes": "*", "bgz": "xxx", "wmjy": "某",
                 "7rdy": "X", "lidaojianhua": "X", "sanweiyuan": "*", "laobiganzi": "×"}.get(site, "X")
        figs = site in ("1wenmi", "bgz") or (site == "jianbiao" and rng.random() < 0.5)
        anon = T.anonymise(paras, style, first.meta.get("place", ""), figures=figs)
        if anon != paras:
            variants.append("placeholders")
        paras = anon
        if site == "sanweiyuan":
            f1 = T.figures_to_one(paras)
            if f1 != paras:
                variants.append("figures")
            paras = f1
    if site == "jianbiao":
        paras = T.synonym_swaps(paras)
        paras = T.pdf_breaks(paras, rng)
        variants += ["swaps", "pdf_breaks"]
    if site == "wmjy" and speech and rng.random() < 0.6:
        paras = T.censor_token(paras, rng)
        variants.append("censor")
    if mirror:  # lidaojianhua traditional-script mirror
        paras = T.traditional_pinyin(paras, rng)
        c.title = T.to_traditional(c.title)
        variants += ["traditional", "pinyin"]

    # truncated previews
    frac = None
    if site == "bgz":
        frac = rng.uniform(0.3, 0.5)
    elif site == "jianbiao" and rng.random() < 0.5:
        frac = rng.uniform(0.55, 0.8)
    elif site == "sanweiyuan" and speech and rng.random() < 0.4:
        frac = rng.uniform(0.3, 0.5)
    elif site == "laobiganzi" and rng.random() < 0.7:
        frac = rng.uniform(0.35, 0.6)
    c.extra["full_chars"] = sum(len(p) for p in paras)
    if site == "1wenmi":
        return _docx_copy(c, paras, rng, variants)
    if frac is not None:
        paras = T.truncate(paras, frac)
        c.truncated = True
        variants.append("preview")

    c.expected = list(paras)
    shown = list(paras)
    if site == "caiyes":
        variants.append("watermark")
    c.shown = shown
    c.pages = _split_pages(shown, n_pages)
    c.variants = variants
    c.page_title = c.title
    if speech and site in ("zhuanti", "jianbiao"):
        # SEO headings: the year prefixed, 的 dropped; the speech's own title follows as the second title line
        c.page_title = f"{c.date[:4]}年度" + c.title.replace("上的讲话", "上讲话") if site == "zhuanti" else \
            f"{c.date[:4]}年" + c.title.replace("的讲话", "讲话")
    elif speech and site == "lidaojianhua":
        c.title = c.page_title = T.to_traditional(T.generic_title(first)) if mirror else T.generic_title(first)
    return c


def _docx_copy(c: Copy, paras: list[str], rng: random.Random, variants: list[str]) -> Copy:
    """第壹文秘: the text flattened (a docx preview keeps no paragraph breaks), cut into pages of ~150–260 characters
    each shown as `N、…` (the marker lands mid-sentence), the title glued to page 1, only the first pages shown."""
    flat = "".join(paras)
    size = rng.randint(150, 260)
    pieces, i = [], 0
    while i < len(flat):
        j = min(len(flat), i + size + rng.randint(-30, 30))
        while j < len(flat) and (flat[j].isdigit() or flat[j] in ",。;:、!?”)"):
            j += 1  # a page never starts with a digit or punctuation (the marker `N、` must stay readable)
        pieces.append(flat[i:j])
        i = j
    declared = len(pieces)
    shown_n = declared if declared <= 2 else max(2, round(declared * rng.uniform(0.4, 0.65)))
    if declared >= 4 and shown_n >= declared:
        shown_n = declared - 1
    shown = pieces[:shown_n]
    c.truncated = shown_n < declared
    if c.truncated:
        variants.append("preview")
    variants.append("docx_markers")
    c.expected = ["".join(shown)]
    c.shown = [c.title + shown[0]] + shown[1:]
    c.pages = [c.shown]
    c.extra["declared_pages"] = declared + (rng.randint(1, 3) if c.truncated else 0)
    c.page_title = "&".join(t.title for t in c.texts) if len(c.texts) > 1 else c.title
    c.extra["keywords"] = T.keywords(c.page_title)
    c.variants = variants
    return c


# ---------------------------------------------------------------------------------------------------------------------
# Placement plan
# ---------------------------------------------------------------------------------------------------------------------

# Near misses: 范文 sites are mostly NOT leader speeches. Their 作文, 申请书, 学生演讲稿/国旗下讲话, 心得体会,
# 致辞/主持词 and 工作总结/述职 channels are large, and near misses are reposted across sites just like speeches.
# The channel kind a site files a near-miss genre under when it has that channel (else its speech channel, for the
# spoken genres; the written genres only go to sites that have their channel).
GENRE_CHANNEL = {"zuowen": "zuowen", "shenqing": "shenqing", "student": "student", "xinde": "xinde",
                 "toast": "zhici", "host": "zhici", "shuzhi": "zongjie", "plan": "zongjie", "report": "zongjie"}
# Genres 范文 sites file under their 讲话 channels (spoken addresses, reports of meetings): placed on any site.
SPEECH_CHANNEL_GENRES = {"news", "partylesson", "corporate", "novel"}
# Share of a genre's copies filed in the speech channel even where the site has the genre's own channel: a 讲话稿
# channel of a real site holds many 主持词, 致辞, 开学典礼/国旗下讲话, 述职 and 研讨发言 besides government speeches.
MISFILED = {"host": 0.45, "toast": 0.45, "student": 0.4, "shuzhi": 0.25, "xinde": 0.15, "report": 0.15, "plan": 0.1,
            "zuowen": 0.03, "shenqing": 0.03}
# Room for near misses per site (relative). A copy is one page on most sites; the Discuz forum serves each thread under
# ~8 URLs and the m. mirrors double a site, so the big channels sit mostly on the single-URL CMS sites.
NEAR_MISS_ROOM = {"1wenmi": 1.0, "zhuanti": 1.0, "jianbiao": 1.0, "caiyes": 0.4, "sanweiyuan": 0.6, "bgz": 1.3,
                  "lidaojianhua": 0.8, "7rdy": 0.6, "wmjy": 0.6, "laobiganzi": 1.0}
# Each site's big near-miss channels (what the site is mostly about): they get three times the share of the others.
BIG_CHANNELS = {"1wenmi": {"zongjie", "xinde"}, "zhuanti": {"zuowen", "shenqing"}, "jianbiao": {"zongjie", "shenqing"},
                "caiyes": {"xinde"}, "sanweiyuan": {"zuowen"}, "bgz": {"zongjie", "student"}, "lidaojianhua": {"xinde", "zongjie"},
                "7rdy": {"student"}, "wmjy": {"shenqing", "zhici"}, "laobiganzi": {"zuowen", "zhici"}}
NEAR_MISS_COPIES = [3, 2, 4, 2, 3, 1, 3, 2, 4, 3, 2, 3]  # how many sites repost a near miss (cycled)
NEAR_MISS_EXTRA = {"zuowen": 1, "shenqing": 1, "xinde": 1, "student": 1, "news": -1}  # the most / least reposted genres


def _site_channels() -> dict[str, set]:
    """Channel kinds of each demo site's main host."""
    return {cls.site: set(cls.channels) for cls in (Wenmi, Zhuanti, Jianbiao, Caiyes, Sanweiyuan, Bgz, Lidao, Rdy, Wmjy,
                                                    Laobiganzi)}


# Sites that carry fewer government speeches than the others (德育素材网 is a school site; 三味园 a general one).
SPEECH_ROOM = {"7rdy": 0.6, "sanweiyuan": 0.8}


def _plan(speeches, others):
    """-> (speech placements {sid: [site…]}, compilation pair, other placements [(Text, site, channel)], novels)."""
    rng = _rng("plan")
    sids = [s.source_id for s in speeches]
    order = list(sids)
    rng.shuffle(order)
    # how many sites each speech is on: 1–4, at least 20 (when there are enough) on ≥2
    counts = {}
    pattern = [2, 3, 2, 4, 1, 3, 2, 3, 1, 2, 4, 2, 3, 1, 2]
    for i, sid in enumerate(order):
        counts[sid] = pattern[i % len(pattern)]
    load = {s: 0 for s in DEMO_SITES}
    full_sites = [s for s in DEMO_SITES if s not in PAYWALLED]
    placements = {}
    for sid in order:
        k = counts[sid]
        cand = sorted(DEMO_SITES, key=lambda s: (load[s] / SPEECH_ROOM.get(s, 1.0), rng.random()))
        chosen = cand[:k]
        if all(s in PAYWALLED for s in chosen):  # every speech keeps at least one complete copy somewhere
            chosen[-1] = min(full_sites, key=lambda s: (load[s], rng.random()))
        for s in chosen:
            load[s] += 1
        placements[sid] = sorted(chosen, key=DEMO_SITES.index)
    compilation = tuple(order[:2]) if len(order) >= 2 else None

    other_places = []
    novels = []
    chans = _site_channels()
    nload = {s: 0.0 for s in DEMO_SITES}  # near misses per site
    cload: dict = {}  # near misses per (site, channel kind)
    counters: dict = {}
    for i, t in enumerate(others):
        g = t.genre
        n = counters.get(g, 0)
        counters[g] = n + 1
        if g == "novel" and n % 2 == 0:
            novels.append(t)  # web-novel chapters under /book/ (denied by the configs)
            continue
        kind = GENRE_CHANNEL.get(g, "speech")
        spoken = g in SPEECH_CHANNEL_GENRES or t.label == "other_speech" or kind == "speech"
        cands = [s for s in DEMO_SITES if spoken or kind in chans[s]]
        k = NEAR_MISS_COPIES[i % len(NEAR_MISS_COPIES)] + NEAR_MISS_EXTRA.get(g, 0)
        k = max(1, min(len(cands), k))
        trng = _rng("near", t.source_id)

        def key(s, kind=kind, trng=trng):
            if kind == "speech":  # to the speech channels with the fewest near misses per speech
                return cload.get((s, "speech"), 0) / max(1, load[s]), nload[s] / NEAR_MISS_ROOM[s], trng.random()
            # sites with the genre's own channel first (a spoken genre lands in a speech channel only where the site
            # has no channel for it, or when misfiled), the site's big channels taking three times their share
            room = NEAR_MISS_ROOM[s] * (3 if kind in BIG_CHANNELS[s] else 1)
            return kind not in chans[s], cload.get((s, kind), 0) / room, nload[s] / NEAR_MISS_ROOM[s], trng.random()

        chosen = sorted(cands, key=key)[:k]
        for s in sorted(chosen, key=DEMO_SITES.index):
            nload[s] += 1
            own = kind != "speech" and kind in chans[s]
            channel = kind if own and trng.random() >= MISFILED.get(g, 0.0) else "speech"
            cload[(s, kind)] = cload.get((s, kind), 0) + 1
            if channel == "speech" and kind != "speech":
                cload[(s, "speech")] = cload.get((s, "speech"), 0) + 1
            other_places.append((t, s, channel))
    return placements, compilation, other_places, novels


# ---------------------------------------------------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------------------------------------------------

# Sub-channels of the near-miss channels (小学作文, 入党申请书 …), linked from every list page's 栏目导航 box: a real
# 范文 site's list template links dozens of them. Each is one list page of its channel's newest articles of that kind.
SUBCHANNELS = {
    "zuowen": [("小学作文", "xiaoxuezuowen"), ("初中作文", "chuzhongzuowen"), ("高中作文", "gaozhongzuowen")],
    "shenqing": [("入党申请书", "rudangshenqing"), ("贫困补助申请书", "pinkunshenqing")],
    "student": [("国旗下讲话稿", "guoqixiajianghua"), ("竞选演讲稿", "jingxuanyanjiang")],
    "xinde": [("学习心得体会", "xuexixinde"), ("培训心得体会", "peixunxinde")],
    "zhici": [("主持词", "zhuchiren"), ("婚礼致辞", "hunlizhici")],
    "zongjie": [("述职报告", "shuzhibaogao"), ("年终工作总结", "nianzhongzongjie")],
}

CHANNEL_NAMES = {"speech": "领导讲话", "zuowen": "作文", "shenqing": "申请书", "student": "学生演讲稿", "xinde": "心得体会",
                 "zhici": "致辞主持词", "zongjie": "工作总结"}


class Host:
    """One host of a CMS-style demo site: home, paginated channel lists, article pages (maybe multi-page)."""
    site = ""
    charset = "utf-8"
    charset_in_header = True
    per_page = 6
    channels: dict = {}  # kind -> (display name, slug)
    id_base = 1000
    novel_book = 0  # book id for web-novel chapters under /book/ (0: none)
    sections: dict = {}  # extra section index pages linked from breadcrumbs: path -> (name, channel kind)
    mirror_of: "Host | None" = None
    traditional = False

    def __init__(self, host: str, cfg: SiteConfig):
        self.host = host
        self.cfg = cfg
        self.base = f"http://{host}"
        self.copies: list[Copy] = []
        self.pages: dict[str, DemoPage] = {}
        self.rng = _rng("host", host)
        # computed on first use, after assign(): list-page blocks, the 热门 box, the sub-channels
        self._blocks: dict = {}
        self._hot: list | None = None
        self._subs: list | None = None

    # --- URL shapes (must match the site's TOML) -------------------------------------------------------------------
    def list_url(self, kind: str, page: int) -> str:
        raise NotImplementedError

    def article_urls(self, c: Copy) -> list[str]:
        raise NotImplementedError

    def home_url(self) -> str:
        return self.base + "/"

    def sub_url(self, kind: str, j: int, sub: str) -> str | None:
        """List URL of sub-channel j (slug `sub`) of channel `kind`; None: the site has no sub-channels."""
        return None

    def subchannels(self) -> list:
        """[(kind, j, name, url)] of the sub-channels this host shows (those with articles)."""
        if self._subs is None:
            self._subs = []
            for kind in self.channels:
                for j, (name, slug) in enumerate(SUBCHANNELS.get(kind, [])):
                    u = self.sub_url(kind, j, slug)
                    if u and any(self.sub_of(c) == j for c in self.copies if c.channel == kind):
                        self._subs.append((kind, j, name, u))
        return self._subs

    @staticmethod
    def sub_of(c: Copy) -> int:
        n = len(SUBCHANNELS.get(c.channel, []))
        return zlib.crc32(c.source_id.encode()) % n if n else -1

    def subnav(self) -> list:
        return [(u, name) for _k, _j, name, u in self.subchannels()]

    # --- rendering -------------------------------------------------------------------------------------------------
    def nav(self) -> list:
        items = [(self.home_url(), "首页")]
        for kind, (name, _slug) in self.channels.items():
            items.append((self.list_url(kind, 1), name))
        if self.novel_book:
            items.append((f"{self.base}/book/{self.novel_book}/", "官场小说"))
        return items

    def add(self, url: str, html: str, status: int = 200, ctype: str = "text/html", charset: str | None = None):
        cs = charset or self.charset
        if cs != "utf-8":  # the <meta> must name the encoding the bytes are in (GBK sites declare gb2312)
            html = html.replace('charset=utf-8"', 'charset=gb2312"', 1)
        body = html.encode(cs, errors="xmlcharrefreplace")
        ct = f"{ctype}; charset={cs}" if self.charset_in_header or ctype != "text/html" else ctype
        self.pages[url] = DemoPage(status, {"Content-Type": ct}, body)

    def assign(self):
        self.copies.sort(key=lambda c: (c.date, c.source_id))
        for i, c in enumerate(self.copies):
            c.ident = self.id_base + i * 3 + self.rng.randint(0, 2)
            c.urls = self.article_urls(c)
            c.canonical = self.cfg.canonical_url(c.urls[0])

    def block_of(self, c: Copy) -> list[Copy]:
        """The articles listed on the same list page of c's channel (newest first, `per_page` a page)."""
        if not self._blocks:
            for kind in {o.channel for o in self.copies}:
                items = [o for o in reversed(self.copies) if o.channel == kind]
                for k in range(0, len(items), self.per_page):
                    for o in items[k:k + self.per_page]:
                        self._blocks[id(o)] = items[k:k + self.per_page]
        return self._blocks.get(id(c), [c])

    def related_for(self, c: Copy, n: int = 5, blurb_style: str = "plain") -> list:
        """相关文章: other articles of the same channel, the ones listed next to it (同栏目). A crawl following article
        links therefore stays in the channel it entered (as on real CMS sites, where related = same channel)."""
        pool = [o for o in self.block_of(c) if o is not c]
        r = _rng("rel", self.host, c.source_id)
        return [self._blurbed(o, blurb_style) for o in r.sample(pool, min(n, len(pool)))]

    @staticmethod
    def _blurbed(o: Copy, blurb_style: str = "plain") -> tuple:
        text = "".join(o.expected)[:48]
        if blurb_style == "jianbiao":
            blurb = f"本页是最新发布的《{o.page_title}》的详细范文参考文章,供写作时借鉴使用。{text}"
        else:
            blurb = text + "…"
        return (o.urls[0], o.page_title, blurb)

    def hot_set(self) -> list[Copy]:
        """热门文章, site-wide (the same box on every list and article page): what 范文 readers open most -- the newest
        articles of the site's biggest near-miss channels (入党申请书, 作文, 述职报告 …), ten of them."""
        hot = self._hot
        if hot is None:
            by_kind: dict = {}
            for o in reversed(self.copies):
                by_kind.setdefault(o.channel, []).append(o)
            big = sorted((k for k in by_kind if k != "speech"), key=lambda k: (-len(by_kind[k]), k))
            hot = []
            for k, n in zip(big, (5, 3, 2)):
                hot += by_kind[k][:n]
            speech = by_kind.get("speech", [])  # a site without other channels: its speech channel
            hot += _rng("hot", self.host).sample(speech, min(max(0, 6 - len(hot)), len(speech)))
            _rng("hot-order", self.host).shuffle(hot)
            self._hot = hot
        return hot

    def list_sidebar(self) -> list:
        """热门文章 of list pages: the site-wide hot set."""
        return [(o.urls[0], o.page_title) for o in self.hot_set()]

    def hot_for(self, c: Copy | None, n: int = 10, blurb_style: str | None = None) -> list:
        """热门文章 of an article page: the site-wide hot set (without the article itself)."""
        picks = [o for o in self.hot_set() if o is not c][:n]
        if blurb_style:
            return [self._blurbed(o, blurb_style) for o in picks]
        return [(o.urls[0], o.page_title) for o in picks]

    def article_extra(self, c: Copy) -> dict:
        return {}

    def render_article_page(self, c: Copy, i: int) -> str:
        return L.render_article(
            self.site, title=c.page_title, body_lines=c.pages[i], url=c.urls[i], date=c.date,
            related=self.related_for(c), hot=self.hot_for(c), nav=self.nav(),
            crumbs=[(self.list_url(c.channel, 1), CHANNEL_NAMES.get(c.channel, c.channel))], own_title=c.title,
            pages=c.urls, page_no=i + 1, truncated=c.truncated, total_chars=sum(len(x) for x in c.expected),
            **self.article_extra(c))

    def render(self, demo_facts: dict):
        for c in self.copies:
            for i in range(len(c.urls)):
                self.add(c.urls[i], self.render_article_page(c, i))
        # channel lists, paginated
        for kind, (name, _slug) in self.channels.items():
            items = [c for c in reversed(self.copies) if c.channel == kind]
            n_pages = max(1, math.ceil(len(items) / self.per_page))
            urls = [self.list_url(kind, p) for p in range(1, n_pages + 1)]
            for p in range(n_pages):
                chunk = items[p * self.per_page:(p + 1) * self.per_page]
                rows = [(c.urls[0], c.page_title, "".join(c.expected)[:60] + "…", c.date[:10]) for c in chunk]
                self.add(urls[p], L.render_list(self.site, url=urls[p], channel=name, items=rows, pages=urls, page_no=p + 1,
                                                nav=self.nav(), hot=self.list_sidebar(), subnav=self.subnav()))
            demo_facts.setdefault("list_pages", {}).setdefault(self.host, {})[kind] = urls
        for kind, j, name, u in self.subchannels():
            items = [c for c in reversed(self.copies) if c.channel == kind and self.sub_of(c) == j][:self.per_page * 2]
            rows = [(c.urls[0], c.page_title, "".join(c.expected)[:60] + "…", c.date[:10]) for c in items]
            self.add(u, L.render_list(self.site, url=u, channel=name, items=rows, nav=self.nav(), hot=self.list_sidebar(),
                                      subnav=self.subnav()))
            demo_facts.setdefault("sub_lists", {}).setdefault(self.host, []).append(u)
        for path, (name, kind) in self.sections.items():
            u = self.base + path
            rows = [(c.urls[0], c.page_title, "".join(c.expected)[:60] + "…", c.date[:10]) for c in reversed(self.copies) if c.channel == kind]
            self.add(u, L.render_list(self.site, url=u, channel=name, items=rows[:self.per_page * 2], nav=self.nav()))
        self.render_home()
        self.render_misc(demo_facts)

    def friends(self) -> list:
        # odd links a crawler must never follow: an IP address, mailto:, javascript:, file:
        return [("http://192.168.31.7/fanwen/", "范文下载站"), ("http://121.40.86.12:8080/", "公文素材库"),
                ("mailto:tougao@example.com", "投稿邮箱"), ("javascript:void(0);", "在线客服"),
                ("file:///C:/Users/Administrator/Desktop/讲话稿.docx", "讲话稿下载")]

    def render_home(self):
        chans = []
        for kind, (name, _slug) in self.channels.items():
            items = [(c.urls[0], c.page_title) for c in reversed(self.copies) if c.channel == kind][:5]
            chans.append((self.list_url(kind, 1), name, items))
        latest = [(c.urls[0], c.page_title) for c in reversed(self.copies)][:8]
        self.add(self.home_url(), L.render_home(self.site, url=self.home_url(), channels=chans, nav=self.nav(), latest=latest,
                                                hot=self.hot_for(None), friends=self.friends()))

    def robots(self) -> bytes:
        return (f"User-agent: *\nDisallow: /member/\nDisallow: /plus/\nDisallow: /data/\n\n"
                f"Sitemap: {self.base}/sitemap.xml\n").encode("utf-8")

    def render_misc(self, facts: dict):
        self.pages[f"{self.base}/robots.txt"] = DemoPage(200, {"Content-Type": "text/plain"}, self.robots())
        # pages behind robots.txt Disallow: served (200) so that fetching them shows up in the server log
        for path, title in (("/member/login.php", "会员登录"), ("/member/reg.php", "注册会员")):
            self.add(self.base + path, L.render_simple(self.site, url=self.base + path, title=title,
                                                       lines=["用户名:", "密码:", "请登录后下载全文"], nav=self.nav()))
            facts.setdefault("disallowed_urls", []).append(self.base + path)


def _novel_pages(host: Host, novels: list, facts: dict):
    """Web-novel chapters (官场小说 quoting meeting speeches) under /book/N/N_M.html: denied by every config."""
    if not host.novel_book or not novels:
        return
    b = host.novel_book
    toc = f"{host.base}/book/{b}/"
    chapters = []
    for k, t in enumerate(novels):
        chapters.append((f"{host.base}/book/{b}/{b}_{101 + k}.html", t))
    for k, (u, t) in enumerate(chapters):
        prev = chapters[k - 1][0] if k else None
        nxt = chapters[k + 1][0] if k + 1 < len(chapters) else None
        host.add(u, L.render_novel(host.site, url=u, book="官途", chapter=t.title, lines=t.paras, prev=prev, next_=nxt, toc=toc,
                                   nav=host.nav()))
        facts.setdefault("novel_urls", []).append(u)
    host.add(toc, L.render_list(host.site, url=toc, channel="官途 章节目录", items=[(u, t.title) for u, t in chapters], nav=host.nav()))
    facts.setdefault("novel_urls", []).append(toc)


class Wenmi(Host):
    site = "1wenmi"
    per_page = 5
    channels = {"speech": ("领导讲话", "35"), "xinde": ("心得体会", "40"), "student": ("演讲稿", "44"),
                "zongjie": ("工作总结", "38"), "zhici": ("致辞主持", "47")}
    id_base = 320417

    def sub_url(self, kind, j, sub):
        return f"{self.base}/list/{self.channels[kind][1]}{j + 1}.html"

    def list_url(self, kind, page):
        slug = self.channels[kind][1]
        return f"{self.base}/list/{slug}.html" if page == 1 else f"{self.base}/list/{slug}_{page}.html"

    def article_urls(self, c):
        return [f"{self.base}/doc/{c.ident}.html"]

    def article_extra(self, c):
        return {"declared_pages": c.extra["declared_pages"], "keywords": c.extra["keywords"], "doc_id": c.ident}

    def render_article_page(self, c, i):
        return L.render_article(self.site, title=c.page_title, body_lines=c.pages[0], url=c.urls[0], date=c.date,
                                related=self.related_for(c), hot=self.hot_for(c), nav=self.nav(),
                                crumbs=[(self.list_url(c.channel, 1), CHANNEL_NAMES.get(c.channel, c.channel))],
                                truncated=c.truncated, **self.article_extra(c))


class Zhuanti(Host):
    site = "zhuanti"
    per_page = 6
    channels = {"speech": ("公文范文", "gongwen"), "zuowen": ("作文大全", "zuowen"), "shenqing": ("申请书", "shenqing"),
                "zhici": ("致辞主持词", "zhuchici"), "zongjie": ("工作总结", "zongjie")}
    id_base = 1837
    novel_book = 27
    sections = {"/zhuanti/": ("专题范文", "speech")}

    def sub_url(self, kind, j, sub):
        return f"{self.base}/{sub}/"

    def list_url(self, kind, page):
        slug = self.channels[kind][1]
        return f"{self.base}/{slug}/" if page == 1 else f"{self.base}/{slug}/index_{page}.html"

    def article_urls(self, c):
        slug = self.channels[c.channel][1]
        return [f"{self.base}/{slug}/{c.ident}.html" if p == 0 else f"{self.base}/{slug}/{c.ident}_{p + 1}.html"
                for p in range(len(c.pages))]

    def article_extra(self, c):
        return {"tags": T.keywords(c.title)[:4] + [c.title], "aid": c.ident}


class Jianbiao(Host):
    site = "jianbiao"
    per_page = 5
    channels = {"speech": ("公文范文", "zhuantifanwen/gongwenfanwen"), "zuowen": ("作文", "zuowen"), "xinde": ("心得体会", "xindetihui"),
                "shenqing": ("申请书", "shenqingshu"), "zongjie": ("工作总结", "gongzuozongjie")}
    id_base = 56012
    novel_book = 88
    sections = {"/zhuantifanwen/": ("专题范文", "speech")}

    def sub_url(self, kind, j, sub):
        return f"{self.base}/{self.channels[kind][1]}/{sub}/"

    def list_url(self, kind, page):
        slug = self.channels[kind][1]
        return f"{self.base}/{slug}/" if page == 1 else f"{self.base}/{slug}/list_{page}.html"

    def article_urls(self, c):
        return [f"{self.base}/{self.channels[c.channel][1]}/{c.ident}.html"]

    def render_article_page(self, c, i):
        return L.render_article(self.site, title=c.page_title, body_lines=c.pages[0], url=c.urls[0], date=c.date,
                                related=self.related_for(c, 4, "jianbiao"), hot=self.hot_for(c, 4, "jianbiao"), nav=self.nav(),
                                own_title=c.title, truncated=c.truncated)


class Sanweiyuan(Host):
    site = "sanweiyuan"
    per_page = 6
    channels = {"speech": ("讲话发言", "5"), "zuowen": ("作文", "12"), "shenqing": ("申请书", "14"), "xinde": ("心得体会", "8"),
                "zongjie": ("工作总结", "16")}
    id_base = 62311
    novel_book = 35

    def sub_url(self, kind, j, sub):
        return f"{self.base}/news/list_{self.channels[kind][1]}{j + 1}_1.html"

    def list_url(self, kind, page):
        return f"{self.base}/news/list_{self.channels[kind][1]}_{page}.html"

    def article_urls(self, c):
        return [f"{self.base}/news/{c.ident}.html" if p == 0 else f"{self.base}/news/{c.ident}_{p + 1}.html"
                for p in range(len(c.pages))]

    def article_extra(self, c):
        return {"canonical": c.canonical.replace(SUFFIX + "/", "/"), "summary": "".join(c.expected)[:70]}

    def robots(self) -> bytes:
        # starts with a UTF-8 BOM (seen on real CMS installs): a parser that does not strip it loses the first group
        return ("\ufeffUser-agent: *\nDisallow: /member/\nDisallow: /plus/\nDisallow: /e/\n").encode("utf-8")


class Bgz(Host):
    site = "bgz"
    per_page = 5
    channels = {"speech": ("讲话稿", "3"), "xinde": ("心得体会", "7"), "student": ("学生演讲稿", "9"), "zongjie": ("述职报告", "11")}
    id_base = 4021

    def sub_url(self, kind, j, sub):
        return f"{self.base}/index/article/lists/cate_id/{self.channels[kind][1]}{j + 1}.html"

    def list_url(self, kind, page):
        cid = self.channels[kind][1]
        return (f"{self.base}/index/article/lists/cate_id/{cid}.html" if page == 1
                else f"{self.base}/index/article/lists/cate_id/{cid}/page/{page}.html")

    def article_urls(self, c):
        return [f"{self.base}/index/article/detail/detail_id/{c.ident}.html"]

    def article_extra(self, c):
        return {"views": 300 + c.ident % 4000, "summary": "".join(c.expected)[:60] + "……"}

    def robots(self) -> bytes:
        return ("User-agent: *\nDisallow: /index/user/\nDisallow: /index/vip/\nDisallow: /index/pay/\n"
                "Disallow: /member/\nDisallow: /plus/\n").encode("utf-8")


class Lidao(Host):
    site = "lidaojianhua"
    per_page = 5
    channels = {"speech": ("领导讲话", "lidaojianhua"), "xinde": ("心得体会", "xindetihui"), "zuowen": ("作文", "zuowen"),
                "zongjie": ("工作总结", "gongzuozongjie")}
    cats = {"speech": "jingji", "xinde": "xuexi", "zuowen": "xiaoxue", "zongjie": "geren"}
    id_base = 1203

    def sub_url(self, kind, j, sub):
        return f"{self.base}/article/{self.channels[kind][1]}/{sub}/"

    def list_url(self, kind, page):
        slug = self.channels[kind][1]
        return f"{self.base}/article/{slug}/" if page == 1 else f"{self.base}/article/{slug}/index_{page}.html"

    def article_urls(self, c):
        slug = self.channels[c.channel][1]
        ym = c.date[:4] + c.date[5:7]
        stem = f"{self.base}/article/{slug}/{self.cats[c.channel]}/{ym}/{c.ident}"
        return [stem + (".html" if p == 0 else f"_{p + 1}.html") for p in range(len(c.pages))]

    def article_extra(self, c):
        return {"lead_kind": c.ident % 2}

    def render_article_page(self, c, i):
        html = L.render_article(self.site, title=c.page_title, body_lines=c.pages[i], url=c.urls[i], date=c.date,
                                related=self.related_for(c), hot=self.hot_for(c), nav=self.nav(),
                                crumbs=[(self.list_url(c.channel, 1), CHANNEL_NAMES.get(c.channel, c.channel))],
                                pages=c.urls, page_no=i + 1, **self.article_extra(c))
        return T.to_traditional(html) if self.traditional else html

    def add(self, url, html, status=200, ctype="text/html", charset=None):
        # the traditional-script mirror converts whole pages (chrome included)
        super().add(url, T.to_traditional(html) if self.traditional and ctype == "text/html" else html, status, ctype, charset)

    def assign(self):
        super().assign()
        if self.traditional:  # keep the ground truth identical to what the converted page shows
            for c in self.copies:
                c.expected = [T.to_traditional(x) for x in c.expected]
                c.pages = [[T.to_traditional(x) for x in p] for p in c.pages]
                c.title = T.to_traditional(c.title)
                c.page_title = T.to_traditional(c.page_title)


class Rdy(Host):
    site = "7rdy"
    charset = "gbk"
    charset_in_header = False  # GB2312 declared only in <meta>: the crawler must sniff it
    per_page = 6
    channels = {"speech": ("讲话发言", "jianghua"), "student": ("国旗下讲话", "guoqixia"), "zuowen": ("作文", "zuowen"),
                "xinde": ("心得体会", "xindetihui"), "zhici": ("主持词", "zhuchici")}
    id_base = 15207
    novel_book = 61

    def sub_url(self, kind, j, sub):
        return f"{self.base}/{sub}/"

    def list_url(self, kind, page):
        slug = self.channels[kind][1]
        return f"{self.base}/{slug}/" if page == 1 else f"{self.base}/{slug}/list_{page}.html"

    def article_urls(self, c):
        return [f"{self.base}/news/{c.ident}.html" if p == 0 else f"{self.base}/news/{c.ident}_{p + 1}.html"
                for p in range(len(c.pages))]

    def article_extra(self, c):
        return {"mobile": c.urls[0].replace("//www.", "//m.")}


class Wmjy(Host):
    site = "wmjy"
    charset = "gbk"
    charset_in_header = True  # Content-Type: text/html; charset=gbk
    per_page = 5
    channels = {"speech": ("领导讲话", "12"), "xinde": ("心得体会", "20"), "student": ("学生演讲稿", "30"), "shenqing": ("申请书", "40"),
                "zhici": ("致辞主持", "50")}
    id_base = 88120
    sections = {"/wenmi/": ("文秘范文", "speech")}

    def sub_url(self, kind, j, sub):
        return f"{self.base}/wenmi/list_{self.channels[kind][1]}{j + 1}_1.html"

    def list_url(self, kind, page):
        return f"{self.base}/wenmi/list_{self.channels[kind][1]}_{page}.html"

    def article_urls(self, c):
        return [f"{self.base}/wenmi/{c.ident}.html"]

    def article_extra(self, c):
        r = _rng("cm", c.source_id)
        users = ["文秘小白", "笔杆子老王", "办公室小李", "游客"]
        said = ["写得很实在,参考了。", "结构清晰,值得学习!", "能不能发一份完整版?", "收藏了,谢谢分享"]
        return {"aid": c.ident, "comments": [(r.choice(users), c.date[:10], r.choice(said)) for _ in range(r.randint(1, 3))]}

    def robots(self) -> bytes:
        # GBK-encoded, Chinese comment lines (a UTF-8 decoder sees garbage in the comments only)
        return ("# 文秘家园 robots.txt\n# 禁止抓取会员中心和插件目录\nUser-agent: *\n# 会员中心\nDisallow: /member/\n"
                "# 插件(打印、收藏)\nDisallow: /plus/\nDisallow: /e/\n").encode("gbk")

    def render_misc(self, facts):
        super().render_misc(facts)
        for c in self.copies:  # the 打印本文 links point into /plus/ (robots-disallowed)
            u = f"{self.base}/plus/view.php?aid={c.ident}&pageno=all"
            self.add(u, L.render_simple(self.site, url=u, title=c.page_title, lines=c.expected))
            facts.setdefault("disallowed_urls", []).append(u)


class Laobiganzi(Host):
    site = "laobiganzi"
    per_page = 5
    channels = {"speech": ("讲话稿", "jianghua"), "xinde": ("心得体会", "xindetihui"), "zuowen": ("作文", "zuowen"),
                "zhici": ("致辞", "zhici"), "shenqing": ("申请书", "shenqingshu")}
    id_base = 8801

    def sub_url(self, kind, j, sub):
        return f"{self.base}/tag/{sub}/"

    def list_url(self, kind, page):
        slug = self.channels[kind][1]
        return f"{self.base}/category/{slug}/" if page == 1 else f"{self.base}/category/{slug}/page/{page}/"

    def article_urls(self, c):
        return [f"{self.base}/{c.ident}.html"]

    def article_extra(self, c):
        return {"full_chars": c.extra.get("full_chars"), "tail_kind": c.ident % 3 == 0, "title_twice": c.ident % 2 == 0}

    def robots(self) -> bytes:
        return ("User-agent: *\nDisallow: /wp-admin/\nDisallow: /wp-login.php\nDisallow: /member/\n"
                "Allow: /wp-admin/admin-ajax.php\n").encode("utf-8")

    def render_misc(self, facts):
        super().render_misc(facts)
        u = self.base + "/wp-login.php"
        self.add(u, L.render_simple(self.site, url=u, title="登录", lines=["用户名或电子邮件地址", "密码"]))
        facts.setdefault("disallowed_urls", []).append(u)


class MobileMirror(Host):
    """m. host of a site: the same article paths (and ids) in a mobile skin; canonical_url() maps both to one."""

    def __init__(self, host, cfg, main: Host):
        super().__init__(host, cfg)
        self.main = main
        self.site = main.site
        self.charset = main.charset
        self.charset_in_header = main.charset_in_header
        self.channels = main.channels

    def list_url(self, kind, page):
        return self.main.list_url(kind, page).replace(self.main.base, self.base)

    def render(self, facts):
        # every page of the main host, under the m. host (links rewritten to stay on m.); robots.txt of its own
        src, dst = self.main.base.encode(), self.base.encode()
        for u, p in self.main.pages.items():
            if u.endswith("/robots.txt"):
                continue
            headers = dict(p.headers)
            if "Location" in headers:
                headers["Location"] = headers["Location"].replace(self.main.base, self.base)
            self.pages[u.replace(self.main.base, self.base, 1)] = DemoPage(p.status, headers, p.body.replace(src, dst))
        for c in self.main.copies:
            c.alt_urls.extend(u.replace(self.main.base, self.base, 1) for u in c.urls)
        self.pages[f"{self.base}/robots.txt"] = DemoPage(200, {"Content-Type": "text/plain"}, self.robots())


# ---------------------------------------------------------------------------------------------------------------------
# 老秘网 (Discuz! X3.4)
# ---------------------------------------------------------------------------------------------------------------------

class Caiyes(Host):
    site = "caiyes"
    channels = {"speech": ("公文写作·领导讲话", "2"), "xinde": ("心得体会", "5"), "student": ("学生演讲稿", "9")}
    per_page = 6
    ppp = 4  # posts per page (a forum setting): long threads continue on thread-N-2-1.html
    id_base = 12406

    def list_url(self, kind, page):
        return f"{self.base}/forum-{self.channels[kind][1]}-{page}.html"

    def tid(self, c):
        return c.ident

    def article_urls(self, c):
        return [f"{self.base}/thread-{c.ident}-{p + 1}-1.html" for p in range(c.extra.get("thread_pages", 1))]

    def assign(self):
        self.copies.sort(key=lambda c: (c.date, c.source_id))
        r = _rng("caiyes-posts")
        long_done = 0
        authors = ["释然", "笔耕不辍", "材料狗", "夜思", "老秘书", "公文小白"]
        repliers = ["青山依旧", "写材料的小王", "zhangwei2021", "机关老李", "游客8732"]
        replies_text = ["感谢楼主分享!", "好材料,收藏了。", "学习了,写得很实在。", "顶一个,期待更多好文。", "谢谢分享,正需要。"]
        for i, c in enumerate(self.copies):
            c.ident = self.id_base + i * 7 + r.randint(0, 5)
            lines = list(c.expected)
            author = authors[i % len(authors)]
            hh, mm = r.randint(8, 22), r.randint(0, 59)
            day = c.date[:10].replace("-0", "-")
            date = f"{day} {hh}:{mm:02d}" if i % 5 else f"昨天 {hh}:{mm:02d}"
            # the OP posts a long text in parts; one thread is long enough to continue on page 2
            if c.is_speech and len(lines) >= 12 and long_done < 1:
                # four short posts fill page 1 (ppp=4); the larger rest continues on thread-N-2-1.html
                size = max(1, len(lines) // 8)
                parts = [lines[k * size:(k + 1) * size] for k in range(4)] + [lines[4 * size:]]
                long_done += 1
            elif len(lines) >= 16 and r.random() < 0.5:
                half = len(lines) // 2
                parts = [lines[:half], lines[half:]]
            else:
                parts = [lines]
            posts = []
            pid = c.ident * 10
            for k, part in enumerate(parts):
                shown = T.inject_watermark(part, "老秘网", _rng("wm", c.source_id, k), n=2 if len(part) > 3 else 1)
                # anti-copy ASCII lines between paragraphs
                for _ in range(r.randint(1, 2)):
                    pos = r.randint(1, max(1, len(shown) - 1))
                    shown.insert(pos, L.ascii_noise(r))
                posts.append(L.Post(pid + k, author, date, shown, floor=k + 1))
            n_rep = r.randint(0, 2) if len(parts) < 5 else 2
            for k in range(n_rep):
                posts.append(L.Post(pid + len(parts) + k, r.choice(repliers), date, [r.choice(replies_text)], floor=len(posts) + 1))
            c.extra["posts"] = posts
            c.extra["author"] = author
            c.extra["thread_pages"] = math.ceil(len(posts) / self.ppp)
            c.urls = self.article_urls(c)
            c.canonical = self.cfg.canonical_url(c.urls[0])
            t = c.ident
            c.alt_urls = [f"{self.base}/forum.php?mod=viewthread&tid={t}", f"{self.base}/forum.php?mod=viewthread&tid={t}&extra=page%3D1",
                          f"{self.base}/forum.php?mod=viewthread&action=printable&tid={t}", f"{self.base}/archiver/tid-{t}.html"]
            c.alt_urls += [f"{self.base}/forum.php?mod=viewthread&tid={t}&page={p}" for p in range(1, c.extra["thread_pages"] + 1)]

    def render(self, facts):
        fid_name = {v[1]: v[0] for v in self.channels.values()}
        by_forum = {}
        for c in self.copies:
            by_forum.setdefault(self.channels[c.channel][1], []).append(c)
        for c in self.copies:
            t = c.ident
            fid = self.channels[c.channel][1]
            posts = c.extra["posts"]
            npg = c.extra["thread_pages"]
            rel = [(u, title) for u, title, _ in self.related_for(c)]  # 相关帖子: threads of the same forum page
            for p in range(1, npg + 1):
                chunk = posts[(p - 1) * self.ppp:p * self.ppp]
                for u in ([f"{self.base}/thread-{t}-{p}-1.html"]
                          + ([f"{self.base}/forum.php?mod=viewthread&tid={t}", f"{self.base}/forum.php?mod=viewthread&tid={t}&extra=page%3D1"]
                             if p == 1 else [])
                          + [f"{self.base}/forum.php?mod=viewthread&tid={t}&page={p}"]):
                    self.add(u, L.render_thread(url=u, tid=t, fid=int(fid), forum=fid_name[fid], subject=c.page_title, posts=chunk,
                                                page_no=p, pages=npg, views=100 + t % 900, replies=len(posts) - 1,
                                                related=rel if p == npg else ()))
            u = f"{self.base}/forum.php?mod=viewthread&action=printable&tid={t}"
            self.add(u, L.render_printable(url=u, tid=t, subject=c.page_title, posts=posts))
            u = f"{self.base}/archiver/tid-{t}.html"
            self.add(u, L.render_archiver(url=u, tid=t, fid=int(fid), forum=fid_name[fid], subject=c.page_title, posts=posts))
        # next/previous thread redirects (302), within a forum, ordered by tid
        redirects = []
        for fid, cs in by_forum.items():
            cs = sorted(cs, key=lambda c: c.ident)
            for k, c in enumerate(cs):
                for goto, other in (("nextnewset", cs[k + 1] if k + 1 < len(cs) else None),
                                    ("nextoldset", cs[k - 1] if k > 0 else None)):
                    u = f"{self.base}/forum.php?mod=redirect&goto={goto}&tid={c.ident}"
                    if other is None:
                        msg = "没有比当前更新的主题" if goto == "nextnewset" else "没有比当前更早的主题"
                        self.add(u, L.render_discuz_message(url=u, title="提示信息", lines=[msg]))
                    else:
                        loc = f"{self.base}/forum.php?mod=viewthread&tid={other.ident}"
                        self.pages[u] = DemoPage(302, {"Location": loc, "Content-Type": "text/html; charset=utf-8"}, b"")
                        redirects.append((u, loc))
            # forum lists: rewritten forum-FID-P.html, and the forumdisplay query form (page 1)
            newest = sorted(cs, key=lambda c: -c.ident)
            npg = max(1, math.ceil(len(newest) / self.per_page))
            for p in range(1, npg + 1):
                chunk = newest[(p - 1) * self.per_page:p * self.per_page]
                rows = [(c.urls[0], c.page_title, c.extra["author"], c.date[:10], len(c.extra["posts"]) - 1, 100 + c.ident % 900)
                        for c in chunk]
                forums = [(self.list_url(k, 1), v[0]) for k, v in self.channels.items()]
                u = f"{self.base}/forum-{fid}-{p}.html"
                self.add(u, L.render_forumdisplay(url=u, fid=int(fid), forum=fid_name[fid], threads=rows, page_no=p, pages=npg, forums=forums))
                if p == 1:
                    u = f"{self.base}/forum.php?mod=forumdisplay&fid={fid}"
                    qrows = [(f"{self.base}/forum.php?mod=viewthread&tid={c.ident}&extra=page%3D1",) + r[1:] for c, r in zip(chunk, rows)]
                    self.add(u, L.render_forumdisplay(url=u, fid=int(fid), forum=fid_name[fid], threads=qrows, page_no=1, pages=npg, forums=forums))
            u = f"{self.base}/archiver/fid-{fid}.html"
            self.add(u, L.render_archiver_list(url=u, fid=int(fid), forum=fid_name[fid],
                                               threads=[(f"{self.base}/archiver/tid-{c.ident}.html", c.page_title) for c in newest]))
            facts.setdefault("list_pages", {}).setdefault(self.host, {})[fid] = [f"{self.base}/forum-{fid}-{p}.html" for p in range(1, npg + 1)]
        facts["redirects"] = redirects
        # forum index, archiver index, "/" -> 302 forum.php
        forums = [(f"{self.base}/forum.php?mod=forumdisplay&fid={v[1]}", v[0], [(c.urls[0], c.page_title) for c in by_forum.get(v[1], [])][:5])
                  for v in self.channels.values()]
        latest = sorted(self.copies, key=lambda c: -c.ident)[:10]  # 最新主题 of all forums
        rows = [(c.urls[0], c.page_title, c.extra["author"], c.date[:10], len(c.extra["posts"]) - 1, 100 + c.ident % 900) for c in latest]
        forum_links = [(u, name) for u, name, _items in forums] + [(self.list_url(k, 1), v[0]) for k, v in self.channels.items()]
        forum_links.append((f"{self.base}/archiver/", "Archiver"))
        self.add(f"{self.base}/forum.php", L.render_forumdisplay(url=f"{self.base}/forum.php", fid=0, forum="论坛", threads=rows,
                                                                 forums=forum_links, friends=self.friends()))
        self.add(f"{self.base}/archiver/", L.render_archiver_list(url=f"{self.base}/archiver/", fid=0, forum="老秘网_材夜思范文",
                                                                  threads=[(f"{self.base}/archiver/fid-{v[1]}.html", v[0]) for v in self.channels.values()]))
        self.pages[f"{self.base}/"] = DemoPage(302, {"Location": f"{self.base}/forum.php", "Content-Type": "text/html; charset=utf-8"}, b"")
        self.pages[f"{self.base}/robots.txt"] = DemoPage(200, {"Content-Type": "text/plain"}, self.robots())
        for path in ("/member.php?mod=logging&action=login", "/member.php?mod=register", "/search.php?mod=forum"):
            self.add(self.base + path, L.render_discuz_message(url=self.base + path, title="提示信息", lines=["您需要先登录才能继续本操作"]))
            facts.setdefault("disallowed_urls", []).append(self.base + path)

    def robots(self) -> bytes:
        # Discuz! X3 default robots.txt (this site lets the redirect URLs through)
        return ("#\n# robots.txt for Discuz! X3\n#\n\nUser-agent: *\nDisallow: /api/\nDisallow: /data/\nDisallow: /source/\n"
                "Disallow: /install/\nDisallow: /template/\nDisallow: /config/\nDisallow: /uc_client/\nDisallow: /uc_server/\n"
                "Disallow: /static/\nDisallow: /admin.php\nDisallow: /search.php\nDisallow: /member.php\nDisallow: /api.php\n"
                "Disallow: /misc.php\nDisallow: /connect.php\nDisallow: /forum.php?mod=post*\nDisallow: /home.php?mod=spacecp*\n"
                "Disallow: /userapp.php?mod=app&*\nDisallow: /*?mod=misc*\nDisallow: /*?mod=attachment*\nDisallow: /*mobile=yes*\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------------------------------
# What a focused crawl reaches
# ---------------------------------------------------------------------------------------------------------------------

def focused_reach(demo: Demo, model=None, depth_limit: int | None = None, order: random.Random | None = None) -> dict[str, int]:
    """Canonical URL -> depth of every article a full focused crawl of the demo stores (see Demo.focused_articles).

    Mirrors FanwenSpider (crawler/spiders/fanwen.py): `_links` (every <a href> with its anchor texts, `url_is_safe`,
    the site's deny patterns), `_denied_branch` (channel_deny words, `model.is_denied_branch`), `_follow` (article
    links from every page, list links from list pages only; one request per canonical article URL), the site searches
    with `model.search_keywords(3)`, robots.txt and Scrapy's DEPTH_LIMIT. Keep it in step with the spider.
    Breadth-first; with `order` (a seeded RNG) the next request is picked at random instead: the spider's order is
    its link priority, and the result must not depend on it (tests check that).
    """
    from collections import deque

    from scrapy.http import HtmlResponse

    from crawler.links import denied_branch, page_links
    from crawler.middlewares import url_is_safe
    from crawler.robots import decode_robots
    from fanwen.relevance import load_model

    model = model or load_model()
    if depth_limit is None:
        from crawler import settings as crawl_settings
        depth_limit = int(getattr(crawl_settings, "DEPTH_LIMIT", 0) or 0)
    cfg = {s.name: s for s in demo.sites}
    robots: dict = {}

    def allowed(url: str) -> bool:
        from protego import Protego
        host = (urlsplit(url).hostname or "").lower()
        if host not in robots:
            page = demo.pages.get(f"http://{host}/robots.txt")
            robots[host] = Protego.parse(decode_robots(page.body)) if page is not None and page.status == 200 else None
        rp = robots[host]
        return rp is None or rp.can_fetch(url, "*")

    def links(response, site) -> dict[str, list[str]]:
        return page_links(response, site)

    def denied(site, anchors: list[str]) -> bool:
        return denied_branch(site, anchors, model)

    queue: deque = deque()
    requested: set[str] = set()
    scheduled: set[str] = set()
    for site in demo.sites:
        for u in site.start_urls:
            queue.append((u, site.name, "list", 0))
        if site.search:
            for kw in model.search_keywords(3):
                queue.append((site.search.format(query=quote(kw)), site.name, "list", 0))
    reached: dict[str, int] = {}
    while queue:
        if order is not None:
            queue.rotate(-order.randrange(len(queue)))
        url, name, kind, depth = queue.popleft()
        if url in requested or not allowed(url):
            continue
        requested.add(url)
        site = cfg[name]
        page = demo.resolve(url)
        hops = 0
        while page is not None and page.status in (301, 302) and hops < 5:  # Scrapy follows redirects
            url = page.location or ""
            page = demo.resolve(url) if url_is_safe(url, site.domains) and allowed(url) else None
            hops += 1
        if page is None or page.status != 200:
            continue
        if kind == "article":
            reached.setdefault(site.canonical_url(url), depth)
        response = HtmlResponse(url, body=page.body, headers=page.headers)
        if not response.headers.get("Content-Type", b"").startswith(b"text/html"):
            continue
        for link, anchors in links(response, site).items():
            if depth_limit and depth + 1 > depth_limit:
                break
            if site.is_article(link):
                canonical = site.canonical_url(link)
                if canonical not in scheduled:
                    scheduled.add(canonical)
                    queue.append((link, name, "article", depth + 1))
            elif kind == "list" and site.is_list(link) and not denied(site, anchors):
                queue.append((link, name, "list", depth + 1))
    return reached


# ---------------------------------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------------------------------

def _search_page(demo: Demo, site: str, url: str, query: str) -> DemoPage:
    host = (urlsplit(url).hostname or "").lower()
    terms = [t for t in re.split(r"\s+", query.strip()) if t]
    hits = []
    for a in demo.articles:
        if a.host != host:
            continue
        hay = a.page_title + a.title + a.expected_text[:300]
        if terms and all(t in hay for t in terms):
            hits.append((a.page_urls[0], a.page_title, a.expected_text[:80] + "…"))
    html = L.render_search(site, url=url, query=query, results=hits[:20], nav=demo.facts.get("navs", {}).get(host))
    cs = "utf-8"
    return DemoPage(200, {"Content-Type": f"text/html; charset={cs}"}, html.encode(cs, errors="xmlcharrefreplace"))


# ---------------------------------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------------------------------

def _hosts_for(cfgs: dict[str, SiteConfig]) -> dict[str, list[Host]]:
    """Instantiate the demo hosts of each site (main host first)."""
    t = lambda h: h + SUFFIX  # noqa: E731
    out = {
        "1wenmi": [Wenmi(t("www.1wenmi.com"), cfgs["1wenmi"])],
        "zhuanti": [Zhuanti(t("www.zhuantifanwen.cn"), cfgs["zhuanti"])],
        "jianbiao": [Jianbiao(t("www.jianbiaofanwen.com"), cfgs["jianbiao"])],
        "caiyes": [Caiyes(t("www.caiyes.cn"), cfgs["caiyes"])],
        "sanweiyuan": [Sanweiyuan(t("www.sanweiyuan.com"), cfgs["sanweiyuan"])],
        "bgz": [Bgz(t("www.bgzsck.com"), cfgs["bgz"]), Bgz(t("www.biganziwuyou.com"), cfgs["bgz"])],
        "lidaojianhua": [Lidao(t("www.1mishu.com"), cfgs["lidaojianhua"]), Lidao(t("m.alizhichou3.cn"), cfgs["lidaojianhua"])],
        "7rdy": [Rdy(t("www.7rdy.cn"), cfgs["7rdy"])],
        "wmjy": [Wmjy(t("www.wmjy.cn"), cfgs["wmjy"])],
        "laobiganzi": [Laobiganzi(t("www.laobiganzi.top"), cfgs["laobiganzi"])],
    }
    out["bgz"][1].id_base = 9133
    out["lidaojianhua"][1].id_base = 33050
    out["lidaojianhua"][1].traditional = True
    out["lidaojianhua"][1].channels = {"speech": Lidao.channels["speech"]}  # the mirror only copies the speech channel
    return out


def _n_pages(site: str, text: T.Text, rng: random.Random) -> int:
    """Multi-page articles (…_2.html with 下一页) on the CMS sites that split long texts."""
    if site not in ("zhuanti", "sanweiyuan", "lidaojianhua", "7rdy") or len(text.paras) < 14:
        return 1
    r = rng.random()
    return 3 if r < 0.12 else 2 if r < 0.45 else 1


def build(content_dir=None) -> Demo:
    """Build the whole demo (pure: same content files -> same pages)."""
    all_cfgs = load_sites()
    cfgs = {name: all_cfgs[name].rehost(SUFFIX) for name in DEMO_SITES if name in all_cfgs}
    hosts = _hosts_for(cfgs)
    speeches, others = T.load_texts(content_dir)
    if content_dir is None:  # the default demo also reposts the labelled set's near misses (fanwen/demo/content/extra)
        others = others + T.load_extra_near_misses()
    by_id = {t.source_id: t for t in speeches}
    placements, compilation, other_places, novels = _plan(speeches, others)

    all_copies: list[Copy] = []
    multi = 0
    bgz_turn = 0
    for sid, sites in placements.items():
        text = by_id[sid]
        for site in sites:
            hs = hosts[site]
            rng = _rng("pages", site, sid)
            npg = _n_pages(site, text, rng)
            multi += npg > 1
            main = hs[0]
            if site == "bgz" and _rng("fam", sid).random() < 0.5:
                targets = hs  # the same speech on both hosts of the family
            elif site == "bgz":
                targets = [hs[bgz_turn % 2]]  # otherwise the hosts take turns
                bgz_turn += 1
            else:
                targets = [main]
            for h in targets:
                c = _make_copy([text], site, h.host, "speech", n_pages=npg)
                h.copies.append(c)
                all_copies.append(c)
            if site == "lidaojianhua" and _rng("mirror", sid).random() < 0.7:
                c = _make_copy([text], site, hs[1].host, "speech", n_pages=npg, mirror=True)
                hs[1].copies.append(c)
                all_copies.append(c)
    # at least 4 multi-page articles: split the longest single-page copies on the sites that paginate
    if multi < 4:
        cands = sorted((c for c in all_copies if c.site in ("zhuanti", "sanweiyuan", "lidaojianhua", "7rdy") and len(c.pages) == 1
                        and len(c.shown) >= 9), key=lambda c: -len(c.shown))
        for c in cands[:4 - multi]:
            c.pages = _split_pages(c.shown, 2)
    if compilation:
        h = hosts["1wenmi"][0]
        c = _make_copy([by_id[compilation[0]], by_id[compilation[1]]], "1wenmi", h.host, "speech")
        c.variants.append("compilation")
        h.copies.append(c)
    for t, site, channel in other_places:
        hs = hosts[site]
        h = hs[0]
        if site == "bgz" and _rng("ofam", t.source_id).random() < 0.5:
            h = hs[1]
        c = _make_copy([t], site, h.host, channel)
        h.copies.append(c)
        if site == "lidaojianhua" and channel == "speech":
            m = _make_copy([t], site, hs[1].host, channel, mirror=True)
            hs[1].copies.append(m)
    # the traditional mirror has no own channels of its own: keep its near-miss copies in the speech channel
    for h in hosts["lidaojianhua"][1:]:
        for c in h.copies:
            c.channel = "speech" if c.channel not in h.channels else c.channel

    # mobile mirrors (same paths and ids on m.)
    mirrors = [MobileMirror("m.sanweiyuan.com" + SUFFIX, cfgs["sanweiyuan"], hosts["sanweiyuan"][0]),
               MobileMirror("m.7rdy.cn" + SUFFIX, cfgs["7rdy"], hosts["7rdy"][0])]

    facts: dict = {"gbk_hosts": [], "robots_bom": [], "robots_gbk": []}
    pages: dict[str, DemoPage] = {}
    articles: list[DemoArticle] = []
    host_site: dict[str, str] = {}
    # novels on some hosts
    novel_hosts = [h for hs in hosts.values() for h in hs if h.novel_book]
    for hs in hosts.values():
        for h in hs:
            h.assign()
    for k, h in enumerate(novel_hosts):
        _novel_pages(h, novels[k::len(novel_hosts)] if novels else [], facts)
    for hs in hosts.values():
        for h in hs:
            h.render(facts)
    for m in mirrors:
        m.render(facts)
    for h in [h for hs in hosts.values() for h in hs] + mirrors:
        pages.update(h.pages)
        facts.setdefault("navs", {})[h.host] = h.nav()
        host_site[h.host] = h.site
        if h.charset != "utf-8":
            facts["gbk_hosts"].append(h.host)
    for hs in hosts.values():
        for h in hs:
            for c in h.copies:
                articles.append(DemoArticle(
                    canonical_url=c.canonical, site=c.site, source_id=c.source_id, label=c.label, title=c.title,
                    expected_text="\n".join(l.strip() for l in c.expected if l.strip()), truncated=c.truncated,
                    page_urls=list(c.urls), variants=list(dict.fromkeys(c.variants)), host=h.host, channel=c.channel,
                    alt_urls=list(c.alt_urls), page_title=c.page_title, charset=h.charset))
    facts["robots_bom"] = [u for u, p in pages.items() if u.endswith("/robots.txt") and p.body.startswith(b"\xef\xbb\xbf")]
    facts["robots_gbk"] = [f"http://www.wmjy.cn{SUFFIX}/robots.txt"]
    facts["odd_links"] = [u for u, _ in Host.friends(None)]  # type: ignore[arg-type]
    facts["gbk_meta_only_hosts"] = [h.host for hs in hosts.values() for h in hs if h.charset != "utf-8" and not h.charset_in_header]

    demo = Demo(sites=list(cfgs.values()), pages=pages, articles=articles, hosts=host_site, facts=facts)
    # site search (only where the TOML has `search`): dynamic in Demo.resolve; one pre-built page per host for "讲话"
    for name, cfg in cfgs.items():
        if not cfg.search:
            continue
        probe = urlsplit(cfg.search.replace("{query}", "QUERY"))
        param = next((k for k, v in parse_qs(probe.query).items() if v == ["QUERY"]), "q")
        host = (probe.hostname or "").lower()
        if host in host_site:
            demo.searches[host] = (probe.path, param, name)
            u = cfg.search.format(query=quote("讲话"))
            demo.pages[u] = _search_page(demo, name, u, "讲话")
            facts.setdefault("search_urls", []).append(u)
    demo._index = {_norm(u): p for u, p in demo.pages.items()}  # built before any server thread reads it
    return demo


@lru_cache(maxsize=2)
def _cached(content_dir) -> Demo:
    return build(content_dir)


def build_demo(content_dir: str | None = None) -> Demo:
    """The demo (built once per process and cached)."""
    return _cached(content_dir)
