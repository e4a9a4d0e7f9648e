"""Small units behind the fault tests: robots.txt decoding, Retry-After parsing."""
from email.utils import formatdate
from urllib.parse import quote

import pytest

from crawler.middlewares import retry_after_seconds
from crawler.robots import decode_robots, parse_robots

RULES = "User-agent: *\r\nDisallow: /讲话/\r\nDisallow: /member/\r\n"
UA = "fanwen-corpus"


@pytest.mark.parametrize("body", [
    b"\xef\xbb\xbf" + RULES.encode("gbk"),  # GBK saved by an editor that adds a UTF-8 BOM
    b"\xef\xbb\xbf" + ("# 本站规则\r\n" + RULES).encode("gbk"),  # the same with a comment line first
    b"\xef\xbb\xbf" + RULES.encode("utf-8"),
    RULES.encode("gbk"),
    RULES.encode("gb18030"),
    ("# 注释\n" + RULES).encode("utf-8"),
], ids=["gbk+bom", "gbk+bom+comment", "utf8+bom", "gbk", "gb18030", "utf8+comment"])
def test_robots_rules_are_obeyed_whatever_the_encoding(body):
    assert decode_robots(body).lstrip("# 本站规则注释\r\n").startswith("User-agent")
    rp = parse_robots(body)
    for path in ["/讲话/1.html", "/" + quote("讲话") + "/2.html", "/" + quote("讲话".encode("gbk")) + "/3.html",
                 "/member/login.html"]:
        assert not rp.can_fetch("http://www.example.cn" + path, UA), path
    assert rp.can_fetch("http://www.example.cn/news/1.html", UA)
    assert rp.can_fetch("http://www.example.cn/讲话稿/1.html", UA)


@pytest.mark.parametrize("rule", [quote("讲话".encode("gbk")), quote("讲话")], ids=["gbk-escaped", "utf8-escaped"])
def test_percent_encoded_chinese_rules_block_both_forms(rule):
    rp = parse_robots(f"User-agent: *\nDisallow: /{rule}/\n".encode("ascii"))
    for path in ["/讲话/1.html", "/" + quote("讲话") + "/2.html", "/" + quote("讲话".encode("gbk")) + "/3.html"]:
        assert not rp.can_fetch("http://www.example.cn" + path, UA), path
    assert rp.can_fetch("http://www.example.cn/news/1.html", UA)


def test_retry_after_in_seconds_and_as_a_date():
    assert retry_after_seconds(b"20") == 20.0
    assert retry_after_seconds(" 7 ") == 7.0
    now = 1_800_000_000.0
    assert retry_after_seconds(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert retry_after_seconds(formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_a_timed_out_request_is_retried_in_a_one_request_slow_lane():
    from scrapy import Request
    from scrapy.exceptions import DownloadTimeoutError
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import BackoffRetryMiddleware

    class Spider:
        name = "s"

    crawler = get_crawler(settings_dict={"RETRY_TIMES": 2})
    crawler.spider = Spider()
    crawler.spider.crawler = crawler
    crawler.engine = type("Engine", (), {})()
    crawler.engine.downloader = type("Downloader", (), {"per_slot_settings": {}})()
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    slow = mw.process_exception(Request("http://www.example.cn/a/1.html"), DownloadTimeoutError("took too long"))
    assert slow.meta["download_slot"] == "www.example.cn (slow lane)"
    assert crawler.engine.downloader.per_slot_settings["www.example.cn (slow lane)"] == {"concurrency": 1}
    fast = mw._retry(Request("http://www.example.cn/a/2.html"), "500 Internal Server Error")
    assert "download_slot" not in fast.meta
