"""Serve the demo sites on 127.0.0.1 as an HTTP proxy (the crawler sets http_proxy=http://127.0.0.1:PORT).

Requests arrive in proxy form (`GET http://www.caiyes.cn.test/forum.php?... HTTP/1.1`) or in origin form with a
Host header; both are routed to `Demo.resolve(url)`. Unknown host -> 502, unknown path -> 404, CONNECT (https) -> 501.
The server only ever binds 127.0.0.1 and never opens an outgoing connection: every answer comes from memory.

    with DemoServer() as srv:
        os.environ["http_proxy"] = srv.proxy_url
        ...
        srv.requests  # [(url, status), …] in arrival order (appended under a lock; survives stop())
"""
from __future__ import annotations

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from fanwen.demo.generator import Demo, build_demo


class _Handler(BaseHTTPRequestHandler):
    server_version = "nginx/1.18.0"  # what the real sites answer with
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - quiet: the server keeps its own log
        return

    def _url(self) -> str:
        if self.path.startswith(("http://", "https://")):
            return self.path
        host = self.headers.get("Host", "")
        return f"http://{host}{self.path}"

    def _send(self, url: str, status: int, headers: dict, body: bytes, head_only: bool = False):
        self.server.log_request_url(url, status)  # type: ignore[attr-defined]
        if self.server.latency:  # type: ignore[attr-defined]
            time.sleep(self.server.latency)  # type: ignore[attr-defined]
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head_only and body:
            self.wfile.write(body)

    def _serve(self, head_only: bool = False):
        url = self._url()
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        demo: Demo = self.server.demo  # type: ignore[attr-defined]
        if host not in demo.hosts:
            body = b"<html><body><h1>502 Bad Gateway</h1><p>unknown host (the demo serves *.test hosts only)</p></body></html>"
            return self._send(url, 502, {"Content-Type": "text/html"}, body, head_only)
        # normalise the URL the way the pages are keyed (no port, no fragment)
        key = f"http://{host}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
        page = demo.resolve(key)
        if page is not None and key in self.server.broken_pages:  # type: ignore[attr-defined]
            return self._send(url, 200, {"Content-Type": "text/html; charset=utf-8"}, BROKEN_ARTICLE, head_only)
        fault = self.server.faults.get(key)  # type: ignore[attr-defined]
        if isinstance(fault, int):
            body = f"<html><body><h1>{fault}</h1></body></html>".encode()
            return self._send(url, fault, {"Content-Type": "text/html"}, body, head_only)
        if page is not None and parts.path == "/robots.txt":
            extra = "".join(f"Disallow: {urlsplit(u).path}\n" for u, f in self.server.faults.items()  # type: ignore
                            if f == "robots" and urlsplit(u).hostname == host)
            marker = b"User-agent: *\n"
            if extra and marker in page.body:  # into the existing group, after its User-agent line
                body = page.body.replace(marker, marker + extra.encode(), 1)
                return self._send(url, 200, dict(page.headers), body, head_only)
        if page is None:
            body = b"<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center></body></html>"
            return self._send(url, 404, {"Content-Type": "text/html"}, body, head_only)
        return self._send(url, page.status, dict(page.headers), page.body, head_only)

    def do_GET(self):  # noqa: N802
        self._serve()

    def do_HEAD(self):  # noqa: N802
        self._serve(head_only=True)

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve()

    def do_CONNECT(self):  # noqa: N802
        # no TLS tunnelling: the demo is plain http
        self._send(self.path, 501, {"Content-Type": "text/plain"}, b"CONNECT not supported by the demo proxy")


# A site "relaunched" with a client-side rendered layout: the article text is no longer in the HTML (test-only switch
# for the crawl-health alerts: DemoServer(broken_site=...) or FANWEN_DEMO_BROKEN_SITE=<site>).
BROKEN_ARTICLE = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>正在加载</title></head><body>"
                  "<div id=\"app\"></div><noscript>请开启浏览器的脚本功能</noscript>"
                  "<script src=\"/static/app.js\"></script></body></html>").encode("utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, demo: Demo, requests: list, lock: threading.Lock, broken_pages: frozenset = frozenset(),
                 faults: dict | None = None, latency: float = 0.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.latency = latency
        self.demo = demo
        self.broken_pages = broken_pages
        self.faults = faults or {}
        self.lock = lock
        self.requests = requests  # the DemoServer's list (shared, so callers may clear it between runs)

    def log_request_url(self, url: str, status: int):
        with self.lock:
            self.requests.append((url, status))


class DemoServer:
    """A threaded in-memory HTTP proxy serving the demo sites on 127.0.0.1 (ephemeral port)."""

    def __init__(self, demo: Demo | None = None, broken_site: str | None = None, faults: dict | None = None,
                 latency: float = 0.0):
        """broken_site, faults, latency: test-only switches. faults maps a page URL to an HTTP status to answer
        instead, or to 'robots' to add a Disallow line for it to its host's robots.txt; latency (seconds) is added to
        every response, so a crawl lasts long enough to kill and restart a process in the middle of it."""
        self.latency = latency
        self.demo = demo or build_demo()
        self.faults = dict(faults or {})
        broken_site = broken_site or os.environ.get("FANWEN_DEMO_BROKEN_SITE") or None
        # the article pages of `broken_site` are served with BROKEN_ARTICLE instead (a layout change)
        self.broken_pages = frozenset(u for a in self.demo.articles if a.site == broken_site for u in a.page_urls)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        # every request served as (url, status), in arrival order; appended under a lock by the handler threads.
        # A plain list on purpose: tests read it, and may clear it (`del srv.requests[:]`) between two crawls.
        self.requests: list[tuple[str, int]] = []

    # --- lifecycle ---------------------------------------------------------------------------------------------------
    def start(self) -> "DemoServer":
        if self._server is None:
            self._server = _Server(self.demo, self.requests, self._lock, self.broken_pages, self.faults,
                                   self.latency)
            self._thread = threading.Thread(target=self._server.serve_forever, name="demo-server", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- info ----------------------------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def snapshot(self) -> list[tuple[str, int]]:
        """A copy of `requests` taken under the lock."""
        with self._lock:
            return list(self.requests)

    def clear_requests(self) -> None:
        with self._lock:
            del self.requests[:]

    def fetched(self) -> set[str]:
        return {u for u, _ in self.snapshot()}


def main() -> None:  # pragma: no cover - manual use: python -m fanwen.demo.server
    import time

    with DemoServer() as srv:
        print(f"demo proxy on {srv.proxy_url}; start URLs:")
        for u in srv.demo.start_urls():
            print("  " + u)
        print(f"e.g.  curl -x {srv.proxy_url} {srv.demo.start_urls()[0]}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    main()
