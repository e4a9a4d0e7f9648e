"""document_urls: every URL a document was seen under is found again (ingest as given, redirects, pages)."""
import json
import sqlite3

from click.testing import CliRunner
from scrapy.http import Request

from fanwen.cli import main
from fanwen.pipeline import process_text
from fanwen.store import Corpus
from test_spider import BASE, make_spider, response

TEXT = "同志们:\n今天召开全市优化营商环境工作推进会,研究部署下一阶段工作。\n要抓好政务服务和要素保障。\n谢谢大家!"


def _lookup(db, url):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)  # plain sqlite3, as the README shows
    row = conn.execute("SELECT d.id, d.url, u.kind FROM document_urls u JOIN documents d ON d.id = u.document_id "
                       "WHERE u.url = ?", [url]).fetchone()
    conn.close()
    return row


def test_ingested_url_as_given_is_found(tmp_path):
    db = str(tmp_path / "c.db")
    given = "https://1wenmi.com/doc/846137.html"  # stored as http://www.1wenmi.com/doc/846137.html
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"url": given, "title": "在全市优化营商环境工作推进会上的讲话", "text": TEXT},
                                ensure_ascii=False) + "\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(pages), "--db", db, "--workers", "1"]).exit_code == 0
    doc_id, canonical, kind = _lookup(db, given)
    assert canonical == "http://www.1wenmi.com/doc/846137.html" and kind == "given"
    assert _lookup(db, canonical) == (doc_id, canonical, "canonical")

    # the same article given again under another form: not stored twice, but that URL finds it too
    other = "http://1wenmi.com/doc/846137.html"
    pages.write_text(json.dumps({"url": other, "title": "x", "text": TEXT}, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    r = runner.invoke(main, ["ingest", str(pages), "--db", db, "--workers", "1"])
    assert "1 already stored" in r.output
    assert _lookup(db, other) == (doc_id, canonical, "given")
    known = Corpus(db, readonly=True).known_urls()
    assert {given, other, canonical} <= known


def test_spider_items_carry_redirects_and_pages():
    spider = make_spider()
    start = BASE + "forum.php?mod=viewthread&tid=12"
    page1 = response(BASE + "thread-12-1-1.html", "<html><body><p>第一页</p><a href='thread-12-2-1.html'>2</a></body></html>",
                     meta={"site": "forum", "redirect_urls": [start]})
    follow = [r for r in spider.parse_article(page1) if isinstance(r, Request) and r.callback == spider.parse_article_page]
    page2 = response(follow[0].url, "<html><body><p>第二页</p></body></html>",
                     meta=dict(follow[0].meta, redirect_urls=[BASE + "thread-12-2-1.html?from=m"]))
    item = next(iter(spider.parse_article_page(page2)))
    assert item["seen_urls"] == [(start, "redirect"), (BASE + "thread-12-1-1.html", "fetched"),
                                 (BASE + "thread-12-2-1.html?from=m", "redirect"), (BASE + "thread-12-2-1.html", "page")]


def test_store_records_every_seen_url_and_old_corpora_are_backfilled(tmp_path):
    db = str(tmp_path / "c.db")
    c = Corpus(db)
    doc = process_text(BASE + "forum.php?mod=viewthread&tid=12", TEXT, "讲话")
    doc.seen_urls = [(BASE + "go.php?tid=12", "redirect")]
    c.add_documents([(doc, [(BASE + "thread-12-1-1.html", "<p>1</p>"), (BASE + "thread-12-2-1.html", "<p>2</p>")])])
    rows = c.db.execute("SELECT url, kind FROM document_urls ORDER BY rowid").fetchall()
    assert rows == [(BASE + "forum.php?mod=viewthread&tid=12", "canonical"), (BASE + "go.php?tid=12", "redirect"),
                    (BASE + "thread-12-1-1.html", "fetched"), (BASE + "thread-12-2-1.html", "page")]
    # a corpus made before document_urls existed: rebuilt from documents.url and pages.url on open
    c.db.execute("DROP TABLE document_urls")
    c.db.conn.commit()
    c.close()
    c = Corpus(db)
    assert {u for u, _ in c.db.execute("SELECT url, kind FROM document_urls")} == {
        BASE + "forum.php?mod=viewthread&tid=12", BASE + "thread-12-1-1.html", BASE + "thread-12-2-1.html"}
    assert c.known_urls() >= {BASE + "thread-12-2-1.html"}
    c.close()


def test_demo_crawl_records_every_page_and_canonical_url(demo_corpus):
    conn = sqlite3.connect(f"file:{demo_corpus}?mode=ro", uri=True)
    urls = dict(((u, d) for u, d, _ in conn.execute("SELECT url, document_id, kind FROM document_urls")))
    docs = conn.execute("SELECT id, url FROM documents").fetchall()
    pages = conn.execute("SELECT document_id, url, seq FROM pages").fetchall()
    assert all(urls[url] == doc_id for doc_id, url in docs)
    assert all(urls[url] == doc_id for doc_id, url, _ in pages)
    kinds = dict(conn.execute("SELECT kind, count(*) FROM document_urls GROUP BY kind").fetchall())
    assert kinds["canonical"] == len(docs) and kinds.get("page", 0) == sum(seq > 1 for *_, seq in pages) > 0
