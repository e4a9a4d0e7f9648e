"""Cleaning benchmark: how close the stored `text` comes to the speech, per set, beside trafilatura alone.

    python -m benchmarks.cleaning                  # every set
    python -m benchmarks.cleaning --set seeds -v   # one set, one line per page
    python -m benchmarks.cleaning --worst 5        # the 5 worst pages of each set

Score: F1 over character bigrams (whitespace ignored) between the stored `text` and the reference, averaged over the
pages of a set. Single-page sets (zoo, seeds, magic-*, cwce) go through `fanwen extract FILE --url URL --explain` by
default (`--via cli`: the user's command, its decoding and site lookup); `--via pipeline` hands the same bytes to
fanwen.pipeline.process_pages. The demo set (multi-page documents) always goes through the pipeline. "trafilatura" is
trafilatura.extract with its defaults on the same input.

Sets (all read at run time; nothing from ../shared is copied into the repository):
- seeds: the five seeds of ../shared/seeds wrapped in their demo sites' pages (fanwen.demo.layouts.wrap_seed_text),
  reference ../shared/gold/seeds_gold.jsonl (`text`, and the expected `truncated` flag);
- magic-article, cwce, magic-forum: real pages with hand-marked main text in ../shared/bench/extraction/;
- demo: every article of the demo corpus (fanwen.demo.build_demo(): all demo sites, their layouts and boilerplate,
  multi-page and truncated copies) with its expected text and truncated flag; also counts documents that still
  hold a boilerplate phrase quoted in ../shared/SITES.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field

from benchmarks.common import SHARED, bigram_prf, mean, run_pipeline, trafilatura_alone

TARGETS = {"zoo": 0.95, "seeds": 0.99, "magic-article": 0.92, "cwce": 0.80, "magic-forum": 0.75, "demo": 0.97}
SEED_SITES = ["1wenmi", "zhuanti", "jianbiao", "caiyes", "sanweiyuan"]
SEED_URLS = {
    "1wenmi": "http://www.1wenmi.com.test/doc/{n}.html",
    "zhuanti": "http://www.zhuantifanwen.cn.test/gongwen/{n}.html",
    "jianbiao": "http://www.jianbiaofanwen.com.test/zhuantifanwen/gongwenfanwen/{n}.html",
    "caiyes": "http://www.caiyes.cn.test/forum.php?mod=viewthread&action=printable&tid={n}",
    "sanweiyuan": "http://www.sanweiyuan.com.test/news/{n}.html",
}


@dataclass
class Case:
    name: str
    pages: list  # [(url, html str|bytes)]
    reference: str
    url: str = ""
    truncated: bool | None = None  # expected flag, when the set states it
    meta: dict = field(default_factory=dict)


@dataclass
class Result:
    name: str
    f1: float
    f1_trafilatura: float
    precision: float
    recall: float
    truncated_ok: bool | None
    doc: object = None


# ---------------------------------------------------------------------------------------------------------------
# sets


def _minimal_wrap(site: str, lines: list[str], url: str) -> str:
    """Used only when fanwen.demo.layouts is absent: the seed's lines as paragraphs in a plain page."""
    import html

    title = next((l.strip() for l in lines if l.strip()), "")
    body = "\n".join(f"<p>{html.escape(l.strip())}</p>" for l in lines if l.strip())
    return (f"<html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a> <a href='/list/1.html'>领导讲话</a></div>"
            f"<div class='content'>{body}</div><div class='footer'>版权所有</div></body></html>")


def seed_cases() -> list[Case]:
    gold_path = SHARED / "gold" / "seeds_gold.jsonl"
    if not gold_path.exists():
        return []
    gold = {}
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            gold[d["seed"]] = d
    try:
        from fanwen.demo.layouts import wrap_seed_text
    except ImportError:
        wrap_seed_text = _minimal_wrap
    cases = []
    for i, path in enumerate(sorted((SHARED / "seeds").glob("*.txt"))):
        if path.name not in gold or i >= len(SEED_SITES):
            continue
        site = SEED_SITES[i]
        url = SEED_URLS[site].format(n=1000 + i)
        lines = path.read_text(encoding="utf-8").splitlines()
        html = wrap_seed_text(site, lines, url)
        g = gold[path.name]
        cases.append(Case(f"{path.name[:3]} {site}", [(url, html)], g["text"], url, bool(g.get("truncated")),
                          {"title": g.get("title"), "cli": True}))
    return cases


