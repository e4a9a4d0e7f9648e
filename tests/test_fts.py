"""The Chinese full-text index: words of 1, 2, 3, 4 and more characters, from SQL and from Datasette."""
import asyncio

import pytest

from fanwen.fts import fts_query, fts_tokens
from fanwen.pipeline import process_text
from fanwen.store import Corpus

TEXTS = [
    ("在全市养老服务推进会上的讲话", "同志们:养老服务是民生大事,要抓紧补齐短板。"),
    ("在全县招商引资大会上的讲话", "今天召开全县招商引资大会,营商环境是第一竞争力。"),
    ("在全区经济运行调度会上的讲话", "高质量发展是首要任务,各部门要抓好经济运行调度。"),
]


def test_tokens_are_overlapping_pairs():
    assert fts_tokens("高质量发展") == "高质 质量 量发 发展 展"
    assert fts_tokens("GDP增长6%") == "gdp 增长 长 6"


@pytest.mark.parametrize("typed,expected", [
    ("养老", '"养老"'), ("招商引资", '"招商 商引 引资"'), ("养", "养*"), ("营商 环境", '"营商" "环境"'),
])
def test_query_form(typed, expected):
    assert fts_query(typed) == expected


@pytest.fixture
def corpus(tmp_db):
    c = Corpus(tmp_db)
    for i, (title, text) in enumerate(TEXTS):
        c.add_documents([(process_text(f"http://fts.test/{i}.html", text, title), [])])
    yield c
    c.close()


def _ids(corpus, match):
    sql = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid"
    return [r[0] for r in corpus.db.execute(sql, [match])]


@pytest.mark.parametrize("word,expected", [
    ("养老", [1]),          # 2 characters: FTS5 trigram could not find this
    ("招商", [2]),
    ("营商环境", [2]),      # 4 characters
    ("高质量", [3]),        # 3 characters
    ("高质量发展", [3]),
    ("会上的讲话", [1, 2, 3]),
    ("退休", []),
])
def test_sql_match_finds_words_of_any_length(corpus, word, expected):
    assert _ids(corpus, fts_query(word)) == expected


def test_plain_sql_forms(corpus):
    # what the README shows people typing in sqlite3
    assert _ids(corpus, "养老") == [1]
    assert _ids(corpus, '"营商 商环 环境"') == [2]


def test_datasette_search_box(corpus):
    from fanwen.datasette_app import make_datasette
    ds = make_datasette(corpus.path)
    name = corpus.path.rsplit("/", 1)[-1][:-3]

    async def search(word, table="documents"):
        r = await ds.client.get(f"/{name}/{table}.json?_search={word}&_shape=array")
        assert r.status_code == 200, r.text
        return sorted(row["id"] for row in r.json())

    assert asyncio.run(search("养老")) == [1]
    assert asyncio.run(search("高质量")) == [3]
    assert asyncio.run(search("营商环境")) == [2]
    assert asyncio.run(search("养老", "speeches")) == [1]
