"""Issue 8, encodings and unusable pages, through the user's commands: a UTF-8 page declaring gb2312, a GBK page
with no declaration and a GBK page served as charset=utf-8 give the right text through `fanwen extract`,
`fanwen ingest` (.html and .warc), a real crawl (the demo server on 127.0.0.1) and `fanwen reclean` (of a corpus
written the old way, and of a new one); empty, blank, binary and ads-only pages are counted and not stored."""
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner

from encoding_pages import (ENCODING_CASES, KEY_PHRASES, PARAGRAPHS, SHORT_NOTICE, TITLE, UNUSABLE_CASES,
                            build_old_corpus, gbk_declaring_utf8, gbk_undeclared, old_stored_text,
                            utf8_declaring_gb2312)
from fanwen.cli import main

HOST = "http://www.sanweiyuan.com.test"


def rows(db, sql, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def right(text: str) -> bool:
    return all(k in text for k in KEY_PHRASES) and "\ufffd" not in text


@pytest.fixture
def runner():
    return CliRunner()


# ------------------------------------------------------------------------------------------------ fanwen extract
@pytest.mark.parametrize("make", [utf8_declaring_gb2312, gbk_undeclared, gbk_declaring_utf8])
def test_extract_gives_the_right_text_and_explains_the_encoding(runner, tmp_path, make):
    path = tmp_path / "page.html"
    path.write_bytes(make()[0])
    r = runner.invoke(main, ["extract", str(path), "--url", "http://www.example.test/news/1.html", "--explain"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert right(doc["text"]) and doc["title"] == TITLE and doc["unusable"] is None
    decision = doc["explain"]["decode"][0]
    assert decision["encoding"] in ("utf-8", "gb18030") and decision["reason"]
    if make is utf8_declaring_gb2312:
        assert decision["encoding"] == "utf-8" and "UTF-8 holding multi-byte text" in decision["reason"]
    if make is gbk_declaring_utf8:
        assert decision["encoding"] == "gb18030" and "do not decode" in decision["reason"]


@pytest.mark.parametrize("name", sorted(ENCODING_CASES))
def test_extract_with_the_served_content_type(runner, tmp_path, name):
    body, ctype = ENCODING_CASES[name]()
    path = tmp_path / "body.html"
    path.write_bytes(body)
    r = runner.invoke(main, ["extract", str(path), "--url", "http://www.example.test/news/1.html", "--explain",
                             "--content-type", ctype])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert right(doc["text"]) and doc["title"] == TITLE
    if "charset=" in ctype:
        assert doc["explain"]["decode"][0]["declared"]["header"] == "utf-8"
        assert "the HTTP Content-Type says utf-8 but" in doc["explain"]["decode"][0]["reason"]


def test_extract_of_an_unusable_page_says_so_and_exits_1(runner, tmp_path):
    path = tmp_path / "ads.html"
    path.write_bytes(UNUSABLE_CASES["ads_only"][0])
    r = runner.invoke(main, ["extract", str(path), "--url", "http://www.example.test/news/2.html"])
    assert r.exit_code == 1
    assert "unusable page, would not be stored: no main text" in r.output and "Traceback" not in r.output
    path.write_bytes(SHORT_NOTICE.encode())  # short, but a real notice
    r = runner.invoke(main, ["extract", str(path), "--url", "http://www.example.test/news/3.html"])
    assert r.exit_code == 0 and "城东片区明天上午八时至十二时停水" in json.loads(r.output)["text"]


# ------------------------------------------------------------------------------------------------ fanwen ingest
def _warc(path, records):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, (body, ctype) in records.items():
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))


def test_ingest_html_and_warc_decode_right_and_count_unusable_pages(runner, tmp_path):
    db = str(tmp_path / "c.db")
    folder = tmp_path / "saved"
    folder.mkdir()
    for name, make in (("a.html", utf8_declaring_gb2312), ("b.html", gbk_undeclared), ("c.html", gbk_declaring_utf8)):
        (folder / name).write_bytes(make()[0])
    (folder / "d.html").write_bytes(UNUSABLE_CASES["png_as_html"][0])  # an image saved under .html, in a folder
    records = {f"http://w.example.test/{name}.html": make() for name, make in ENCODING_CASES.items()}
    records.update({f"http://w.example.test/{name}.html": (body, ctype)
                    for name, (body, ctype, _) in UNUSABLE_CASES.items()})
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc, records)
    r = runner.invoke(main, ["ingest", str(folder), str(warc), "--db", db, "--workers", "1",
                             "--url-prefix", "http://saved.example.test/"])
    assert r.exit_code == 0, r.output
    assert "6 new documents" in r.output
    assert ("5 unusable pages not stored (binary_content 2, blank_html 1, empty_body 1, no_main_text 1)"
            in r.output), r.output
    stored = dict(rows(db, "SELECT url, text FROM documents"))
    assert sorted(stored) == sorted([f"http://saved.example.test/{n}" for n in ("a.html", "b.html", "c.html")]
                                    + [f"http://w.example.test/{n}.html" for n in ENCODING_CASES])
    assert all(right(t) for t in stored.values()), stored
    # the bytes as read, with the WARC record's Content-Type, are what `pages` keeps
    pages = rows(db, "SELECT url, content_type, as_received FROM pages ORDER BY url")
    assert all(raw == 1 for _, _, raw in pages)
    assert dict((u, c) for u, c, _ in pages)["http://w.example.test/gbk_served_as_utf8.html"] == \
        "text/html; charset=utf-8"
    assert rows(db, "SELECT unusable FROM crawls WHERE command = 'ingest'") == [(5,)]


