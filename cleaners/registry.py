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


def rule(scope: str = "generic", kind: str | None = None):
    """Register a rule function under its own name. `kind` is guessed from the first parameter's name."""

    def deco(fn):
        k = kind
        if k is None:
            first = next(iter(inspect.signature(fn).parameters), "text")
            k = "doc" if first == "doc" else "text"
        r = Rule(fn.__name__, scope, k, fn)
        if scope == "generic":
            GENERIC.append(r)
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


def run_rules(doc: Document, rules: list[Rule]) -> Document:
    info = cleaning_info(doc)
    for r in rules:
        before_text, before_title = doc.text, doc.title
        doc = r.apply(doc)
        if doc.text != before_text or doc.title != before_title:
            doc.rules.append(r.name)
            info["rules"].append(r.name)
            removed = _removed_samples(before_text, doc.text) if doc.text != before_text else []
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
