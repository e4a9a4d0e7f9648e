"""`fanwen query` (and search, stats, export) may only read: sqlite3's authorizer refuses everything else.

A read-only connection (mode=ro) already stops writes to corpus.db, but not `ATTACH DATABASE 'x.db'` (which creates
x.db) or `VACUUM INTO 'y.db'` (which writes a copy), and `PRAGMA journal_mode=DELETE` fails as a misleading
"disk I/O error". The authorizer allows reads, functions and read-only PRAGMAs, and names what it refused.
"""
from __future__ import annotations

import sqlite3

from fanwen.store import CorpusError

# PRAGMAs whose argument names a table or index to describe (reads), e.g. PRAGMA table_info(documents)
_PRAGMA_WITH_ARGUMENT = {"table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
                         "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check"}


class ReadOnlyQuery(CorpusError):
    pass


def read_only_execute(conn: sqlite3.Connection, sql: str, params=()) -> sqlite3.Cursor:
    """Execute one statement that may only read; raises ReadOnlyQuery naming what was refused."""
    refused: list[str] = []

    def authorize(action, arg1, arg2, dbname, source):
        # writes to corpus.db itself are refused by the read-only connection (mode=ro); these reach other files
        if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and (arg1 or "").lower() not in _PRAGMA_WITH_ARGUMENT:
            refused.append(f"PRAGMA {arg1} = {arg2}")
        elif action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            refused.append(("VACUUM INTO" if " INTO " in f" {sql.upper()} " else "VACUUM") if sql.lstrip().upper().startswith("VACUUM") else
                           "ATTACH" if action == sqlite3.SQLITE_ATTACH else "DETACH")
        else:
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY

    conn.set_authorizer(authorize)
    try:
        return conn.execute(sql, params)
    except sqlite3.DatabaseError as exc:
        words = sql.split()
        if refused or "readonly" in str(exc):
            what = refused[0] if refused else (words[0].upper() if words else "writing")
            raise ReadOnlyQuery(f"the corpus is read-only here: {what} is not allowed "
                                f"(query, search, stats and export only read)") from None
        raise
