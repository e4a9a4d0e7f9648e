"""The document that flows through every stage: extract -> clean -> normalise -> classify -> dedup -> store.

Each stage fills its own fields and leaves the others alone, so a reader can see which stage owns what.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Document:
    # --- set by the fetcher / ingester
    url: str
    site: str = ""  # site config name (e.g. "sanweiyuan"), or the host for unknown sites
    page_urls: list[str] = field(default_factory=list)  # every page stitched into this document
    # (url, kind) for every other URL it was seen under: as given to ingest, redirected through (fanwen.provenance)
    seen_urls: list[tuple[str, str]] = field(default_factory=list)
    # --- extract (trafilatura + htmldate)
    raw_title: str = ""  # title as extracted, before cleaning
    raw_text: str = ""  # main text as trafilatura gave it (pages joined), before cleaning
    site_name: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    # --- clean (cleaners/)
    title: str = ""
    text: str = ""
    rules: list[str] = field(default_factory=list)  # names of the cleaning rules that changed something
    truncated: bool = False
    mangled: float = 0.0  # 0..1 score of 伪原创 synonym-swap signs
    placeholders: list[str] = field(default_factory=list)  # kinds: star, x, xx, mou, star2 …
    script: str = "simplified"  # simplified | traditional | traditional_pinyin
    speaker: str | None = None
    meeting: str | None = None
    level: str | None = None  # 省/市/县/区/镇
    year: int | None = None
    # --- normalise
    fingerprint: str = ""  # comparison text: never shown as the document's text
    content_hash: str = ""
    # what dedup needs of the fingerprint (n-gram hashes, index keys, signature: fanwen.dedup.sketch.prepare), made
    # by the workers for the single writer; not stored, not shown
    dedup_sketch: tuple | None = None
    # its comparisons with the documents already stored (fanwen.dedup.precheck), made by the workers; not stored
    dedup_checked: dict | None = None
    # --- classify
    label: str = "other"  # speech | other_speech | other
    relevance: float = 0.0
    # --- usable? (fanwen.pipeline, rules in cleaners.usable)
    unusable: str | None = None  # why this page is no document (empty, binary, no main text, garbled): not stored
    explain: dict[str, Any] = field(default_factory=dict)  # why: rules fired, relevance signals

    @property
    def chars(self) -> int:
        return len(self.text)

    def to_dict(self) -> dict[str, Any]:
        d = {name: _plain_copy(getattr(self, name)) for name in self.__dataclass_fields__}
        d["chars"] = self.chars
        return d


_ATOMS = (str, int, float, bool, bytes, type(None))


def _plain_copy(value):
    """What dataclasses.asdict makes of a field, without its per-value deepcopy machinery for the plain values a
    document holds (strings, numbers, lists, tuples and dicts of them); anything else goes the asdict way."""
    t = type(value)
    if t in _ATOMS:
        return value
    if t is list:
        return [_plain_copy(v) for v in value]
    if t is dict:
        return {_plain_copy(k): _plain_copy(v) for k, v in value.items()}
    if t is tuple:
        return tuple(_plain_copy(v) for v in value)
    from dataclasses import _asdict_inner  # type: ignore[attr-defined]

    return _asdict_inner(value, dict)
