"""The list of cleaning rules, in the order they run, and the runner that records which ones fired.

A rule is a small named pure function. Two shapes:

- a *text rule* ``fn(text: str) -> str``: needs nothing but the text;
- a *document rule* ``fn(doc: Document) -> Document``: needs the title or the site name, or records evidence
  (declared page count, a paywall marker) in ``doc.explain["cleaning"]`` for the flags computed afterwards.

Each is registered with ``@rule(scope)`` where scope is ``"generic"`` (every site, runs first) or ``"site"`` (built from
the site's ``[clean]`` table, runs second). The docstring's first line says what the rule removes; ``list_rules()``
gives name, scope and that line, so a reader can see the whole list (``python -m cleaners.registry``).

``run_rules(doc, rules)`` applies them in order and appends to ``doc.rules`` the names of the rules that changed the
text (or the title), with a few samples of what each removed in ``doc.explain["cleaning"]["removed"]``.
"""
from __future__ import annotations

import difflib
import inspect
import re
from dataclasses import dataclass
from typing import Callable, Union

from cleaners.document import Document

TextRule = Callable[[str], str]
DocRule = Callable[[Document], Document]


@dataclass(frozen=True)
class Rule:
    name: str
    scope: str  # generic | site
    kind: str  # text | doc
    fn: Union[TextRule, DocRule]

    @property
    def summary(self) -> str:
        doc = inspect.getdoc(self.fn) or ""
        return doc.strip().splitlines()[0] if doc else ""

    def apply(self, doc: Document) -> Document:
        if self.kind == "text":
            doc.text = self.fn(doc.text)
            return doc
        return self.fn(doc)


GENERIC: list[Rule] = []


def rule(scope: str = "generic", kind: str | None = None, before: str | None = None, span: bool = False):
    """Register a rule function under its own name. `kind` is guessed from the first parameter's name; `before`
    places it ahead of an already registered rule; `span` marks a rule that cuts spans inside lines (the guard then
    also refuses cutting a prose span longer than a sentence)."""

    def deco(fn):
        k = kind
        if k is None:
            first = next(iter(inspect.signature(fn).parameters), "text")
            k = "doc" if first == "doc" else "text"
        fn.span_rule = span
        r = Rule(fn.__name__, scope, k, fn)
        if scope == "generic":
            at = next((i for i, x in enumerate(GENERIC) if x.name == before), len(GENERIC))
            GENERIC.insert(at, r)
        return fn

    return deco


def cleaning_info(doc: Document) -> dict:
    """The explain dict the cleaning stage writes into (evidence for flags, samples of removed text)."""
    return doc.explain.setdefault("cleaning", {"rules": [], "removed": {}, "evidence": {}})


def note(doc: Document, key: str, value) -> None:
    """Record a piece of evidence (e.g. declared_pages=13) that the flags read after the rules ran."""
    cleaning_info(doc)["evidence"][key] = value


def _short(s: str, width: int) -> str:
    s = " ⏎ ".join(x for x in s.splitlines() if x.strip())
    return s if len(s) <= width else s[: width - 1] + "…"


def _removed_samples(before: str, after: str, limit: int = 3, width: int = 80) -> list[str]:
    """A few samples of what a rule took out (cheap: whole lines gone, or the characters cut from an edited line)."""
    if "".join(before.split()) == "".join(after.split()):
        return ["(line breaks only)"]
    a, b = before.split("\n"), after.split("\n")
    out: list[str] = []
    if len(a) == len(b):  # edits inside lines (a watermark, a marker)
        for x, y in zip(a, b):
            if x != y:
                if len(x) <= 4000:
                    sm = difflib.SequenceMatcher(None, x, y, autojunk=False)
                    gone = [x[i1:i2] for t, i1, i2, _, _ in sm.get_opcodes() if t in ("delete", "replace")]
                    out.append(_short(" … ".join(g for g in gone if g.strip()) or x, width))
                else:
                    out.append(_short(x, width))
            if len(out) >= limit:
                break
        return out
    kept = set(b)
    joined = "\n".join(b)
    for x in a:
        if x not in kept and x not in joined:
            out.append(_short(x, width))
            if len(out) >= limit:
                break
    if not out:  # lines were cut short or merged: show what no longer occurs at a line's end
        for x in a:
            if x not in kept:
                out.append(_short(x, width))
                break
    return out


# rules that only re-shape the text (whitespace, line joins, table bars, a site's own name inside words): the guard
# does not judge them, what they take out is not speech by construction
RESHAPING = {"normalize_space", "strip_table_pipes", "rejoin_broken_lines", "join_page_markers", "remove_watermarks",
             "site_watermarks", "drop_ascii_noise"}
EXPLAIN_SAMPLES = {"difflib": False}  # `fanwen extract --explain` turns on exact samples of what each rule removed


