"""The speed-ups of the cleaning stage give the answers of the plain forms they replace, on real extracted lines."""
import re

import pytest

from cleaners import generic, spans
from cleaners.patterns import char_counter, cjk_count, line_tester
from fanwen import relevance_page
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def lines():
    """Lines of real pages (../shared/bench/extraction) as extracted, before and after cleaning."""
    from benchmarks.extract_speed import real_pages
    from cleaners.decode import decode_html
    from cleaners.extract import extract_page
    from cleaners.rules import clean_document

    pages = real_pages()[::4]
    if not pages:
        pytest.skip(f"no pages under {SHARED}/bench/extraction")
    got = []
    for url, body in pages:
        doc = clean_document(extract_page(decode_html(body), url))
        got += (doc.raw_text or "").split("\n") + doc.text.split("\n")
    got = [ln.strip() for ln in got if ln.strip()]
    assert len(got) > 500
    return got


def test_line_tester_answers_as_search(lines):
    patterns = [p for mod in (generic, spans, relevance_page) for p in vars(mod).values()
                if isinstance(p, re.Pattern) and "|" in p.pattern and not p.flags & re.M]
    assert len(patterns) > 20
    for pat in patterns:
        test = line_tester(pat)
        assert [bool(pat.search(ln)) for ln in lines] == [test(ln) for ln in lines], pat.pattern[:60]
    assert line_tester(generic._FORUM)("发表于 2023-1-2") and not line_tester(generic._FORUM)("我发表于此")


def test_cjk_count_counts_as_findall(lines):
    cjk = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
    joined = "\n".join(lines)
    for s in lines + [joined, "", "abc", "龜"]:
        assert cjk_count(s) == len(cjk.findall(s))
    wide = char_counter("\u3400-\u9fff", cache=False)
    assert wide("䷀中a") == 2 and cjk_count("䷀中a") == 1  # the classes differ: each counter keeps its own
