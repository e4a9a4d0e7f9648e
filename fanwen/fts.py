"""Full-text search over documents' title and text, usable from plain SQL, sqlite-utils and Datasette.

`documents_fts` is an FTS5 index with the stock `trigram` tokenizer and external content (`content=[documents]`,
the layout `sqlite-utils enable_fts` makes, kept in step by the triggers `documents_ai/_ad/_au`), so:

- a word of 3+ characters is found as typed:        documents_fts MATCH '营商环境'
- snippet() and highlight() read the text from documents, so keyword-in-context works in plain SQL;
- `sqlite-utils search corpus.db documents 营商环境` and Datasette's search box find it with no plugin.

A trigram index cannot match 1–2 characters (养老, 党): for those the plain form is LIKE, which is exact
(`title LIKE '%养老%' OR text LIKE '%养老%'`).

Two layouts (`fanwen fts --layout full|lean` rebuilds the index in the other one; `layout(conn)` says which):
- full (the default): `detail=full`, positions kept: MATCH as typed, snippet()/highlight(), sqlite-utils search and
  a plain Datasette all work; the index is about 1.4x the bytes of the text (the database ~2.6x; a corpus made
  before the text came first in the index: 2x and 3.2x until rebuilt);
- lean: `detail=none`, no positions: about 0.4x the text (the database ~1.6x) and cheaper to write, but a MATCH of
  3+ characters errors ("phrase queries are not supported"), and snippet()/highlight() return garbled text. The
  plain form is `WHERE documents_fts.text LIKE '%营商环境%'` (or `.title`): the index finds the rows holding every
  trigram of the word, then FTS5 checks the pattern on the text, so it is exact and indexed (3+ characters only:
  shorter patterns find nothing through the index, use LIKE on documents). `fanwen search` and the Datasette plugin
  use that form on a lean corpus; sqlite-utils search and a Datasette without the plugin do not work on it. `python -m benchmarks.fts` measures both, and a pair index for
comparison. `search_where()` builds the SQL for what a person types, words of any length with AND / OR; `fanwen search`
and the Datasette plugin (fanwen.datasette_plugin) use it.
"""
from __future__ import annotations

import re

FTS_TABLE = "documents_fts"
# the text is the index's first column: FTS5 writes a two-byte column marker before the positions of every column
# but the first, once per (trigram, document) entry, so with the text second a quarter of the index was markers
# (measured on the scale benchmark's documents: 23.1 -> 16.7 KB per document, 2.18x -> 1.57x the text, and 6 % less
# insert CPU). Corpora made before keep (title, text) until `fanwen fts --layout full` rebuilds the index.
FTS_COLUMNS = ("text", "title")
MIN_MATCH_CHARS = 3  # the trigram tokenizer's shortest searchable string

LAYOUTS = {"full": "", "lean": ", detail=none"}
CREATE_FTS = ("CREATE VIRTUAL TABLE [documents_fts] USING FTS5 ([text], [title], content=[documents], "
              "tokenize='trigram')")
# FTS5 merges its segments 4 at a time by default (automerge=4): each merge level rewrites every index entry once,
# so the insert cost grows with the number of levels, log_automerge(documents). 32 at a time (crisismerge above it,
# so the incremental merges do the work) halves the levels of automerge=4 (measured on the scale benchmark's
# documents, insert alone, same machine and load: 5.45 -> 5.63 ms/doc from 10k to 20k, against 6.38 -> 6.76 with
# 8), at the price of up to 31 segments per level to read at query time: a MATCH over 20k documents took the same
# 2-11 ms, a word in no document 0.4-0.7 ms instead of 0.2-0.5. Stored in documents_fts_config: plain SQL writes
# use it too, and a corpus made before takes it when opened for writing.
SETTINGS = {"automerge": 32, "crisismerge": 64}


def create_sql(layout: str = "full") -> str:
    return CREATE_FTS[:-1] + LAYOUTS[layout] + ")"


def columns(conn) -> list[str]:
    """The index's columns in their order (snippet() and highlight() take a column's position): ['text', 'title'],
    or ['title', 'text'] in a corpus made before the text came first."""
    return [r[1] for r in conn.execute("PRAGMA table_info(documents_fts)")]


