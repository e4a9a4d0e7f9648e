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


def test_nfkc_is_unicodedata_nfkc(lines):
    """The fingerprint's NFKC (full-width characters mapped first, then NFKC's quick check) equals
    unicodedata's NFKC on real lines, whole pages of them, and on mixtures of the characters NFKC composes,
    decomposes or reorders (Hangul jamo, combining marks, compatibility ideographs, half-width kana)."""
    import random
    import unicodedata

    from cleaners.fingerprint import nfkc

    samples = list(lines) + ["\n".join(lines[i:i + 200]) for i in range(0, len(lines), 200)]
    rng = random.Random(7)
    pool = [chr(c) for r in ((0x20, 0x17F), (0x300, 0x36F), (0x1100, 0x11FF), (0x3000, 0x30FF), (0xAC00, 0xAC3F),
                             (0xF900, 0xFAFF), (0xFE30, 0xFFEF), (0x1D400, 0x1D43F), (0x4E00, 0x4E3F))
            for c in range(*r)]
    samples += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 30))) for _ in range(3000)]
    changed = 0
    for s in samples:
        want = unicodedata.normalize("NFKC", s)
        assert nfkc(s) == want, s
        changed += want != s
    assert changed > 1000  # the samples exercise the mapping, not only text NFKC leaves alone


def test_a_worker_prepares_dedup_sketches_without_loading_datasketch():
    """The workers make each text's MinHash signature; they draw datasketch's permutations themselves (its import
    loads scipy, ~1 s per worker start), and the signature is still datasketch's (tests/test_dedup.py)."""
    import subprocess
    import sys

    code = ("import sys; from fanwen.workers import process_item; "
            "d = process_item({'url': 'http://a.test/1.html', 'title': '在全县经济工作会议上的讲话', "
            "'text': '同志们：今天我们召开全县经济工作会议，总结去年工作，部署今年任务。' * 30}); "
            "assert d['dedup_sketch'] and len(d['dedup_sketch'][2]) == 256; "
            "print('datasketch' in sys.modules, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_nfkc_table_scan_misses_no_code_point():
    """The table is built from planes 0-2 only (fast start): no code point beyond changes under NFKC."""
    import unicodedata

    from cleaners.fingerprint import NFKC_SCAN_END, _nfkc_table

    beyond = [cp for cp in range(NFKC_SCAN_END, 0x110000) if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)]
    assert beyond == []
    assert len(_nfkc_table()) > 4000 and 0x2FA1D in _nfkc_table()


def test_pool_workers_run_below_the_parents_priority():
    """The writer (the parent) is the critical path: its workers are niced, so they take only what it leaves."""
    import os

    from fanwen.workers import WORKER_NICE, make_pool

    pool = make_pool(1)
    try:
        child = pool.submit(os.nice, 0).result(timeout=60)
    finally:
        pool.shutdown()
    assert child == min(19, os.nice(0) + WORKER_NICE)
    assert os.nice(0) < child  # the parent keeps its own priority


def test_the_page_parse_and_metadata_give_trafilaturas_answers_on_real_pages():
    """cleaners.extract parses with a C-level element class lookup and runs only the metadata steps it needs: the
    same tree (serialised) as trafilatura's load_html and the same title, date and site name as its
    extract_metadata, on every real benchmark page and the project's fixture pages."""
    from pathlib import Path

    import lxml.html
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    from benchmarks.extract_speed import real_pages
    from cleaners.decode import decode_html
    from cleaners.extract import _load_html, page_metadata

    pages = real_pages() + [(f"http://fixture.test/{p.name}", p.read_bytes())
                            for p in sorted(Path(__file__).parent.joinpath("fixtures").rglob("*.html"))]
    if len(pages) < 100:
        pytest.skip(f"no pages under {SHARED}/bench/extraction")
    odd = ['<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>讲话全文</p><p>二</p></body></html>',  # lxml: bytes
           "<p>only a fragment</p>", "", "   ", "<html/>\n<body><p>x</p></body>", "plain text, no markup",
           '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">\n<html><body><div>正文</div></body></html>']
    for html in odd:
        ours, theirs = _load_html(html), load_html(html)
        assert (ours is None) == (theirs is None) and (
            ours is None or lxml.html.tostring(ours) == lxml.html.tostring(theirs)), html
    dated = 0
    for url, body in pages:
        html = decode_html(body)
        ours, theirs = _load_html(html), load_html(html)
        assert (ours is None) == (theirs is None), url
        if ours is None:
            continue
        assert type(ours) is lxml.html.HtmlElement
        assert lxml.html.tostring(ours) == lxml.html.tostring(theirs), url
        want = extract_metadata(theirs, default_url=url).as_dict()
        got = page_metadata(ours, url)
        assert got == {k: want[k] for k in ("title", "date", "sitename")}, url
        dated += bool(got["date"])
    assert dated > 50  # the date step ran and found dates, not only Nones


