"""A crawl of a hostile site (tests/fault_server.py on 127.0.0.1) through the real spider, settings and pipeline.

The site's config comes from a temporary --sites-dir. One crawl is shared by the tests of this module.
"""
import sqlite3
import time
from urllib.parse import unquote, urlsplit

import pytest

from fanwen.crawl import run_crawl
from fault_server import (BAD, DOMAIN, GOOD, HOST, RETRY_AFTER, ROBOTS_BLOCKED, SITE_TOML, FaultServer,
                                article_paragraphs)

pytestmark = pytest.mark.e2e

# short timeouts so the hang and the trickle cost seconds, not minutes; the defaults are in crawler/settings.py
FAST = {"DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 1, "FANWEN_RETRY_BACKOFF_BASE": 0.1, "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False}
CRAWL_BOUND = 90  # seconds


def make_sites_dir(tmp_path):
    sites = tmp_path / "my-sites"
    sites.mkdir()
    (sites / "faultsite.toml").write_text(SITE_TOML, encoding="utf-8")
    return sites


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    db = str(tmp / "corpus.db")
    with FaultServer() as server:
        started = time.monotonic()
        stats = run_crawl(db, sites_dir=str(make_sites_dir(tmp)), proxy=server.proxy_url, workers=1, settings=FAST)
        seconds = time.monotonic() - started
        requests = list(server.requests)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return {"db": db, "conn": conn, "stats": stats, "seconds": seconds, "requests": requests}


def test_no_request_leaves_the_configured_domain(crawled):
    hosts = {urlsplit(url).hostname for _, url in crawled["requests"]}
    assert hosts == {HOST}, hosts
    assert all(h == DOMAIN or h.endswith("." + DOMAIN) for h in hosts)


def test_robots_txt_in_gbk_behind_a_bom_is_obeyed(crawled):
    paths = {unquote(urlsplit(url).path, encoding="utf-8", errors="replace") for _, url in crawled["requests"]}
    raw = {urlsplit(url).path for _, url in crawled["requests"]}
    for blocked in ROBOTS_BLOCKED:
        assert blocked not in raw and unquote(blocked) not in paths
    assert not any(p.startswith(("/讲话/", "/member/")) for p in paths)
    assert crawled["stats"].get("robotstxt/forbidden", 0) >= len(ROBOTS_BLOCKED)


def test_every_good_article_is_stored_complete(crawled):
    rows = {urlsplit(r["url"]).path.rsplit("/", 1)[-1][:-5]: r["text"]
            for r in crawled["conn"].execute("SELECT url, text FROM documents")}
    for name, n in GOOD.items():
        assert name in rows, f"{name} not stored"
        for paragraph in article_paragraphs(n):
            assert paragraph in rows[name], (name, paragraph)


def test_nothing_unusable_is_stored(crawled):
    urls = {r["url"] for r in crawled["conn"].execute("SELECT url FROM documents")}
    names = {urlsplit(u).path.rsplit("/", 1)[-1][:-5] for u in urls}
    assert not names & set(BAD), names & set(BAD)
    assert names == set(GOOD), names - set(GOOD)
    assert not [u for u in urls if urlsplit(u).hostname != HOST]
    assert crawled["conn"].execute("SELECT count(*) FROM documents WHERE chars = 0 OR text = ''").fetchone()[0] == 0


def test_retry_after_is_honoured_for_the_whole_site(crawled):
    times = [t for t, url in crawled["requests"] if urlsplit(url).path == "/a/slowdown.html"]
    assert len(times) == 2
    assert times[1] - times[0] >= RETRY_AFTER - 0.1
    # the site's slot is paused, not only the retried request: nothing new starts during the pause
    # (one request already handed to the other slot may still arrive)
    during = [u for t, u in crawled["requests"] if times[0] + 0.2 < t < times[0] + RETRY_AFTER - 0.2]
    assert len(during) <= 1, during


def test_faults_are_retried_then_given_up(crawled):
    count = lambda path: sum(1 for _, u in crawled["requests"] if urlsplit(u).path == path)  # noqa: E731
    assert count("/a/flaky.html") == 2  # 500 then 200
    assert count("/a/dead.html") == 2  # 503, one retry (RETRY_TIMES = 1 here), given up
    assert count("/a/gone.html") == 1 and count("/a/forbidden.html") == 1  # 404/403 are not retried
    assert count("/a/loop.html") + count("/a/loop2.html") <= 7  # REDIRECT_MAX_TIMES
    assert count("/list/20.html") == 0  # endless pagination stops at DEPTH_LIMIT
    assert sum(1 for _, u in crawled["requests"] if "/cal/" in u) <= 30  # the calendar trap too


def test_urls_that_timed_out_are_retried_in_the_slow_lane(crawled):
    for path in ("/a/hang.html", "/a/trickle.html"):
        assert sum(1 for _, url in crawled["requests"] if urlsplit(url).path == path) == 2, path
    assert crawled["stats"].get("fanwen/slow_lane_retries", 0) >= 2  # the hang and the trickle at least


def test_the_crawl_ends_within_a_bound_and_is_logged(crawled):
    assert crawled["seconds"] < CRAWL_BOUND
    row = crawled["conn"].execute("SELECT status, new_documents FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
    assert row["status"] == "finished" and row["new_documents"] == len(GOOD)
    assert crawled["stats"].get("fanwen/retry_after_pauses") == 1
    assert crawled["stats"].get("fanwen/unusable_pages", 0) >= 3  # empty, ads-only, PNG served as HTML
    # the 50 MB page and the gzip bomb; the crawl process's own peak (memusage/max carries the test runner's, see
    # crawler.sitestats.peak_rss_bytes)
    assert 0 < crawled["stats"].get("fanwen/peak_rss", 0) < 400 * 1024 * 1024


def test_the_database_is_sound(crawled):
    assert crawled["conn"].execute("PRAGMA integrity_check").fetchone()[0] == "ok"
