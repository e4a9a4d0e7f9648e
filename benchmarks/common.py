"""Shared helpers for the benchmarks: bigram F1, the shared/ folder, running a page through the pipeline."""
from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FANWEN_SHARED", ROOT.parent / "shared"))

_WS = re.compile(r"\s+")


def bigrams(text: str) -> Counter:
    s = _WS.sub("", text or "")
    return Counter(s[i : i + 2] for i in range(len(s) - 1))


def bigram_prf(pred: str, ref: str) -> tuple[float, float, float]:
    """Precision, recall and F1 over character bigrams, whitespace ignored (multiset overlap)."""
    a, b = bigrams(pred), bigrams(ref)
    if not a and not b:
        return 1.0, 1.0, 1.0
    if not a or not b:
        return 0.0, 0.0, 0.0
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    p, r = overlap / sum(a.values()), overlap / sum(b.values())
    return p, r, 2 * p * r / (p + r)


def bigram_f1(pred: str, ref: str) -> float:
    return bigram_prf(pred, ref)[2]


def mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs) if xs else 0.0


def trafilatura_alone(html: str | bytes, url: str) -> str:
    """The baseline: trafilatura.extract with its defaults on the same input the pipeline gets."""
    import trafilatura

    try:
        return trafilatura.extract(html, url=url) or ""
    except Exception:
        return ""


def demo_site(url: str):
    """The site config for a demo URL (`<domain>.test`): the configured site rehosted under .test."""
    from crawler.siteconfig import site_for_url

    return site_for_url(url)


class _NoClassifier:
    def classify(self, title: str, text: str):
        return "other", 0.0, {}

    def score_link(self, anchor: str, context: str = "") -> float:
        return 0.0


def run_pipeline(pages: list[tuple[str, str | bytes]], url: str | None = None):
    """Pages of one article through fanwen.pipeline.process_pages (extract -> clean -> normalise -> classify).

    The benchmark measures cleaning: a constant classifier stands in for the relevance model while it runs (fast,
    independent of the model), and the process-wide model is put back afterwards."""
    from fanwen import pipeline

    url = url or pages[0][0]
    saved = getattr(pipeline, "_model", None)
    pipeline.set_model(_NoClassifier())
    try:
        return pipeline.process_pages(pages, url=url, site=demo_site(url))
    finally:
        pipeline._model = saved


def run_cli_extract(body: bytes, url: str | None = None) -> dict:
    """A saved page through `fanwen extract FILE --url URL` (click's CliRunner, in this process): the JSON it prints.

    The same code path as the user's command: the CLI's decoding, site lookup and pipeline."""
    import json
    import tempfile

    from click.testing import CliRunner

    from fanwen.cli import main

    with tempfile.NamedTemporaryFile(suffix=".html") as f:
        f.write(body)
        f.flush()
        args = ["extract", f.name, "--explain"] + (["--url", url] if url else [])
        r = CliRunner().invoke(main, args)
    # an unusable page is still printed (with its `unusable` reason) before the command exits 1
    try:
        out, _ = json.JSONDecoder().raw_decode((r.stdout or "").lstrip())
    except ValueError:
        return {"text": "", "title": "", "error": (r.output or "")[-300:] or repr(r.exception)}
    if r.exit_code != 0 and not out.get("unusable"):
        out["error"] = (r.output or "")[-300:]
    return out
