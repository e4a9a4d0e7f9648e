"""Crawl health: per-site counts in crawl_sites, errors by kind in crawls, yield alerts on a layout change.

Real crawls of the demo sites through the real spider and pipeline; the demo server's test-only switches answer
chosen pages with an HTTP error or a robots.txt Disallow, or serve one site's articles with a broken layout.
"""
import json
import sqlite3
import subprocess
import sys

import pytest

from fanwen import health
from fanwen.crawl import run_crawl
from fanwen.demo import build_demo
from fanwen.demo.server import DemoServer
from fanwen.store import Corpus

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo():
    return build_demo()


def _row(site="s", crawl_id=1, articles=30, documents=30, speeches=9, extract_errors=0, unusable=0, requests=40,
         http=None):
    return {"crawl_id": crawl_id, "site": site, "requests": requests, "article_pages": articles,
            "documents": documents, "speeches": speeches, "extract_errors": extract_errors,
            "unusable_pages": unusable, "http_errors": json.dumps(http or {})}


def test_alert_rules_compare_a_site_with_its_own_recent_runs():
    history = [_row(crawl_id=i) for i in (5, 4, 3, 2, 1)]
    assert health.alerts_for(_row(crawl_id=6), history) == []
    assert health.alerts_for(_row(crawl_id=6, documents=20, speeches=6), history) == []  # within a third
    speeches = health.alerts_for(_row(crawl_id=6, speeches=2), history)
    assert len(speeches) == 1 and "speeches per article fetched fell to 0.07" in speeches[0]
    both = health.alerts_for(_row(crawl_id=6, documents=5, speeches=0), history)
    assert len(both) == 2
    failures = health.alerts_for(_row(crawl_id=6, extract_errors=4, unusable=5), history)
    assert len(failures) == 1 and "jumped to 0.30" in failures[0]
    blocked = health.alerts_for(_row(crawl_id=6, articles=0, documents=0, speeches=0, http={"403": 40}), history)
    assert len(blocked) == 1 and "blocked" in blocked[0]
    assert health.alerts_for(_row(crawl_id=6, speeches=0), []) == []  # no history: nothing to compare with
    # a run that fetched (almost) no articles, e.g. an incremental run with nothing new, says nothing
    assert health.alerts_for(_row(crawl_id=6, articles=2, documents=0, speeches=0), history) == []


def test_crawls_count_errors_by_kind_and_robots_apart(tmp_path, demo):
    db = str(tmp_path / "corpus.db")
    articles = [a for a in demo.focused_articles if a.site == "bgz" and len(a.page_urls) == 1]
    not_found, forbidden, unavailable, disallowed, unstorable = articles[:5]
    faults = {not_found.page_urls[0]: 404, forbidden.page_urls[0]: 403, unavailable.page_urls[0]: 503,
              disallowed.page_urls[0]: "robots"}
    corpus = Corpus(db)  # a storage failure for one document (as a full disk would), the crawl goes on
    corpus.db.execute(f"CREATE TRIGGER fail_one BEFORE INSERT ON documents WHEN NEW.url = "
                      f"'{unstorable.canonical_url}' BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END")
    corpus.close()
    with DemoServer(demo, faults=faults) as server:
        run_crawl(db, demo=True, proxy=server.proxy_url, sites=["bgz"], workers=1)
        fetched = [u for u, _ in server.requests]
    assert disallowed.page_urls[0] not in fetched
    assert fetched.count(unavailable.page_urls[0]) == 4  # retried, then counted once as a final 503
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    crawl = dict(conn.execute("SELECT * FROM crawls").fetchone())
    assert json.loads(crawl["error_counts"]) == {"http_403": 1, "http_404": 1, "http_503": 1, "storage": 1}
    assert crawl["errors"] == 4 and crawl["robots_blocked"] == 1 and crawl["status"] == "finished"
    site = dict(conn.execute("SELECT * FROM crawl_sites").fetchone())
    total = sum(1 for a in demo.focused_articles if a.site == "bgz")
    stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert site["site"] == "bgz" and site["crawl_id"] == crawl["id"]
    assert site["article_pages"] == total - 4  # 404, 403, 503 and the robots-blocked one were not fetched
    assert site["documents"] == stored == total - 5
    assert site["speeches"] == conn.execute("SELECT count(*) FROM documents WHERE label = 'speech'").fetchone()[0]
    assert json.loads(site["http_errors"]) == {"403": 1, "404": 1, "503": 1}
    assert site["storage_errors"] == 1 and site["robots_blocked"] == 1 and site["extract_errors"] == 0
    assert site["requests"] == len([u for u in fetched if not u.endswith("/robots.txt")])
    assert site["list_pages"] > 0 and site["seconds"] > 0
    from click.testing import CliRunner

    from fanwen.cli import main
    shown = CliRunner().invoke(main, ["stats", "--db", db, "--json"])
    assert shown.exit_code == 0, shown.output
    last = json.loads(shown.output)["crawls"][0]
    assert json.loads(last["error_counts"])["http_404"] == 1 and last["robots_blocked"] == 1


def _forget_site(db: str, site: str) -> None:
    """As if the site had published new articles since: its stored documents are removed."""
    conn = sqlite3.connect(db)
    ids = f"SELECT id FROM documents WHERE site = '{site}'"
    conn.execute(f"DELETE FROM pages WHERE document_id IN ({ids})")
    conn.execute(f"DELETE FROM links WHERE doc_a IN ({ids}) OR doc_b IN ({ids})")
    conn.execute(f"DELETE FROM documents WHERE site = '{site}'")
    conn.commit()
    conn.close()


def test_a_layout_change_raises_an_alert_and_fail_on_alert_exits_non_zero(tmp_path, demo):
    db = str(tmp_path / "corpus.db")
    sites = ["sanweiyuan", "wmjy"]
    cmd = [sys.executable, "-m", "fanwen.cli", "crawl", "--db", db, "--fail-on-alert", "--workers", "1"]
    with DemoServer(demo) as server:
        for site in sites:
            cmd += ["--site", site]
        cmd += ["--demo-proxy", server.proxy_url]
        first = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "ALERT" not in first.stderr

    _forget_site(db, "sanweiyuan")  # the next run fetches its articles again, now in the new layout
    with DemoServer(demo, broken_site="sanweiyuan") as server:
        cmd[cmd.index("--demo-proxy") + 1] = server.proxy_url
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert second.returncode == 3, second.stderr[-2000:]
    alerts = [line for line in second.stderr.splitlines() if line.startswith("ALERT")]
    assert alerts and all(line.startswith("ALERT sanweiyuan:") for line in alerts), alerts
    assert any("speeches per article fetched fell to 0.00" in line for line in alerts)
    assert "Traceback" not in second.stderr

    # the same alert in `fanwen stats --health`, and its exit code for cron
    health_cmd = [sys.executable, "-m", "fanwen.cli", "stats", "--health", "--db", db]
    shown = subprocess.run(health_cmd + ["--json"], capture_output=True, text=True, timeout=60)
    report = json.loads(shown.stdout)
    assert report["alerts"] == [line[len("ALERT "):] for line in alerts]
    by_site = {r["site"]: r for r in report["sites"]}
    assert by_site["sanweiyuan"]["article_pages"] > 0 and by_site["sanweiyuan"]["speeches"] == 0
    assert subprocess.run(health_cmd + ["--fail-on-alert"], capture_output=True, timeout=60).returncode == 3
    # without the layout change (wmjy) no alert: its latest run fetched nothing new, it is judged on nothing
    assert not any(line.startswith("wmjy") for line in report["alerts"])
