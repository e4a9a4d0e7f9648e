"""Full-text search as people type it: plain SQL MATCH, LIKE for 1–2 characters, snippet(), sqlite-utils, triggers."""
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fanwen.fts import parse, search_where
from fanwen.pipeline import process_text
from fanwen.store import Corpus

TEXTS = [
    ("在全市养老服务推进会上的讲话", "同志们:养老服务是民生大事,要抓紧补齐短板。"),
    ("在全县招商引资大会上的讲话", "今天召开全县招商引资大会,营商环境是第一竞争力。"),
    ("在全区经济运行调度会上的讲话", "高质量发展是首要任务,各部门要抓好经济运行调度。"),
]


def _like_count(conn, word):
    return conn.execute("SELECT count(*) FROM documents WHERE title LIKE ? OR text LIKE ?",
                        [f"%{word}%", f"%{word}%"]).fetchone()[0]


@pytest.fixture
def demo_conn(demo_corpus):
    conn = sqlite3.connect(f"file:{demo_corpus}?mode=ro", uri=True)  # plain sqlite3: no project code on it
    yield conn
    conn.close()


@pytest.mark.parametrize("word", ["高质量", "新质生", "营商环境", "招商引资", "高质量发展"])
def test_match_as_typed_equals_like(demo_conn, word):
    hits = demo_conn.execute(f"SELECT count(*) FROM documents_fts WHERE documents_fts MATCH '{word}'").fetchone()[0]
    assert hits == _like_count(demo_conn, word)
    if word != "新质生":
        assert hits > 0, word


@pytest.mark.parametrize("word", ["党", "企", "养老", "招商"])
def test_short_words_plain_like_form(demo_conn, word):
    # the documented form for 1–2 characters (README): LIKE on title and text, exact by definition
    rows = demo_conn.execute(f"SELECT id FROM documents WHERE title LIKE '%{word}%' OR text LIKE '%{word}%'").fetchall()
    assert len(rows) == _like_count(demo_conn, word) > 0
    # a trigram MATCH cannot find them: the reason the form exists
    assert demo_conn.execute(f"SELECT count(*) FROM documents_fts WHERE documents_fts MATCH '{word}'"
                             ).fetchone()[0] == 0


def test_snippet_and_highlight_in_plain_sql(demo_conn):
    # the text is column 0 of the index, the title column 1 (README)
    assert [r[1] for r in demo_conn.execute("PRAGMA table_info(documents_fts)")] == ["text", "title"]
    rows = demo_conn.execute("SELECT rowid, snippet(documents_fts, 0, '[', ']', '…', 10), "
                             "highlight(documents_fts, 1, '<', '>'), title FROM documents_fts "
                             "WHERE documents_fts MATCH '营商环境' LIMIT 5").fetchall()
    assert rows
    for doc_id, snip, hl, title in rows:
        assert hl.replace("<", "").replace(">", "") == title
        # the word in its context; trigram tokens overlap, so a window may end inside the word ("[营商环]…", README)
        assert re.search(r"\[(营商环境|营商环|商环境)\]", snip) and len(snip) > len("[营商环境]") + 2, snip
        text = demo_conn.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()[0]
        assert snip.strip("…").replace("[", "").replace("]", "") in text, snip
        whole = demo_conn.execute("SELECT highlight(documents_fts, 0, '[', ']') FROM documents_fts "
                                  "WHERE documents_fts MATCH '营商环境' AND rowid = ?", [doc_id]).fetchone()[0]
        assert "[营商环境]" in whole and whole.replace("[", "").replace("]", "") == text
    # external content: the index returns the columns
    assert demo_conn.execute("SELECT title FROM documents_fts WHERE documents_fts MATCH '营商环境' LIMIT 1"
                             ).fetchone()[0]


