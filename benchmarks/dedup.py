"""Dedup benchmark: precision/recall per kind of copy, throughput and index memory at 10k and 100k documents.

    python -m benchmarks.dedup                 # quality set + 10k + 100k (about 7 minutes on 2 cores)
    python -m benchmarks.dedup --sizes 10000   # quicker
    python -m benchmarks.dedup --sizes 0       # the quality set alone

Documents go into a real corpus.db (fanwen.store schema, WAL) in batches of 100 (one transaction each) and are
placed by `fanwen.dedup.update_clusters`, as the store does; figures:
- precision over all pairs of documents put in one cluster (a pair is right if both are copies of one text) and
  recall over all pairs of copies;
- recall per kind: a planted copy is found if it is in the cluster of its original;
- hard negatives: documents of a different speech put in the cluster of the base they share paragraphs with;
- compilations: linked (`contains`) to both speeches, and the two speeches' clusters not merged;
- canonical: the canonical copy of each base cluster is complete (not a preview) and not mangled;
- throughput: documents/s for normalise (fingerprint) + dedup while the corpus is built, and the marginal cost
  per document at that size: the same 700 new speeches and 300 new copies placed at the end of every run (the
  per-document cost at 100k is compared with the one at 10k); memory: bytes per document of the dedup tables on
  disk (dbstat: keys, dedup_docs, links) and the peak RSS of the process;
- rebuild (quality set and 10k): `fanwen.dedup.rebuild` (bulk) gives the same partition and canonical copies as the
  incremental placement.

What is generated
-----------------
Base texts are read at run time: the demo texts in fanwen/demo/content/{speeches,others}/*.txt (header `key: value`
lines, `---`, one paragraph per line) and, when ../shared is beside the repository, the gold texts of the seeds
(shared/gold/seeds_gold.jsonl). Nothing of them is copied into the repository.

Every generated document is a dict with the columns the store writes (url, site, title, text, published, truncated,
mangled, placeholders, script, low_trust) plus `truth` (the speech it is a copy of), `kind` and `base`.

Copy kinds (each applied to every base text, `copies` times with different random draws):
- boilerplate: site chrome left around the text as the cleaners may miss it: breadcrumb, date/byline, 小编 lead-in,
  the title once or twice, tag lines, a related list of other texts' titles with one-line blurbs, URL footer;
- placeholder: names, places and figures anonymised differently (`*`, `X`, `xx`, `×`, `某`, `1%`), existing
  placeholders changed to another kind;
- pagemarker: a docx preview: title glued to the text, `N、` page markers glued into sentences, line breaks mid-sentence;
- watermark: the site name injected inside words every 150-500 characters, lines of random ASCII noise;
- script: traditional script (OpenCC s2t) with pinyin in parentheses after some words;
- synonym: 伪原创 swaps: the known ones (发展->开展, 服务->效劳, 基础->根底, 则->那么 …, ” -> 〞) on nearly every
  occurrence, plus swaps the fingerprint does not know (提高->提升, 加强->增强 …) on a third of the occurrences;
- preview40: the first 35-45 % of the text, cut mid-sentence, with a paywall tail; half of them flagged truncated
  (as the cleaners flag a visible paywall marker), half not (the marker was missed);
- mobile: the PC text on an m. host, paragraphs re-broken (an exact copy after normalisation);
- mixed: two or three of the kinds above applied together.
Distinct speeches (must never join the bases' clusters):
- neg30 / neg60: a different speech sharing 30 % / 60 % of a base speech's text (its paragraphs, in order), the rest
  new paragraphs in the same style with the base's place name (same meeting type and city); each also gets a copy;
  (shares are of the text: sharing 60 % of the paragraphs by count can mean 85 % of the text when the others are
  short headings, and at that point it is the same speech revised: the link needs 80 % coverage, see fanwen.dedup);
- town: a town-level speech written from other speeches' paragraphs that reuses a base speech's slogans (its quoted
  phrases and stock clauses) word for word;
- compilation: two base speeches concatenated in one document, each under its title (must link to both, merge with
  neither); and the same cut off 30 % into the second speech (a docx preview of a compilation).
Fillers (to reach 10k / 100k documents): synthetic distinct speeches made by recombining clauses of all base texts
(split at ,;。!?、) into new sentences and paragraphs, with 4 % of characters replaced by random common characters
and invented place names; lengths drawn log-uniformly between 800 and 9000 characters.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from cleaners.fingerprint import content_hash, fingerprint_text
from fanwen import dedup
from fanwen.dedup.index import KEY_TABLES

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fanwen" / "demo" / "content"
SHARED = ROOT.parent / "shared"


@dataclass
class Base:
    key: str
    title: str
    paragraphs: list[str]
    meta: dict

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def load_bases(shared: Path | None = SHARED) -> list[Base]:
    bases: list[Base] = []
    for f in sorted(glob.glob(str(DEMO / "speeches" / "*.txt"))) + sorted(glob.glob(str(DEMO / "others" / "*.txt"))):
        raw = Path(f).read_text(encoding="utf-8")
        head, _, body = raw.partition("\n---\n")
        meta = dict(ln.split(": ", 1) for ln in head.splitlines() if ": " in ln)
        paras = [p.strip() for p in body.splitlines() if p.strip()]
        if paras:
            meta.setdefault("genre", "speech" if "/speeches/" in f else "other")
            bases.append(Base(Path(f).stem, meta.get("title", Path(f).stem), paras, meta))
    gold = (shared / "gold" / "seeds_gold.jsonl") if shared else None
    if gold and gold.exists():
        for line in gold.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            paras = [p.strip() for p in d["text"].splitlines() if p.strip()]
            # seeds without line breaks: split at sentence ends into paragraphs of ~300 characters
            if len(paras) < 4:
                paras = _split_paragraphs(d["text"], 300)
            bases.append(Base("seed" + d["seed"][:3], d["title"], paras,
                              {"genre": "speech", "truncated": d.get("truncated", False)}))
    return bases


def _split_paragraphs(text: str, size: int) -> list[str]:
    sents = re.findall(r"[^。!?;]+[。!?;]?", text.replace("\n", ""))
    out, cur = [], ""
    for s in sents:
        cur += s
        if len(cur) >= size:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


# ----------------------------------------------------------------------------------------------- vocabularies
SITES = ["zhuanti.test", "jianbiao.test", "sanweiyuan.test", "caiyes.test", "1wenmi.test", "bgz.test",
         "lidaojianhua.test", "7rdy.test", "allw.test", "wmjy.test", "laobiganzi.test", "yunko.test", "wtabcd.test",
         "fanwen1.test", "fanwen2.test", "fanwen3.test"]
WATERMARKS = ["老秘网", "材夜思", "笔杆子", "范文网", "www.fw365.cn", "文秘帮", "公文库"]
KNOWN_SWAPS = [("发展", "开展"), ("服务", "效劳"), ("基础", "根底"), ("原则", "原那么"), ("比如", "比方"),
               ("反映", "反响"), ("储备", "储藏"), ("则", "那么"), ("”", "〞"), ("“", "〝"), ("问题", "咨询题")]
UNKNOWN_SWAPS = [("提高", "提升"), ("加强", "增强"), ("建设", "建立"), ("进行", "展开"), ("能力", "才能"),
                 ("随着", "跟着"), ("特别", "特殊"), ("积极", "主动"), ("通过", "经过"), ("认真", "仔细"),
                 ("措施", "办法"), ("推进", "推动"), ("完善", "完美"), ("充分", "充足"), ("根据", "依据"),
                 ("目前", "当前"), ("确保", "保证"), ("实现", "完成"), ("问题", "难题"), ("企业", "公司"),
                 ("重点", "要点"), ("全面", "周全"), ("工作", "任务"), ("加快", "加速"), ("努力", "尽力"),
                 ("支持", "支撑"), ("落实", "执行"), ("部署", "安排"), ("群众", "大众"), ("稳定", "安稳")]
PINYIN = ["shū", "jì", "fā", "zhǎn", "jīng", "jì", "gōng", "zuò", "huì", "yì", "qū", "xiàn", "shì", "zhèng", "fǔ",
          "tuī", "jìn", "gāo", "zhì", "liàng", "xiàng", "mù", "jiàn", "shè", "rén", "mín", "dǎng", "wěi", "zé", "rèn"]
PAYWALLS = ["……", "...", "(未完,全文共{n}字,当前显示{m}字)", "……此处隐藏{h}个字……", "预览结束,免费获取全文或定制代笔此类文章!",
            "阅读全文 (想阅读完全部图文内容,您需要先登陆!)", "全文约{n}字,请下载后阅读、编辑。"]
COMMON = ("的一是在了不和有大这主中人上为们地个用工时要动国产以我到他会作来分生对于学下级就年阶义发成部民可出能方进"
          "同行面说种过命度革而多子后自社加小机也经力线本电高量长党得实家定深法表着水理化争现所二起政三好十战无农使性"
          "前等反体合斗路图把结第里正新开论之物从当两些还天资事队批如应形想制心样干都向变关点育重其思与间内去因件日利相"
          "由压员气业代全组数果期导平各基或月毛然问比展那它最及外没看治提五解系林者米群头意只明四道马认次文通但条较克又"
          "公孔领军流入接席位情运器并飞原油放立题质指建区验活众很教决特此常石强极土少已根共直团统式转别造切九你取西持总"
          "料连任志观调七么山程百报更见必真保热委手改管处己将修支识病象几先老光专什六型具示复安带每东增则完风回南广劳轮")
PLACES_A = "青禾云岭澄湖鹤洲雁宁霁川松川白石溪和鹿鸣滨江西城临川安平长宁永丰清河兴隆柳林东阳南湖北岭金川玉泉宝丰"
SUFFIX = ["市", "县", "区", "镇"]


def _place(rng: random.Random) -> str:
    i = rng.randrange(0, len(PLACES_A) - 1, 2)
    return PLACES_A[i:i + 2] + rng.choice(SUFFIX)


def _sites(rng: random.Random, k: int) -> list[str]:
    return rng.sample(SITES, k)


# ----------------------------------------------------------------------------------------------- transforms
def t_boilerplate(text: str, title: str, rng: random.Random, others: list[Base]) -> str:
    """Chrome the cleaners missed, at most 5-30 % of the text's length (the cleaners remove most of it)."""
    budget = rng.uniform(0.05, 0.3) * len(text)
    head = [rng.choice(["当前位置:首页 > 范文大全 > 讲话稿 >", "您现在的位置: 主页 » 讲话材料 » 正文",
                        "首页 > 讲话发言 > " + title[:12] + "..."]),
            f"{_date(rng)} 1{rng.randint(0, 9)}:2{rng.randint(0, 9)}:0{rng.randint(0, 9)} 发布者:管理员 "
            f"浏览次数:{rng.randint(10, 9999)}",
            f"本文为您带来《{title}》全文,欢迎阅读借鉴。"] + [title] * rng.choice([1, 2])
    tail = ["推荐访问:" + " ".join(rng.sample(["讲话", "工作会议", "推进会", "高质量发展", "经济运行", "表态发言"], 3)),
            rng.choice(["相关推荐", "猜你喜欢", "热门文章"])]
    for b in rng.sample(others, min(4, len(others))):
        blurb = b.paragraphs[min(1, len(b.paragraphs) - 1)][: rng.randint(20, 50)]
        tail.append(f"{b.title} {blurb}…")
    tail.append(f"本文链接:http://www.{rng.choice(SITES)}/news/{rng.randint(1000, 99999)}.html 转载请注明出处")
    keep_head, keep_tail, used = [], [], 0
    for line in rng.sample(head, len(head)):
        if used + len(line) <= budget / 2:
            keep_head.append(line)
            used += len(line)
    for line in tail:
        if used + len(line) <= budget and rng.random() < 0.8:
            keep_tail.append(line)
            used += len(line)
    return "\n".join(keep_head + [text] + keep_tail)


