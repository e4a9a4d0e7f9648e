"""The labelled set of the relevance benchmark: project-owned texts with a label speech | other_speech | other.

Sources (all original texts written for the project):
  fanwen/demo/content/speeches/*.txt   leader work-meeting speeches (label speech)
  fanwen/demo/content/others/*.txt     near misses of the demo sites (label in the header)
  fanwen/demo/content/extra/*.txt      more speeches in other styles and hard near misses (label in the header)
  fanwen/data/labelled/*.txt           page openings written in the manners of real 范文 pages (see
                                       benchmarks/data/real_pages.tsv): no title, breadcrumbs, table rows, docx
                                       headers, 各位代表 at a 人大 session, traditional script with pinyin, and the
                                       near misses that look most like them
Each file: `key: value` header lines (title, genre, label …), a line `---`, then the text.

The split is deterministic, by a hash of the file's id: about 30% is held out; files with `split: heldout` in their
header (fanwen/demo/content/extra/*_b0N.txt: written after the model was frozen and first evaluated blind) are always
held out. The held-out part is never used to
train or tune the model (`python -m benchmarks.relevance --train` reads only the training part).
The seed speeches (../shared/seeds) are not part of this set: the benchmark reads them at run time, separately.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ("demo/speeches", ROOT / "fanwen" / "demo" / "content" / "speeches", "speech"),
    ("demo/others", ROOT / "fanwen" / "demo" / "content" / "others", None),
    ("relevance_data", ROOT / "fanwen" / "demo" / "content" / "extra", None),
    # page openings in the manners of real 范文 pages (issue 12): chrome, no title, 各位代表, traditional + pinyin
    ("labelled", ROOT / "fanwen" / "data" / "labelled", None),
]
HELDOUT_PERCENT = 30


def parse(path: Path) -> dict:
    raw = path.read_text(encoding="utf-8")
    head, sep, body = raw.partition("\n---\n")
    if not sep:
        head, body = "", raw
    meta = {}
    for line in head.splitlines():
        k, _, v = line.partition(":")
        if k.strip():
            meta[k.strip()] = v.strip()
    return {**meta, "text": body.strip(), "title": meta.get("title", "")}


def is_heldout(ex_id: str) -> bool:
    return int(hashlib.sha1(ex_id.encode("utf-8")).hexdigest(), 16) % 100 < HELDOUT_PERCENT


def load(split: str = "all") -> list[dict]:
    """Examples of the split 'train', 'heldout' or 'all': dicts with id, title, text, label, genre, heldout."""
    out = []
    for prefix, folder, default_label in SOURCES:
        if not folder.is_dir():
            continue
        for p in sorted(folder.glob("*.txt")):
            ex = parse(p)
            ex["id"] = f"{prefix}/{p.name}"
            ex["label"] = ex.get("label") or default_label or "other"
            ex["genre"] = ex.get("genre") or ("speech" if ex["label"] == "speech" else p.stem.split("_")[0])
            # `split: heldout` in the header: written after the model was frozen, evaluated blind, always held out
            # `split: train`: written to fix a kind of failure seen on real pages (half A of real_pages_eval.tsv)
            ex["heldout"] = ex.get("split") != "train" and (ex.get("split") == "heldout" or is_heldout(ex["id"]))
            if split == "all" or (split == "heldout") == ex["heldout"]:
                out.append(ex)
    return out


# ------------------------------------------------------------------ variants a page may come as
_PINYIN = {"書記": "shū jì", "經濟": "jīng jì", "發展": "fā zhǎn", "項目": "xiàng mù", "工作": "gōng zuò",
           "會議": "huì yì", "同志": "tóng zhì", "投資": "tóu zī", "企業": "qǐ yè", "產業": "chǎn yè"}


def traditional(s: str, every: int = 3) -> str:
    """The text as a traditional-script mirror shows it: OpenCC s2t, with pinyin after some words (書記(shū jì))."""
    import opencc

    t = opencc.OpenCC("s2t").convert(s)
    for word, py in _PINYIN.items():
        parts = t.split(word)
        if len(parts) < 2:
            continue
        t = "".join(p + (word + (f"({py})" if i % every == 0 else "") if i < len(parts) - 1 else "")
                    for i, p in enumerate(parts))
    return t


def first_chars(text: str, n: int = 1000) -> str:
    return text[:n]