def layout(conn) -> str:
    """'lean' for a detail=none index, else 'full'."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'documents_fts'").fetchone()
    return "lean" if row and "detail=none" in row[0].lower().replace(" ", "") else "full"


# the trigger names and bodies follow sqlite-utils' enable_fts(create_triggers=True); the update trigger fires only
# when title or text change, so re-clustering (which updates cluster_id on many rows) never touches the index
CREATE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS [documents_ai] AFTER INSERT ON [documents] BEGIN
  INSERT INTO [documents_fts] (rowid, [title], [text]) VALUES (new.rowid, new.[title], new.[text]);
END""",
    """CREATE TRIGGER IF NOT EXISTS [documents_ad] AFTER DELETE ON [documents] BEGIN
  INSERT INTO [documents_fts] ([documents_fts], rowid, [title], [text]) VALUES('delete', old.rowid, old.[title], old.[text]);
END""",
    """CREATE TRIGGER IF NOT EXISTS [documents_au] AFTER UPDATE OF [title], [text] ON [documents] BEGIN
  INSERT INTO [documents_fts] ([documents_fts], rowid, [title], [text]) VALUES('delete', old.rowid, old.[title], old.[text]);
  INSERT INTO [documents_fts] (rowid, [title], [text]) VALUES (new.rowid, new.[title], new.[text]);
END""",
]


def needs_migration(conn) -> bool:
    """True when documents_fts is missing or is an older layout (the contentless character-pair index)."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'documents_fts'").fetchone()
    if not row:
        return True
    sql = row[0].lower()
    return "trigram" not in sql or "content=[documents]" not in sql


def ensure_fts(conn) -> bool:
    """Create (or migrate to) the trigram index with its triggers; returns True when the index was (re)built.
    An index in either layout is kept as it is."""
    rebuilt = needs_migration(conn)
    if rebuilt:
        set_layout(conn, "full")
    _apply_settings(conn)
    for sql in CREATE_TRIGGERS:
        conn.execute(sql)
    return rebuilt


def _apply_settings(conn) -> None:
    have = dict(conn.execute("SELECT k, v FROM documents_fts_config").fetchall())
    for key, value in SETTINGS.items():
        if have.get(key) != value:
            conn.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES (?, ?)", [key, value])


def set_layout(conn, name: str) -> None:
    """(Re)build documents_fts in the given layout from every title and text, with its triggers and settings."""
    if name not in LAYOUTS:
        raise ValueError(f"unknown FTS layout {name!r} (full or lean)")
    for trigger in ("documents_ai", "documents_ad", "documents_au"):
        conn.execute(f"DROP TRIGGER IF EXISTS [{trigger}]")
    conn.execute("DROP TABLE IF EXISTS documents_fts")
    conn.execute(create_sql(name))
    _apply_settings(conn)
    conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
    for sql in CREATE_TRIGGERS:
        conn.execute(sql)


def rebuild(conn) -> None:
    """Re-read every title and text from documents (after bulk changes made with the triggers off)."""
    conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")


# ---------------------------------------------------------------------------------------------- queries
def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def parse(query: str) -> list[list[str]]:
    """What a person types -> groups of terms: terms in a group must all occur (AND), any group may (OR).

    `营商环境 招商` is one group of two terms; `营商环境 OR 招商` two groups. Double quotes keep a phrase with spaces.
    """
    tokens = re.findall(r'"([^"]*)"|(\S+)', query)
    groups: list[list[str]] = [[]]
    for quoted, bare in tokens:
        if bare == "OR":
            groups.append([])
        elif quoted.strip() or bare:
            groups[-1].append(quoted.strip() if quoted else bare)
    return [g for g in groups if g]


def is_short(term: str) -> bool:
    return len(term) < MIN_MATCH_CHARS


def _indexed_like(term: str) -> bool:
    """A lean index answers LIKE for 3+ characters without LIKE's wildcards (FTS5 ignores LIKE … ESCAPE)."""
    return not is_short(term) and not any(c in term for c in "%_\\")


def search_where(query: str, id_column: str = "id", title: str = "title", text: str = "text",
                 fts_layout: str = "full") -> tuple[str, list[str]]:
    """A WHERE clause (and its parameters) for the rows of documents/speeches that contain what was typed.

    Terms of 3+ characters go to documents_fts MATCH (one phrase each), or on a lean index to its indexed LIKE on
    title and text; shorter ones to LIKE on title and text. An empty query matches nothing.
    """
    clauses, params = [], []
    lean = fts_layout == "lean"
    for group in parse(query):
        parts = []
        long_terms = [t for t in group if not is_short(t) and not lean]
        if long_terms:
            parts.append(f"{id_column} IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
            params.append(" ".join(_phrase(t) for t in long_terms))
        for t in group:
            if lean and _indexed_like(t):
                parts.append(f"({id_column} IN (SELECT rowid FROM documents_fts WHERE title LIKE ?) OR "
                             f"{id_column} IN (SELECT rowid FROM documents_fts WHERE text LIKE ?))")
                params += ["%" + t + "%", "%" + t + "%"]
            elif is_short(t) or lean:
                parts.append(f"({title} LIKE ? ESCAPE '\\' OR {text} LIKE ? ESCAPE '\\')")
                params += [_like(t), _like(t)]
        clauses.append("(" + " AND ".join(parts) + ")")
    if not clauses:
        return "0", []
    return "(" + " OR ".join(clauses) + ")", params
