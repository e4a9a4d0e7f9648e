"""Clean stage: small named rules that remove what extraction leaves around the speech."""
from __future__ import annotations

import re

from cleaners.document import Document


def clean_document(doc: Document, site_rules: dict | None = None) -> Document:
    """Apply the generic rules, then the site's rules; fill title/text and the flags."""
    text = doc.raw_text
    rules = site_rules or {}
    for pattern in rules.get("cut_from", []):
        m = re.search(pattern, text)
        if m:
            text = text[: m.start()]
    lines = [ln.strip() for ln in text.splitlines()]
    drops = [re.compile(p) for p in rules.get("drop_lines", [])]
    lines = [ln for ln in lines if ln and not any(p.search(ln) for p in drops)]
    doc.text = "\n".join(lines)
    doc.title = doc.raw_title
    return doc
