"""Every SQL query and sqlite-utils command the README shows runs against the demo corpus and returns rows.

The queries run on a plain sqlite3 connection (no project code on it), as a user's sqlite3 shell would.
"""
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def readme_sql():
    out = []
    for block in _blocks("sql"):
        for line in block.splitlines():
            line = line.split("--", 1)[0].strip() if line.lstrip().startswith("--") else line.strip()
            if line:
                out.append(line)
    return out


def readme_sqlite_utils():
    return [ln.split("#", 1)[0].strip() for b in _blocks("sh") for ln in b.splitlines()
            if ln.startswith("sqlite-utils ")]


def test_readme_has_the_queries():
    sql = readme_sql()
    assert any("MATCH '营商环境'" in q for q in sql) and any("snippet(" in q for q in sql)
    assert any("document_urls" in q for q in sql) and any("LIKE '%养老%'" in q for q in sql)
    assert readme_sqlite_utils()


@pytest.mark.parametrize("sql", readme_sql())
def test_readme_sql_returns_rows(demo_corpus, sql):
    conn = sqlite3.connect(f"file:{demo_corpus}?mode=ro", uri=True)
    rows = conn.execute(sql).fetchall()
    conn.close()
    assert rows, sql


@pytest.mark.parametrize("cmd", readme_sqlite_utils())
def test_readme_sqlite_utils_commands_find_rows(demo_corpus, cmd):
    exe = shutil.which("sqlite-utils") or str(Path(sys.executable).with_name("sqlite-utils"))
    args = [demo_corpus if a == "corpus.db" else a for a in shlex.split(cmd)[1:]]
    r = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "营商环境" in r.stdout or r.stdout.count('"id"') >= 1
