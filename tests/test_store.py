"""corpus.db: schema contract, idempotent inserts, exact copies clustered, clear errors for unusable databases."""
import os
import sqlite3

import pytest

from fanwen.pipeline import process_text
from fanwen.store import Corpus, CorpusError

SPEECH = "同志们:\n今天我们召开全县重点项目推进会,主要任务是盘点进度、压实责任。\n各部门要抓紧抓实,确保完成全年目标。"


def test_schema_contract(tmp_db):
    c = Corpus(tmp_db)
    cols = set(c.db["documents"].columns_dict)
    assert {"id", "url", "site", "title", "text", "published", "fetched_at", "content_hash", "chars", "cluster_id",
            "is_canonical", "label", "relevance"} <= cols
    assert {"id", "started_at", "finished_at", "sites", "requests", "new_documents", "duplicates", "errors",
            "status"} <= set(c.db["crawls"].columns_dict)
    assert "speeches" in c.db.view_names()
    assert c.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    from fanwen.store import WAL_AUTOCHECKPOINT_PAGES  # fewer, bigger checkpoints for the writer (benchmarks.scale)
    assert c.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_AUTOCHECKPOINT_PAGES > 1000


def test_same_url_is_stored_once_and_exact_copies_share_a_cluster(tmp_db):
    c = Corpus(tmp_db)
    a = process_text("http://a.test/1.html", SPEECH, "在全县重点项目推进会上的讲话")
    b = process_text("http://b.test/9.html", SPEECH.replace("\n", "\n\n"), "在全县重点项目推进会上的讲话")
    s1 = c.add_documents([(a, [("http://a.test/1.html", "<p>raw</p>")])])
    s2 = c.add_documents([(a, []), (b, [])])
    assert s1["new"] == 1 and s2 == {"new": 1, "skipped": 1, "duplicates": 1, "dedup": s2["dedup"]}
    rows = list(c.db.query("SELECT url, cluster_id, is_canonical FROM documents ORDER BY id"))
    assert rows[0]["cluster_id"] == rows[1]["cluster_id"]
    assert sum(r["is_canonical"] for r in rows) == 1
    assert c.db.execute("SELECT count(*) FROM speeches").fetchone()[0] == 1
    assert c.pages_of(1) == [("http://a.test/1.html", "<p>raw</p>")]


def test_readonly_missing_db_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="no such database"):
        Corpus(str(tmp_path / "nope.db"), readonly=True)


def test_not_a_database(tmp_path):
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CorpusError, match="not a SQLite database"):
        Corpus(str(p))


def test_locked_database_is_a_clear_error_and_keeps_data(tmp_db):
    c = Corpus(tmp_db)
    c.add_documents([(process_text("http://a.test/1.html", SPEECH, "讲话"), [])])
    c.close()
    holder = sqlite3.connect(tmp_db)
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(CorpusError, match="locked"):
        Corpus(tmp_db, timeout=0.2).add_documents([(process_text("http://a.test/2.html", SPEECH + "再", "讲话"), [])])
    holder.rollback()
    holder.close()
    assert Corpus(tmp_db, readonly=True).count() == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_readonly_file(tmp_db):
    Corpus(tmp_db).close()
    os.chmod(tmp_db, 0o444)
    with pytest.raises(CorpusError):
        Corpus(tmp_db).add_documents([(process_text("http://a.test/1.html", SPEECH, "讲话"), [])])


def test_benchmark_grow_extends_a_corpus_window_by_window(tmp_path, capsys):
    """`python -m benchmarks.grow` (how the million-document figures are made) stores what it says, in windows,
    alternating a bigger page cache, and continues a corpus it finds."""
    import sqlite3

    from benchmarks import grow

    db = str(tmp_path / "g.db")
    rows = grow.grow(db, 256, 128, seed=3, alternate=True, cache_mb=8)
    assert [r["at"] for r in rows] == [128, 256] and [r["cache"] for r in rows] == [True, False]
    assert all(r["writer_ms"] > r["dedup_ms"] > 0 and r["fts_ms"] > 0 for r in rows)
    more = grow.grow(db, 384, 128, seed=4, alternate=False)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 384 == more[-1]["at"]
    assert conn.execute("SELECT count(DISTINCT cluster_id) FROM documents").fetchone()[0] < 384  # copies found
    conn.close()
    assert "256 documents stored; growing to 384" in capsys.readouterr().out
    assert grow.main(["--db", str(tmp_path / "no" / "x.db"), "--to", "10"]) == 2


def test_benchmark_scale_memory_is_each_process_own(tmp_path):
    """benchmarks.scale reports a worker's own peak RSS (VmHWM), not the figure Linux carries from a big parent
    into children spawned from it, and leaves datasketch's process out of the workers' figure."""
    import subprocess
    import sys

    from benchmarks import scale

    if scale.ChildPeaks().peak_mb is None:
        pytest.skip("no /proc")
    grow = "import time; x = bytearray(120 << 20); x[::4096] = b'1' * len(x[::4096]); time.sleep(0.8)"
    small = "import time; time.sleep(0.8)"
    with scale.ChildPeaks(every=0.05) as peaks:
        subprocess.run([sys.executable, "-c", small], check=True)
    assert 0 < peaks.peak_mb < 60
    with scale.ChildPeaks(every=0.05) as peaks:
        subprocess.run([sys.executable, "-c", grow], check=True)
    assert peaks.peak_mb >= 120
    proc = subprocess.Popen([sys.executable, "-c", grow])
    try:
        with scale.ChildPeaks(exclude={proc.pid}, every=0.05) as peaks:
            subprocess.run([sys.executable, "-c", small], check=True)
    finally:
        proc.wait()
    assert peaks.peak_mb < 60
    # and the benchmark itself, with datasketch in its own process: figures for both sizes, the workers' own
    res = scale.run([300, 600], 2, tmp_path, with_lsh=True, lsh_max=1000)
    assert [r["size"] for r in res] == [300, 600]
    assert all(0 < r["rss_worker_mb"] < r["rss_writer_mb"] and r["rss_lsh_mb"] > 0 and r["lsh_candidates"] >= 0
               and r["worker_ms"] > 0 for r in res)
