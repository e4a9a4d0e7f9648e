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


_STR_PATTERNS = (_CANONICAL, _OG_URL, _HREF)
_BYTE_PATTERNS = tuple(re.compile(p.pattern.encode("ascii"), re.I) for p in _STR_PATTERNS)


def _tag_hrefs(html, patterns):
    """The href/content of <link rel=canonical>, then of og:url, where present (str or bytes, as `html` is)."""
    canonical, og_url, href = patterns
    for pattern in (canonical, og_url):
        tag = pattern.search(html)
        found = href.search(tag.group(0)) if tag else None
        if found:
            yield found.group(1)


def url_from_html(html: str) -> str | None:
    return next((h for h in _tag_hrefs(html, _STR_PATTERNS) if h.startswith(("http://", "https://"))), None)


def url_from_page(body: bytes) -> str | None:
    """url_from_html of a saved page's bytes. In an ASCII-compatible encoding (UTF-8, GBK, Big5...) the tags are
    ASCII bytes, so they are looked for in the bytes; the page is decoded here (with the one decoder) only when that
    cannot decide: a UTF-16/32 page (NUL bytes), or a URL with raw non-ASCII characters. The worker decodes every
    page anyway; decoding it in the parent too was a quarter of the parent's time in `fanwen ingest`."""
    if b"\x00" in body[:1024]:
        return url_from_html(decode_html(body))
    for href in _tag_hrefs(body, _BYTE_PATTERNS):
        if not href.isascii():
            return url_from_html(decode_html(body))
        if href.startswith((b"http://", b"https://")):
            return href.decode("ascii")
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
    url = url_from_page(body)
    if not url and url_prefix:
        rel = path.relative_to(root).as_posix() if root else path.name
        url = url_prefix.rstrip("/") + "/" + rel
    if not url and not named and looks_binary(body):
        url = path.resolve().as_uri()  # only to name it in the count of unusable pages: it is never stored
    if not url:
        raise IngestError(f"{path}: no URL (no <link rel=canonical> or og:url); give --url-prefix")
    yield _item(url, [(url, body, None)])


def _jsonl_record(line: str) -> dict:
    """One JSONL line -> an item; ValueError with the reason (and column) for a bad line."""
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.colno}: not valid JSON ({exc.msg.removesuffix(' at')})") from None
    if not isinstance(rec, dict) or not isinstance(rec.get("url"), str):
        raise ValueError("needs a \"url\" string")
    url = rec["url"]
    if isinstance(rec.get("html"), str):
        return _item(url, [(url, rec["html"], None)])
    if isinstance(rec.get("text"), str):
        site = site_for_url(url)
        return {"url": site.canonical_url(url) if site else url, "site": site.name if site else "",
                "title": rec.get("title") or "", "text": rec["text"], "seen_urls": [(url, "given")]}
    raise ValueError("needs \"html\" or \"text\"")


def iter_jsonl(path: Path) -> Iterator[dict]:
    """Every good line is ingested; bad lines are skipped and reported together at the end as one IngestError
    (line, column and reason of the first few), so the command exits non-zero after storing the good lines."""
    opener = gzip.open if path.suffix == ".gz" else open
    bad: list[str] = []  # "path:line[:column]: reason"
    good = 0
    try:
        with opener(path, "rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    bad.append(f"{path}:{lineno}:{exc.start + 1}: not UTF-8")
                    continue
                if not line.strip():
                    continue
                try:
                    item = _jsonl_record(line)
                except ValueError as exc:
                    bad.append(f"{path}:{lineno}:{exc}" if str(exc)[:1].isdigit() else f"{path}:{lineno}: {exc}")
                    continue
                good += 1
                yield item
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise IngestError(f"{path}: cannot read ({exc})") from None
    if bad:
        others = [b[len(str(path)) + 1:].split(":")[0] for b in bad[1:]]
        more = f"; also bad: line {', '.join(others[:10])}{' …' if len(others) > 10 else ''}" if others else ""
        raise IngestError(f"{bad[0]}{more}; {len(bad)} bad line(s) skipped, the {good} good line(s) ingested")


def iter_warc(path: Path) -> Iterator[dict]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    valid = 0
    url = None
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_headers.get_header("WARC-Type") or record.rec_headers.get_header("WARC-Record-ID"):
                    valid += 1
                elif not valid:  # a header line that says WARC, then garbage
                    break
                url = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type != "response" or not record.http_headers:
                    continue
                body = record.content_stream().read()
                if getattr(record.raw_stream, "limit", 0):  # fewer bytes than its Content-Length: cut short
                    raise IngestError(_cut_message(path, valid, url))
                if record.http_headers.get_statuscode() != "200":
                    continue
                ctype = record.http_headers.get_header("Content-Type") or ""
                if ctype and "html" not in ctype.lower():
                    continue
                if not url:
                    continue
                # as received, even when empty or binary: the pipeline says why such a page is unusable, and counts it
                yield _item(url, [(url, body, ctype or None)])
    except ArchiveLoadFailed:
        if valid:
            raise IngestError(_cut_message(path, valid + 1, None)) from None
        raise IngestError(f"{path}: not a WARC file (it does not start with a WARC/1.x record header)") from None
    except (OSError, EOFError, ValueError, AttributeError) as exc:
        if valid:
            raise IngestError(_cut_message(path, valid, url)) from None
        raise IngestError(f"{path}: not a readable WARC file ({type(exc).__name__})") from None
    if not valid:
        raise IngestError(f"{path}: not a WARC file (no WARC records in it)")
    if path.name.endswith(".gz") and not _gzip_complete(path):
        # warcio ends quietly at a gzip member cut in the middle: the record in it was never read
        raise IngestError(_cut_message(path, valid + 1, None))


def _cut_message(path: Path, number: int, url: str | None) -> str:
    where = f" ({url})" if url else ""
    return (f"{path}: truncated: record {number}{where} is cut short and was not stored; the complete records "
            f"before it were ingested (ingest the whole file again once you have it)")


def _gzip_complete(path: Path) -> bool:
    """True when every gzip member of the file ends with its end-of-stream marker."""
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
        return True
    except (EOFError, OSError, gzip.BadGzipFile):
        return False


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


def _iter_path(path: Path, url_prefix: str | None) -> Iterator[dict]:
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


def iter_items(paths: list[str], url_prefix: str | None = None) -> Iterator[dict]:
    """Items of every input in turn; an input with bad content does not stop the others: its error is raised (one
    line, naming the first bad input and how many others had errors) once every input has been read."""
    errors: list[str] = []
    for path in check_inputs(paths):
        try:
            yield from _iter_path(path, url_prefix)
        except IngestError as exc:
            errors.append(str(exc))
    if errors:
        more = f" (and {len(errors) - 1} more input(s) with errors)" if len(errors) > 1 else ""
        raise IngestError(errors[0] + more)