def removed_parts(before: str, after: str, limit: int | None = None) -> list[str]:
    """What went from `before` to `after`, cheaply: whole lines gone, and for a line that was edited (a line of
    `after` is its prefix/suffix-trimmed remainder) the middle part that was cut out."""
    if before == after:
        return []
    kept = set(after.split("\n"))
    a_lines = [x for x in before.split("\n") if x not in kept]
    before_set = set(before.split("\n"))
    b_lines = [y for y in after.split("\n") if y not in before_set]
    out = []
    for x in a_lines:
        if limit is not None and len(out) >= limit:
            break
        best = ""
        for y in b_lines:
            if y and (y in x) and len(y) > len(best):
                best = y
        if best:
            i = x.find(best)
            out.extend(p for p in (x[:i], x[i + len(best):]) if p.strip())
            continue
        p = 0
        cand = max(b_lines, key=lambda y: _common_prefix(x, y) + _common_suffix(x, y), default="")
        p, q = _common_prefix(x, cand), _common_suffix(x, cand)
        if cand and p + q >= 10 and p + q < len(x):
            out.append(x[p: len(x) - q])
        elif not any(x in y for y in b_lines):  # merged into a longer line: nothing removed
            out.append(x)
    return [o for o in out if o.strip()]


def _common_prefix(x: str, y: str) -> int:
    n = 0
    for a, b in zip(x, y):
        if a != b:
            break
        n += 1
    return n


def _common_suffix(x: str, y: str) -> int:
    n = 0
    for a, b in zip(reversed(x), reversed(y)):
        if a != b:
            break
        n += 1
    return min(n, len(x) - _common_prefix(x, y))


def refuse_reason(parts: list[str], kept: str = "") -> str | None:
    """Why a removal would take speech text, or None: it holds 同志们 or two numbered section headings, and is not a
    copy of text that stays (a summary echoing the opening, a repeated title)."""
    import re as _re

    squashed = _re.sub(r"\s+", "", kept)
    parts = [p for p in parts if _re.sub(r"\s+", "", p.rstrip("…. "))[:40] not in squashed]
    joined = "\n".join(parts)
    if "同志们" in joined:
        return "holds 同志们"
    heads = sum(1 for p in parts for ln in p.split("\n") if re.match(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])", ln))
    if heads >= 2:
        return f"holds {heads} numbered sections"
    return None


def _prose_span(parts: list[str], whole_lines: set) -> str | None:
    """A cut-out part of an edited line that reads as more than one sentence of ordinary prose."""
    from cleaners.patterns import cjk_count

    for p in parts:
        if p in whole_lines:
            continue
        if cjk_count(p) > 120 and len(re.findall(r"[。！？!?]", p)) >= 2:
            return p
    return None


def run_rules(doc: Document, rules: list[Rule]) -> Document:
    info = cleaning_info(doc)
    for r in rules:
        before_text, before_title = doc.text, doc.title
        doc = r.apply(doc)
        parts = None
        if doc.text != before_text and r.name not in RESHAPING and r.scope == "generic":
            parts = removed_parts(before_text, doc.text)
            why = refuse_reason(parts, doc.text)
            if not why and getattr(r.fn, "span_rule", False):
                span = _prose_span(parts, set(before_text.split("\n")))
                why = f"cuts a prose span ({span[:30]}…)" if span else None
            if why:
                doc.text = before_text  # the guard: this removal would take speech text
                info.setdefault("refused", {})[r.name] = [why] + [_short(p, 80) for p in parts[:2]]
        if doc.text != before_text or doc.title != before_title:
            doc.rules.append(r.name)
            info["rules"].append(r.name)
            if doc.text == before_text:
                removed = []
            elif EXPLAIN_SAMPLES["difflib"]:
                removed = _removed_samples(before_text, doc.text)
            else:
                if parts is None:
                    parts = removed_parts(before_text, doc.text, limit=3)
                removed = [_short(p, 80) for p in parts[:3]] or ["(line breaks only)"]
            if doc.title != before_title:
                removed.append(f"title: {before_title!r} -> {doc.title!r}")
            info["removed"][r.name] = removed
    return doc


def list_rules() -> list[dict]:
    """Every rule: name, scope (generic/site), kind (text/doc), and what it removes."""
    import importlib

    import cleaners.generic  # noqa: F401  (registers the generic rules)
    from cleaners.site import SITE_RULES

    generic = importlib.import_module("cleaners.registry").GENERIC  # the registered list, also under `python -m`
    return [{"name": r.name, "scope": r.scope, "kind": r.kind, "summary": r.summary} for r in generic + SITE_RULES]


if __name__ == "__main__":  # python -m cleaners.registry
    for i, r in enumerate(list_rules(), 1):
        print(f"{i:2d}. [{r['scope']:7s}] {r['name']:28s} {r['summary']}")