def test_jsonl_html_strings_stay_strings(runner, tmp_path):
    db = str(tmp_path / "c.db")
    jsonl = tmp_path / "p.jsonl"
    html = utf8_declaring_gb2312()[0].decode("utf-8")
    jsonl.write_text(json.dumps({"url": "http://j.example.test/1.html", "html": html}, ensure_ascii=False) + "\n"
                     + json.dumps({"url": "http://j.example.test/2.html", "html": ""}) + "\n", encoding="utf-8")
    r = runner.invoke(main, ["ingest", str(jsonl), "--db", db, "--workers", "1"])
    assert r.exit_code == 0 and "1 new documents" in r.output and "1 unusable pages not stored (empty_body 1)" in r.output
    assert right(rows(db, "SELECT text FROM documents")[0][0])
    assert rows(db, "SELECT as_received, content_type FROM pages") == [(0, None)]


# ------------------------------------------------------------------------------------------------ fanwen reclean
def test_reclean_of_an_old_corpus(runner, tmp_path):
    """A corpus written before the bytes were kept: pages.html_z holds Scrapy's decoded text."""
    db = str(tmp_path / "old.db")
    urls = {name: f"http://www.example.test/news/{i}.html" for i, name in enumerate(ENCODING_CASES, 1)}
    build_old_corpus(db, {urls[name]: make() for name, make in ENCODING_CASES.items()})
    r = runner.invoke(main, ["reclean", "--db", db, "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "2 stored documents are unusable as decoded now" in r.output
    docs = {url: (text, unusable) for url, text, unusable in rows(db, "SELECT url, text, unusable FROM documents")}
    # Scrapy decoded an undeclared GBK page right: its row recleans right
    assert right(docs[urls["gbk_undeclared"]][0]) and docs[urls["gbk_undeclared"]][1] is None
    # the UTF-8 page declaring gb2312 was stored misread as gb18030: the misreading is undone, but the old decoding
    # had dropped the last byte of a paragraph's final character wherever the paragraph had an odd byte count. The
    # words are back (better than the mojibake stored), the holes stay U+FFFD: marked, not a clean speech
    text, unusable = docs[urls["utf8_declaring_gb2312"]]
    assert all(k in text for k in KEY_PHRASES) and "鍦" not in text, text
    assert 0 < text.count("\ufffd") <= len(PARAGRAPHS) and unusable.startswith("garbled text")
    # GBK served as utf-8: the old crawl kept U+FFFD only, the bytes are gone. Kept as stored, marked, not a speech
    text, unusable = docs[urls["gbk_served_as_utf8"]]
    assert unusable.startswith("garbled text") and text == old_stored_text(*ENCODING_CASES["gbk_served_as_utf8"]())[-200:]
    for name in ("utf8_declaring_gb2312", "gbk_served_as_utf8"):
        assert rows(db, "SELECT count(*) FROM speeches WHERE url = ?", [urls[name]]) == [(0,)]
        assert rows(db, "SELECT mangled FROM documents WHERE url = ?", [urls[name]]) == [(1.0,)]
    r = runner.invoke(main, ["query", "SELECT url FROM documents WHERE unusable IS NOT NULL ORDER BY id", "--db", db,
                             "--json"])
    assert [d["url"] for d in json.loads(r.output)] == [urls["utf8_declaring_gb2312"], urls["gbk_served_as_utf8"]]
    # the old rows are still readable the old way too
    from fanwen.store import Corpus
    c = Corpus(db)
    assert c.pages_of(1)[0][0] == urls["utf8_declaring_gb2312"] and isinstance(c.pages_of(1)[0][1], str)
    c.close()


# ------------------------------------------------------------------------------------------------ a real crawl
@pytest.fixture(scope="module")
def crawl_db(tmp_path_factory):
    """The demo's sanweiyuan site on 127.0.0.1, with test pages linked from its first list page: the three
    encodings, served with those headers, and four pages that are no document."""
    from fanwen.crawl import run_crawl
    from fanwen.demo import build_demo
    from fanwen.demo.generator import DemoPage
    from fanwen.demo.server import DemoServer

    demo = build_demo()
    site = demo.site("sanweiyuan")
    served = {name: make() for name, make in ENCODING_CASES.items()}
    served.update({name: (body, ctype) for name, (body, ctype, _) in UNUSABLE_CASES.items()})
    links = []
    for i, (name, (body, ctype)) in enumerate(served.items(), 1):
        url = f"{HOST}/news/99{i:04d}.html"
        demo.pages[url] = DemoPage(200, {"Content-Type": ctype}, body)
        links.append((name, url))
    start = site.start_urls[0]
    anchors = "".join(f'<li><a href="{u}">在全县工作会议上的讲话{i}</a></li>' for i, (_, u) in enumerate(links))
    demo.pages[start].body = demo.pages[start].body.replace(b"</body>", anchors.encode("utf-8") + b"</body>", 1)
    db = str(tmp_path_factory.mktemp("enc") / "corpus.db")
    with DemoServer(demo) as server:
        stats = run_crawl(db, sites=["sanweiyuan"], demo=True, proxy=server.proxy_url, workers=1, search=False)
    return db, dict(links), stats


@pytest.mark.e2e
def test_a_crawl_stores_the_bytes_and_decodes_them_right(crawl_db):
    db, urls, stats = crawl_db
    for name in ENCODING_CASES:
        found = rows(db, "SELECT d.text, p.content_type, p.as_received, p.html_z FROM documents d "
                         "JOIN pages p ON p.document_id = d.id WHERE d.url = ?", [urls[name]])
        assert found, name
        text, ctype, raw, blob = found[0]
        assert right(text), (name, text[:200])
        import zlib
        body, served_type = ENCODING_CASES[name]()
        assert (zlib.decompress(blob), ctype, raw) == (body, served_type, 1)  # the bytes as received


@pytest.mark.e2e
def test_a_crawl_counts_unusable_pages_and_does_not_store_them(crawl_db):
    db, urls, stats = crawl_db
    for name in UNUSABLE_CASES:
        assert rows(db, "SELECT count(*) FROM documents WHERE url = ?", [urls[name]]) == [(0,)], name
    assert stats["fanwen/unusable_pages"] == len(UNUSABLE_CASES)
    assert stats["fanwen/site/sanweiyuan/unusable_pages"] == len(UNUSABLE_CASES)
    assert stats["fanwen/unusable/binary_content"] == 1 and stats["fanwen/unusable/empty_body"] == 1
    assert rows(db, "SELECT unusable FROM crawls ORDER BY id DESC LIMIT 1") == [(len(UNUSABLE_CASES),)]


@pytest.mark.e2e
def test_reclean_of_a_new_corpus_decodes_the_stored_bytes_again(crawl_db, tmp_path):
    import shutil
    db = str(tmp_path / "copy.db")
    shutil.copy(crawl_db[0], db)
    before = dict(rows(db, "SELECT url, text FROM documents"))
    r = CliRunner().invoke(main, ["reclean", "--db", db, "--workers", "1"])
    assert r.exit_code == 0, r.output
    after = dict(rows(db, "SELECT url, text FROM documents"))
    assert after == before
    assert all(right(after[crawl_db[1][name]]) for name in ENCODING_CASES)
    assert rows(db, "SELECT count(*) FROM documents WHERE unusable IS NOT NULL") == [(0,)]


def test_an_old_corpus_opened_read_only_still_gives_its_pages(tmp_path):
    """The spider reads stored pages through a read-only connection, possibly before any migration."""
    from fanwen.store import Corpus
    db = str(tmp_path / "old.db")
    build_old_corpus(db, {"http://www.example.test/news/1.html": gbk_undeclared()})
    c = Corpus(db, readonly=True)
    assert right(c.pages_of(1)[0][1])
    assert [(u, right(h)) for u, h, _ in c.pages_since_last_finished_crawl()] == [
        ("http://www.example.test/news/1.html", True)]
    c.close()


def test_stored_bytes_are_decoded_by_the_one_decoder_when_read_back(tmp_path):
    """pages_of, stored_pages and the spider's catch-up read (pages_since_last_finished_crawl) on bytes as received."""
    from fanwen.pipeline import process_pages
    from fanwen.store import Corpus
    c = Corpus(str(tmp_path / "c.db"))
    crawl = c.begin_crawl(["example"])
    url = "http://www.example.test/news/5.html"
    body, ctype = ENCODING_CASES["gbk_served_as_utf8"]()
    doc = process_pages([(url, body, ctype)], url=url)
    assert right(doc.text) and doc.explain["decode"][0]["encoding"] == "gb18030"
    c.add_documents([(doc, [(url, body, ctype)])], crawl_id=crawl)
    c.finish_crawl(crawl, "interrupted")
    assert c.stored_pages(1) == [(url, body, ctype)]
    assert right(c.pages_of(1)[0][1])
    [(u, html, site)] = c.pages_since_last_finished_crawl()
    assert u == url and right(html)
    c.close()


def test_the_spider_reads_links_through_the_same_decoder():
    from scrapy.http import HtmlResponse, Request

    from crawler.spiders.fanwen import as_received, redecoded
    html = ("<html><body><a href='/news/12.html'>在全县春季植树造林动员会上的讲话</a>"
                                  "<p>同志们：今天召开全县春季植树造林动员会。</p></body></html>")
    body = html.encode("gbk")
    resp = HtmlResponse("http://www.example.test/news/list_1.html", body=body,
                        headers={"Content-Type": "text/html; charset=utf-8"}, request=Request("http://www.example.test/"))
    assert "植树造林" not in resp.text  # Scrapy takes the header at its word
    fixed = redecoded(resp)
    assert fixed.css("a::text").get() == "在全县春季植树造林动员会上的讲话" and fixed.encoding == "gb18030"
    assert as_received(fixed) == ("http://www.example.test/news/list_1.html", body, "text/html; charset=utf-8")


def test_ingest_takes_the_canonical_url_of_saved_pages_in_any_encoding(runner, tmp_path):
    """The parent finds <link rel=canonical>/og:url in the bytes (no decode) and decodes only when it cannot
    decide: a UTF-16 page, a URL with raw Chinese characters in GBK. Each page is stored under its own URL."""
    from fanwen.ingest import url_from_html, url_from_page
    from cleaners.decode import decode_html

    def body(n):  # each page its own text, so that none is an exact copy of another
        return "".join(f"<p>{p}</p>" for p in PARAGRAPHS[n:] + PARAGRAPHS[:n])

    pages = {
        "utf8.html": ('<html><head><meta charset="utf-8"><link rel="canonical" href="http://u.example.test/1.html">'
                      f"<title>{TITLE}</title></head><body>{body(0)}</body></html>").encode("utf-8"),
        "gbk.html": ('<html><head><meta charset="gbk"><link rel=canonical href="http://g.example.test/讲话.html">'
                     f"<title>{TITLE}</title></head><body>{body(1)}</body></html>").encode("gbk"),
        "utf16.html": ('<html><head><meta property="og:url" content="http://w.example.test/16.html">'
                       f"<title>{TITLE}</title></head><body>{body(2)}</body></html>").encode("utf-16"),
        "relative.html": ('<html><head><link rel="canonical" href="/r.html"><meta property="og:url" '
                          f'content="http://r.example.test/og.html"><title>{TITLE}</title></head><body>{body(3)}'
                          "</body></html>").encode("utf-8"),
    }
    for b in pages.values():  # the same answer as decoding the whole page first
        assert url_from_page(b) == url_from_html(decode_html(b))
    folder = tmp_path / "saved"
    folder.mkdir()
    for name, b in pages.items():
        (folder / name).write_bytes(b)
    db = str(tmp_path / "c.db")
    r = runner.invoke(main, ["ingest", str(folder), "--db", db, "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert sorted(u for (u,) in rows(db, "SELECT url FROM documents")) == sorted(
        ["http://u.example.test/1.html", "http://g.example.test/讲话.html", "http://w.example.test/16.html",
         "http://r.example.test/og.html"]), r.output
