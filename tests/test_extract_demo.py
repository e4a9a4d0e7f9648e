"""`fanwen extract` on one article page of every demo site prints that page's speech text and nothing else."""
import json

import pytest
from click.testing import CliRunner

from fanwen.cli import main
from fanwen.demo import build_demo


def bigram_f1(a: str, b: str) -> float:
    from collections import Counter
    a, b = "".join(a.split()), "".join(b.split())
    ga, gb = Counter(a[i:i + 2] for i in range(len(a) - 1)), Counter(b[i:i + 2] for i in range(len(b) - 1))
    common = sum((ga & gb).values())
    if not common:
        return 0.0
    p, r = common / sum(ga.values()), common / sum(gb.values())
    return 2 * p * r / (p + r)


def _one_page_speech_per_site():
    demo = build_demo()
    chosen = {}
    for a in demo.articles:
        if a.label == "speech" and len(a.page_urls) == 1 and "+" not in a.source_id:
            chosen.setdefault(a.site, a)
    return demo, sorted(chosen.values(), key=lambda a: a.site)


DEMO, ARTICLES = _one_page_speech_per_site()


def test_every_demo_site_is_covered():
    assert len(ARTICLES) == len({s.name for s in DEMO.sites})


@pytest.mark.parametrize("article", ARTICLES, ids=[a.site for a in ARTICLES])
def test_extract_prints_the_speech_and_nothing_else(tmp_path, article):
    page = DEMO.pages[article.page_urls[0]]
    path = tmp_path / "page.html"
    path.write_bytes(page.body)
    r = CliRunner().invoke(main, ["extract", str(path), "--url", article.page_urls[0]])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["url"] == article.canonical_url
    assert bigram_f1(doc["text"], article.expected_text) >= 0.97, (doc["text"][:200], article.expected_text[:200])
    assert doc["title"] == article.title
    assert bool(doc["truncated"]) == article.truncated
