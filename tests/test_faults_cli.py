"""Bad input to the commands: one clear line, non-zero exit, nothing stored lost, nothing partial stored."""
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from fanwen.cli import main
from fanwen.lock import WriterLock, WriterLocked, holder, mark_dead_crawls

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).with_name("fixtures") / "speech_page.html"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def db(tmp_path, runner):
    path = str(tmp_path / "corpus.db")
    r = runner.invoke(main, ["ingest", str(FIXTURE), "--db", path, "--workers", "1"])
    assert r.exit_code == 0, r.output
    return path


def _one_error_line(r) -> str:
    assert r.exit_code != 0, r.output
    assert "Traceback" not in r.output
    lines = [ln for ln in r.output.splitlines() if ln.startswith("Error")]
    assert len(lines) == 1, r.output
    return lines[0]


def _count(db: str, sql: str = "SELECT count(*) FROM documents") -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _speech_html(n: int) -> bytes:
    paragraphs = "".join(f"<p>第{n}次会议第{i}段:我们要把各项任务抓实抓细,确保第{n}项工作按期完成,群众满意。</p>"
                         for i in range(12))
    return (f'<html><head><meta charset="gbk"><title>在第{n}次全体会议上的讲话</title></head><body>'
            f"<div class=\"article\"><h1>在第{n}次全体会议上的讲话</h1>{paragraphs}</div></body></html>").encode("gbk")


def _warc(path: Path, n: int) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=path.name.endswith(".gz"))
        for i in range(n):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=gbk")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"http://w.test/{i}.html", "response",
                                                          payload=io.BytesIO(_speech_html(i)), http_headers=headers))


# ------------------------------------------------------------------ 9: a truncated WARC
@pytest.mark.parametrize("name", ["cut.warc.gz", "cut.warc"])
def test_a_truncated_warc_stores_the_complete_records_only_and_the_whole_file_completes_it(runner, tmp_path, db,
                                                                                            name):
    whole = tmp_path / ("whole" + name[3:])
    _warc(whole, 3)
    data = whole.read_bytes()
    cut = tmp_path / name
    cut.write_bytes(data[: int(len(data) * 0.85)])  # inside the third record
    before = _count(db)
    r = runner.invoke(main, ["ingest", str(cut), "--db", db, "--workers", "1"])
    line = _one_error_line(r)
    assert "truncated" in line and "record 3" in line, line
    conn = sqlite3.connect(db)
    urls = {u for (u,) in conn.execute("SELECT url FROM documents WHERE url LIKE 'http://w.test/%'")}
    assert urls == {"http://w.test/0.html", "http://w.test/1.html"}  # nothing partial stored
    assert _count(db) == before + 2
    r = runner.invoke(main, ["ingest", str(whole), "--db", db, "--workers", "1"])
    assert r.exit_code == 0, r.output
    text = conn.execute("SELECT text FROM documents WHERE url = 'http://w.test/2.html'").fetchone()[0]
    assert "第2次会议第11段" in text  # the whole third record, not a cut one


# ------------------------------------------------------------------ 12: a binary file named .warc
def test_a_binary_warc_is_one_short_readable_line(runner, tmp_path, db):
    path = tmp_path / "photo.warc"
    path.write_bytes(bytes(range(256)) * 40)
    line = _one_error_line(runner.invoke(main, ["ingest", str(path), "--db", db, "--workers", "1"]))
    assert "not a WARC file" in line and len(line) < 160 and line.isprintable(), line


# ------------------------------------------------------------------ 10: a JSONL file with bad lines
def test_jsonl_bad_lines_are_reported_with_line_and_column_and_the_good_lines_stored(runner, tmp_path, db):
    path = tmp_path / "pages.jsonl"
    good = lambda i: json.dumps({"url": f"http://j.test/{i}", "title": f"讲话{i}",  # noqa: E731
                                 "text": f"同志们:\n今天召开第{i}次会议,部署重点工作。\n谢谢大家!"}, ensure_ascii=False)
    path.write_bytes("\n".join([good(1), '{"url": "http://j.test/x", "text": "a\tb"}', good(3), "{oops",
                                good(5)]).encode("utf-8") + b"\n\xff\xfe\n")
    line = _one_error_line(runner.invoke(main, ["ingest", str(path), "--db", db, "--workers", "1"]))
    assert "pages.jsonl:2:38: not valid JSON (Invalid control character)" in line, line
    assert "also bad: line 4, 6" in line and "3 bad line(s) skipped" in line and "3 good line(s)" in line, line
    urls = {u for (u,) in sqlite3.connect(db).execute("SELECT url FROM documents WHERE url LIKE 'http://j.test/%'")}
    assert urls == {"http://j.test/1", "http://j.test/3", "http://j.test/5"}


