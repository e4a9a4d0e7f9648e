"""A hostile web site on 127.0.0.1 for the crawler's fault tests: an HTTP proxy (the crawler's http_proxy) that serves
one site, `www.faultsite.cn`, with good articles between pages that fail in every way a real server does.

Every request that reaches it is logged on arrival as (monotonic time, url); a request for any other host is logged
too and answered 502, so the log shows whether anything left the configured domain. Binds 127.0.0.1 only, never
connects anywhere. The texts are written for these tests.
"""
from __future__ import annotations

import zlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlsplit

HOST = "www.faultsite.cn"
DOMAIN = "faultsite.cn"

SITE_TOML = f"""
name = "faultsite"
title = "故障测试站"
domains = ["{DOMAIN}"]
start_urls = ["http://{HOST}/list/1.html"]

[urls]
article = ['^/[^/]+/(?P<id>[a-z]\\w*)\\.html$']
list = ['^/list/\\d+\\.html$', '^/cal/\\d{{4}}-\\d{{2}}\\.html$']
deny = []
"""

_TOPICS = [("春季植树造林", "绿化", "苗木"), ("农村道路养护", "道路", "养护"), ("城区燃气管网改造", "管网", "安全"),
           ("秋粮收购", "粮食", "仓储"), ("社区卫生服务", "医疗", "家庭医生"), ("防汛抗旱", "水库", "巡查"),
           ("职业技能培训", "培训", "就业"), ("老旧小区加装电梯", "电梯", "居民")]


def article_paragraphs(n: int) -> list[str]:
    topic, a, b = _TOPICS[n % len(_TOPICS)]
    return [
        "同志们:",
        f"今天召开全区{topic}工作推进会,主要任务是总结前一阶段的{a}工作,部署第{n + 3}季度的重点任务。",
        f"一、认清形势。过去半年,各街道围绕{a}和{b}做了大量工作,完成了{12 + n}项年度任务,群众满意度明显提高。",
        f"二、突出重点。要把{b}作为今后一个时期的关键环节,建立台账,明确责任人,每{n + 2}周通报一次进度。",
        f"三、压实责任。各部门主要负责同志要亲自抓{topic},对推进不力的单位,区里将约谈第{n + 1}责任人。",
        f"同志们,{topic}事关千家万户,希望大家真抓实干,确保各项任务按期完成。谢谢大家!",
    ]


def article_title(n: int) -> str:
    return f"在全区{_TOPICS[n % len(_TOPICS)][0]}工作推进会上的讲话"


def article_html(n: int, charset: str = "utf-8") -> str:
    body = "".join(f"<p>{p}</p>" for p in article_paragraphs(n))
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{article_title(n)}_故障测试站</title></head>'
            f'<body><div class="nav"><a href="/list/1.html">领导讲话</a></div><div class="article">'
            f"<h1>{article_title(n)}</h1>{body}</div>"
            f'<div class="footer">故障测试站 版权所有</div></body></html>')


# good articles the crawl must store complete: name -> article number
GOOD = {"good0": 0, "good1": 1, "good2": 2, "flaky": 3, "slowdown": 4, "gbkmeta": 5, "deep": 6}
# pages that must never be stored
BAD = ["dead", "gone", "forbidden", "hang", "trickle", "cut", "huge", "bomb", "loop", "toip", "offsite", "tofile",
       "png", "empty", "ads"]
# paths robots.txt forbids (the GBK robots.txt behind a UTF-8 BOM): never requested
ROBOTS_BLOCKED = ["/讲话/rb1.html", "/" + quote("讲话".encode("gbk")) + "/rb2.html", "/member/rb3.html"]
ROBOTS_TXT = b"\xef\xbb\xbf" + "User-agent: *\r\nDisallow: /讲话/\r\nDisallow: /member/\r\n".encode("gbk")
RETRY_AFTER = 2


def list_html(n: int, port: int) -> str:
    links = []
    if n == 1:
        links += [f'<a href="/a/{name}.html">{article_title(i)}</a>' for name, i in GOOD.items() if name != "deep"]
        links += [f'<a href="/a/{name}.html">关于{name}的讲话</a>' for name in BAD]
        links += [f'<a href="{p}">领导讲话{i}</a>' for i, p in enumerate(ROBOTS_BLOCKED)]
        links += [f'<a href="http://127.0.0.1:{port}/a/ipgood.html">IP 链接</a>',
                  '<a href="http://www.otherfanwen.cn/a/x1.html">外站讲话</a>',
                  '<a href="ftp://www.faultsite.cn/a/x2.html">ftp</a>', '<a href="file:///etc/passwd">文件</a>',
                  '<a href="mailto:a@faultsite.cn">邮件</a>', '<a href="javascript:void(0)">脚本</a>',
                  '<a href="/cal/2024-01.html">日历</a>']
    if n == 3:
        links.append(f'<a href="/a/deep.html">{article_title(GOOD["deep"])}</a>')
    links.append(f'<a href="/list/{n + 1}.html">下一页</a>')  # endless pagination
    return f'<html><head><meta charset="utf-8"><title>领导讲话 第{n}页</title></head><body>{"".join(links)}</body></html>'


