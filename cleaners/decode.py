"""The one decoder: page bytes (+ the HTTP Content-Type) -> text, and what it decided and why.

Every path goes through here: the crawl (items carry the bytes as received), ingest (.html files, WARC records),
`fanwen extract`, `fanwen reclean` (pages stored as received, or as text by older versions), and the spider's
re-reading of stored pages.

How the encoding is decided (``decode_bytes``):

1. the declarations, in Scrapy's order (w3lib.encoding): byte-order mark, HTTP ``charset``, ``<meta>``/XML
   declaration. GBK/GB2312 names decode as gb18030 (a superset; w3lib's translation table).
2. the first declaration that fits the bytes is used. A declaration does not fit when the bytes are UTF-8 holding
   multi-byte text while it names another codec (what a browser's "save page" produces: UTF-8 bytes, the original
   ``charset=gb2312`` meta), when its codec cannot decode the bytes (more than one broken sequence per 50
   characters: a UTF-8 BOM before GBK bytes, a GBK page served as ``charset=utf-8``), or when it names a single-byte
   codec (latin-1, cp1252) for bytes that are GBK/Big5 (a misconfigured server).
3. no declaration fits, or there is none: the bytes decide. UTF-8 if they are UTF-8; else charset-normalizer's
   guess if it is a Chinese codec that decodes every byte (gb18030 first: a short text may fit Big5, cp949 too);
   else GBK (then Big5) with at most a few broken characters (charset-normalizer calls such pages Cyrillic); else
   its other guess; else the codec with the fewest undecodable sequences.

Text without bytes (a JSONL ``html`` string, a page an older version stored decoded) goes through ``decode_text``,
which undoes a recognisable misreading. ``garbled(text)`` says whether decoded text is still unreadable (U+FFFD,
锟斤拷, UTF-8 read as GBK such as 鍦ㄥ叏, or read as latin-1 such as å¤§): such a page is not stored as clean.
"""
from __future__ import annotations

import codecs
import re
import threading
from dataclasses import asdict, dataclass, field

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

from cleaners.patterns import char_counter

CHINESE_CODECS = ("gb18030", "big5", "big5hkscs", "cp950", "hz")
# other multi-byte East Asian codecs: charset-normalizer's answer for short Chinese texts is sometimes one of these
_CJK_CODEC = re.compile(r"^(cp949|euc|shift_jis|cp932|iso2022|johab)", re.I)
# codecs that map every (or nearly every) byte to a character: they "decode" anything, so they fit nothing by success
_SINGLE_BYTE = re.compile(r"^(cp125\d|latin|iso8859|iso-8859|ascii|koi8|mac|cp437|cp850)", re.I)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
cjk_chars = char_counter("\u3400-\u9fff\uf900-\ufaff")  # the count of _CJK matches, fast
_cjk_chars_once = char_counter("\u3400-\u9fff\uf900-\ufaff", cache=False)  # for strings seen once
_HIGH_RUN = re.compile(r"[^\x00-\x7f]{3,}")
_LATIN_RUN = re.compile(r"[\u0080-\u02ff\u2013-\u203a\u20ac\u2122]{2,}")
# Latin-1 letters a misread leaves (å¤§, Í¬Ö¾); × and ÷ are excluded: ×××× is a placeholder in 范文 texts
_LATIN_LETTER = re.compile(r"[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]")


@dataclass
class Decoded:
    """A page's text and how it was decoded."""
    text: str
    encoding: str  # the codec used (Python's name), or "text" for input that was already text
    source: str  # bom | header | meta | bytes (the bytes decided) | text (input was text, no bytes)
    reason: str  # one sentence for `fanwen extract --explain`
    declared: dict[str, str] = field(default_factory=dict)  # {"bom"|"header"|"meta": codec} as the page declared
    errors: int = 0  # undecodable byte sequences replaced by U+FFFD

    def as_dict(self) -> dict:
        """Everything but the text: what `--explain` shows."""
        return {k: v for k, v in asdict(self).items() if k != "text"}


def _codec(name: str | None) -> str | None:
    """A declared label -> Python codec name (w3lib's translation: gb2312/gbk -> gb18030, latin-1 -> cp1252)."""
    if not name:
        return None
    enc = resolve_encoding(name)
    return codecs.lookup(enc).name if enc else None


_errors = threading.local()


def _count_and_replace(exc: UnicodeDecodeError):
    _errors.n += 1
    return "\ufffd", exc.end


