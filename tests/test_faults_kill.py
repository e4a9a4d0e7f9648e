"""kill -9 of a crawl, and two writers at once: real processes against tests/fault_server.py on 127.0.0.1.

Every process of a crawl carries a marker in its environment (spawned children inherit it), so /proc shows whether
any of them outlived a `kill -9` of the parent.
"""
import json
import functools
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from corpus_probe import count_documents

from fault_server import GOOD, HOST, SITE_TOML, FaultServer, article_paragraphs

pytestmark = pytest.mark.e2e

FAST = {"DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 1, "FANWEN_RETRY_BACKOFF_BASE": 0.1, "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False}
ROOT = Path(__file__).resolve().parents[1]


def _script(db, sites_dir, proxy, settings) -> str:
    # the same call `fanwen crawl --sites-dir DIR --db DB` makes, with short timeouts for the faults
    return ("import click\n"
            "from fanwen.cli import friendly_errors\n"
            "from fanwen.crawl import run_crawl\n"
            "@click.command()\n"
            "@friendly_errors\n"
            "def crawl():\n"
            f"    run_crawl({db!r}, sites_dir={sites_dir!r}, proxy={proxy!r}, workers=1, settings={settings!r})\n"
            "if __name__ == '__main__':\n"
            "    crawl()\n")


def _env(marker: str) -> dict:
    env = dict(os.environ, FANWEN_TEST_MARKER=marker, PYTHONPATH=str(ROOT))
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(var, None)
    return env


def marked_processes(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1].split()[0]
        except OSError:
            continue
        if f"FANWEN_TEST_MARKER={marker}".encode() in env.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


_documents = count_documents


def _wait(cond, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def site(tmp_path, request):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "faultsite.toml").write_text(SITE_TOML, encoding="utf-8")
    script = tmp_path / "crawl_once.py"
    slow = getattr(request, "param", 0.8)
    # slower articles need a longer download timeout (the hang still times out, later)
    settings = dict(FAST, DOWNLOAD_TIMEOUT=max(3, int(slow * 5)))
    with FaultServer(slow=slow) as server:
        script.write_text(_script(str(tmp_path / "corpus.db"), str(sites), server.proxy_url, settings),
                          encoding="utf-8")
        yield {"db": str(tmp_path / "corpus.db"), "sites": str(sites), "script": str(script), "server": server,
               "tmp": tmp_path}


