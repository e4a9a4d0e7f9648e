"""The installed Datasette plugin on a plain Datasette instance (as `datasette corpus.db` makes it)."""
import asyncio
import sqlite3

import pytest
import sqlite_utils
from datasette.app import Datasette

from fanwen.datasette_plugin.metadata import HIDDEN, QUERIES


@pytest.fixture(scope="module")
def other_db(tmp_path_factory):
    # another database served beside the corpus, with its own FTS: the plugin must leave its search alone
    path = str(tmp_path_factory.mktemp("other") / "notes.db")
    db = sqlite_utils.Database(path)
    db["documents"].insert_all([{"id": 1, "title": "hello world", "text": "养老 hello"},
                                {"id": 2, "title": "other", "text": "nothing"}], pk="id")
    db["documents"].enable_fts(["title", "text"])
    db.conn.close()
    return path


@pytest.fixture(scope="module")
def ds(demo_corpus, other_db):
    return Datasette([demo_corpus, other_db])  # plain Datasette: the plugin comes from the entry point


def get(ds, path):
    async def go():
        return await ds.client.get(path)
    return asyncio.run(go())


def _like_ids(db, word, table="documents"):
    conn = sqlite3.connect(db)
    return sorted(r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE title LIKE ? OR text LIKE ?",
                                             [f"%{word}%", f"%{word}%"]))


def _search(ds, word, table="documents"):
    r = get(ds, f"/corpus/{table}.json?_search={word}&_shape=array&_col=id&_size=max")
    assert r.status_code == 200, r.text
    return sorted(row["id"] for row in r.json())


def test_plugin_is_installed_as_an_entry_point(ds):
    plugins = get(ds, "/-/plugins.json").json()
    assert any(p["name"] == "fanwen-corpus" and "filters_from_request" in p["hooks"] for p in plugins)


@pytest.mark.parametrize("word", ["党", "养老", "高质量", "营商环境", "高质量发展"])
def test_search_box_finds_words_of_any_length(ds, demo_corpus, word):
    assert _search(ds, word) == _like_ids(demo_corpus, word) != []
    assert _search(ds, word, "speeches") == _like_ids(demo_corpus, word, "speeches")


def test_search_box_or_and_the_box_keeps_the_words(ds, demo_corpus):
    assert _search(ds, "营商环境 OR 养老") == sorted(set(_like_ids(demo_corpus, "营商环境"))
                                                    | set(_like_ids(demo_corpus, "养老")))
    html = get(ds, "/corpus/speeches?_search=养老").text
    assert 'value="养老"' in html and "fanwen.css" in html


def test_other_databases_keep_datasettes_own_search(ds):
    r = get(ds, "/notes/documents.json?_search=hello&_shape=array")
    assert [row["id"] for row in r.json()] == [1]
    # Datasette's own escaping of unicode61 tokens: a 2-character word inside a run is no token there
    assert get(ds, "/notes/documents.json?_search=养老&_shape=array").json() == [{"id": 1, "title": "hello world",
                                                                               "text": "养老 hello"}]
    assert "fanwen.css" not in get(ds, "/notes/documents").text
    assert "dedup" not in get(ds, "/notes.json").text


def test_index_hides_internals_and_describes_tables(ds):
    index = get(ds, "/").text
    for name in HIDDEN:
        assert f"/corpus/{name}\"" not in index
    db = get(ds, "/corpus.json").json()
    tables = {t["name"]: t for t in db["tables"]}
    assert all(tables[n]["hidden"] for n in HIDDEN if n in tables)
    meta = get(ds, "/-/metadata.json").json()["databases"]["corpus"]["tables"]
    assert meta["speeches"]["columns"]["copies"] and meta["documents"]["facets"] == ["site", "label", "level", "year"]
    page = get(ds, "/corpus/speeches").text
    assert "One row per distinct speech" in page and 'id="facet-site"' in page and 'id="facet-level"' in page


