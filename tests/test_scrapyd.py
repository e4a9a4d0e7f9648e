"""Scrapyd: a real `scrapyd` on a free loopback port runs the `fanwen` spider (the project as installed, declared in
the [settings] section of scrapyd.conf and of the scrapy.cfg in scrapyd's working directory) through schedule.json into a given corpus, against the demo sites on 127.0.0.1."""
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from fanwen.demo import build_demo
from fanwen.demo.server import DemoServer

pytestmark = pytest.mark.e2e
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the API is on loopback, never proxied


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, path: str, data: list | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with NO_PROXY.open(f"{base}/{path}", data=body, timeout=10) as r:
        return json.loads(r.read())


def test_scrapyd_schedule_json_runs_a_demo_crawl_into_the_given_corpus(tmp_path):
    binary = shutil.which("scrapyd")
    if not binary:
        pytest.skip("scrapyd not installed (pip install -e '.[test]')")
    port = _free_port()
    (tmp_path / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\n"
        f"eggs_dir = {tmp_path / 'eggs'}\nlogs_dir = {tmp_path / 'logs'}\ndbs_dir = {tmp_path / 'dbs'}\n"
        "items_dir =\njobs_dir =\n\n[settings]\nfanwen = crawler.settings\n")
    # scrapyd's `scrapy list` and `scrapy crawl` find the project's settings module here (Scrapy's own lookup)
    (tmp_path / "scrapy.cfg").write_text("[settings]\nfanwen = crawler.settings\n")
    db = tmp_path / "corpus.db"
    demo = build_demo()
    with DemoServer(demo) as server:
        env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy")}
        env["http_proxy"] = server.proxy_url  # the crawl reaches the demo sites through the demo server only
        proc = subprocess.Popen([binary], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 30
            while True:
                try:
                    assert _api(base, "daemonstatus.json")["status"] == "ok"
                    break
                except OSError:
                    if time.time() > deadline or proc.poll() is not None:
                        pytest.fail(f"scrapyd did not start: {proc.stderr.read().decode()[-2000:]}")
                    time.sleep(0.2)
            assert "fanwen" in _api(base, "listprojects.json")["projects"]
            job = _api(base, "schedule.json", [
                ("project", "fanwen"), ("spider", "fanwen"), ("sites", "bgz"), ("demo", "1"),
                ("setting", f"FANWEN_DB={db}"), ("setting", "FANWEN_WORKERS=1"), ("setting", "DOWNLOAD_DELAY=0"),
                ("setting", "AUTOTHROTTLE_ENABLED=0")])
            assert job["status"] == "ok", job
            deadline = time.time() + 240
            while True:
                jobs = _api(base, "listjobs.json?project=fanwen")
                if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                    break
                assert time.time() < deadline, jobs
                time.sleep(0.5)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    conn = sqlite3.connect(db)
    urls = sorted(r[0] for r in conn.execute("SELECT url FROM documents"))
    assert urls == sorted(a.canonical_url for a in demo.focused_articles if a.site == "bgz")
    assert conn.execute("SELECT status, command FROM crawls").fetchone() == ("finished", "demo")
    assert conn.execute("SELECT documents FROM crawl_sites WHERE site = 'bgz'").fetchone()[0] == len(urls)
