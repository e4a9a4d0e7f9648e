"""Clean stage: small named rules that remove what extraction leaves around the speech, then flags and metadata.

    clean_document(doc, site_rules) -> doc

1. the generic rules (``cleaners.generic``, every site, in order), then the site's rules (``cleaners.site``, from the
   ``[clean]`` table of its TOML); each rule that changed something is named in ``doc.rules``;
2. the flags (``cleaners.flags``): truncated, mangled, placeholders, script;
3. the metadata (``cleaners.metadata``): title, speaker, meeting, level, year, published (from a date line when
   htmldate found none).

``doc.explain["cleaning"]`` says why: the rules that fired with samples of what each removed, the evidence the rules
noted (declared pages, tail markers…), and the reasons behind each flag. ``explain_cleaning(doc)`` renders it as text.
"""
from __future__ import annotations

from cleaners import flags, metadata
from cleaners.document import Document
from cleaners.generic import strip_title_suffix
from cleaners.registry import GENERIC, cleaning_info, list_rules, run_rules
from cleaners.site import site_rules_for

__all__ = ["clean_document", "clean_text", "explain_cleaning", "list_rules"]


def clean_document(doc: Document, site_rules: dict | None = None) -> Document:
    """Apply the generic rules, then the site's rules; fill title/text, the flags and the metadata."""
    doc.explain.pop("cleaning", None)
    doc.rules = []
    info = cleaning_info(doc)
    doc.text = doc.raw_text or ""
    doc.title = strip_title_suffix(doc.raw_title)

    run_rules(doc, GENERIC)
    run_rules(doc, site_rules_for(site_rules))
    ev = info["evidence"]
    kept, extracted = len(doc.text), len((doc.raw_text or "").strip())
    if extracted >= 200 and kept < 0.5 * extracted:
        # a signal to re-examine (a rule or the extractor may have gone wrong), recorded for --explain
        info["dropped_half"] = {"extracted": extracted, "kept": kept, "rules": list(doc.rules)}
    page_marker = doc.explain.get("extract", {}).get("paywall_after_text")
    if page_marker and not ev.get("paywall_marker"):
        ev["paywall_marker"] = page_marker  # seen on the page right after the text, outside what was extracted

    # --- flags
    doc.truncated, why_trunc = flags.truncated(doc.text, ev)
    doc.mangled, mangle_signs = flags.mangled(doc.text)
    doc.placeholders = flags.placeholders(doc.text)
    doc.script, script_info = flags.script(doc.text)
    info["flags"] = {
        "truncated": why_trunc,
        "mangled": mangle_signs,
        "placeholders": doc.placeholders,
        "script": script_info,
    }

    # --- metadata
    title_before = doc.title
    h1 = doc.explain.get("extract", {}).get("h1")
    doc.title = metadata.best_title(
        [ev.get("speech_title"), ev.get("print_title"), ev.get("leadin_title"), doc.title,
         strip_title_suffix(h1) if h1 else None, ev.get("doc_file_title")],
        ev.get("site_names"))
    if doc.title != title_before and "choose_title" not in doc.rules:
        info["removed"]["choose_title"] = [f"title: {title_before!r} -> {doc.title!r}"]
    doc.speaker = metadata.speaker(doc.title, doc.text)
    doc.meeting = metadata.meeting(doc.title)
    doc.level = metadata.level(doc.speaker, doc.meeting, doc.title, doc.text)
    published_from = "htmldate" if doc.published else None
    if not doc.published and ev.get("date_line"):
        doc.published = ev["date_line"]
        published_from = "date line"
    doc.year = metadata.year(doc.title, doc.published, doc.text)
    info["metadata"] = {"published_from": published_from, "site_names": ev.get("site_names", [])}
    return doc


def clean_text(text: str, title: str = "", site_rules: dict | None = None, url: str = "") -> Document:
    """Convenience for tests and ingest: clean a bare text (as if trafilatura had returned it)."""
    return clean_document(Document(url=url, raw_title=title, raw_text=text), site_rules)


def explain_cleaning(doc: Document) -> str:
    """A readable account of what cleaning did to one document (used by `fanwen extract --explain`)."""
    info = doc.explain.get("cleaning", {})
    lines = [f"title: {doc.title}", f"chars: {len(doc.raw_text or '')} extracted -> {len(doc.text)} kept"]
    lines.append("rules fired:" if doc.rules else "rules fired: none")
    for name in doc.rules:
        lines.append(f"  - {name}")
        for s in info.get("removed", {}).get(name, []):
            lines.append(f"      removed: {s}")
    for name, why in info.get("refused", {}).items():
        lines.append(f"  refused: {name}: {' | '.join(why)}")
    if info.get("dropped_half"):
        lines.append(f"re-examine: cleaning dropped more than half of the extracted text {info['dropped_half']}")
    fl = info.get("flags", {})
    lines.append(f"truncated: {doc.truncated}" + (f"  ({'; '.join(fl.get('truncated', []))})" if doc.truncated else ""))
    lines.append(f"mangled: {doc.mangled}" + (f"  {fl.get('mangled')}" if fl.get("mangled") else ""))
    lines.append(f"placeholders: {', '.join(doc.placeholders) or '-'}")
    lines.append(f"script: {doc.script}")
    lines.append(f"speaker: {doc.speaker or '-'}  meeting: {doc.meeting or '-'}  level: {doc.level or '-'}  "
                 f"year: {doc.year or '-'}  published: {doc.published or '-'}")
    ev = {k: v for k, v in info.get("evidence", {}).items() if k not in ("site_names",)}
    if ev:
        lines.append(f"evidence: {ev}")
    return "\n".join(lines)
