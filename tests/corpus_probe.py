"""Test helper: how many documents a corpus holds right now, read-only, while another process may be writing it."""
import sqlite3


def count_documents(db) -> int:
    """0 while the database or its table does not exist yet (a crawl that has not stored anything)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
