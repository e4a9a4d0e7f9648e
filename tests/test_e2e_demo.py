"""End to end: serve the demo sites on 127.0.0.1, crawl them with the real spider and pipeline, check corpus.db.

One full crawl is shared by the tests of this module (module-scoped fixture); it takes well under a minute.
"""
import json
import re
import sqlite3
from collections import Counter

import pytest

from fanwen.crawl import run_crawl
from fanwen.demo import build_demo
from fanwen.demo.server import DemoServer

pytestmark = pytest.mark.e2e

# boilerplate phrases from ../shared/SITES.md that must never survive into a stored text
BOILERPLATE = ["下面是小编", "小编为大家", "供大家参考", "由会员分享", "请在第壹文秘上搜索", "配套讲稿", "特殊限制",
               "推荐访问", "猜你喜欢", "相关推荐", "热门文章", "欢迎光临", "Powered by Discuz", "打印本页",
               "由互联网用户分享整理", "文章地址", "预览结束", "联系老师", "阅读全文", "需要先登陆", "联系客服",
               "一文来源于网友上传", "本站为你精心整理", "德育素材网提供", "当前位置", "以稿换稿", "全文约",
               "请下载后阅读", "复制链接", "显示全部楼层", "立即注册", "投稿作者", "来源:网友投稿"]


@pytest.fixture(scope="module")
def demo():
    return build_demo()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, demo):
    db = str(tmp_path_factory.mktemp("demo") / "corpus.db")
    with DemoServer() as server:
        first = run_crawl(db, demo=True, proxy=server.proxy_url, workers=2)
        first_requests = list(server.requests)
        del server.requests[:]
        second = run_crawl(db, demo=True, proxy=server.proxy_url, workers=2)
        second_requests = list(server.requests)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return {"db": db, "conn": conn, "first": first, "second": second, "first_requests": first_requests,
            "second_requests": second_requests}


def _rows(conn, sql, *params):
    return [dict(r) for r in conn.execute(sql, params)]


def test_every_demo_article_is_stored_once(crawled, demo):
    urls = [r["url"] for r in _rows(crawled["conn"], "SELECT url FROM documents")]
    assert len(urls) == len(set(urls))
    expected = {a.canonical_url for a in demo.focused_articles}
    assert set(urls) == expected


def test_speeches_view_has_one_row_per_demo_speech(crawled, demo):
    speeches = _rows(crawled["conn"], "SELECT id, url, cluster_id FROM speeches")
    by_url = {a.canonical_url: a for a in demo.articles}
    sources = Counter(by_url[s["url"]].source_id for s in speeches)
    expected = {a.source_id for a in demo.articles if a.label == "speech" and "+" not in a.source_id}
    assert set(sources) - {s for s in sources if "+" in s} == expected
    assert all(n == 1 for src, n in sources.items() if "+" not in src), sources


def test_labels_match_the_demo_truth(crawled, demo):
    rows = {r["url"]: r["label"] for r in _rows(crawled["conn"], "SELECT url, label FROM documents")}
    wrong = [(a.canonical_url, a.label, rows.get(a.canonical_url)) for a in demo.focused_articles
             if (a.label == "speech") != (rows.get(a.canonical_url) == "speech")]
    assert not wrong


def test_no_boilerplate_left_in_text(crawled):
    leftovers = []
    for r in _rows(crawled["conn"], "SELECT url, text FROM documents"):
        leftovers += [(r["url"], p) for p in BOILERPLATE if p in r["text"]]
    assert not leftovers


def test_every_document_has_cluster_and_flags(crawled):
    bad = _rows(crawled["conn"], "SELECT url FROM documents WHERE cluster_id IS NULL OR truncated IS NULL "
                                 "OR mangled IS NULL OR placeholders IS NULL OR script IS NULL OR label IS NULL")
    assert not bad


def test_copies_share_a_cluster_and_the_canonical_is_complete(crawled, demo):
    conn = crawled["conn"]
    by_url = {a.canonical_url: a for a in demo.articles}
    clusters = {}
    for r in _rows(conn, "SELECT url, cluster_id, is_canonical, truncated FROM documents"):
        a = by_url[r["url"]]
        if a.label == "speech" and "+" not in a.source_id:
            clusters.setdefault(a.source_id, set()).add(r["cluster_id"])
            if r["is_canonical"]:
                complete = [b for b in demo.articles if b.source_id == a.source_id and not b.truncated]
                assert not r["truncated"] or not complete, r["url"]
    assert all(len(c) == 1 for c in clusters.values()), {k: v for k, v in clusters.items() if len(v) > 1}


def test_discuz_thread_stored_once(crawled, demo):
    forum = [a for a in demo.focused_articles if a.site == "caiyes"]
    assert forum
    stored = _rows(crawled["conn"], "SELECT url FROM documents WHERE site = 'caiyes'")
    assert sorted(r["url"] for r in stored) == sorted(a.canonical_url for a in forum)
    assert all("mod=viewthread&tid=" in r["url"] for r in stored)