_NUM = re.compile(r"\d+(?:\.\d+)?")
_PH = re.compile(r"\*\*|XX|xx|X|x|×|某某")


def t_placeholder(text: str, title: str, rng: random.Random, others=None, place: str | None = None) -> str:
    kind = rng.choice(["*", "X", "xx", "×", "某", "1"])
    other = rng.choice(["*", "X", "XX", "xx", "×", "某某", "**"])
    text = _PH.sub(lambda m: other, text)
    if kind == "1":
        text = _NUM.sub("1", text)  # figures replaced by 1 (1%) everywhere
    else:
        text = _NUM.sub(lambda m: kind if rng.random() < 0.8 else m.group(0), text)
    if place and place in text:
        text = text.replace(place, rng.choice(["XX", "*", "某"]) + place[-1])
    return text


def t_pagemarker(text: str, title: str, rng: random.Random, others=None) -> str:
    flat = text.replace("\n", "")
    out, pos, page = [], 0, 1
    step = rng.randint(500, 900)
    while pos < len(flat):
        chunk = flat[pos:pos + step]
        # PDF conversion: line breaks in mid-sentence
        cuts = [0]
        while cuts[-1] < len(chunk):
            cuts.append(cuts[-1] + rng.randint(30, 60))
        lines = [chunk[i:j] for i, j in zip(cuts, cuts[1:])]
        out.append(f"{page}、" + "\n".join(lines))
        pos += step
        page += 1
    body = "".join(out) if rng.random() < 0.5 else "\n".join(out)
    tail = "\n本文档共若干页,下载后可编辑,预览仅显示部分内容。" if rng.random() < 0.4 else ""
    return f"{title}.docx\n{title}" + body + tail


