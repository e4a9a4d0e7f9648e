"""Distributed crawl on scrapy-redis with a real redis-server on a free loopback port, real crawler processes, one
writer, the demo sites on 127.0.0.1: the same corpus as a plain demo, no URL fetched twice, kill -9 of a crawler or
of the writer loses nothing and stores nothing twice.
"""
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from corpus_probe import count_documents

from crawler.siteconfig import DEMO_SUFFIX, load_sites
from fanwen.crawl import run_crawl
from fanwen.demo import build_demo
from fanwen.demo.server import DemoServer

pytestmark = pytest.mark.e2e
redis = pytest.importorskip("redis", reason="the distributed extra is not installed: pip install -e '.[test]'")
pytest.importorskip("scrapy_redis", reason="the distributed extra is not installed: pip install -e '.[test]'")

KILL_SITES = ["bgz", "wmjy", "zhuanti"]  # enough articles to kill mid-crawl, few enough to keep the tests short


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int, data_dir, appendonly: bool = False) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server not installed (apt-get install -y redis-server; .ci/run installs it)")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "yes" if appendonly else "no", "--appendfsync", "always",
                             "--dir", str(data_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis.from_url(f"redis://127.0.0.1:{port}/0")
    deadline = time.time() + 10
    while True:
        try:
            client.ping()
            return proc
        except redis.ConnectionError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.skip("redis-server did not start on 127.0.0.1")
            time.sleep(0.05)


@pytest.fixture
def redis_url(tmp_path):
    port = _free_port()
    proc = _start_redis(port, tmp_path)
    yield f"redis://127.0.0.1:{port}/0"
    proc.kill()
    proc.wait()


@pytest.fixture(scope="module")
def demo():
    return build_demo()


def _docs(db: str) -> dict:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT url, label, cluster_id, title, text FROM documents").fetchall()
    clusters: dict = {}
    for url, _label, cluster, _t, _x in rows:
        clusters.setdefault(cluster, set()).add(url)
    speeches = {r[0] for r in conn.execute("SELECT url FROM speeches")}
    pages = conn.execute("SELECT url, count(*) FROM pages GROUP BY url HAVING count(*) > 1").fetchall()
    conn.close()
    return {"urls": sorted(r[0] for r in rows), "labels": {r[0]: r[1] for r in rows},
            "texts": {r[0]: (r[3], r[4]) for r in rows},
            "clusters": {frozenset(c) for c in clusters.values()}, "speeches": speeches, "pages_twice": pages}


def _fetched_twice(requests) -> list:
    counts = Counter(u for u, _status in requests if not u.endswith("/robots.txt"))
    return [u for u, n in counts.items() if n > 1]


def test_two_crawlers_and_a_writer_build_the_same_corpus_as_a_plain_demo(tmp_path, redis_url, demo):
    from fanwen.distributed import run_demo

    plain_db, dist_db = str(tmp_path / "plain.db"), str(tmp_path / "distributed.db")
    with DemoServer(demo) as server:
        run_crawl(plain_db, demo=True, proxy=server.proxy_url, workers=1)
        server.clear_requests()
        totals = run_demo(redis_url, dist_db, crawlers=2, workers=1, server=server)
        requests = server.snapshot()
    assert totals["status"] == "finished"
    plain, dist = _docs(plain_db), _docs(dist_db)
    assert dist["urls"] == plain["urls"] == sorted(a.canonical_url for a in demo.focused_articles)
    assert dist["labels"] == plain["labels"] and dist["texts"] == plain["texts"]
    assert dist["clusters"] == plain["clusters"]
    assert dist["speeches"] == plain["speeches"]
    assert not dist["pages_twice"]
    assert not _fetched_twice(requests)  # across both processes (robots.txt: once per process)
    stats = totals["crawler_stats"]
    assert len(stats) == 2 and all(s["fanwen/pushed_items"] > 0 for s in stats)  # both did a share
    conn = sqlite3.connect(dist_db)
    crawl = conn.execute("SELECT status, command, new_documents, errors FROM crawls").fetchone()
    assert crawl == ("finished", "distributed", len(demo.focused_articles), 0)
    site_docs = dict(conn.execute("SELECT site, documents FROM crawl_sites"))
    assert site_docs == dict(Counter(a.site for a in demo.focused_articles))
    # the crawl's state is gone from Redis, the known set holds every stored URL for the next crawl
    client = redis.Redis.from_url(redis_url)
    assert not client.exists("fanwen:crawl", "fanwen:requests", "fanwen:items", "fanwen:items:processing")
    assert client.scard("fanwen:known") >= len(demo.focused_articles)


# ---------------------------------------------------------------------------------------------- kill -9
def _cli(*args, **kwargs) -> subprocess.Popen:
    # a session of its own, so that kill -9 reaches the crawler with its Scrapy child and extraction workers
    return subprocess.Popen([sys.executable, "-m", "fanwen.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kwargs)


def _crawl_cmd(redis_url: str, proxy: str) -> list[str]:
    cmd = ["crawl", "--redis", redis_url, "--demo-proxy", proxy, "--workers", "1"]
    for site in KILL_SITES:
        cmd += ["--site", site]
    return cmd


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=30)


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


_stored = count_documents


@pytest.fixture
def cleanup():
    procs: list[subprocess.Popen] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            _kill_group(p)


def test_kill_9_of_a_crawler_the_other_finishes_and_a_restarted_one_resumes(tmp_path, redis_url, demo, cleanup):
    db = str(tmp_path / "corpus.db")
    expected = sorted(a.canonical_url for a in demo.focused_articles if a.site in KILL_SITES)
    client = redis.Redis.from_url(redis_url)
    # 0.5 s per response: the crawl outlasts a crawler's restart, so the restarted one still finds work
    with DemoServer(demo, latency=0.5) as server:
        writer = _cli("write", "--redis", redis_url, "--db", db)
        cleanup.append(writer)
        _wait_for(lambda: client.exists("fanwen:crawl"), 60, "the writer to begin the crawl")
        crawlers = [_cli(*_crawl_cmd(redis_url, server.proxy_url)) for _ in range(2)]
        cleanup.extend(crawlers)
        _wait_for(lambda: _stored(db) >= 15, 120, "documents to be stored")
        victim = crawlers[0]
        in_flight = sum(client.zcard(k) for k in client.keys("fanwen:inflight:*"))
        _kill_group(victim)
        fetched_at_kill = len(server.snapshot())
        restarted = _cli(*_crawl_cmd(redis_url, server.proxy_url))
        cleanup.append(restarted)
        out_w, err_w = writer.communicate(timeout=240)
        out_other, err_other = crawlers[1].communicate(timeout=60)
        out_new, err_new = restarted.communicate(timeout=60)
        requests = server.snapshot()
    assert writer.returncode == 0, err_w[-2000:]
    assert crawlers[1].returncode == 0, err_other[-2000:]
    assert restarted.returncode == 0, err_new[-2000:]
    assert "Traceback" not in err_w + err_other + err_new
    assert "finished" in out_w
    recovered = [line for line in (err_other + err_new).splitlines() if "died:" in line]
    assert len(recovered) == 1, recovered  # one of the live crawlers put the dead one's requests back
    print(recovered[0], "fetched twice:", len(_fetched_twice(requests)))
    docs = _docs(db)
    assert docs["urls"] == expected and not docs["pages_twice"]
    # the restarted crawler carried on from the shared frontier: it fetched pages, but no start page again
    assert int(out_new.split(" requests")[0].rsplit(" ", 1)[-1]) > 0, out_new
    sites = load_sites()
    start_urls = {u for name in KILL_SITES for u in sites[name].rehost(DEMO_SUFFIX).start_urls}
    assert start_urls
    assert all(Counter(u for u, _ in requests)[u] <= 1 for u in start_urls)
    # only what the killed crawler held in flight may have been fetched a second time
    assert len(_fetched_twice(requests)) <= max(in_flight, 1) + 8, (_fetched_twice(requests), in_flight)
    assert len(requests) > fetched_at_kill
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM crawls").fetchone()[0] == "finished"


def test_kill_9_of_the_writer_a_restarted_writer_stores_every_pending_item_once(tmp_path, redis_url, demo,
                                                                                 cleanup):
    db = str(tmp_path / "corpus.db")
    expected = sorted(a.canonical_url for a in demo.focused_articles if a.site in KILL_SITES)
    client = redis.Redis.from_url(redis_url)
    with DemoServer(demo) as server:
        writer = _cli("write", "--redis", redis_url, "--db", db, "--batch", "4")
        cleanup.append(writer)
        _wait_for(lambda: client.exists("fanwen:crawl"), 60, "the writer to begin the crawl")
        crawler = _cli(*_crawl_cmd(redis_url, server.proxy_url))
        cleanup.append(crawler)
        _wait_for(lambda: _stored(db) >= 8, 120, "documents to be stored")
        _kill_group(writer)
        stored_at_kill = _stored(db)
        # the crawler goes on pushing while no writer runs
        _wait_for(lambda: client.llen("fanwen:items") >= 10, 120, "items to queue up")
        pending = client.llen("fanwen:items") + client.llen("fanwen:items:processing")
        restarted = _cli("write", "--redis", redis_url, "--db", db)
        cleanup.append(restarted)
        out_c, err_c = crawler.communicate(timeout=240)
        out_w, err_w = restarted.communicate(timeout=120)
    assert crawler.returncode == 0, err_c[-2000:]
    assert restarted.returncode == 0, err_w[-2000:]
    assert pending > 0 and 0 < stored_at_kill < len(expected)
    docs = _docs(db)
    assert docs["urls"] == expected and not docs["pages_twice"]
    pushed = int(out_c.split(" documents pushed")[0].rsplit(" ", 1)[-1])
    assert pushed == len(expected)  # every item pushed once, and each one stored once
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), min(status) FROM crawls").fetchone() == (1, "finished")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not client.exists("fanwen:items", "fanwen:items:processing")


def test_cli_refuses_a_crawler_without_a_writer_and_an_unreachable_redis(tmp_path):
    from click.testing import CliRunner

    from fanwen.cli import main

    port = _free_port()  # nothing listens there
    r = CliRunner().invoke(main, ["write", "--redis", f"redis://127.0.0.1:{port}/0", "--db", str(tmp_path / "c.db")])
    assert r.exit_code == 1 and "cannot reach Redis" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["crawl", "--redis", "nonsense://x", "--db", str(tmp_path / "c.db")])
    assert r.exit_code == 1 and "not a Redis URL" in r.output