@pytest.mark.parametrize("name,params", [
    ("search", "word=营商环境"), ("search", "word=党"), ("copies", "id={speech}"), ("url_lookup", "url={url}"),
    ("speeches_by_level_and_year", ""), ("crawl_health", ""),
])
def test_canned_queries_return_rows(ds, demo_corpus, name, params):
    conn = sqlite3.connect(demo_corpus)
    speech = conn.execute("SELECT id FROM speeches WHERE copies > 1 LIMIT 1").fetchone()[0]
    url = conn.execute("SELECT url FROM document_urls WHERE kind = 'fetched' LIMIT 1").fetchone()[0]
    params = params.format(speech=speech, url=url)
    assert name in QUERIES
    r = get(ds, f"/corpus/{name}.json?{params}&_shape=array")
    assert r.status_code == 200, r.text
    rows = r.json()
    assert rows, name
    if name == "search" and "营商环境" in params:
        assert all("\x02营商环境\x03" in row["context"] for row in rows)
        html = get(ds, f"/corpus/{name}?{params}").text
        assert "<mark>营商环境</mark>" in html
    if name == "copies":
        assert len(rows) > 1 and {"url", "site", "truncated", "mangled"} <= set(rows[0])


def test_speech_page_shows_text_and_copies(ds, demo_corpus):
    conn = sqlite3.connect(demo_corpus)
    doc_id, cluster, text = conn.execute("SELECT id, cluster_id, text FROM speeches WHERE copies > 1 LIMIT 1"
                                         ).fetchone()
    copies = [r[0] for r in conn.execute("SELECT url FROM documents WHERE cluster_id = ?", [cluster])]
    html = get(ds, f"/corpus/documents/{doc_id}").text
    assert 'class="fanwen-text"' in html and text.splitlines()[0] in html
    assert all(u.replace("&", "&amp;") in html for u in copies)
    # in the table the text is cut, with a link to that page
    table = get(ds, f"/corpus/speeches?id={doc_id}").text
    assert f'href="/corpus/documents/{doc_id}"' in table and "read all" in table
    # other databases' row pages are Datasette's own
    assert "fanwen-text" not in get(ds, "/notes/documents/1").text


def test_fanwen_serve_uses_the_same_plugin(demo_corpus):
    from fanwen.datasette_app import make_datasette
    served = make_datasette(demo_corpus)
    assert sorted(row["id"] for row in get(served, "/corpus/documents.json?_search=养老&_shape=array&_size=max"
                                           ).json()) == _like_ids(demo_corpus, "养老")


def test_without_the_plugin_datasette_still_finds_words_of_three_characters(demo_corpus):
    import json
    import subprocess
    import sys
    code = (
        "import asyncio, json, sys\n"
        "from datasette.plugins import pm\n"
        "import fanwen.datasette_plugin as plugin\n"
        "pm.unregister(plugin)\n"
        "from datasette.app import Datasette\n"
        "ds = Datasette([sys.argv[1]])\n"
        "r = asyncio.run(ds.client.get('/corpus/documents.json?_search=营商环境&_shape=array&_col=id&_size=max'))\n"
        "print(json.dumps(sorted(row['id'] for row in r.json())))\n")
    r = subprocess.run([sys.executable, "-c", code, demo_corpus], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == _like_ids(demo_corpus, "营商环境") != []


@pytest.fixture(scope="module")
def lean_ds(demo_corpus, tmp_path_factory):
    # the demo corpus with its index rebuilt lean (`fanwen fts --layout lean`), served by a plain Datasette
    from click.testing import CliRunner

    from fanwen.cli import main
    db = str(tmp_path_factory.mktemp("lean") / "corpus.db")
    src, dst = sqlite3.connect(demo_corpus), sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    assert CliRunner().invoke(main, ["fts", "--layout", "lean", "--db", db]).exit_code == 0
    return Datasette([db])


@pytest.mark.parametrize("word", ["养老", "营商环境", "高质量发展"])
def test_lean_corpus_search_box_and_search_query(lean_ds, demo_corpus, word):
    assert _search(lean_ds, word) == _like_ids(demo_corpus, word) != []
    r = get(lean_ds, f"/corpus/search.json?word={word}&_shape=array")
    assert r.status_code == 200, r.text
    rows = r.json()
    assert sorted(row["id"] for row in rows) == _like_ids(demo_corpus, word, "speeches")
    assert rows and all(word in row["context"] for row in rows if word not in row["title"])