def _half(key: str) -> str:
    """A fixed tune/held split of a real-page set by page key (not by content: no choosing the easy half)."""
    import zlib

    return "held" if zlib.crc32(key.encode("utf-8")) % 2 else "tune"


def magic_cases(kind: str) -> list[Case]:
    folder = SHARED / "bench" / "extraction" / "magic-html" / kind
    gold_path = folder / "gold_zh.json"
    if not gold_path.exists():
        return []
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    cases = []
    for key, v in gold.items():
        page = folder / "htmls" / f"{key}.html"
        if page.exists():
            url = v.get("url") or f"http://example.com/{key}"
            cases.append(Case(key[:10], [(url, page.read_bytes())], v["content"], url, meta={"cli": True, "half": _half(key)}))
    return cases


def cwce_cases() -> list[Case]:
    folder = SHARED / "bench" / "extraction" / "chinese-web-content-extraction"
    gold_path = folder / "eval" / "cleaned_ground.json"
    if not gold_path.exists():
        return []
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    cases = []
    for key, v in gold.items():
        page = folder / "original" / f"{key}.html"
        if page.exists():
            url = f"http://cwce.example/{key}.html"
            cases.append(Case(key[:10], [(url, page.read_bytes())], v.get("articleBody") or "", url, meta={"cli": True, "half": _half(key)}))
    return cases


def demo_cases() -> list[Case]:
    try:
        from fanwen.demo import build_demo

        demo = build_demo()
    except Exception:
        return []
    cases = []
    for art in demo.articles:
        pages = []
        for u in art.page_urls or [art.canonical_url]:
            page = demo.pages.get(u)
            if page is None:
                break
            ctype = (getattr(page, "headers", {}) or {}).get("Content-Type", "")
            from cleaners.decode import decode_html

            pages.append((u, decode_html(page.body, ctype)))
        if pages and art.expected_text:
            cases.append(Case(f"{art.site} {art.canonical_url.split('/', 3)[-1][:40]}", pages, art.expected_text,
                              art.canonical_url, bool(art.truncated), {"title": getattr(art, "title", "")}))
    return cases


def sites_boilerplate_phrases() -> list[str]:
    """The boilerplate strings ../shared/SITES.md quotes (backticks), cut at its placeholders (N, <title>, …) into
    fixed phrases of 4+ characters. Read at run time: the phrases are not copied into the repository."""
    import re

    path = SHARED / "SITES.md"
    if not path.exists():
        return []
    phrases = set()
    for q in re.findall(r"`([^`]+)`", path.read_text(encoding="utf-8")):
        if re.match(r"^/|^https?:|\.html|forum\.php|^\w+=", q) or not re.search(r"[\u4e00-\u9fff]", q):
            continue  # URL shapes, not text
        for part in re.split(r"<[^>]*>|…|\.\.\.|\bN\b|N(?=[页字个、])|YYYY-MM-DD|hh:mm:ss|MM-DD|\s{2,}", q):
            part = part.strip(" ,，:：()（）|-")
            if len(part) >= 4 and re.search(r"[\u4e00-\u9fff]{2}", part):
                phrases.add(part)
    # placeholders and tokens that are speech, never boilerplate (SITES.md quotes them as things to keep)
    return sorted(p for p in phrases if "单字替换" not in p and "老秘网区" not in p and not re.search(r"\(\w*[āáǎàōóǒòēéěèūúǔù]", p))


def leftover_boilerplate(text: str, phrases: list[str]) -> list[str]:
    return [p for p in phrases if p in text]


def zoo_set() -> list[Case]:
    """The layout zoo (benchmarks.zoo): demo speeches in real page chrome and old table layouts, run through the CLI."""
    from benchmarks.zoo import zoo_cases

    return [Case(z.name, [(z.url, z.body)], z.gold, z.url, None,
                 {"half": z.half, "boiler": z.boiler, "markup": z.markup, "title": z.title, "cli": True,
                  "group": {"table": "own-table", "posts": "own-posts"}.get(z.markup, "real-chrome")})
            for z in zoo_cases()]


SETS = {
    "zoo": zoo_set,
    "seeds": seed_cases,
    "magic-article": lambda: magic_cases("article"),
    "cwce": cwce_cases,
    "magic-forum": lambda: magic_cases("forum"),
    "demo": demo_cases,
}