def t_watermark(text: str, title: str, rng: random.Random, others=None) -> str:
    mark = rng.choice(WATERMARKS)
    out, pos = [], 0
    while pos < len(text):
        step = rng.randint(150, 500)
        out.append(text[pos:pos + step])
        pos += step
        if pos < len(text):
            out.append(mark)
    body = "".join(out)
    if rng.random() < 0.7:
        lines = body.split("\n")
        noisy = []
        for ln in lines:
            noisy.append(ln)
            if rng.random() < 0.35:
                noisy.append(" ".join("".join(rng.choice(NOISE)
                                              for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(4, 9))))
        body = "\n".join(noisy)
    return body


_S2T = None
NOISE = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789&_^;#\""


def t_script(text: str, title: str, rng: random.Random, others=None) -> str:
    global _S2T
    if _S2T is None:
        import opencc
        _S2T = opencc.OpenCC("s2t")
    trad = _S2T.convert(text)
    out = []
    for i, ch in enumerate(trad):
        out.append(ch)
        if "\u4e00" <= ch <= "\u9fff" and rng.random() < 0.05:
            n = rng.choice([1, 1, 2])
            out.append("(" + " ".join(rng.choice(PINYIN) for _ in range(n)) + ")")
    return "".join(out)


def t_synonym(text: str, title: str, rng: random.Random, others=None) -> str:
    for a, b in KNOWN_SWAPS:
        text = re.sub(re.escape(a), lambda m: b if rng.random() < 0.95 else a, text)
    for a, b in UNKNOWN_SWAPS:
        text = re.sub(re.escape(a), lambda m: b if rng.random() < 0.33 else a, text)
    return text


