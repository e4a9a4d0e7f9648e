"""robots.txt parsing that survives the encodings 范文 sites serve (UTF-8 with BOM, GBK)."""
from __future__ import annotations

from protego import Protego
from scrapy.robotstxt import ProtegoRobotParser


def decode_robots(body: bytes) -> str:
    """UTF-8 (BOM stripped) first, then GB18030 (a superset of GBK/GB2312), then Latin-1 which never fails.

    Scrapy's default drops undecodable bytes, which can glue a GBK trail byte into a directive.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1")


class TolerantRobotParser(ProtegoRobotParser):
    def __init__(self, robotstxt_body, spider):
        self.spider = spider
        self.rp = Protego.parse(decode_robots(robotstxt_body or b""))