codecs.register_error("fanwen-count-replace", _count_and_replace)


def _count_errors(body: bytes, enc: str) -> tuple[str, int]:
    """(text, number of undecodable sequences, each replaced by U+FFFD)."""
    try:
        return body.decode(enc), 0
    except UnicodeDecodeError:
        pass
    except LookupError:
        return "", len(body) or 1
    _errors.n = 0
    text = body.decode(enc, "fanwen-count-replace")
    return text, _errors.n


def _strip_bom(body: bytes, enc: str) -> bytes:
    bom_enc, bom = read_bom(body)
    if bom and bom_enc and codecs.lookup(bom_enc).name == enc:
        return body[len(bom):]
    return body


def _nearly_clean(text: str, errors: int) -> bool:
    """Nothing undecodable, or a few broken characters in a long text (a cut character, a stray byte): one per 50."""
    if not errors:
        return True
    multi = len(text) - len(text.encode("ascii", "ignore")) - errors
    return multi >= 20 and errors * 50 <= multi


def _utf8_with_multibyte(body: bytes) -> bool:
    """Do the bytes read as UTF-8 holding multi-byte text?"""
    if body.isascii():
        return False
    text, errors = _count_errors(body, "utf-8")
    return _nearly_clean(text, errors) and len(text) - len(text.encode("ascii", "ignore")) > errors


def _detect(body: bytes) -> str | None:
    """charset-normalizer's guess, preferring a Chinese codec among its candidates, gb18030 first (names as w3lib
    resolves them: its gb2312/gbk answers decode as gb18030)."""
    from charset_normalizer import from_bytes

    names = [_codec(m.encoding) or m.encoding for m in from_bytes(body)]
    if "gb18030" in names:  # GBK pages far outnumber Big5 ones here; a short text may fit both
        return "gb18030"
    return next((n for n in names if n in CHINESE_CODECS), names[0] if names else None)


def _chinese_near_fit(body: bytes) -> tuple[str, str, int] | None:
    """(codec, text, errors) for GBK (then Big5) bytes with at most a few broken sequences, which charset-normalizer
    does not recognise (it wants every byte to decode, and then guesses Cyrillic)."""
    for enc in ("gb18030", "big5hkscs"):
        text, errors = _count_errors(body, enc)
        if _nearly_clean(text, errors) and len(_CJK.findall(text)) >= 10:
            return enc, text, errors
    return None