def test_sqlite_utils_search_cli_finds_rows(demo_corpus):
    exe = shutil.which("sqlite-utils") or str(Path(sys.executable).with_name("sqlite-utils"))
    r = subprocess.run([exe, "search", demo_corpus, "documents", "营商环境", "--csv", "-c", "id", "-c", "title"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    conn = sqlite3.connect(demo_corpus)
    assert lines[0] == "id,title" and len(lines) - 1 == _like_count(conn, "营商环境") > 0


@pytest.fixture
def corpus(tmp_db):
    c = Corpus(tmp_db)
    for i, (title, text) in enumerate(TEXTS):
        c.add_documents([(process_text(f"http://fts.test/{i}.html", text, title), [])])
    yield c
    c.close()


def _ids(conn, query):
    where, params = search_where(query)
    return [r[0] for r in conn.execute(f"SELECT id FROM documents WHERE {where} ORDER BY id", params)]


@pytest.mark.parametrize("typed,expected", [
    ("养老", [1]), ("养", [1]), ("营商环境", [2]), ("高质量", [3]), ("会上的讲话", [1, 2, 3]), ("退休", []),
    ("营商环境 招商", [2]), ("营商环境 养老", []), ("营商环境 OR 养老", [1, 2]), ("养老 OR 高质量 调度", [1, 3]),
    ('"经济运行 调度"', []), ("100%", []),
])
def test_search_where_any_length_and_or(corpus, typed, expected):
    assert _ids(corpus.db.conn, typed) == expected


def test_parse_groups_and_terms():
    assert parse('营商环境 招商 OR "经济 运行" 养老') == [["营商环境", "招商"], ["经济 运行", "养老"]]
    assert parse("OR 养老 OR") == [["养老"]]
    assert search_where("") == ("0", [])


def test_triggers_follow_updates_and_deletes_in_plain_sql(corpus):
    conn = sqlite3.connect(corpus.path)  # plain sqlite3, no project code
    with conn:
        conn.execute("UPDATE documents SET text = '退休人员服务保障' WHERE id = 1")
        conn.execute("DELETE FROM documents WHERE id = 2")
    m = lambda w: [r[0] for r in conn.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", [w])]  # noqa
    assert m("养老服务") == [1]  # still in the title
    assert m("是民生") == []
    assert m("退休人员") == [1]
    assert m("营商环境") == []
    with conn:  # the index agrees with its content table
        conn.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")
    corpus.rebuild_fts()
    assert m("退休人员") == [1] and m("营商环境") == []


def test_old_pair_index_is_migrated_on_open(tmp_db):
    conn = sqlite3.connect(tmp_db)
    conn.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, url TEXT NOT NULL, title TEXT, text TEXT)")
    conn.execute("CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='', tokenize='unicode61')")
    conn.execute("INSERT INTO documents VALUES (1, 'http://old.test/1.html', '讲话', '持续优化营商环境')")
    conn.execute("INSERT INTO documents_fts(rowid, title, text) VALUES (1, '讲话 话', '持续 续优 优化 化营 营商 商环 环境 境')")
    conn.commit()
    conn.close()
    c = Corpus(tmp_db)
    assert c.db.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH '营商环境'").fetchall() == [(1,)]
    assert c.db.execute("SELECT url, kind FROM document_urls").fetchall() == [("http://old.test/1.html", "canonical")]
    c.close()


@pytest.fixture(scope="module")
def lean_demo(demo_corpus, tmp_path_factory):
    """A copy of the demo corpus with its index rebuilt in the lean layout by the user's command."""
    from click.testing import CliRunner

    from fanwen.cli import main
    db = str(tmp_path_factory.mktemp("lean") / "corpus.db")
    src = sqlite3.connect(demo_corpus)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    r = CliRunner().invoke(main, ["fts", "--layout", "lean", "--db", db])
    assert r.exit_code == 0, r.output
    assert "layout lean" in r.stdout
    return db


@pytest.mark.parametrize("word", ["高质量", "营商环境", "招商引资", "高质量发展"])
def test_lean_layout_indexed_like_equals_like(lean_demo, demo_conn, word):
    conn = sqlite3.connect(f"file:{lean_demo}?mode=ro", uri=True)  # plain sqlite3
    try:
        sql = "SELECT count(*) FROM documents_fts WHERE text LIKE ? OR title LIKE ?"
        hits = conn.execute(sql, [f"%{word}%"] * 2).fetchone()[0]
        assert hits == _like_count(conn, word) == _like_count(demo_conn, word) > 0
        plan = " ".join(r[-1] for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT rowid FROM documents_fts WHERE text LIKE ?", [f"%{word}%"]))
        assert "VIRTUAL TABLE INDEX 0:L" in plan, plan  # the LIKE is answered by the index, not a scan
        if len(word) > 3:  # two trigrams or more make a phrase, which needs positions
            with pytest.raises(sqlite3.OperationalError, match="phrase queries are not supported"):
                conn.execute(f"SELECT count(*) FROM documents_fts WHERE documents_fts MATCH '{word}'").fetchone()
    finally:
        conn.close()


@pytest.mark.parametrize("typed", ["营商环境", "养老", "营商环境 OR 养老", "高质量 调度", "会上的讲话", "100%"])
def test_search_same_hits_in_both_layouts(lean_demo, demo_conn, typed):
    def ids(conn, layout):
        where, params = search_where(typed, fts_layout=layout)
        return [r[0] for r in conn.execute(f"SELECT id FROM documents WHERE {where} ORDER BY id", params)]
    lean = sqlite3.connect(f"file:{lean_demo}?mode=ro", uri=True)
    try:
        assert ids(lean, "lean") == ids(demo_conn, "full")
    finally:
        lean.close()


def test_layout_survives_reopening_and_writes(lean_demo, tmp_path):
    from fanwen import fts
    db = str(tmp_path / "c.db")
    src = sqlite3.connect(lean_demo)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    c = Corpus(db)
    try:
        assert fts.layout(c.db.conn) == "lean"
        c.add_documents([(process_text("http://fts.test/new.html", "我们要持续推进城乡融合示范区建设。", "讲话"), [])])
        assert c.db.execute("SELECT count(*) FROM documents_fts WHERE text LIKE '%城乡融合示范区%'").fetchone()[0] == 1
        with c.db.conn:
            fts.set_layout(c.db.conn, "full")
        assert c.db.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH '城乡融合示范区'"
                            ).fetchone()[0] == 1
    finally:
        c.close()


def test_a_corpus_with_the_older_column_order_keeps_it_until_rebuilt_smaller(tmp_path):
    """Corpora made before the text came first in the index keep (title, text) when opened and written to (snippet()
    column numbers in their users' queries stay right); `fanwen fts --layout full` rebuilds the index text-first,
    with the same hits and fewer bytes (no column marker before the text's positions)."""
    from click.testing import CliRunner

    from fanwen import fts
    from fanwen.cli import main
    db = str(tmp_path / "old.db")
    c = Corpus(db)
    body = "".join(f"第{i}项任务是推进营商环境优化和城乡融合示范区建设,抓好第{i * 7}个重点项目。" for i in range(60))
    c.add_documents([(process_text(f"http://fts.test/{i}.html", f"在第{i}次全体会议上的讲话" + body + f"编号{i}。", "讲话"), [])
                     for i in range(30)])
    with c.db.conn:  # the index as corpora made before this order had it
        for trigger in ("documents_ai", "documents_ad", "documents_au"):
            c.db.conn.execute(f"DROP TRIGGER [{trigger}]")
        c.db.conn.execute("DROP TABLE documents_fts")
        c.db.conn.execute(fts.CREATE_FTS.replace("([text], [title],", "([title], [text],"))
        c.db.conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
        for sql in fts.CREATE_TRIGGERS:
            c.db.conn.execute(sql)
    c.close()

    def hits(conn):
        return [r[0] for r in conn.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH '示范区建设' "
                                           "ORDER BY rowid")]

    c = Corpus(db)
    try:
        assert fts.columns(c.db.conn) == ["title", "text"]
        c.add_documents([(process_text("http://fts.test/new.html", "我们要推进城乡融合示范区建设。", "讲话"), [])])
        assert fts.columns(c.db.conn) == ["title", "text"]
        before = hits(c.db.conn)
        old_bytes = c.db.execute("SELECT sum(length(block)) FROM documents_fts_data").fetchone()[0]
    finally:
        c.close()
    assert len(before) == 31
    r = CliRunner().invoke(main, ["fts", "--db", db])
    assert r.exit_code == 0 and "title, text" in r.output and "--layout full" in r.output, r.output
    r = CliRunner().invoke(main, ["fts", "--db", db, "--layout", "full"])
    assert r.exit_code == 0, r.output
    conn = sqlite3.connect(db)
    try:
        assert fts.columns(conn) == ["text", "title"]
        assert hits(conn) == before
        new_bytes = conn.execute("SELECT sum(length(block)) FROM documents_fts_data").fetchone()[0]
        assert new_bytes < 0.9 * old_bytes  # 0.85 here: these texts repeat their trigrams more than speeches do
    finally:
        conn.close()