# ------------------------------------------------------------------ 5: bounded work per page (ingest path)
def test_a_page_past_the_size_cap_is_dropped_before_extraction_and_the_rest_stored(runner, tmp_path):
    db = str(tmp_path / "c.db")
    big = tmp_path / "big.html"
    big.write_text('<html><head><link rel="canonical" href="http://b.test/big.html"></head><body>'
                   + "<p>" + "长" * 1_100_000 + "</p></body></html>", encoding="utf-8")
    r = runner.invoke(main, ["ingest", str(big), str(FIXTURE), "--db", db, "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "1 dropped" in r.output and "page too large" in r.output
    assert {u for (u,) in sqlite3.connect(db).execute("SELECT url FROM documents")} == {
        "http://www.example-fanwen.test/news/301.html"}


def test_a_worker_times_out_a_runaway_page_and_keeps_working():
    from fanwen.workers import PageTimeout, make_pool, process_item
    item = {"url": "http://x.test/a.html", "site": "", "pages": [("http://x.test/a.html", FIXTURE.read_text())]}
    pool = make_pool(1, timeout=0.0005)
    try:
        for _ in range(2):  # the same worker, still alive after the first timeout
            with pytest.raises(PageTimeout):
                pool.submit(process_item, item).result(timeout=60)
    finally:
        pool.shutdown()
    pool = make_pool(1, timeout=30)
    try:
        assert "观摩" in pool.submit(process_item, item).result(timeout=60)["text"]
    finally:
        pool.shutdown()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the dropped alarm, on purpose
def test_an_alarm_dropped_inside_a_finaliser_still_times_the_item_out(monkeypatch):
    # CI once saw the alarm land in an importlib weakref callback: Python printed it and carried on, unbounded
    import signal
    import time

    from fanwen import workers

    class SlowFinaliser:
        def __del__(self):
            time.sleep(0.2)  # the alarm fires here, and what __del__ raises is printed and dropped

    def process(item):
        SlowFinaliser()
        return {"text": "finished after its deadline"}

    monkeypatch.setattr(workers, "_process", process)
    monkeypatch.setattr(workers.multiprocessing, "parent_process", lambda: object())  # as in a pool worker
    monkeypatch.setitem(workers._bounds, "timeout", 0.01)
    old = signal.signal(signal.SIGALRM, workers._on_alarm)
    try:
        with pytest.raises(workers.PageTimeout):
            workers.process_item({"url": "http://x.test/a.html", "pages": []})
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no alarm left to hit the next item
    finally:
        signal.signal(signal.SIGALRM, old)


# ------------------------------------------------------------------ 7, 8: databases that cannot be written
def test_demo_and_crawl_refuse_a_non_sqlite_database_before_starting(runner, tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n")
    for cmd in (["demo"], ["crawl", "--site", "caiyes"]):
        line = _one_error_line(runner.invoke(main, [*cmd, "--db", str(path)]))
        assert "not a SQLite database" in line
    assert path.read_text() == "these are my notes, not a database\n"


def test_demo_refuses_a_database_locked_by_another_program(runner, db):
    other = sqlite3.connect(db)
    other.execute("BEGIN EXCLUSIVE")
    try:
        line = _one_error_line(runner.invoke(main, ["demo", "--db", db]))
        assert "locked" in line
    finally:
        other.rollback()
        other.close()


@pytest.mark.skipif(shutil.which("chattr") is None or os.geteuid() != 0, reason="needs chattr as root")
def test_demo_refuses_an_immutable_database_and_a_read_only_folder(runner, db, tmp_path):
    def chattr(flag, target):
        if subprocess.run(["chattr", flag, str(target)], capture_output=True).returncode != 0:
            pytest.skip("this file system does not support chattr")
    chattr("+i", db)
    try:
        assert "read-only" in _one_error_line(runner.invoke(main, ["demo", "--db", db]))
    finally:
        chattr("-i", db)
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(db, folder / "c.db")
    chattr("+i", folder)
    try:
        line = _one_error_line(runner.invoke(main, ["demo", "--db", str(folder / "c.db")]))
        assert "cannot create the lock file" in line
    finally:
        chattr("-i", folder)


@pytest.mark.parametrize("cmd", [["reclean"], ["dedup"], ["dedup", "--rebuild"]])
def test_commands_refuse_a_missing_database(runner, tmp_path, cmd):
    missing = tmp_path / "corpsu.db"
    line = _one_error_line(runner.invoke(main, [*cmd, "--db", str(missing)]))
    assert "no such database" in line
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------ 3: the lock itself
def test_the_writer_lock_names_its_holder_and_is_free_after_release(tmp_path, db):
    first = WriterLock(db, "crawl").acquire()
    first.note(crawl_id=12)
    try:
        with pytest.raises(WriterLocked, match=r"corpus.db is being written by crawl 12 \(pid \d+, started "
                                               r"\d\d:\d\d\); try again later"):
            WriterLock(db, "ingest").acquire()
        assert holder(db)["crawl_id"] == 12
    finally:
        first.release()
    assert holder(db) is None
    WriterLock(db, "ingest").acquire().release()


def test_a_running_row_without_a_live_writer_is_marked_killed(db):
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO crawls (started_at, status, command) VALUES ('2026-01-01', 'running', 'crawl')")
    assert mark_dead_crawls(db) == 1
    assert conn.execute("SELECT status FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0] == "killed"


# ------------------------------------------------------------------ 11: query is read-only
@pytest.mark.parametrize("sql,refused", [
    ("ATTACH DATABASE '{dir}/e.db' AS e", "ATTACH"),
    ("VACUUM INTO '{dir}/copy.db'", "VACUUM INTO"),
    ("PRAGMA journal_mode=DELETE", "PRAGMA journal_mode"),
    ("DELETE FROM documents", "DELETE"),
])
def test_query_refuses_anything_that_writes(runner, db, tmp_path, sql, refused):
    before = {p.name for p in tmp_path.iterdir()} | {"corpus.db-wal", "corpus.db-shm"}  # a WAL reader's files
    line = _one_error_line(runner.invoke(main, ["query", sql.format(dir=tmp_path), "--db", db]))
    assert f"{refused}" in line and "read-only" in line and "disk I/O" not in line, line
    assert {p.name for p in tmp_path.iterdir()} <= before  # no file created
    assert _count(db) == 1


def test_query_still_reads_pragmas_and_recursive_selects(runner, db):
    r = runner.invoke(main, ["query", "PRAGMA table_info(documents)", "--db", db, "--json"])
    assert r.exit_code == 0 and any(c["name"] == "url" for c in json.loads(r.output))
    r = runner.invoke(main, ["query", "PRAGMA journal_mode", "--db", db, "--json"])
    assert r.exit_code == 0 and json.loads(r.output)[0]["journal_mode"] == "wal"


# ------------------------------------------------------------------ 12: output into a closed pipe
def test_output_piped_into_head_is_a_quiet_exit(db):
    sql = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 300000) SELECT n FROM r"
    cmd = f"{sys.executable} -m fanwen.cli query '{sql}' --db {db} --csv | head -n 2"
    r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=120,
                       cwd=str(ROOT))
    assert r.stdout.splitlines() == ["n", "1"]
    assert r.stderr == "", r.stderr
    assert r.returncode == 0


# ------------------------------------------------------------------ 13: --sites-dir
def _site(folder: Path, name: str, body: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.toml").write_text(body, encoding="utf-8")


@pytest.mark.parametrize("body,message", [
    ('name = "mine"\nstart_urls = ["http://www.mine.cn/"]\n', "mine.toml: 'domains' is required"),
    ('name = "mine"\ndomains = ["mine.cn"]\n[urls]\narticle = ["(unclosed"]\n', "mine.toml: bad regex in article"),
    ('name = "mine"\ndomains = [\n', "cannot read site config"),
])
def test_sites_dir_configs_get_the_same_validation_as_bundled_ones(runner, tmp_path, body, message):
    _site(tmp_path / "sites", "mine", body)
    line = _one_error_line(runner.invoke(main, ["crawl", "--sites-dir", str(tmp_path / "sites"), "--db",
                                                str(tmp_path / "c.db")]))
    assert message in line, line


def test_sites_dir_that_is_missing_or_empty(runner, tmp_path):
    line = _one_error_line(runner.invoke(main, ["crawl", "--sites-dir", str(tmp_path / "nope"), "--db",
                                                str(tmp_path / "c.db")]))
    assert "sites directory not found" in line
    (tmp_path / "empty").mkdir()
    line = _one_error_line(runner.invoke(main, ["crawl", "--sites-dir", str(tmp_path / "empty"), "--db",
                                                str(tmp_path / "c.db")]))
    assert "no site configs" in line
    line = _one_error_line(runner.invoke(main, ["crawl", "--sites-dir", str(tmp_path / "nope"), "--site", "x",
                                                "--db", str(tmp_path / "c.db")]))
    assert "sites directory not found" in line


def test_the_scrapy_setting_fanwen_sites_dir_reaches_the_spider(tmp_path):
    from scrapy.utils.test import get_crawler

    from crawler.spiders.fanwen import FanwenSpider
    from fault_server import SITE_TOML
    _site(tmp_path / "sites", "faultsite", SITE_TOML)
    crawler = get_crawler(FanwenSpider, {"FANWEN_SITES_DIR": str(tmp_path / "sites"), "FANWEN_DB": None})
    spider = FanwenSpider.from_crawler(crawler, sites="faultsite")
    assert list(spider.site_configs) == ["faultsite"]
    assert spider.allowed_domains == ["faultsite.cn"]


def test_plain_scrapy_crawl_takes_the_same_lock(db):
    lock = WriterLock(db, "ingest").acquire()
    try:
        r = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "fanwen", "-a", "sites=caiyes",
                            "-s", f"FANWEN_DB={db}"], capture_output=True, text=True, timeout=120, cwd=str(ROOT),
                           env={k: v for k, v in os.environ.items() if "proxy" not in k.lower()})
    finally:
        lock.release()
    assert r.returncode == 1
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("Error")]
    started = time.strftime("%H:%M", time.localtime(lock.info["started"]))
    assert errors == [f"Error: corpus.db is being written by ingest (pid {os.getpid()}, started {started}); "
                      "try again later"], r.stderr
    assert "Traceback" not in r.stderr