def t_preview(text: str, title: str, rng: random.Random, others=None, frac: float | None = None) -> str:
    frac = frac if frac is not None else rng.uniform(0.35, 0.45)
    cut = int(len(text) * frac)
    n = len(text)
    tail = rng.choice(PAYWALLS).format(n=n, m=cut, h=n - cut)
    return text[:cut] + "\n" + tail


def t_mobile(text: str, title: str, rng: random.Random, others=None) -> str:
    paras = text.split("\n")
    if rng.random() < 0.5:
        return "\n\n".join("\u3000\u3000" + p for p in paras)
    return "\n".join(p.strip() for p in paras)


TRANSFORMS = {"boilerplate": t_boilerplate, "placeholder": t_placeholder, "pagemarker": t_pagemarker,
              "watermark": t_watermark, "script": t_script, "synonym": t_synonym, "preview40": t_preview,
              "mobile": t_mobile}
COPY_KINDS = list(TRANSFORMS) + ["mixed"]
MANGLING = {"synonym"}


def _flags(kinds: list[str], text: str) -> dict:
    return {"truncated": 0, "mangled": 0.6 if "synonym" in kinds else 0.0,
            "placeholders": json.dumps(["x"] if "placeholder" in kinds else []),
            "script": "traditional_pinyin" if "script" in kinds else "simplified"}


# ----------------------------------------------------------------------------------------------- the quality set
def _date(rng: random.Random, base_year: int = 2023) -> str:
    return f"{base_year + rng.randint(0, 2)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _doc(url, site, title, text, published, truth, kind, base, **flags) -> dict:
    d = {"url": url, "site": site, "title": title, "text": text, "published": published, "truncated": 0,
         "mangled": 0.0, "placeholders": "[]", "script": "simplified", "low_trust": 0, "label": "speech",
         "truth": truth, "kind": kind, "base": base}
    d.update(flags)
    return d


