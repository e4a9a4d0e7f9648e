"""Normalise stage: the comparison text of a document (never shown as its text)."""
from __future__ import annotations

import hashlib
import re
import unicodedata

_DROP = re.compile(r"[\W_]+", re.UNICODE)


def fingerprint_text(text: str) -> str:
    """NFKC, punctuation and whitespace dropped. (Extended by the near-duplicate issue.)"""
    return _DROP.sub("", unicodedata.normalize("NFKC", text))


def content_hash(fingerprint: str) -> str:
    return hashlib.sha1(fingerprint.encode("utf-8")).hexdigest()