def calendar_html(year: int, month: int) -> str:
    prev = (year - 1, 12) if month == 1 else (year, month - 1)
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    return (f'<html><head><meta charset="utf-8"><title>{year}年{month}月</title></head><body>'
            f'<a href="/cal/{prev[0]}-{prev[1]:02d}.html">上月</a><a href="/cal/{nxt[0]}-{nxt[1]:02d}.html">下月</a>'
            f"</body></html>")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002
        return

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", headers=None):
        self.server.answered(self.url, status)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self.url = self.path if self.path.startswith("http") else f"http://{self.headers.get('Host')}{self.path}"
        parts = urlsplit(self.url)
        self.server.log(self.url)
        if parts.hostname != HOST:
            return self._send(502, b"unknown host")
        path = parts.path
        srv = self.server
        try:
            srv.route(self, path)
        except (BrokenPipeError, ConnectionResetError):
            pass


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, slow: float = 0.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.slow = slow  # seconds added to every article (the kill tests need a crawl that lasts a while)
        self.lock = threading.Lock()
        self.requests: list[tuple[float, str]] = []  # every request as it arrives: (monotonic time, url)
        self.statuses: list[tuple[str, int]] = []  # every answer: (url, status)
        self.counts: dict[str, int] = {}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    # --- lifecycle
    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def log(self, url: str) -> None:
        with self.lock:
            self.requests.append((time.monotonic(), url))

    def answered(self, url: str, status: int) -> None:
        with self.lock:
            self.statuses.append((url, status))

    def hits(self, path: str) -> list[tuple[float, str]]:
        with self.lock:
            return [r for r in self.requests if urlsplit(r[1]).path == path]

    def _count(self, path: str) -> int:
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            return self.counts[path]

    # --- the site
    def route(self, h: _Handler, path: str) -> None:
        port = self.server_address[1]
        n = self._count(path)
        if path == "/robots.txt":
            return h._send(200, ROBOTS_TXT, "text/plain")
        if path.startswith("/list/"):
            return h._send(200, list_html(int(path.split("/")[-1].split(".")[0]), port).encode("utf-8"))
        if path.startswith("/cal/"):
            y, m = path.split("/")[-1].split(".")[0].split("-")
            return h._send(200, calendar_html(int(y), int(m)).encode("utf-8"))
        name = path.rsplit("/", 1)[-1].removesuffix(".html")
        if name in GOOD and self.slow:
            time.sleep(self.slow)
        if name == "flaky" and n == 1:
            return h._send(500, b"<html><body>Internal Server Error</body></html>")
        if name == "slowdown" and n == 1:
            return h._send(429, b"<html><body>Too Many Requests</body></html>",
                           headers={"Retry-After": str(RETRY_AFTER)})
        if name == "gbkmeta":  # GBK bytes, charset only in <meta>, none in the header
            return h._send(200, article_html(GOOD[name], "gbk").encode("gbk"), "text/html")
        if name in GOOD:
            return h._send(200, article_html(GOOD[name]).encode("utf-8"))
        if name == "dead":
            return h._send(503, b"<html><body>Service Unavailable</body></html>")
        if name == "gone":
            return h._send(404, b"<html><body>Not Found</body></html>")
        if name == "forbidden":
            return h._send(403, b"<html><body>Forbidden</body></html>")
        if name == "hang":
            time.sleep(60)
            return
        if name == "trickle":  # one byte at a time, never finishing within the download timeout
            self.answered(h.url, 200)
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            for _ in range(200):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(0.3)
            return
        if name == "cut":  # promises more than it sends, then closes
            self.answered(h.url, 200)
            body = article_html(7).encode("utf-8")
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(len(body) * 3))
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(body[: len(body) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        if name == "huge":  # 50 MB, streamed
            self.answered(h.url, 200)
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(50 * 1024 * 1024))
            h.end_headers()
            chunk = ("<p>" + "大" * 20000 + "</p>").encode("utf-8")
            sent = 0
            while sent < 50 * 1024 * 1024:
                h.wfile.write(chunk)
                sent += len(chunk)
            return
        if name == "bomb":  # 200 MB of spaces in ~200 KB of gzip
            body = self._bomb()
            return h._send(200, body, headers={"Content-Encoding": "gzip"})
        if name in ("loop", "loop2"):
            return h._send(302, headers={"Location": "/a/loop2.html" if name == "loop" else "/a/loop.html"})
        if name == "toip":
            return h._send(302, headers={"Location": f"http://127.0.0.1:{port}/a/good0.html"})
        if name == "offsite":
            return h._send(302, headers={"Location": "http://www.otherfanwen.cn/a/good0.html"})
        if name == "tofile":
            return h._send(302, headers={"Location": "file:///etc/passwd"})
        if name == "png":
            return h._send(200, PNG, "text/html")
        if name == "empty":
            return h._send(200, b"")
        if name == "ads":
            ads = "".join(f'<div class="ad"><a href="http://ad.example.com/{i}">广告</a></div>' for i in range(5))
            return h._send(200, f"<html><head><title>广告</title></head><body>{ads}</body></html>".encode("utf-8"))
        return h._send(404, b"<html><body>Not Found</body></html>")

    _bomb_cache: bytes | None = None

    def _bomb(self) -> bytes:
        if FaultServer._bomb_cache is None:
            z = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
            chunk = b" " * (1 << 20)
            FaultServer._bomb_cache = b"".join(z.compress(chunk) for _ in range(200)) + z.flush()
        return FaultServer._bomb_cache
