"""Ingest saved pages through the same pipeline as a crawl: .html files or folders, .jsonl, .warc/.warc.gz.

Each input yields items like the spider's: {url, site, pages: [(url, body, content_type)]}, where body is the bytes
as read (.html files, WARC records with their Content-Type) or the text of a JSONL `html` string; or, for JSONL lines
with `text`, {url, title, text} (which skips extraction and goes straight to the cleaners). Decoding happens in the
pipeline, through the one decoder (`cleaners.decode`).
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Iterator

from cleaners.decode import decode_html, looks_binary  # noqa: F401  (looks_binary: imported from here by callers)
from crawler.siteconfig import site_for_url


class IngestError(Exception):
    """Bad input: the message names the file (and line) and what is wrong, on one line."""


HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
_CANONICAL = re.compile(r"""<link[^>]+rel=["']?canonical["']?[^>]*>""", re.I)
_OG_URL = re.compile(r"""<meta[^>]+property=["']og:url["'][^>]*>""", re.I)
_HREF = re.compile(r"""(?:href|content)=["']([^"']+)["']""", re.I)


def url_from_html(html: str) -> str | None:
    for pattern in (_CANONICAL, _OG_URL):
        tag = pattern.search(html)
        if tag:
            href = _HREF.search(tag.group(0))
            if href and href.group(1).startswith(("http://", "https://")):
                return href.group(1)
    return None


def _item(url: str, pages: list[tuple[str, bytes | str, str | None]]) -> dict:
    site = site_for_url(url)
    return {"url": site.canonical_url(url) if site else url, "site": site.name if site else "", "pages": pages,
            "seen_urls": [(url, "given")]}


def iter_html_file(path: Path, root: Path | None, url_prefix: str | None, named: bool = True) -> Iterator[dict]:
    """One saved page. A binary file named on the command line is an error; one met in a folder is passed on, to be
    counted as an unusable page like any other."""
    body = path.read_bytes()
    if named and looks_binary(body):
        raise IngestError(f"{path}: not an HTML file (binary content)")
    html = decode_html(body)
    url = url_from_html(html)
    if not url and url_prefix:
        rel = path.relative_to(root).as_posix() if root else path.name
        url = url_prefix.rstrip("/") + "/" + rel
    if not url and not named and looks_binary(body):
        url = path.resolve().as_uri()  # only to name it in the count of unusable pages: it is never stored
    if not url:
        raise IngestError(f"{path}: no URL (no <link rel=canonical> or og:url); give --url-prefix")
    yield _item(url, [(url, body, None)])


def iter_jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise IngestError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
                if not isinstance(rec, dict) or not isinstance(rec.get("url"), str):
                    raise IngestError(f"{path}:{lineno}: each line needs a \"url\" string")
                url = rec["url"]
                if isinstance(rec.get("html"), str):
                    yield _item(url, [(url, rec["html"], None)])
                elif isinstance(rec.get("text"), str):
                    site = site_for_url(url)
                    yield {"url": site.canonical_url(url) if site else url, "site": site.name if site else "",
                           "title": rec.get("title") or "", "text": rec["text"], "seen_urls": [(url, "given")]}
                else:
                    raise IngestError(f"{path}:{lineno}: each line needs \"html\" or \"text\"")
    except UnicodeDecodeError:
        raise IngestError(f"{path}: not a UTF-8 JSONL file") from None
    except (OSError, EOFError) as exc:
        raise IngestError(f"{path}: cannot read ({exc})") from None


def iter_warc(path: Path) -> Iterator[dict]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    valid = 0
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.format == "warc" or record.rec_headers.get_header("WARC-Target-URI"):
                    valid += 1
                if record.rec_type != "response" or not record.http_headers:
                    continue
                if record.http_headers.get_statuscode() != "200":
                    continue
                ctype = record.http_headers.get_header("Content-Type") or ""
                if ctype and "html" not in ctype.lower():
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                body = record.content_stream().read()
                if not url:
                    continue
                # as received, even when empty or binary: the pipeline says why such a page is unusable, and counts it
                yield _item(url, [(url, body, ctype or None)])
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, AttributeError) as exc:
        raise IngestError(f"{path}: not a readable WARC file ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    if not valid:
        raise IngestError(f"{path}: not a readable WARC file (no WARC records in it)")


def check_inputs(paths: list[str]) -> list[Path]:
    """Every path must exist and be of a known kind, before anything is processed."""
    out = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise IngestError(f"{p}: no such file or directory")
        if path.is_file() and not (path.name.endswith((".warc", ".warc.gz", ".jsonl", ".jsonl.gz"))
                                   or path.suffix.lower() in HTML_SUFFIXES):
            raise IngestError(f"{p}: unknown input type (expected .html, .jsonl, .warc or .warc.gz)")
        out.append(path)
    return out


def iter_items(paths: list[str], url_prefix: str | None = None) -> Iterator[dict]:
    for path in check_inputs(paths):
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and f.suffix.lower() in HTML_SUFFIXES:
                    yield from iter_html_file(f, path, url_prefix, named=False)
        elif path.name.endswith((".warc", ".warc.gz")):
            yield from iter_warc(path)
        elif path.name.endswith((".jsonl", ".jsonl.gz")):
            yield from iter_jsonl(path)
        else:
            yield from iter_html_file(path, path.parent, url_prefix)