def test_second_run_fetches_no_article_twice_and_adds_nothing(crawled, demo):
    assert crawled["second"].get("fanwen/new_documents", 0) == 0
    article_pages = {u for a in demo.articles for u in a.page_urls}
    refetched = [u for u, _status in crawled["second_requests"] if u in article_pages]
    assert not refetched
    last = _rows(crawled["conn"], "SELECT * FROM crawls ORDER BY id DESC LIMIT 2")
    assert last[0]["new_documents"] == 0 and last[0]["status"] == "finished"
    assert last[1]["new_documents"] == len(demo.focused_articles)


def test_first_run_fetched_each_page_once_and_obeyed_robots(crawled):
    urls = [u for u, _status in crawled["first_requests"]]
    pages = Counter(u for u in urls if not u.endswith("/robots.txt"))
    assert max(pages.values()) == 1, [u for u, n in pages.items() if n > 1]
    assert not [u for u in urls if re.search(r"/(member|plus)/", u)]
    assert all(".test" in u.split("/")[2] for u in urls)


def test_fts_finds_two_character_words(crawled):
    from fanwen.fts import search_where
    conn = crawled["conn"]
    for word in ("招商", "项目", "营商环境"):
        where, params = search_where(word)
        hits = conn.execute(f"SELECT count(*) FROM documents WHERE {where}", params).fetchone()[0]
        like = conn.execute("SELECT count(*) FROM documents WHERE title LIKE ? OR text LIKE ?",
                            [f"%{word}%", f"%{word}%"]).fetchone()[0]
        assert hits == like > 0, word


def test_budget_then_interrupt_then_resume_loses_nothing(tmp_path, demo):
    """A crawl cut short (request budget, then Ctrl-C) keeps what it stored; the next run carries on to the end."""
    import os
    import signal
    import subprocess
    import sys
    import time

    db = str(tmp_path / "corpus.db")
    with DemoServer() as server:
        partial = run_crawl(db, demo=True, proxy=server.proxy_url, max_requests=60, workers=1)
        assert partial["finish_reason"] == "budget_reached"
        conn = sqlite3.connect(db)
        stored_after_budget = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert 0 < stored_after_budget < len(demo.focused_articles)
        assert conn.execute("SELECT status FROM crawls ORDER BY id DESC").fetchone()[0] == "budget_reached"

        # Ctrl-C in the middle of a crawl: the CLI passes it on, Scrapy stops gracefully
        cmd = [sys.executable, "-m", "fanwen.cli", "demo", "--db", db]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            n = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            if n >= stored_after_budget + 10:
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=120)
        assert "Traceback" not in out
        stored_after_interrupt = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert stored_after_interrupt >= stored_after_budget + 10
        assert conn.execute("SELECT status FROM crawls ORDER BY id DESC").fetchone()[0] in ("interrupted", "finished")

        final = run_crawl(db, demo=True, proxy=server.proxy_url, workers=1)
    urls = [r[0] for r in conn.execute("SELECT url FROM documents")]
    assert sorted(urls) == sorted(a.canonical_url for a in demo.focused_articles)
    # (Scrapy sets the stat only when something is stored: an interrupted run that got to the end leaves 0 to do)
    assert final.get("fanwen/new_documents", 0) == len(demo.focused_articles) - stored_after_interrupt


def _copy_db(src: str, dst: str) -> None:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


def _partition(db: str) -> set[frozenset]:
    conn = sqlite3.connect(db)
    groups = {}
    for url, cluster in conn.execute("SELECT url, cluster_id FROM documents"):
        groups.setdefault(cluster, set()).add(url)
    conn.close()
    return {frozenset(g) for g in groups.values()}


def test_reclean_rebuilds_from_stored_pages_and_dedup_rebuild_is_stable(crawled, tmp_path):
    from click.testing import CliRunner
    from fanwen.cli import main

    db = str(tmp_path / "copy.db")
    _copy_db(crawled["db"], db)
    cols = "url, title, text, label, truncated, is_canonical"
    before = sorted(sqlite3.connect(db).execute(f"SELECT {cols} FROM documents").fetchall())
    partition = _partition(db)

    conn = sqlite3.connect(db)
    conn.execute("UPDATE documents SET text = '', title = '', label = 'other'")  # derived columns wiped
    conn.commit()
    conn.close()
    r = CliRunner().invoke(main, ["reclean", "--db", db, "--workers", "2"])
    assert r.exit_code == 0, r.output
    after = sorted(sqlite3.connect(db).execute(f"SELECT {cols} FROM documents").fetchall())
    assert after == before
    assert _partition(db) == partition

    r = CliRunner().invoke(main, ["dedup", "--rebuild", "--db", db])
    assert r.exit_code == 0, r.output
    assert _partition(db) == partition