def _start(site, marker):
    return subprocess.Popen([sys.executable, site["script"]], env=_env(marker), cwd=site["tmp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# slow articles (2 s each): a fast machine must not store every article before the test sees the third moment
@pytest.mark.parametrize("site", [2.0], indirect=True)
def test_kill_9_at_three_moments_leaves_no_process_and_the_rerun_completes(site):
    db = site["db"]
    # each moment counts documents stored by that run (an earlier run's documents stay stored)
    moments = [lambda base: True,  # while Scrapy starts
               lambda base: _documents(db) >= base + 1,  # right after the run's first document was stored
               lambda base: _documents(db) >= base + 3]  # in the middle of the crawl
    settle = [0.5, 0, 0]
    for when, pause in zip(moments, settle):
        marker = uuid.uuid4().hex
        base = _documents(db)
        moment = functools.partial(when, base)
        proc = _start(site, marker)
        time.sleep(pause)
        assert _wait(moment, 60), "the crawl never reached the moment to kill it"
        assert proc.poll() is None, "the crawl ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _wait(lambda: not marked_processes(marker), 5), f"left behind: {marked_processes(marker)}"
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    # the rerun (uninterrupted) ends with the same documents an uninterrupted crawl stores: every good article
    marker = uuid.uuid4().hex
    proc = _start(site, marker)
    assert proc.wait(timeout=180) == 0
    conn = sqlite3.connect(db)
    texts = {url.rsplit("/", 1)[-1][:-5]: text for url, text in conn.execute("SELECT url, text FROM documents")}
    assert set(texts) == set(GOOD)
    for name, n in GOOD.items():
        assert all(p in texts[name] for p in article_paragraphs(n)), name
    statuses = [s for (s,) in conn.execute("SELECT status FROM crawls ORDER BY id")]
    assert statuses[-1] == "finished"
    assert "running" not in statuses and statuses.count("killed") >= 2  # the ones killed after they began
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _fanwen(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "fanwen.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env or _env("reader"), cwd=str(ROOT))


@pytest.mark.parametrize("site", [4.0], indirect=True)  # slow articles: the crawl outlasts every check below
def test_a_second_writer_refuses_at_once_and_readers_keep_working(site, tmp_path):
    db = site["db"]
    marker = uuid.uuid4().hex
    proc = _start(site, marker)
    try:
        assert _wait(lambda: _documents(db) >= 1, 60)
        page = tmp_path / "page.html"
        page.write_text('<html><head><link rel="canonical" href="http://www.faultsite.cn/a/zz.html"></head>'
                        "<body><p>同志们:今天开会。</p></body></html>", encoding="utf-8")
        for args in (["crawl", "--sites-dir", site["sites"]], ["demo"], ["ingest", str(page)], ["reclean"],
                     ["dedup", "--rebuild"]):
            started = time.monotonic()
            r = _fanwen(*args, "--db", db)
            assert r.returncode != 0, (args, r.stdout, r.stderr)
            lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
            assert len(lines) == 1, (args, r.stderr)
            assert "corpus.db is being written by crawl" in lines[0] and "try again later" in lines[0], lines
            assert f"pid {proc.pid}" in lines[0]
            assert time.monotonic() - started < 15  # at once, not after a lock timeout
        # readers are not blocked by the writer
        r = _fanwen("query", "SELECT count(*) AS n FROM documents", "--db", db, "--json")
        assert r.returncode == 0 and json.loads(r.stdout)[0]["n"] >= 1, r.stderr
        assert _fanwen("stats", "--db", db).returncode == 0
        assert _fanwen("search", "同志们", "--all", "--db", db).returncode == 0
        r = _fanwen("export", "--db", db, "--what", "documents")
        assert r.returncode == 0 and HOST in r.stdout
        port = _free_port()
        serve = subprocess.Popen([sys.executable, "-m", "fanwen.cli", "serve", "--db", db, "--port", str(port)],
                                 env=_env("reader"), cwd=str(ROOT), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            assert _wait(lambda: _http_ok(f"http://127.0.0.1:{port}/corpus/documents.json"), 60)
        finally:
            serve.terminate()
            serve.wait(timeout=10)
        assert proc.poll() is None, "the crawl ended before the checks were done"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert _wait(lambda: not marked_processes(marker), 5)
    # the lock of the dead crawl is taken over at once, and its row is recognised as dead
    r = _fanwen("dedup", "--rebuild", "--db", db)
    assert r.returncode == 0, r.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0] == "killed"


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http_ok(url: str) -> bool:
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _children(pid: int) -> list[tuple[int, str]]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().split(") ", 1)[1].split()[1])
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                out.append((int(entry.name), cmd))
    return out


def test_kill_9_of_the_scrapy_child_ends_its_workers_and_the_parent_says_so(site):
    db = site["db"]
    marker = uuid.uuid4().hex
    proc = subprocess.Popen([sys.executable, site["script"]], env=_env(marker), cwd=site["tmp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert _wait(lambda: _documents(db) >= 1, 60)
    scrapy_child = [p for p, cmd in _children(proc.pid) if "spawn_main" in cmd and "resource_tracker" not in cmd]
    assert len(scrapy_child) == 1, _children(proc.pid)
    workers = [p for p, cmd in _children(scrapy_child[0]) if "spawn_main" in cmd]
    assert workers, "no extraction worker found"
    os.kill(scrapy_child[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode != 0
    # the crawl's own log (WARNING level) comes first; the command's own word is one line
    errors = [ln for ln in stderr.splitlines() if ln.startswith("Error")]
    assert len(errors) == 1 and errors[0].startswith("Error: crawl process failed (exit code -9)"), stderr
    assert "Traceback" not in stderr[stderr.index(errors[0]):]
    assert _wait(lambda: not marked_processes(marker), 5), f"left behind: {marked_processes(marker)}"
    marker = uuid.uuid4().hex
    rerun = _start(site, marker)
    assert rerun.wait(timeout=180) == 0
    conn = sqlite3.connect(db)
    assert [s for (s,) in conn.execute("SELECT status FROM crawls ORDER BY id")] == ["killed", "finished"]
    assert {u.rsplit("/", 1)[-1][:-5] for (u,) in conn.execute("SELECT url FROM documents")} == set(GOOD)