# ---------------------------------------------------------------------------------------------------------------
# running


class _CliDoc:
    """What `fanwen extract` printed, with the attributes the report reads."""

    def __init__(self, out: dict):
        self.text = out.get("text") or ""
        self.title = out.get("title") or ""
        self.truncated = out.get("truncated")
        self.rules = out.get("rules") or []
        self.explain = out.get("explain") or {}
        self.unusable = out.get("unusable")


VIA = {"zoo": "cli"}  # how the single-page sets are run: cli (`fanwen extract`) or pipeline


def run_case(case: Case, baseline: bool = True) -> Result:
    if case.meta.get("cli") and VIA["zoo"] == "cli":
        from benchmarks.common import run_cli_extract

        url, body = case.pages[0]
        doc = _CliDoc(run_cli_extract(body if isinstance(body, bytes) else body.encode("utf-8"), url))
    else:
        doc = run_pipeline(case.pages, url=case.url or case.pages[0][0])
    p, r, f = bigram_prf(doc.text, case.reference)
    ft = 0.0
    if baseline:
        ft = bigram_prf("\n".join(trafilatura_alone(h, u) for u, h in case.pages), case.reference)[2]
    tok = None if case.truncated is None else (bool(doc.truncated) == case.truncated)
    return Result(case.name, f, ft, p, r, tok, doc)


def run_set(name: str, baseline: bool = True, half: str | None = None) -> list[Result]:
    return [run_case(c, baseline) for c in _cases(name, half)]


def _cases(name: str, half: str | None = None) -> list[Case]:
    return [c for c in SETS[name]() if half is None or c.meta.get("half", half) == half]


def summary(name: str, results: list[Result]) -> dict:
    out = {
        "set": name,
        "pages": len(results),
        "min": round(min(r.f1 for r in results), 4),
        "below_0.5": sum(r.f1 < 0.5 for r in results),
        "unusable": sum(bool(getattr(r.doc, "unusable", None)) for r in results),
        "pipeline": round(mean(r.f1 for r in results), 4),
        "trafilatura": round(mean(r.f1_trafilatura for r in results), 4),
        "target": TARGETS.get(name),
    }
    flags = [r.truncated_ok for r in results if r.truncated_ok is not None]
    if flags:
        out["truncated_ok"] = f"{sum(flags)}/{len(flags)}"
    return out


def zoo_breakdown(cases: list[Case], results: list[Result]) -> list[dict]:
    """Per half and per group (real chrome: no boilerplate / SITES.md boilerplate / other sites' boilerplate; own
    table layouts): mean F1, trafilatura alone, min page F1, pages < 0.5, titles right."""
    from cleaners.patterns import core

    rows = []
    keyed = list(zip(cases, results))
    groups = [("real-chrome all", lambda c: c.meta["group"] == "real-chrome"),
              ("  no boilerplate", lambda c: c.meta["group"] == "real-chrome" and c.meta["boiler"] == "none"),
              ("  SITES.md families", lambda c: c.meta["group"] == "real-chrome" and c.meta["boiler"] == "sites"),
              ("  other sites", lambda c: c.meta["group"] == "real-chrome" and c.meta["boiler"] == "other"),
              ("own table layouts", lambda c: c.meta["group"] == "own-table"),
              ("own multi-post pages", lambda c: c.meta["group"] == "own-posts"),
              ("all", lambda c: True)]
    for half in ("tune", "held"):
        for gname, pick in groups:
            sel = [(c, r) for c, r in keyed if c.meta["half"] == half and pick(c)]
            if not sel:
                continue
            f1s = [r.f1 for _, r in sel]
            rows.append({"half": half, "group": gname, "pages": len(sel), "pipeline": round(mean(f1s), 4),
                         "trafilatura": round(mean(r.f1_trafilatura for _, r in sel), 4), "min": round(min(f1s), 4),
                         "below_0.5": sum(f < 0.5 for f in f1s),
                         "title_ok": sum(core(r.doc.title) == core(c.meta["title"]) for c, r in sel)})
    return rows