def _declarations(body: bytes, content_type: str | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    bom_enc, _ = read_bom(body)
    if bom_enc:
        out.append(("bom", codecs.lookup(bom_enc).name))
    header = _codec(http_content_type_encoding(content_type)) if content_type else None
    if header:
        out.append(("header", header))
    try:
        meta = _codec(html_body_declared_encoding(body))
    except (LookupError, ValueError):
        meta = None
    if meta:
        out.append(("meta", meta))
    return out


_WHERE = {"bom": "the byte-order mark", "header": "the HTTP Content-Type", "meta": "the page's <meta>/XML declaration"}


def decode_bytes(body: bytes, content_type: str | None = None) -> Decoded:
    """Bytes of a page (+ the response's Content-Type header, if any) -> Decoded (see the module doc)."""
    declared = _declarations(body, content_type)
    decl = dict(declared)
    utf8 = _utf8_with_multibyte(body)
    refused: list[str] = []
    for where, enc in declared:
        wide = enc.startswith(("utf-16", "utf-32"))
        if wide and where != "bom" and b"\x00" not in body[:200]:
            # a declared UTF-16 page whose markup reads as ASCII is not UTF-16 (a meta tag cannot be read in it)
            refused.append(f"{_WHERE[where]} says {enc} but the markup reads as ASCII")
            continue
        if enc != "utf-8" and utf8 and not wide:
            refused.append(f"{_WHERE[where]} says {enc} but the bytes are UTF-8 holding multi-byte text")
            continue
        data = _strip_bom(body, enc)
        text, errors = _count_errors(data, enc)
        if not _nearly_clean(text, errors):
            refused.append(f"{_WHERE[where]} says {enc} but {errors} byte sequences do not decode in it")
            continue
        if _SINGLE_BYTE.match(enc) and not data.isascii():
            detected = _detect(data)
            chinese = detected if detected in CHINESE_CODECS and not _count_errors(data, detected)[1] else None
            chinese = chinese or (_chinese_near_fit(data) or (None,))[0]
            if chinese:
                refused.append(f"{_WHERE[where]} says single-byte {enc} but the bytes are {chinese}")
                continue
        before = ("; ".join(refused) + "; ") if refused else ""
        broken = f", except {errors} broken sequences" if errors else ""
        return Decoded(text, enc, where, before + f"declared by {_WHERE[where]} ({enc}) and the bytes fit it{broken}",
                       decl, errors)
    prefix = ("; ".join(refused) + ": ") if refused else "no declaration: "
    data = body[3:] if body.startswith(b"\xef\xbb\xbf") else body  # a UTF-8 BOM before bytes of another codec
    if utf8:
        text, errors = _count_errors(data, "utf-8")
        return Decoded(text, "utf-8", "bytes", prefix + "the bytes are UTF-8", decl, errors)
    if body.isascii():
        return Decoded(body.decode("ascii"), "utf-8", "bytes", prefix + "the bytes are ASCII", decl)
    detected = _detect(data)
    if detected in CHINESE_CODECS:
        text, errors = _count_errors(data, detected)
        if not errors:
            return Decoded(text, detected, "bytes", prefix + f"the bytes are {detected} (charset-normalizer)", decl)
    near = _chinese_near_fit(data)
    if near:
        enc, text, errors = near
        return Decoded(text, enc, "bytes", prefix + f"the bytes are {enc} except {errors} broken sequences", decl,
                       errors)
    if detected and not _CJK_CODEC.match(detected):  # Korean/Japanese guesses for Chinese bytes are not taken
        text, errors = _count_errors(data, detected)
        if not errors:
            return Decoded(text, detected, "bytes", prefix + f"the bytes are {detected} (charset-normalizer)", decl)
    # nothing decodes cleanly: the codec with the fewest undecodable sequences (declared ones first on a tie)
    candidates = list(dict.fromkeys([enc for _, enc in declared] + ([detected] if detected else [])
                                    + ["utf-8", "gb18030"]))
    best = min(candidates, key=lambda enc: (_count_errors(data, enc)[1], candidates.index(enc)))
    text, errors = _count_errors(data, best)
    return Decoded(text, best, "bytes", prefix + f"no codec decodes every byte; {best} leaves the fewest "
                   f"({errors}) undecodable sequences", decl, errors)


def decode_page(body: bytes | str, content_type: str | None = None) -> Decoded:
    """Bytes -> decode_bytes. Text (a JSONL `html` string, a page stored as text by an older version) is taken as it
    is, unless it is a known misreading of its bytes, which is undone (see `decode_text`)."""
    if isinstance(body, str):
        return decode_text(body)
    return decode_bytes(body, content_type)


def decode_html(body: bytes | str, content_type: str | None = None) -> str:
    """Just the text of decode_page."""
    return decode_page(body, content_type).text


def decode_text(text: str) -> Decoded:
    """Text whose bytes are gone (a JSONL `html` string; a page an older version stored as decoded text).

    When the text is a known misreading of the original bytes (UTF-8 read as gb18030, which the old crawl produced
    for UTF-8 pages declaring gb2312; or bytes read as cp1252), the codec that misread them gives the bytes back
    (except where it had put U+FFFD: those bytes are lost) and they are decoded again. Otherwise it is kept as it is.
    """
    bad = _garbled_counts(text)
    for misread, kind in (("gb18030", "utf8_as_gbk"), ("cp1252", "latin_mojibake")):
        if bad[kind] < 10:
            continue
        try:
            # w3lib reads a lone 0x80 as € in gb18030 pages: give it back as 0x80; a U+FFFD stands for lost bytes
            raw = b"\x80".join(part.encode(misread) for part in text.replace("\ufffd", "").split("€")) \
                if misread == "gb18030" else text.replace("\ufffd", "?").encode(misread)
        except UnicodeEncodeError:
            continue
        if kind == "utf8_as_gbk":  # the bytes were UTF-8: that is what this misreading looks like
            again = Decoded(raw.decode("utf-8", "replace"), "utf-8", "text", "the bytes are UTF-8")
        else:
            again = decode_bytes(raw)
        if sum(_garbled_counts(again.text).values()) < sum(bad.values()) / 2:
            again.source = "text"
            again.reason = (f"given as text that had been misread as {misread}: re-encoded and decoded again "
                            f"({again.reason})")
            return again
    return Decoded(text, "text", "text", "given as text (decoded before it came here; no bytes to decode)")


# ------------------------------------------------------------------------------------------------ still garbled?
def _read_back_as_utf8(runs: list[str]) -> list[tuple[str, str | None]]:
    """(run, its GB18030 bytes read as UTF-8 with U+FFFD for what is not UTF-8), None where a run has no GB18030
    bytes (lone surrogates). One encode and one decode for all the runs, joined by \\n: a run's GB18030 bytes
    never hold 0x0A, and a UTF-8 sequence cut by that byte is replaced as one cut by the end of the input, so each
    part reads as the run alone would (tests/test_fast_paths.py)."""
    try:
        parts = "\n".join(runs).encode("gb18030").decode("utf-8", "replace").split("\n")
    except UnicodeEncodeError:
        parts = None
    if parts is not None and len(parts) == len(runs):
        return list(zip(runs, parts))
    out = []
    for run in runs:
        try:
            out.append((run, run.encode("gb18030").decode("utf-8", "replace")))
        except UnicodeEncodeError:
            out.append((run, None))
    return out


def _garbled_counts(text: str) -> dict[str, int]:
    counts = {"replacement": text.count("\ufffd"), "kunkao": 3 * text.count("锟斤拷"), "utf8_as_gbk": 0,
              "latin_mojibake": 0}
    for run, back in _read_back_as_utf8(_HIGH_RUN.findall(text)):
        if back is None:
            continue
        holes = back.count("\ufffd")
        if holes * 4 > len(back) - holes:
            continue  # more holes than the CJK characters there can be (Chinese text read this way: mostly holes)
        cjk = _cjk_chars_once(back)
        if cjk >= 2 and holes * 4 <= cjk:
            counts["utf8_as_gbk"] += len(run)
    for m in _LATIN_RUN.finditer(text):
        run = m.group(0)
        if len(set(_LATIN_LETTER.findall(run))) < 2:
            continue  # —— …… ×××× and “” are ordinary Chinese punctuation and placeholders
        try:
            raw = run.encode("cp1252")
        except UnicodeEncodeError:
            try:
                raw = run.encode("latin-1")
            except UnicodeEncodeError:
                continue
        for enc in ("utf-8", "gb18030"):  # cp1252 drops a few bytes (0x81, 0x8d, 0x8f …): allow some losses
            back = raw.decode(enc, "replace")
            cjk = _cjk_chars_once(back)
            if cjk >= 2 and back.count("\ufffd") * 4 <= cjk:
                counts["latin_mojibake"] += len(run)
                break
    return counts


def garbled_share(text: str) -> float:
    """The share of bad characters among the readable and bad ones (0 for clean text)."""
    bad = sum(_garbled_counts(text).values())
    return bad / max(1, cjk_chars(text) + bad)


def garbled(text: str) -> str | None:
    """Why decoded text is still unreadable, or None: at least 5 bad characters and 1 in 200 (a stray broken
    character or four in a long text are tolerated)."""
    counts = _garbled_counts(text)
    bad = sum(counts.values())
    readable = cjk_chars(text)
    if bad < 5 or bad < 0.005 * (readable + bad):  # 5 holes and 1 in 200: a damaged text
        return None
    parts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n)
    return f"garbled text ({parts} against {readable} readable CJK characters)"


# ------------------------------------------------------------------------------------------------ not text at all
_MAGIC = ((b"%PDF", "PDF"), (b"PK\x03\x04", "ZIP/Office"), (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"),
          (b"GIF8", "GIF"), (b"RIFF", "RIFF (WebP/AVI)"), (b"\x1f\x8b", "gzip"), (b"BM", None), (b"\x00\x00\x01\x00",
          "ICO"), (b"Rar!", "RAR"), (b"7z\xbc\xaf", "7z"), (b"ID3", "MP3"), (b"\xd0\xcf\x11\xe0", "OLE (.doc/.xls)"))


def binary_kind(body: bytes) -> str | None:
    """What binary content the bytes are (PNG, PDF, …), or None for text. UTF-16 text (with a BOM) is text."""
    head = body[:4096]
    if read_bom(head)[0] in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        return None
    for magic, kind in _MAGIC:
        if kind and head.startswith(magic):
            return kind
    if b"\x00" in head:
        return "binary data (NUL bytes)"
    return None


def looks_binary(body: bytes) -> bool:
    return binary_kind(body) is not None
