"""Politeness and containment: robots.txt in any encoding, no request outside the configured domains."""
import pytest

from crawler.middlewares import url_is_safe
from crawler.robots import TolerantRobotParser, decode_robots

DOMAINS = ["caiyes.cn", "sanweiyuan.com"]


@pytest.mark.parametrize("url,ok", [
    ("http://www.caiyes.cn/forum.php?mod=viewthread&tid=5", True),
    ("https://m.sanweiyuan.com/news/1.html", True),
    ("http://caiyes.cn.evil.com/x.html", False),
    ("http://notcaiyes.cn/x.html", False),
    ("http://127.0.0.1/news/1.html", False),
    ("http://[::1]/news/1.html", False),
    ("http://10.0.0.8:8080/x", False),
    ("file:///etc/passwd", False),
    ("ftp://www.caiyes.cn/a", False),
    ("javascript:alert(1)", False),
    ("mailto:a@caiyes.cn", False),
])
def test_url_is_safe(url, ok):
    assert url_is_safe(url, DOMAINS) is ok


class _Spider:
    pass


def test_robots_gbk_with_chinese_comments():
    body = "# 本站禁止抓取会员中心\nUser-agent: *\nDisallow: /member/ # 会员\nDisallow: /会员专区/\n".encode("gbk")
    rp = TolerantRobotParser(body, _Spider())
    assert not rp.allowed("http://www.caiyes.cn/member/login.html", "fanwen-corpus")
    assert rp.allowed("http://www.caiyes.cn/news/1.html", "fanwen-corpus")
    assert not rp.allowed("http://www.caiyes.cn/会员专区/a.html", "fanwen-corpus")


def test_robots_with_bom():
    body = b"\xef\xbb\xbfUser-agent: *\r\nDisallow: /plus/\r\n"
    assert decode_robots(body).startswith("User-agent")
    rp = TolerantRobotParser(body, _Spider())
    assert not rp.allowed("http://www.sanweiyuan.com/plus/search.php", "fanwen-corpus")
    assert rp.allowed("http://www.sanweiyuan.com/news/2.html", "fanwen-corpus")
