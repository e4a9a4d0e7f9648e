"""Decoding on real pages: the one decoder (cleaners.decode) beside Scrapy's own decoding, the plain baseline.

    python -m benchmarks.decoding

Pages: ../shared/bench/extraction (chinese-web-content-extraction originals with their cleaned texts, magic-html
Chinese articles with gold_zh.json), read at run time. Each page is decoded twice: as a saved file (no HTTP header)
and as if served with a wrong header (charset=utf-8 for a page that is not UTF-8, charset=gbk for one that is: the
misconfigured servers issue 8 is about). Figures per set and variant:

- right: pages whose decoded text holds >= 95 % of the gold text's CJK character pairs (the gold is what the page
  says, so a wrong decoding loses it);
- garbled: pages `cleaners.decode.garbled` calls unreadable;
- mean recall of the gold's character pairs.

Baseline: Scrapy's `HtmlResponse(...).text` with the same header (BOM, header, meta, then its own detection for
undeclared pages) — what the crawler stored before, and what `fanwen extract` did for files (w3lib's rules).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from scrapy.http import HtmlResponse

from cleaners.decode import decode_bytes, garbled

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "extraction"
_CJK = re.compile(r"[\u3400-\u9fff]")


def pairs(text: str) -> set[str]:
    han = "".join(_CJK.findall(text))
    return {han[i:i + 2] for i in range(len(han) - 1)}


def cases() -> dict[str, list[tuple[str, bytes, str]]]:
    out: dict[str, list[tuple[str, bytes, str]]] = {}
    cwce = BENCH / "chinese-web-content-extraction"
    for page in sorted((cwce / "original").glob("*.html")):
        gold = cwce / "cleaned" / (page.stem + ".txt")
        if gold.exists():
            out.setdefault("chinese-web-content-extraction", []).append(
                (page.name, page.read_bytes(), gold.read_text(encoding="utf-8", errors="replace")))
    gold_zh = BENCH / "magic-html" / "article" / "gold_zh.json"
    if gold_zh.exists():
        gold = json.loads(gold_zh.read_text(encoding="utf-8"))
        for key, rec in sorted(gold.items()):
            page = BENCH / "magic-html" / "article" / "htmls" / f"{key}.html"
            if page.exists() and rec.get("content"):
                out.setdefault("magic-html (zh articles)", []).append((page.name, page.read_bytes(), rec["content"]))
    return out


def scrapy_text(body: bytes, ctype: str | None) -> str:
    return HtmlResponse("http://bench.invalid/", body=body, headers={"Content-Type": ctype} if ctype else {}).text


def ours(body: bytes, ctype: str | None) -> str:
    return decode_bytes(body, ctype).text


def run() -> dict:
    results = {}
    for name, pages in cases().items():
        for variant in ("saved file", "wrong header"):
            for label, decode in (("scrapy (baseline)", scrapy_text), ("cleaners.decode", ours)):
                right = bad = 0
                recall = 0.0
                for _, body, gold in pages:
                    ctype = None
                    if variant == "wrong header":
                        truly_utf8 = decode_bytes(body).encoding == "utf-8"
                        ctype = "text/html; charset=" + ("gbk" if truly_utf8 else "utf-8")
                    text = decode(body, ctype)
                    want = pairs(gold)
                    r = len(want & pairs(text)) / max(1, len(want))
                    recall += r
                    right += r >= 0.95
                    bad += garbled(text) is not None
                results[(name, variant, label)] = {"pages": len(pages), "right": right, "garbled": bad,
                                                   "mean_recall": round(recall / max(1, len(pages)), 4)}
    return results


def main() -> None:
    results = run()
    if not results:
        print(f"no pages under {BENCH}")
        return
    print(f"{'set':32} {'variant':13} {'decoder':18} {'pages':>5} {'right':>5} {'garbled':>7} {'recall':>7}")
    for (name, variant, label), r in results.items():
        print(f"{name:32} {variant:13} {label:18} {r['pages']:5} {r['right']:5} {r['garbled']:7} "
              f"{r['mean_recall']:7.4f}")


if __name__ == "__main__":
    main()
