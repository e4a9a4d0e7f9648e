"""Per-site rules, from the `[clean]` table of crawler/sites/<name>.toml. They run after the generic rules.

Keys (all optional; each a list of strings):

    drop_lines  = ['^三味园范文网']          # regexes: a whole line matching is dropped
    cut_from    = ['《[^》]{2,80}》由互联网用户分享整理']   # regexes: the text from the match onward is dropped
    watermarks  = ['三味园范文网']          # strings injected into the text, removed wherever they occur
    strip       = ['【[^】]*精选[^】]*】']    # regexes: the match is removed, the rest of the line kept
    title_strip = ['_[^_]*范文网$']         # regexes: removed from the title
    summary_line = '^文章导读'              # regex: a summary label line, and the summary line after it, dropped
    truncation  = '\\.\\.\\.$'                # regex: a match in the kept text marks the copy truncated

Regexes are compiled with re.MULTILINE (`^`/`$` match at line boundaries).
Other keys seen in site files (page_markers, title_glued, keep_tokens, synonym_swaps) are handled by the generic
rules or by the fingerprint, and are accepted without effect here.
A bad regex in a site file is reported by `crawler.siteconfig` when the file is loaded; here it is skipped.
"""
from __future__ import annotations

import re
from functools import lru_cache

from cleaners.document import Document
from cleaners.registry import Rule


@lru_cache(maxsize=512)
def _rx(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern, re.M)  # `^`/`$` anchor at line starts/ends, as the site files are written
    except re.error:
        return None


def _patterns(cfg: dict, key: str) -> list[re.Pattern]:
    vals = cfg.get(key) or []
    if isinstance(vals, str):
        vals = [vals]
    return [p for p in (_rx(v) for v in vals) if p is not None]


def site_cut_from(doc: Document, cfg: dict) -> Document:
    """The site's `cut_from` regexes: the text from the first match onward (a footer the generic rules missed)."""
    text = doc.text
    for p in _patterns(cfg, "cut_from"):
        m = p.search(text)
        if m:
            text = text[: m.start()].rstrip()
    doc.text = text
    return doc


def site_drop_lines(doc: Document, cfg: dict) -> Document:
    """The site's `drop_lines` regexes: whole lines matching one are dropped."""
    pats = _patterns(cfg, "drop_lines")
    if pats:
        doc.text = "\n".join(ln for ln in doc.text.split("\n") if not any(p.search(ln) for p in pats))
    return doc


def site_watermarks(doc: Document, cfg: dict) -> Document:
    """The site's `watermarks` strings, removed wherever they occur (我老秘网区 -> 我区)."""
    text = doc.text
    for w in cfg.get("watermarks") or []:
        if w:
            text = text.replace(w, "")
    doc.text = "\n".join(ln for ln in text.split("\n") if ln.strip())
    return doc


def site_strip(doc: Document, cfg: dict) -> Document:
    """The site's `strip` regexes: the matching part of a line is removed, the rest kept."""
    text = doc.text
    for p in _patterns(cfg, "strip"):
        text = p.sub("", text)
    doc.text = "\n".join(ln.strip() for ln in text.split("\n") if ln.strip())
    return doc


def site_title_strip(doc: Document, cfg: dict) -> Document:
    """The site's `title_strip` regexes, removed from the title."""
    t = doc.title
    for p in _patterns(cfg, "title_strip"):
        t = p.sub("", t).strip()
    if t:
        doc.title = t
    return doc


def site_summary_line(doc: Document, cfg: dict) -> Document:
    """The site's `summary_line` regex: a label line (文章导读) and the one-line summary after it are dropped."""
    pats = _patterns(cfg, "summary_line")
    if pats:
        out, skip = [], False
        for ln in doc.text.split("\n"):
            if skip:
                skip = False
                continue
            if any(p.search(ln) for p in pats):
                skip = len(ln) <= 12  # the label alone: the summary is the next line
                continue
            out.append(ln)
        doc.text = "\n".join(out)
    return doc


def site_truncation(doc: Document, cfg: dict) -> Document:
    """The site's `truncation` regex: when it matches the kept text, the copy is noted as truncated (nothing removed)."""
    for p in _patterns(cfg, "truncation"):
        if p.search(doc.text):
            doc.explain.setdefault("cleaning", {}).setdefault("evidence", {})["site_truncation"] = p.pattern
    return doc


SITE_RULES: list[Rule] = [
    Rule(f.__name__, "site", "site", f)
    for f in (site_cut_from, site_drop_lines, site_summary_line, site_watermarks, site_strip, site_title_strip, site_truncation)
]


def site_rules_for(cfg: dict | None) -> list[Rule]:
    """The site rules bound to one site's `[clean]` table (only those whose key is set)."""
    if not cfg:
        return []
    keys = {"site_cut_from": "cut_from", "site_drop_lines": "drop_lines", "site_watermarks": "watermarks",
            "site_strip": "strip", "site_title_strip": "title_strip", "site_summary_line": "summary_line",
            "site_truncation": "truncation"}
    out = []
    for r in SITE_RULES:
        if cfg.get(keys[r.name]):
            out.append(Rule(r.name, "site", "doc", (lambda f: lambda doc: f(doc, cfg))(r.fn)))
    return out