def test_a_crawler_waits_for_the_writer_then_says_so(redis_url, monkeypatch):
    from fanwen import distributed

    with pytest.raises(distributed.DistributedError, match="no writer began a crawl"):
        distributed.wait_for_crawl(redis_url, timeout=0.5)
    settings = distributed.crawl_settings(redis_url)
    assert settings["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"


def test_redis_killed_and_restarted_with_its_data_the_crawl_carries_on(tmp_path, demo, cleanup):
    """kill -9 of redis-server mid-crawl, back 3 s later from its append-only file: nothing to do, nothing lost."""
    port = _free_port()
    data = tmp_path / "redis"
    data.mkdir()
    server_proc = _start_redis(port, data, appendonly=True)
    url = f"redis://127.0.0.1:{port}/0"
    db = str(tmp_path / "corpus.db")
    sites = KILL_SITES[:2]
    expected = sorted(a.canonical_url for a in demo.focused_articles if a.site in sites)
    try:
        with DemoServer(demo) as server:
            writer = _cli("write", "--redis", url, "--db", db)
            cleanup.append(writer)
            _wait_for(lambda: redis.Redis.from_url(url).exists("fanwen:crawl"), 60, "the writer to begin the crawl")
            crawler = _cli("crawl", "--redis", url, "--demo-proxy", server.proxy_url, "--workers", "1",
                           *[arg for site in sites for arg in ("--site", site)])
            cleanup.append(crawler)
            _wait_for(lambda: _stored(db) >= 5, 120, "documents to be stored")
            server_proc.kill()
            server_proc.wait()
            time.sleep(3)
            server_proc = _start_redis(port, data, appendonly=True)
            out_w, err_w = writer.communicate(timeout=180)
            out_c, err_c = crawler.communicate(timeout=60)
    finally:
        server_proc.kill()
        server_proc.wait()
    assert writer.returncode == 0, err_w[-2000:]
    assert crawler.returncode == 0, err_c[-2000:]
    assert "Traceback" not in err_w + err_c
    assert _docs(db)["urls"] == expected


def test_cli_demo_with_redis_and_a_request_budget(tmp_path, redis_url):
    """`fanwen demo --redis URL --crawlers 2` through the CLI; each crawler stops at its budget, the writer ends the
    crawl as budget_reached with what was pushed stored, and the next crawl starts clean."""
    from click.testing import CliRunner

    from fanwen.cli import main

    db = str(tmp_path / "corpus.db")
    r = CliRunner().invoke(main, ["demo", "--db", db, "--redis", redis_url, "--crawlers", "2",
                                  "--max-requests", "40"])
    assert r.exit_code == 0, r.output
    assert "distributed demo crawl budget_reached (2 crawlers, 1 writer)" in r.output
    conn = sqlite3.connect(db)
    status, new, requests = conn.execute("SELECT status, new_documents, requests FROM crawls").fetchone()
    stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert status == "budget_reached" and new == stored > 0 and 40 <= requests <= 2 * 40 + 10
    client = redis.Redis.from_url(redis_url)
    assert not client.exists("fanwen:crawl", "fanwen:requests", "fanwen:dupefilter")
    assert client.scard("fanwen:known") >= stored
