"""Pages in the encodings that went wrong (issue 8), and pages that are no document, for the decoder's tests.

The speech texts are written for these tests. Each page is returned as (bytes, Content-Type header or None).
"""
from __future__ import annotations

import zlib

from scrapy.http import HtmlResponse

TITLE = "在全县春季植树造林动员会上的讲话"
PARAGRAPHS = [
    "同志们：",
    "今天召开全县春季植树造林动员会，主要任务是总结去年国土绿化工作，部署今年春季造林任务，动员全县上下迅速行动起来，"
    "掀起植树造林的新高潮。",
    "去年以来，全县完成人工造林一万二千亩，封山育林八千亩，退化林修复三千亩，新建乡村公园十二个，村庄绿化覆盖率明显提高，"
    "群众的获得感不断增强。这些成绩的取得，是各级各部门共同努力的结果，也凝聚了广大干部群众的心血和汗水。",
    "今年的任务更重、要求更高。各乡镇要把造林地块落实到山头地块，把苗木、资金、人员落实到位，确保栽一棵、活一棵、成林一片。"
    "要坚持适地适树，多栽乡土树种，少搞大树移栽，不搞形象工程，把有限的资金用在刀刃上。",
    "林业部门要加强技术指导，组织专业队伍开展整地栽植，严把苗木质量关，杜绝不合格苗木上山。财政部门要及时拨付造林补助资金，"
    "自然资源部门要做好用地保障，各有关部门要各司其职、密切配合，形成推动国土绿化的强大合力。",
    "最后，我再强调一点：护林防火责任重于泰山，各地要严格落实巡山护林制度，确保森林资源安全。",
    "谢谢大家！",
]
TEXT = "\n".join(PARAGRAPHS)
# sentences every correct decoding must keep (the last sentence of a paragraph may lose its 。 in a repaired old row)
KEY_PHRASES = ["掀起植树造林的新高潮", "封山育林八千亩", "确保栽一棵、活一棵、成林一片", "严把苗木质量关",
               "护林防火责任重于泰山"]


def page_html(meta_charset: str | None = None, body_html: str | None = None, title: str = TITLE) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}">' if meta_charset else ""
    body = body_html if body_html is not None else (
        f"<h1>{title}</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS))
    return (f"<html><head>{meta}<title>{title}_讲话稿_某县政务资料网</title></head><body>"
            '<div class="nav"><a href="/">首页</a> <a href="/news/list_1.html">领导讲话</a></div>'
            f'<div class="article">{body}</div>'
            '<div class="footer">版权所有 联系我们</div></body></html>')


def utf8_declaring_gb2312() -> tuple[bytes, str | None]:
    """What a browser's "save page" produces: UTF-8 bytes, the original page's gb2312 meta kept."""
    return page_html("gb2312").encode("utf-8"), "text/html"


def gbk_undeclared() -> tuple[bytes, str | None]:
    return page_html(None).encode("gbk"), "text/html"


def gbk_served_as_utf8() -> tuple[bytes, str | None]:
    return page_html(None).encode("gbk"), "text/html; charset=utf-8"


def gbk_declaring_utf8() -> tuple[bytes, str | None]:
    """The file form of "GBK served as UTF-8": the page's own declaration lies."""
    return page_html("utf-8").encode("gbk"), None


ENCODING_CASES = {
    "utf8_declaring_gb2312": utf8_declaring_gb2312,
    "gbk_undeclared": gbk_undeclared,
    "gbk_served_as_utf8": gbk_served_as_utf8,
}

ADS_ONLY = page_html("utf-8", body_html=(
    '<div class="ad"><a href="/vip.html">开通会员 免费下载</a></div><ul class="links">'
    + "".join(f'<li><a href="/news/{i}.html">热门范文推荐第{i}篇</a></li>' for i in range(1, 9))
    + '</ul><div class="ad"><a href="/app.html">扫码下载APP 领取优惠券</a></div>'), title="下载中心")
BLANK = '<html><head><meta charset="utf-8"><script>var a = 1;</script></head><body><div></div>  </body></html>'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(range(256))
SHORT_NOTICE = page_html("utf-8", body_html="<h1>停水通知</h1><p>因管网维修，城东片区明天上午八时至十二时停水，请居民提前储水。</p>",
                         title="停水通知")

UNUSABLE_CASES = {  # name -> (bytes, Content-Type, expected reason prefix)
    "empty": (b"", "text/html", "empty body"),
    "png_as_html": (PNG, "text/html", "binary content (PNG)"),
    "blank_html": (BLANK.encode(), "text/html; charset=utf-8", "blank HTML"),
    "ads_only": (ADS_ONLY.encode(), "text/html; charset=utf-8", "no main text"),
}


def old_stored_text(body: bytes, content_type: str | None) -> str:
    """What the crawler stored before the bytes were kept: Scrapy's decoded `response.text`."""
    headers = {"Content-Type": content_type} if content_type else {}
    return HtmlResponse("http://www.example.test/", body=body, headers=headers).text


OLD_SCHEMA = """
CREATE TABLE documents (id INTEGER PRIMARY KEY, url TEXT NOT NULL, site TEXT, title TEXT, text TEXT, published TEXT,
  fetched_at TEXT, content_hash TEXT, chars INTEGER, cluster_id INTEGER, is_canonical INTEGER, label TEXT,
  relevance FLOAT, truncated INTEGER, mangled FLOAT, placeholders TEXT, script TEXT, speaker TEXT, meeting TEXT,
  level TEXT, year INTEGER, site_name TEXT, raw_title TEXT, rules TEXT, page_count INTEGER, fingerprint TEXT,
  low_trust INTEGER, crawl_id INTEGER);
CREATE UNIQUE INDEX idx_documents_url ON documents (url);
CREATE TABLE pages (id INTEGER PRIMARY KEY, document_id INTEGER REFERENCES documents(id), seq INTEGER, url TEXT,
  fetched_at TEXT, html_z BLOB);
CREATE TABLE crawls (id INTEGER PRIMARY KEY, started_at TEXT, finished_at TEXT, sites TEXT, requests INTEGER,
  new_documents INTEGER, duplicates INTEGER, errors INTEGER, status TEXT, skipped_known INTEGER, command TEXT);
"""


def build_old_corpus(path: str, pages: dict[str, tuple[bytes, str | None]]) -> None:
    """A corpus.db as versions before the bytes were kept wrote it: pages.html_z = zlib(UTF-8 of response.text), the
    document's text whatever that decoding gave (here: the stored page's visible garble, as the old crawl kept)."""
    import sqlite3

    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    conn.execute("INSERT INTO crawls VALUES (1, '2025-01-01', NULL, 'example', 10, ?, 0, 0, 'interrupted', 0, 'crawl')",
                 [len(pages)])
    for i, (url, (body, ctype)) in enumerate(pages.items(), 1):
        html = old_stored_text(body, ctype)
        conn.execute("INSERT INTO documents (id, url, site, title, text, chars, cluster_id, is_canonical, label, "
                     "relevance, fetched_at, crawl_id) VALUES (?, ?, 'example', ?, ?, ?, ?, 1, 'other', 0, "
                     "'2025-01-01', 1)",
                     [i, url, "old title", html[-200:], 200, i])
        conn.execute("INSERT INTO pages (document_id, seq, url, fetched_at, html_z) VALUES (?, 1, ?, '2025-01-01', ?)",
                     [i, url, zlib.compress(html.encode("utf-8"))])
    conn.commit()
    conn.close()