def test_one_bad_input_does_not_stop_the_others(runner, tmp_path):
    db = str(tmp_path / "c.db")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    line = _one_error_line(runner.invoke(main, ["ingest", str(bad), str(FIXTURE), "--db", db, "--workers", "1"]))
    assert "bad.jsonl:1:2: not valid JSON" in line
    assert _count(db) == 1  # the page after the bad file was still ingested


def test_an_internal_error_is_one_line_and_the_traceback_only_on_request(runner, tmp_path, monkeypatch):
    # a bug in a stage (here: extraction raising on a page) must not print a traceback at the user
    import cleaners.extract

    def broken(*args, **kwargs):
        raise ValueError("stage broke")

    monkeypatch.setattr(cleaners.extract, "extract_page", broken)
    monkeypatch.delenv("FANWEN_DEBUG", raising=False)
    r = runner.invoke(main, ["extract", str(FIXTURE)])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "internal error: ValueError: stage broke" in lines[0], r.output
    assert "Traceback" not in r.output
    monkeypatch.setenv("FANWEN_DEBUG", "1")
    r = runner.invoke(main, ["extract", str(FIXTURE)])
    assert isinstance(r.exception, ValueError)


def test_an_unusable_page_is_named_as_such_not_as_an_internal_error(runner, tmp_path):
    # the command's own verdict (a ClickException raised inside the command) passes through friendly_errors as is
    page = tmp_path / "code.html"
    page.write_text("<html><head><title>x</title></head><body><p>print('hello world') only</p></body></html>",
                    encoding="utf-8")
    line = _one_error_line(runner.invoke(main, ["extract", str(page)]))
    assert "unusable page, would not be stored" in line and "internal error" not in line, line