def quality_set(bases: list[Base], copies: int = 3, seed: int = 7) -> list[dict]:
    """Originals, planted copies of every kind, hard negatives and compilations (see the module docstring)."""
    rng = random.Random(seed)
    docs: list[dict] = []
    serial = [0]

    def url(site: str) -> str:
        serial[0] += 1
        return f"http://{site}/news/{serial[0]}.html"

    speeches = [b for b in bases if b.meta.get("genre") == "speech"]
    filler = FillerMaker(bases, seed=seed + 1)
    for b in bases:
        orig_date = _date(rng)
        site0 = rng.choice(SITES)
        docs.append(_doc(url(site0), site0, b.title, b.text, orig_date, b.key, "original", b.key,
                         truncated=int(bool(b.meta.get("truncated")))))
        place = b.meta.get("place")
        for kind in COPY_KINDS:
            for c in range(copies):
                site = rng.choice(SITES)
                if kind == "mixed":
                    chain = rng.sample(["boilerplate", "placeholder", "pagemarker", "watermark", "script", "synonym",
                                        "mobile"], rng.randint(2, 3))
                    if rng.random() < 0.3:
                        chain.append("preview40")
                else:
                    chain = [kind]
                text = b.text
                for k in chain:
                    if k == "placeholder":
                        text = t_placeholder(text, b.title, rng, place=place)
                    elif k == "boilerplate":
                        text = t_boilerplate(text, b.title, rng, [o for o in bases if o is not b])
                    else:
                        text = TRANSFORMS[k](text, b.title, rng)
                fl = _flags(chain, text)
                if "preview40" in chain:
                    fl["truncated"] = int(rng.random() < 0.5)
                u = url(site)
                if kind == "mobile":
                    u = u.replace("http://", "http://m.")
                docs.append(_doc(u, site, b.title, text, _date(rng), b.key, kind, b.key, **fl))
    # hard negatives: same meeting type and city, sharing 30 % / 60 % of the paragraphs
    for i, a in enumerate(speeches):
        for share in (0.3, 0.6):
            # keep paragraphs of the base (in order) until `share` of its characters, the rest from other speeches
            total = len(a.text)
            order = list(range(len(a.paragraphs)))
            rng.shuffle(order)
            keep, kept = set(), 0
            for j in order:
                if kept + len(a.paragraphs[j]) <= share * total * 1.08 or not keep:
                    keep.add(j)
                    kept += len(a.paragraphs[j])
            # the rest: new paragraphs in the same style (stock clauses recombined), never another base's paragraphs,
            # so that a negative is distinct from every text but its base
            need = kept * (1 - share) / share
            donors = []
            while sum(map(len, donors)) < need + 400:
                donors.append(filler.paragraph(a.meta.get("place") or ""))
            paras, added = [], 0
            for j, p in enumerate(a.paragraphs):
                if j in keep:
                    paras.append(p)
                elif donors and added < need:
                    q = donors.pop()
                    added += len(q)
                    paras.append(q)
            while donors and added < need:
                q = donors.pop()
                added += len(q)
                paras.insert(rng.randrange(len(paras) + 1), q)
            text = "\n".join(paras)
            key = f"neg{int(share * 100)}-{a.key}"
            title = a.title.replace("会议", "工作会议") if "会议" in a.title else "在" + a.title
            docs.append(_doc(url(rng.choice(SITES)), rng.choice(SITES), title, text, _date(rng), key,
                             f"neg{int(share * 100)}", a.key))
            s = rng.choice(SITES)
            docs.append(_doc(url(s), s, title, t_boilerplate(text, title, rng, bases), _date(rng), key,
                             f"neg{int(share * 100)}_copy", a.key))
        # a town-level speech reusing the base's slogans word for word
        slogans = re.findall(r"“[^”]{2,20}”", a.text)
        slogans += [c for c in re.split(r"[,。;!?:、]", a.text) if 6 <= len(c) <= 20 and
                    re.search(r"坚持|推动|加快|全力|确保|聚焦|坚决|高质量", c)]
        rng.shuffle(slogans)
        town = (a.meta.get("place") or "青禾市")[:2] + "镇"
        paras = [filler.paragraph(town) for _ in range(max(4, len(a.paragraphs) // 2))]
        for slogan in slogans[:10]:
            j = rng.randrange(len(paras))
            cut = paras[j].find("。")
            paras[j] = paras[j][:cut + 1] + slogan + "。" + paras[j][cut + 1:] if cut >= 0 else paras[j] + slogan
        text = "同志们:\n" + "\n".join(paras).replace("全县", "全镇").replace("全市", "全镇").replace("全区", "全镇")
        if a.meta.get("place"):
            text = text.replace(a.meta["place"], town)
        key = f"town-{a.key}"
        s = rng.choice(SITES)
        docs.append(_doc(url(s), s, a.title.replace("全市", "全镇").replace("全县", "全镇"), text, _date(rng),
                         key, "town", a.key))
    # compilations of two speeches
    for i in range(len(speeches)):
        s1, s2 = speeches[i], speeches[(i + 7) % len(speeches)]
        if s1 is s2:
            continue
        text = s1.title + "\n" + s1.text + "\n" + s2.title + "\n" + s2.text
        s = rng.choice(SITES)
        docs.append(_doc(url(s), s, f"领导讲话2篇({s1.title[:10]}等)", text, _date(rng), f"comp-{s1.key}-{s2.key}",
                         "compilation", f"{s1.key}|{s2.key}"))
        # the same, cut off a third into the second speech (a docx preview of the compilation: a copy of it)
        cut = s1.title + "\n" + s1.text + "\n" + s2.title + "\n" + t_preview(s2.text, s2.title, rng, frac=0.3)
        s = rng.choice(SITES)
        docs.append(_doc(url(s), s, f"讲话稿汇编({s1.title[:10]}等).docx", cut, _date(rng),
                         f"comp-{s1.key}-{s2.key}", "compilation (cut off)", f"{s1.key}|{s2.key}", truncated=1))
    return docs


# ----------------------------------------------------------------------------------------------- fillers
class FillerMaker:
    """Synthetic distinct speeches: clauses of all base texts recombined, with random character edits."""

    def __init__(self, bases: list[Base], seed: int = 11):
        self.rng = random.Random(seed)
        clauses = []
        for b in bases:
            for p in b.paragraphs:
                clauses += [c for c in re.split(r"[,。;!?、:]", p) if 3 <= len(c) <= 40]
        self.clauses = clauses
        self.common = COMMON
        places = sorted({b.meta["place"] for b in bases if b.meta.get("place")}, key=len, reverse=True)
        self._places = re.compile("|".join(map(re.escape, places)) or "(?!)")

    def paragraph(self, place: str) -> str:
        rng = self.rng
        sents = []
        for _ in range(rng.randint(2, 6)):
            cl = [rng.choice(self.clauses) for _ in range(rng.randint(2, 5))]
            sents.append(",".join(cl) + "。")
        p = "".join(sents)
        # 4 % of characters replaced by common characters: clause reuse stays, text is new
        p = "".join(rng.choice(self.common) if rng.random() < 0.04 else ch for ch in p)
        return self._places.sub(place, p) if place else p

    def make(self, i: int) -> dict:
        rng = self.rng
        target = int(math.exp(rng.uniform(math.log(800), math.log(9000))))
        place = _place(rng)
        paras, n = ["同志们:"], 0
        while n < target:
            p = self.paragraph(place)
            paras.append(p)
            n += len(p)
        text = "\n".join(paras)
        title = f"在{place}{rng.choice(['经济工作会议', '重点项目推进会', '安全生产会议', '招商引资大会', '乡村振兴工作会议'])}上的讲话"
        s = rng.choice(SITES)
        return _doc(f"http://{s}/filler/{i}.html", s, title, text, _date(rng), f"filler-{i}", "filler", "")


# ---------------------------------------------------------------------------------------------- benchmark
TARGETS = {"boilerplate": 0.99, "placeholder": 0.99, "pagemarker": 0.99, "watermark": 0.99, "script": 0.99,
           "mobile": 0.99, "synonym": 0.97, "preview40": 0.95}
INDEX_TABLES = (*KEY_TABLES, "dedup_docs", "links", "links_doc_b")


def open_db(path: str):
    from fanwen.store import Corpus

    return Corpus(path)


META = ("truth", "kind", "base", "truncated")


def insert_and_place(corpus, docs, batch: int = 100, progress: int = 0, keep_text: bool = True) -> dict:
    """Insert documents in batches (as the store does) and place each batch; returns timings.

    `docs` may be an iterator (fillers are generated on the fly); each document dict gets its `id`, and unless
    `keep_text` its text is dropped once stored (only the fields needed for evaluation stay in memory).
    """
    db = corpus.db
    t_norm = t_dedup = t_ins = 0.0
    n = 0
    stats = Counter()
    cols = ["url", "site", "title", "text", "published", "truncated", "mangled", "placeholders", "script",
            "low_trust", "label"]
    kept = []
    it = iter(docs)
    while True:
        part = [d for _, d in zip(range(batch), it)]
        if not part:
            break
        t0 = time.perf_counter()
        for d in part:
            d["fingerprint"] = fingerprint_text(d["text"])
            d["content_hash"] = content_hash(d["fingerprint"])
        t1 = time.perf_counter()
        ids = []
        for d in part:
            row = {c: d[c] for c in cols}
            row.update(content_hash=d["content_hash"], chars=len(d["text"]),
                       fetched_at="2025-01-01T00:00:00", is_canonical=0)
            cur = db.conn.execute(f"INSERT INTO documents ({','.join(row)}) VALUES ({','.join('?' * len(row))})",
                                  list(row.values()))
            d["id"] = cur.lastrowid
            ids.append(cur.lastrowid)
        t2 = time.perf_counter()
        st = dedup.update_clusters(db, ids)
        db.conn.commit()
        t3 = time.perf_counter()
        for k, v in st.items():
            stats[k] += v
        t_norm += t1 - t0
        t_ins += t2 - t1
        t_dedup += t3 - t2
        n += len(part)
        for d in part:
            kept.append(d if keep_text or d["kind"] != "filler" else {"id": d["id"], **{k: d.get(k) for k in META}})
        if progress and n % 5000 < batch:
            print(f"\r  {n}/{progress} documents placed, {n / max(1e-9, t_norm + t_dedup):.0f} docs/s", end="",
                  file=sys.stderr, flush=True)
    if progress:
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr, flush=True)
    return {"docs": n, "normalise_s": t_norm, "dedup_s": t_dedup, "insert_s": t_ins,
            "rate": n / max(1e-9, t_norm + t_dedup), "stats": dict(stats), "placed": kept}


def index_bytes(db) -> dict:
    sizes = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    return {t: sizes.get(t, 0) for t in INDEX_TABLES} | {
        "keys_rows": sum(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in KEY_TABLES)}


def evaluate(db, docs: list[dict]) -> dict:
    pred = dict(db.execute("SELECT id, cluster_id FROM documents").fetchall())
    canon = {r[0] for r in db.execute("SELECT id FROM documents WHERE is_canonical = 1")}
    by_id = {d["id"]: d for d in docs}
    # pairwise precision / recall
    clusters = defaultdict(list)
    for d in docs:
        clusters[pred[d["id"]]].append(d["truth"])
    pred_pairs = sum(len(v) * (len(v) - 1) // 2 for v in clusters.values())
    tp = sum(c * (c - 1) // 2 for v in clusters.values() for c in Counter(v).values())
    truth_sizes = Counter(d["truth"] for d in docs)
    truth_pairs = sum(c * (c - 1) // 2 for c in truth_sizes.values())
    out = {"precision": tp / max(1, pred_pairs), "recall": tp / max(1, truth_pairs), "pred_pairs": pred_pairs,
           "false_pairs": pred_pairs - tp}
    orig = {d["base"]: d for d in docs if d["kind"] == "original"}
    per_kind = defaultdict(lambda: [0, 0])
    for d in docs:
        k = d["kind"]
        if k in COPY_KINDS:
            key = k
            if k == "preview40":
                key = "preview40 (flagged)" if d["truncated"] else "preview40 (not flagged)"
                per_kind["preview40"][0] += 1
                per_kind["preview40"][1] += pred[d["id"]] == pred[orig[d["base"]]["id"]]
            per_kind[key][0] += 1
            per_kind[key][1] += pred[d["id"]] == pred[orig[d["base"]]["id"]]
        elif k.startswith(("neg", "town")):
            per_kind["negatives merged"][0] += 1
            per_kind["negatives merged"][1] += pred[d["id"]] == pred[orig[d["base"]]["id"]]
    out["kinds"] = {k: (n, hit) for k, (n, hit) in per_kind.items()}
    # compilations, whole and cut off: linked to both speeches, merged with neither
    comps = {}
    for d in docs:
        if d["kind"].startswith("compilation"):
            b1, b2 = d["base"].split("|")
            c1, c2 = pred[orig[b1]["id"]], pred[orig[b2]["id"]]
            linked = {pred[r[0]] for r in db.execute(
                "SELECT doc_b FROM links WHERE doc_a = ? UNION SELECT doc_a FROM links WHERE doc_b = ?",
                [d["id"], d["id"]])}
            n, ok = comps.get(d["kind"], (0, 0))
            comps[d["kind"]] = (n + 1, ok + int(c1 != c2 and {c1, c2} <= linked and pred[d["id"]] not in (c1, c2)))
    out["compilations"] = comps
    # canonical copy of each base cluster: complete and clean
    canon_of = {pred[i]: i for i in canon if i in pred}
    good = total = 0
    for b, o in orig.items():
        total += 1
        c = canon_of.get(pred[o["id"]])
        if c is not None:
            d = by_id[c]
            good += (d["kind"] in ("original", "mobile", "placeholder", "boilerplate") and not d["truncated"]) \
                or d.get("fingerprint") == o["fingerprint"]
    out["canonical"] = (total, good)
    return out


def partition(db) -> set[frozenset]:
    groups = defaultdict(set)
    for i, c in db.execute("SELECT id, cluster_id FROM documents"):
        groups[c].add(i)
    return {frozenset(v) for v in groups.values()}


def probe_set(bases, seed: int = 99) -> tuple[list[dict], list[dict]]:
    """The same new documents placed at the end of every run: 700 new speeches (fillers) and 300 new copies of the
    bases (every kind). Their cost per document is the marginal cost at that corpus size."""
    maker = FillerMaker(bases, seed=seed)
    fresh = [maker.make(10_000_000 + i) for i in range(700)]
    copies = [d for d in quality_set(bases, copies=1, seed=seed) if d["kind"] in COPY_KINDS]
    rng = random.Random(seed)
    copies = [dict(d, url=d["url"].replace("/news/", "/probe/")) for d in rng.sample(copies, min(300, len(copies)))]
    return fresh, copies


def _ms(t: dict) -> float:
    return 1000 * (t["normalise_s"] + t["dedup_s"]) / max(1, t["docs"])


def run(size: int, bases, quality: list[dict], workdir: Path, check_rebuild: bool, seed: int = 3) -> dict:
    rng = random.Random(seed)
    docs = [dict(d) for d in quality]
    n_fill = max(0, size - len(docs))
    maker = FillerMaker(bases, seed=seed)
    # quality documents spread at random positions among the fillers (generated on the fly)
    slots = sorted(rng.sample(range(n_fill + len(docs)), len(docs)))
    rng.shuffle(docs)

    def stream():
        qi = fi = 0
        for pos in range(n_fill + len(docs)):
            if qi < len(docs) and slots[qi] == pos:
                qi += 1
                yield docs[qi - 1]
            else:
                fi += 1
                yield maker.make(fi)

    path = workdir / f"bench_{size or len(docs)}.db"
    if path.exists():
        path.unlink()
    corpus = open_db(str(path))
    timing = insert_and_place(corpus, stream(), progress=size if size >= 10000 else 0, keep_text=False)
    fresh, copies = probe_set(bases)
    pfresh = insert_and_place(corpus, fresh)
    pcopies = insert_and_place(corpus, copies)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    placed = timing.pop("placed") + pfresh.pop("placed") + pcopies.pop("placed")
    ev = evaluate(corpus.db, placed)
    mem = index_bytes(corpus.db)
    chars = corpus.db.execute("SELECT avg(chars) FROM documents").fetchone()[0]
    res = {"size": len(placed), "timing": timing, "probe_new": pfresh, "probe_copies": pcopies, "eval": ev, "mem": mem,
           "chars": chars,
           "rss_mb": rss / 1024}
    if check_rebuild:
        before = partition(corpus.db)
        canon_before = {r[0] for r in corpus.db.execute("SELECT id FROM documents WHERE is_canonical = 1")}
        t = time.perf_counter()
        dedup.rebuild(corpus.db)
        res["rebuild_s"] = time.perf_counter() - t
        res["rebuild_same"] = partition(corpus.db) == before
        res["rebuild_same_canonical"] = {r[0] for r in corpus.db.execute(
            "SELECT id FROM documents WHERE is_canonical = 1")} == canon_before
    corpus.close()
    path.unlink(missing_ok=True)
    return res


def fmt(res: dict) -> str:
    ev, tm, mem = res["eval"], res["timing"], res["mem"]
    idx = sum(v for k, v in mem.items() if k in INDEX_TABLES)
    lines = [f"== {res['size']} documents (avg {res['chars']:.0f} chars) =="]
    lines.append(f"  precision (all pairs) {ev['precision']:.5f}  recall (all pairs) {ev['recall']:.4f}  "
                 f"false pairs {ev['false_pairs']} of {ev['pred_pairs']}")
    for k in sorted(ev["kinds"]):
        n, hit = ev["kinds"][k]
        if k == "negatives merged":
            lines.append(f"  {k:26s} {hit:5d} / {n:<5d} (target 0)")
            continue
        tgt = TARGETS.get(k)
        mark = "" if tgt is None else ("  ok" if hit / n >= tgt else "  BELOW TARGET")
        lines.append(f"  recall {k:19s} {hit / n:.4f}  ({hit}/{n})" + (f"  target {tgt}" + mark if tgt else ""))
    for k, (n, ok) in sorted(ev["compilations"].items()):
        lines.append(f"  {k + ':':26s} linked to both speeches, merged with neither: {ok}/{n}")
    n, ok = ev["canonical"]
    lines.append(f"  canonical copy complete and clean: {ok}/{n} base clusters")
    lines.append(f"  throughput (normalise + dedup, batches of 100): {tm['rate']:.0f} docs/s building the corpus; "
                 f"candidates verified/doc {tm['stats'].get('candidates', 0) / tm['docs']:.2f}")
    lines.append(f"  marginal cost at this size: {_ms(res['probe_new']):.2f} ms per new speech, "
                 f"{_ms(res['probe_copies']):.2f} ms per new copy (joins a cluster of ~30)")
    per = lambda *names: sum(mem[t] for t in names) / res["size"]  # noqa: E731
    lines.append(f"  index: {idx / res['size']:.0f} bytes/doc on disk (keys {per(*KEY_TABLES):.0f}, "
                 f"docs {per('dedup_docs'):.0f}, links {per('links', 'links_doc_b'):.0f}); "
                 f"{mem['keys_rows'] / res['size']:.1f} keys/doc; peak RSS {res['rss_mb']:.0f} MB")
    if "rebuild_same" in res:
        lines.append(f"  rebuild: same partition {res['rebuild_same']}, same canonical copies "
                     f"{res['rebuild_same_canonical']} ({res['rebuild_s']:.1f}s)")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="0,10000,100000",
                    help="comma-separated corpus sizes (0: the quality set alone)")
    ap.add_argument("--copies", type=int, default=3, help="copies of each kind per base text")
    ap.add_argument("--keep", help="directory to keep the benchmark databases in")
    ap.add_argument("--json", help="write the figures as JSON to this file")
    args = ap.parse_args(argv)
    bases = load_bases()
    quality = quality_set(bases, copies=args.copies)
    print(f"bases: {len(bases)} texts ({sum(b.meta.get('genre') == 'speech' for b in bases)} speeches); "
          f"quality set: {len(quality)} documents; parameters: n={dedup.NGRAM}, full {dedup.FULL_BANDS}x"
          f"{dedup.FULL_ROWS}, heads {dedup.HEADS}, chunk mod {dedup.CHUNK_MOD}, link coverage {dedup.LINK_COVERAGE}")
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dedup_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            res = run(size, bases, quality, workdir, check_rebuild=size <= 10000)
            results.append(res)
            print(fmt(res), flush=True)
        big = [r for r in results if r["size"] >= 10000]
        if len(big) >= 2:
            a, b = big[0], big[-1]
            new_ratio = _ms(b["probe_new"]) / _ms(a["probe_new"])
            copy_ratio = _ms(b["probe_copies"]) / _ms(a["probe_copies"])
            print(f"per-document cost at {b['size']} vs {a['size']} documents: {new_ratio:.2f}x for new speeches, "
                  f"{copy_ratio:.2f}x for new copies (target <= 1.5)")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
