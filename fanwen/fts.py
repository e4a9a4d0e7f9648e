"""Full-text search for Chinese of any length with FTS5's stock tokenizer.

FTS5's `trigram` tokenizer cannot match 1–2 character queries (养老, 招商), and a jieba-segmented index only finds
words the segmenter happened to cut out. So the index holds every overlapping character pair of each CJK run
(高质量发展 -> 高质 质量 量发 发展), indexed by `unicode61`, which treats each space-separated pair as a token:

- a 2-character word is one token:                 documents_fts MATCH '养老'
- a longer word is the phrase of its pairs:         documents_fts MATCH '"营商 商环 环境"'
- one character is a prefix query:                  documents_fts MATCH '养*'

`fts_query()` turns what a person types into that form; `fanwen serve` installs it as Datasette's `escape_fts`, so
the search box takes plain words. Latin words and numbers are indexed as whole words, as unicode61 would.
"""
from __future__ import annotations

import re

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[A-Za-z0-9]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def _run_tokens(run: str) -> list[str]:
    if not _IS_CJK.match(run):
        return [run.lower()]
    if len(run) == 1:
        return [run]
    # the final single character lets a one-character prefix query find a run's last character too
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def fts_tokens(text: str | None) -> str:
    """The indexed form of a text: space-separated character pairs (CJK) and words (Latin, digits)."""
    if not text:
        return ""
    out: list[str] = []
    for m in _RUN.finditer(text):
        out.extend(_run_tokens(m.group(0)))
    return " ".join(out)


def _term_query(term: str) -> str:
    parts = []
    for m in _RUN.finditer(term):
        run = m.group(0)
        if not _IS_CJK.match(run):
            parts.append(run.lower())
        elif len(run) == 1:
            parts.append(run)
        else:
            parts.extend(run[i : i + 2] for i in range(len(run) - 1))
    if not parts:
        return ""
    if len(parts) == 1 and len(parts[0]) == 1 and _IS_CJK.match(parts[0]):
        return parts[0] + "*"
    return '"' + " ".join(parts) + '"'


def fts_query(query: str) -> str:
    """A MATCH expression for what a person typed: each whitespace-separated term must occur (AND)."""
    terms = [_term_query(t) for t in query.split()]
    terms = [t for t in terms if t]
    return " ".join(terms) if terms else '""'
