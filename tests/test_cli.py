"""The fanwen command through Click's runner: every subcommand's documented example, and bad input."""
import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fanwen.cli import main

FIXTURE = Path(__file__).with_name("fixtures") / "speech_page.html"


@pytest.fixture
def runner():
    return CliRunner()


def _warc(path: Path, pages: dict[str, bytes]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=path.name.endswith(".gz"))
        for url, body in pages.items():
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=gbk")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))


def test_every_subcommand_has_help(runner):
    for cmd in ["crawl", "demo", "ingest", "extract", "reclean", "dedup", "query", "search", "stats", "export",
                "serve"]:
        r = runner.invoke(main, [cmd, "--help"])
        assert r.exit_code == 0, (cmd, r.output)
        assert "--db" in r.output or cmd == "extract"


def test_extract_prints_the_cleaned_document(runner):
    r = runner.invoke(main, ["extract", str(FIXTURE)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["url"] == "http://www.example-fanwen.test/news/301.html"
    assert doc["title"] == "在全县秋季项目观摩会上的讲话"
    assert "观摩了全县十二个重点项目" in doc["text"]
    assert "相关推荐" not in doc["text"] and "版权所有" not in doc["text"]


def test_extract_explain_and_stdin(runner):
    r = runner.invoke(main, ["extract", "-", "--explain", "--url", "http://x.test/a.html"],
                      input=FIXTURE.read_bytes())
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert "explain" in doc and "rules" in doc


def test_ingest_html_jsonl_warc_then_query_search_stats_export(runner, tmp_path):
    db = str(tmp_path / "c.db")
    jsonl = tmp_path / "pages.jsonl"
    text = "同志们:\n今天我们召开全市消费促进工作推进会,研究部署下一阶段工作。\n要抓好养老托育和文旅消费。\n谢谢大家!"
    jsonl.write_text(json.dumps({"url": "http://j.test/1", "title": "在全市消费促进工作推进会上的讲话",
                                 "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc, {"http://w.test/a.html": FIXTURE.read_text(encoding="utf-8").replace(
        'charset="utf-8"', 'charset="gbk"').replace('<meta charset="utf-8">', '<meta charset="gbk">').encode("gbk")})
    r = runner.invoke(main, ["ingest", str(FIXTURE), str(jsonl), str(warc), "--db", db, "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "3 new documents" in r.output
    r = runner.invoke(main, ["ingest", str(FIXTURE), "--db", db, "--workers", "1"])
    assert "0 new documents" in r.output and "1 already stored" in r.output

    r = runner.invoke(main, ["query", "SELECT url, title FROM documents ORDER BY id", "--db", db, "--json"])
    rows = json.loads(r.output)
    assert [row["url"] for row in rows] == ["http://www.example-fanwen.test/news/301.html", "http://j.test/1",
                                            "http://w.test/a.html"]
    assert "观摩" in runner.invoke(main, ["query", "SELECT text FROM documents WHERE id = 3", "--db", db,
                                          "--csv"]).output  # the GBK page inside the WARC was decoded
    r = runner.invoke(main, ["query", "DELETE FROM documents", "--db", db])
    assert r.exit_code != 0 and "readonly" in r.output.lower().replace("-", "")
    r = runner.invoke(main, ["search", "养老", "--db", db, "--all", "--json"])
    assert [row["id"] for row in json.loads(r.stdout)] == [1, 2, 3]
    assert "3 found" in r.stderr
    r = runner.invoke(main, ["stats", "--db", db, "--json"])
    assert json.loads(r.output)["totals"]["documents"] == 3
    out = tmp_path / "docs.jsonl"
    r = runner.invoke(main, ["export", "--db", db, "--what", "documents", "-o", str(out)])
    assert r.exit_code == 0 and len(out.read_text(encoding="utf-8").splitlines()) == 3
    pq = tmp_path / "docs.parquet"
    r = runner.invoke(main, ["export", "--db", db, "--what", "documents", "--format", "parquet", "-o", str(pq)])
    assert r.exit_code == 0 and pq.stat().st_size > 0
    r = runner.invoke(main, ["export", "--db", db, "--format", "csv"])
    assert r.exit_code == 0 and r.output.splitlines()[0].startswith("id,")


@pytest.mark.parametrize("make,message", [
    (lambda p: None, "no such file"),
    (lambda p: (p / "bad.jsonl").write_text('{"url": "http://a.test/1", "text": "x"}\n{oops\n'), "bad.jsonl:2"),
    (lambda p: (p / "bad.warc.gz").write_bytes(gzip.compress(b"not a warc at all\r\n\r\n")), "WARC"),
    (lambda p: (p / "bad.warc").write_bytes(b"garbage bytes\r\n\r\n"), "WARC file"),
    (lambda p: (p / "img.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary"), "binary"),
    (lambda p: (p / "nourl.html").write_text("<html><body><p>你好</p></body></html>"), "--url-prefix"),
    (lambda p: (p / "notes.docx").write_bytes(b"PK\x03\x04"), "unknown input type"),
])
def test_bad_ingest_input_is_one_line_and_keeps_stored(runner, tmp_path, make, message):
    db = str(tmp_path / "c.db")
    assert runner.invoke(main, ["ingest", str(FIXTURE), "--db", db, "--workers", "1"]).exit_code == 0
    make(tmp_path)
    names = {"no such file": "missing.html", "bad.jsonl:2": "bad.jsonl", "WARC": "bad.warc.gz", "WARC file": "bad.warc",
             "binary": "img.html", "--url-prefix": "nourl.html", "unknown input type": "notes.docx"}
    r = runner.invoke(main, ["ingest", str(tmp_path / names[message]), "--db", db, "--workers", "1"])
    assert r.exit_code != 0
    assert message in r.output
    assert "Traceback" not in r.output
    assert len([ln for ln in r.output.splitlines() if ln.startswith("Error")]) == 1
    r = runner.invoke(main, ["query", "SELECT count(*) AS n FROM documents", "--db", db, "--json"])
    assert json.loads(r.output)[0]["n"] >= 1


def test_query_on_missing_db_and_bad_sql(runner, tmp_path):
    r = runner.invoke(main, ["query", "SELECT 1", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 1 and "no such database" in r.output
    db = str(tmp_path / "c.db")
    runner.invoke(main, ["ingest", str(FIXTURE), "--db", db, "--workers", "1"])
    r = runner.invoke(main, ["query", "SELEC nonsense", "--db", db])
    assert r.exit_code == 1 and "SQL error" in r.output


def test_crawl_unknown_site(runner, tmp_path):
    r = runner.invoke(main, ["crawl", "--site", "no-such-site", "--db", str(tmp_path / "c.db")])
    assert r.exit_code == 1 and "unknown site" in r.output
