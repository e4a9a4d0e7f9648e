"""`fanwen query` marks cut cells (--width, --full); `fanwen search` takes OR and tells how many more hits there are."""
import pytest
from click.testing import CliRunner

from fanwen.cli import main
from fanwen.cli.tables import CUT_MARK
from fanwen.pipeline import process_text
from fanwen.store import Corpus

LONG_URL = "http://www.example-fanwen.test/news/2024/06/a-very-long-path-name-for-this-article-301.html"


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "c.db")
    c = Corpus(path)
    docs = [(LONG_URL, "在全市养老服务推进会上的讲话", "养老服务是民生大事。"),
            ("http://x.test/2.html", "在全县招商引资大会上的讲话", "营商环境是第一竞争力。"),
            ("http://x.test/3.html", "在全区托育服务工作会上的讲话", "托育服务要补齐短板,营商环境也要优化。")]
    for url, title, text in docs:
        c.add_documents([(process_text(url, text, title), [])])
    c.close()
    return path


def test_query_marks_cut_cells_and_full_shows_all(db):
    runner = CliRunner()
    out = runner.invoke(main, ["query", "SELECT url FROM documents WHERE id = 1", "--db", db]).stdout
    line = out.splitlines()[2]
    assert line.endswith(CUT_MARK) and len(line) == 40 and LONG_URL.startswith(line[:-1])
    out = runner.invoke(main, ["query", "SELECT url FROM documents WHERE id = 1", "--db", db, "--full"]).stdout
    assert out.splitlines()[2] == LONG_URL
    out = runner.invoke(main, ["query", "SELECT url, title FROM documents WHERE id = 1", "--db", db, "--width", "12"]
                        ).stdout
    assert out.splitlines()[2].startswith(LONG_URL[:11] + CUT_MARK)
    out = runner.invoke(main, ["query", "SELECT id FROM documents", "--db", db]).stdout
    assert CUT_MARK not in out  # nothing cut, no marker


def test_search_or_and_more_hint(db):
    runner = CliRunner()
    r = runner.invoke(main, ["search", "养老", "OR", "托育", "--db", db, "--all"])
    assert r.exit_code == 0, r.output
    assert [ln.split()[0] for ln in r.stdout.splitlines()[2:4]] == ["1", "3"] and "2 found" in r.stdout
    r = runner.invoke(main, ["search", "营商环境", "--db", db, "--all", "--limit", "1"])
    assert "1 more (of 2)" in r.stdout
    r = runner.invoke(main, ["search", "营商环境", "托育", "--db", db, "--all"])  # AND
    assert "1 found" in r.stdout and r.stdout.splitlines()[2].split()[0] == "3"
    assert "MATCH '\"营商环境\"'" in r.stderr and "LIKE '%托育%'" in r.stderr


def test_search_counts_hits_up_to_count_max(db):
    """The count of hits stops past --count-max (a common word's exact count reads every hit); below it, exact."""
    runner = CliRunner()
    r = runner.invoke(main, ["search", "营商环境", "--db", db, "--all", "--limit", "1", "--count-max", "1"])
    assert r.exit_code == 0, r.output
    assert "over 1 found" in r.stdout and "SELECT count(*) FROM documents WHERE" in r.stdout
    assert len(r.stdout.splitlines()) == 4  # header, rule, one row, the hint
    r = runner.invoke(main, ["search", "营商环境", "--db", db, "--all", "--limit", "1", "--count-max", "2"])
    assert "1 more (of 2)" in r.stdout
    r = runner.invoke(main, ["search", "营商环境", "--db", db, "--count-max", "0"])
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_query_cuts_chinese_by_terminal_columns(db):
    from fanwen.cli.tables import display_width
    out = CliRunner().invoke(main, ["query", "SELECT title, id FROM documents", "--db", db, "--width", "12"]).stdout
    rows = out.splitlines()[2:]
    assert all(r.startswith("在全") and CUT_MARK in r for r in rows)
    assert len({display_width(r.split(CUT_MARK)[0]) for r in rows}) == 1  # the columns line up
