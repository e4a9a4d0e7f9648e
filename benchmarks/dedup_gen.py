"""Generated documents for the dedup benchmark: planted copies of every kind, hard negatives, synthetic fillers.

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
- neg30 / neg60: a different speech of the same level sharing 30 % / 60 % of a base speech's paragraphs, the rest
  taken from another speech, with the base's place name (same meeting type and city); each also gets a copy;
- town: a town-level speech written from other speeches' paragraphs that reuses a base speech's slogans (its quoted
  phrases and stock clauses) word for word;
- compilation: two base speeches concatenated in one document (must link to both, merge with neither).
Fillers (to reach 10k / 100k documents): synthetic distinct speeches made by recombining clauses of all base texts
(split at ,;。!?、) into new sentences and paragraphs, with 4 % of characters replaced by random common characters
and invented place names; lengths drawn log-uniformly between 800 and 9000 characters.
"""
from __future__ import annotations

import glob
import json
import math
import random
import re
from dataclasses import dataclass
from pathlib import Path

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
    head = [rng.choice(["当前位置:首页 > 范文大全 > 讲话稿 >", "位置:首页 >专题范文 > 公文范文 > 文章内容",
                        "首页 > 讲话发言 > " + title[:12] + "..."]),
            f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 1{rng.randint(0, 9)}:2{rng.randint(0, 9)}:"
            f"0{rng.randint(0, 9)} 投稿作者:网友投稿 点击:{rng.randint(10, 9999)}",
            f"下面是小编为大家整理的{title},供大家参考。"] + [title] * rng.choice([1, 2])
    tail = ["推荐访问:" + " ".join(rng.sample(["讲话", "工作会议", "推进会", "高质量发展", "经济运行", "表态发言"], 3)),
            rng.choice(["相关推荐", "猜你喜欢", "热门文章"])]
    for b in rng.sample(others, 4):
        blurb = b.paragraphs[min(1, len(b.paragraphs) - 1)][: rng.randint(20, 50)]
        tail.append(f"{b.title} {blurb}…")
    tail.append(f"《{title}》由互联网用户分享整理。文章地址:http://www.{rng.choice(SITES)}/news/{rng.randint(1000, 99999)}.html")
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
    tail = "\n- 配套讲稿:\n如PPT文件的首页显示word图标,表示该PPT已包含配套word讲稿。" if rng.random() < 0.4 else ""
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
                noisy.append(" ".join("".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789&_^;#\"")
                                              for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(4, 9))))
        body = "\n".join(noisy)
    return body


_S2T = None


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
                flags = {}
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
        same_level = [s for s in speeches if s is not a and s.meta.get("level") == a.meta.get("level")]
        if len(same_level) < 4:
            same_level = [s for s in speeches if s is not a]
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
            donors = [p for s in rng.sample(same_level, min(3, len(same_level))) for p in s.paragraphs[1:]]
            rng.shuffle(donors)
            need = kept * (1 - share) / share
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
            for s in speeches:
                if s.meta.get("place") and a.meta.get("place"):
                    text = text.replace(s.meta["place"], a.meta["place"])
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
        donors = rng.sample([s for s in speeches if s is not a], 6)
        paras = [p for d in donors for p in rng.sample(d.paragraphs[1:] or d.paragraphs, 1)]
        rng.shuffle(paras)
        for slogan in slogans[:10]:
            j = rng.randrange(len(paras))
            cut = paras[j].find("。")
            paras[j] = paras[j][:cut + 1] + slogan + "。" + paras[j][cut + 1:] if cut >= 0 else paras[j] + slogan
        town = (a.meta.get("place") or "青禾市")[:2] + "镇"
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

    def make(self, i: int) -> dict:
        rng = self.rng
        target = int(math.exp(rng.uniform(math.log(800), math.log(9000))))
        place = _place(rng)
        paras, n = ["同志们:"], 0
        while n < target:
            sents = []
            for _ in range(rng.randint(2, 6)):
                cl = [rng.choice(self.clauses) for _ in range(rng.randint(2, 5))]
                sents.append(",".join(cl) + "。")
            p = "".join(sents)
            # 4 % of characters replaced by common characters: clause reuse stays, text is new
            p = "".join(rng.choice(self.common) if rng.random() < 0.04 else ch for ch in p)
            p = re.sub(r"(青禾|云岭|澄湖|鹤洲|雁宁|霁川)(市|县|区)", place, p)
            paras.append(p)
            n += len(p)
        text = "\n".join(paras)
        title = f"在{place}{rng.choice(['经济工作会议', '重点项目推进会', '安全生产会议', '招商引资大会', '乡村振兴工作会议'])}上的讲话"
        s = rng.choice(SITES)
        return _doc(f"http://{s}/filler/{i}.html", s, title, text, _date(rng), f"filler-{i}", "filler", "")