def test_placeholder_fold_and_punctuation_drop_are_their_regex_forms(lines):
    """fold_placeholders and drop_punctuation (numpy tables read off the regexes) equal the regex steps they
    replace, on real lines, whole pages and random mixtures of placeholders, digits of several scripts, `#`, `_`,
    x runs, punctuation, CJK, astral characters (past the tables too: the regex path) and lone surrogates."""
    import random

    from cleaners import fingerprint as F

    def regex_fold(t):
        return F._FOLD.sub(F.PLACEHOLDER, t)

    def regex_drop(t):
        return F._RUNS.sub(F.PLACEHOLDER, F._DROP.sub("", t).replace("_", ""))

    rng = random.Random(11)
    pool = list("#*×☆★○●□■△▲※某xX_ 　,，。、：；!?“”()（）-—…\t\n") + list("0123456789٣३๓") + list("讲话经济发展aéz") + [
        "\U00020000", "\U0001F600", "\U000E0001", "\U0010FFFD", "\ud800"]
    samples = list(lines) + ["\n".join(lines[i:i + 200]) for i in range(0, len(lines), 200)]
    samples += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    changed = 0
    for s in samples:
        assert F.fold_placeholders(s) == regex_fold(s), repr(s)
        assert F.drop_punctuation(s) == regex_drop(s), repr(s)
        changed += regex_fold(s) != s
    assert changed > 1000


def test_the_x_run_pattern_is_its_plain_form(lines):
    """cleaners.fingerprint._XRUN starts with its literal for speed; it must replace what the plain pattern does."""
    import random

    from cleaners.fingerprint import _XRUN
    plain = re.compile(r"(?<![a-wyz])x+(?![a-wyz])")
    rng = random.Random(5)
    samples = ["".join(rng.choice("xxxxab yzw#中文1_X-") for _ in range(rng.randint(0, 14))) for _ in range(20000)]
    samples += [ln.lower() for ln in lines] + ["xx年", "excel表xxx份", "axx", "xxa", "x", "wx", "xy", "x x"]
    for s in samples:
        assert _XRUN.sub("#", s) == plain.sub("#", s), s


def test_ascii_noise_prefilter_keeps_the_rules_answers(lines):
    """drop_ascii_noise searches a line for a noise run only when the line holds ASCII-space-ASCII (every run does)."""
    from cleaners.generic import _ASCII_RUN, _ASCII_SPACED, drop_ascii_noise

    def plain(text):
        return _ASCII_RUN.sub(lambda m: "" if generic._is_noise_run(m.group(1).split()) else m.group(0), text)

    noisy = ["全市经济运行总体平稳& _3 ^; K# R\" y; w6 n5 q，下面我讲三点意见。", "要抓好 a b c d 四项工作。"]
    for ln in [*lines, *noisy]:
        if _ASCII_RUN.search(ln):
            assert _ASCII_SPACED.search(ln), ln
        assert _ASCII_SPACED.search(ln) or plain(ln) == ln, ln  # a line the prefilter skips: the rule leaves it
    assert drop_ascii_noise(noisy[0]) == "全市经济运行总体平稳，下面我讲三点意见。"


