"""robots.txt parsing that survives the encodings 范文 sites serve (UTF-8 with BOM, GBK, GBK behind a UTF-8 BOM)."""
from __future__ import annotations

import re
from urllib.parse import quote, unquote_to_bytes

from protego import Protego
from scrapy.robotstxt import ProtegoRobotParser

_BOM = b"\xef\xbb\xbf"
_PATH_RULE = re.compile(r"^(\s*(?:dis)?allow\s*:\s*)(\S+)(.*)$", re.I)


def decode_robots(body: bytes) -> str:
    """The whole file's encoding first, then the BOM stripped: UTF-8 when the bytes after a BOM (or the whole file)
    are valid UTF-8, else GB18030 (a superset of GBK/GB2312), else Latin-1, which never fails.

    Sites save GBK files with editors that prepend a UTF-8 BOM anyway; decoding the BOM with the GBK bytes glued
    `锘縐ser-agent` together and hid every rule. Scrapy's default drops undecodable bytes, which has the same effect.
    """
    if body.startswith(_BOM):
        body = body[len(_BOM):]
    for encoding in ("utf-8", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1")


def _decoded_path(path: str) -> str:
    """A percent-encoded rule path back to its characters (UTF-8 or GBK escapes), else the path unchanged."""
    if "%" not in path:
        return path
    raw = unquote_to_bytes(path)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return path


def _encoded_forms(path: str) -> list[str]:
    """A rule path with Chinese characters as sites link it: percent-encoded UTF-8 and percent-encoded GBK."""
    path = _decoded_path(path)
    forms = [quote(path, safe="/*$?=&%;:@+,!~'()")]
    try:
        forms.append(quote(path.encode("gb18030"), safe="/*$?=&%;:@+,!~'()"))
    except UnicodeEncodeError:
        pass
    return list(dict.fromkeys(forms))


def expand_non_ascii_rules(text: str) -> str:
    """Each Allow/Disallow line with a non-ASCII path (written out or percent-encoded) becomes one line per encoded
    form (UTF-8 and GBK), so a GBK site's `/%BD%B2%BB%B0/` links are blocked by `Disallow: /讲话/` as well as the
    UTF-8 form, and `Disallow: /%BD%B2%BB%B0/` blocks `/讲话/` too."""
    out = []
    for line in text.splitlines():
        m = _PATH_RULE.match(line)
        if m and (not m.group(2).isascii() or not _decoded_path(m.group(2)).isascii()):
            out.extend(m.group(1) + form + m.group(3) for form in _encoded_forms(m.group(2)))
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def parse_robots(body: bytes) -> Protego:
    return Protego.parse(expand_non_ascii_rules(decode_robots(body or b"")))


class TolerantRobotParser(ProtegoRobotParser):
    def __init__(self, robotstxt_body, spider):
        self.spider = spider
        self.rp = parse_robots(robotstxt_body)