def print_zoo(rows: list[dict]) -> None:
    print(f"  {'half':5s} {'group':22s} {'pages':>5s} {'pipeline':>9s} {'trafilatura':>12s} {'min':>7s} {'<0.5':>5s} {'titles':>7s}")
    for r in rows:
        print(f"  {r['half']:5s} {r['group']:22s} {r['pages']:5d} {r['pipeline']:9.4f} {r['trafilatura']:12.4f} "
              f"{r['min']:7.4f} {r['below_0.5']:5d} {r['title_ok']:3d}/{r['pages']:<3d}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.cleaning", description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", action="append", choices=list(SETS), help="run only this set (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per page")
    ap.add_argument("--worst", type=int, default=0, help="show the N worst pages of each set")
    ap.add_argument("--no-baseline", action="store_true", help="skip trafilatura alone (faster)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--half", choices=["tune", "held"], help="zoo: only this half (tune while looking at 'tune' only)")
    ap.add_argument("--via", choices=["cli", "pipeline"], default="cli",
                    help="single-page sets: through `fanwen extract` (default) or fanwen.pipeline with the page's bytes")
    args = ap.parse_args(argv)
    VIA["zoo"] = args.via
    names = args.set or list(SETS)
    rows = []
    ok = True
    for name in names:
        t0 = time.time()
        results = run_set(name, baseline=not args.no_baseline, half=args.half)
        if not results:
            rows.append({"set": name, "pages": 0, "note": "not available"})
            continue
        s = summary(name, results)
        s["seconds"] = round(time.time() - t0, 1)
        rows.append(s)
        if name == "demo":
            phrases = sites_boilerplate_phrases()
            left = {r.name: leftover_boilerplate(r.doc.text, phrases) for r in results}
            s["boilerplate_left"] = sum(1 for v in left.values() if v)
            ok &= s["boilerplate_left"] == 0
            if args.verbose:
                for k, v in left.items():
                    if v:
                        print(f"  boilerplate left in {k}: {v}")
        if name == "zoo":
            s["zoo"] = zoo_breakdown(_cases(name, args.half), results)
            ok &= all(r["min"] >= 0.5 for r in s["zoo"] if r["half"] == "held")
            if not args.json:
                print_zoo(s["zoo"])
        if name == "seeds":
            s["per_page"] = {r.name: round(r.f1, 4) for r in results}
            ok &= all(r.f1 >= TARGETS["seeds"] for r in results) and all(r.truncated_ok is not False for r in results)
        elif s["target"] is not None:
            ok &= s["pipeline"] >= s["target"]
        if args.verbose or args.worst:
            shown = sorted(results, key=lambda r: r.f1)[: args.worst] if args.worst and not args.verbose else results
            for r in shown:
                flag = "" if r.truncated_ok is None else ("  truncated ok" if r.truncated_ok else "  TRUNCATED WRONG")
                print(f"  {name:13s} {r.name:44s} F1 {r.f1:.4f} (P {r.precision:.3f} R {r.recall:.3f})  "
                      f"trafilatura {r.f1_trafilatura:.4f}  rules={','.join(r.doc.rules)}{flag}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0 if ok else 1
    print(f"{'set':14s} {'pages':>5s} {'pipeline':>9s} {'trafilatura':>12s} {'target':>7s}  {'':4s} notes")
    for s in rows:
        if not s.get("pages"):
            print(f"{s['set']:14s} {0:5d} {'-':>9s} {'-':>12s} {'-':>7s}        {s.get('note', '')}")
            continue
        tgt = s.get("target")
        mark = "" if tgt is None else ("ok" if s["pipeline"] >= tgt else "LOW")
        notes = [f"min {s['min']:.4f}, {s['below_0.5']} below 0.5"]
        if s.get("unusable"):
            notes.append(f"{s['unusable']} marked unusable (not stored)")
        if "boilerplate_left" in s:
            notes.append(f"documents with SITES.md boilerplate left: {s['boilerplate_left']}")
        if "truncated_ok" in s:
            notes.append(f"truncated flag right {s['truncated_ok']}")
        if "per_page" in s:
            notes.append(" ".join(f"{k.split()[0]}={v:.4f}" for k, v in s["per_page"].items()))
        notes.append(f"{s['seconds']}s")
        print(f"{s['set']:14s} {s['pages']:5d} {s['pipeline']:9.4f} {s['trafilatura']:12.4f} "
              f"{(f'{tgt:.2f}' if tgt else '-'):>7s}  {mark:4s} {'; '.join(notes)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