def test_the_similarity_fast_path_is_tfidf_then_cosine_to_the_last_bit(lines):
    """RelevanceModel._similarities_of (bigram codes in numpy) equals the plain _similarities(tfidf(text)) exactly,
    on real news items and work reports, real page lines, and edge cases (no Han, one character, one bigram
    repeated past the log table)."""
    import json

    from fanwen.relevance import load_model, tfidf

    model = load_model()
    texts = []
    for name, field in (("xwlb_meeting_news.jsonl", "text"), ("government_work_reports.jsonl", "content")):
        path = SHARED / "corpora" / name
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                texts += [json.loads(ln)[field] for ln in list(fh)[::8]]
    texts += ["\n".join(lines[i:i + 40]) for i in range(0, len(lines), 40)]
    texts += ["", "abc 123", "中", "中国", "发展" * 3000, "ａｂ中文（简体）" * 50]
    assert len(texts) > 100
    for t in texts:
        for piece in (t[:1600], t[-700:]):
            assert model._similarities_of(piece) == model._similarities(tfidf(piece, model.idf)), piece[:40]


def test_the_cleaning_prefilters_skip_only_lines_the_patterns_cannot_match(lines):
    """The literal checks in front of the rules' per-line searches (cut_platform_notice, drop_leadin,
    remove_watermarks) hold for every match: a line or text without the literal has no match. On real lines, and
    on lines made to hold each pattern's matches."""
    made = ["以上内容（包括图片及视频）为用户上传并发布，本平台仅提供信息存储服务。", "该文观点仅代表作者本人", "本平台仅提供信息存储空间服务",
            "【文章共3250字】下面是正文", "文章共1200字", "本页约2000字", "导语：本文来源于网友上传", "访问www.example.com了解更多",
            "http://m.abc.cn/x", "wap.site.net上的范文", "下面是小编为大家整理的讲话，供大家参考。"]
    for ln in lines + made:
        if spans._PLATFORM.search(ln):
            assert "仅提供信息存储" in ln or "该文观点仅代表作者本人" in ln, ln
        if generic._DECLARED_COUNT.search(ln):
            assert "共" in ln or "本页约" in ln, ln
        if generic._COUNT_NOTE.search(ln):
            assert "共" in ln, ln
        if generic._URL_IN_TEXT.search(ln):
            assert "." in ln, ln
        assert bool(generic._LEADIN.search(ln)) == generic._LEADIN_LINE(ln), ln
    # drop_leadin searches a line for _LEADIN's alternatives that do not start with ^ only if the whole text holds a
    # match of them: true of every pattern without anchors or lookarounds (a line's match is the same characters
    # in the text)
    rest = generic._LEADIN_LINE.rest_re
    assert not any(x in rest.pattern for x in ("^", "$", "(?=", "(?!", "(?<", "\\b", "\\B", "\\A", "\\Z"))
    text = "\n".join(lines + made)
    assert all(rest.search(text) for ln in lines + made if rest.search(ln))
    assert sum(bool(rest.search(ln)) for ln in made) >= 2 and sum(bool(spans._PLATFORM.search(ln)) for ln in made) == 3


def test_the_runs_read_back_together_read_as_each_alone(lines):
    """cleaners.decode._read_back_as_utf8 (one encode/decode for all runs) gives each run's own reading: on real
    lines, on UTF-8 read as GBK (the mojibake the check is for), on random code points and a lone surrogate."""
    import random

    from cleaners import decode

    def alone(run):
        try:
            return run.encode("gb18030").decode("utf-8", "replace")
        except UnicodeEncodeError:
            return None

    rng = random.Random(5)
    runs = [r for ln in lines for r in decode._HIGH_RUN.findall(ln)]
    runs += [r for ln in lines[:300] for r in decode._HIGH_RUN.findall(ln.encode("utf-8").decode("gbk", "replace"))]
    runs += ["".join(chr(rng.choice([rng.randint(0x80, 0x7ff), rng.randint(0x4e00, 0x9fff), rng.randint(0x10000, 0x1ffff)]))
                     for _ in range(rng.randint(3, 12))) for _ in range(2000)]
    assert len(runs) > 3000
    for i in range(0, len(runs), 37):
        part = runs[i:i + 37]
        assert decode._read_back_as_utf8(part) == [(r, alone(r)) for r in part]
    odd = ["中文字", "ab\ud800cd中文", "再来一段"]
    assert decode._read_back_as_utf8(odd) == [(r, alone(r)) for r in odd] and alone(odd[1]) is None
