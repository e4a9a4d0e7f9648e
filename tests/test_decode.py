"""The one decoder (cleaners/decode.py): declarations in Scrapy's order, the bytes win when a declaration does not
fit them, still-garbled text is recognised, older rows' text is repaired where its bytes can be recovered."""
import re
import subprocess
from pathlib import Path

import pytest

from cleaners.decode import binary_kind, decode_bytes, decode_html, decode_page, decode_text, garbled
from encoding_pages import KEY_PHRASES, TEXT, old_stored_text, page_html

ROOT = Path(__file__).resolve().parents[1]
TRAD = "同志們：今天我們召開全縣經濟工作會議，主要任務是總結今年工作，部署明年任務。各鄉鎮、各部門要認清形勢，壓實責任。"


def meta(cs):
    return f'<meta http-equiv="Content-Type" content="text/html; charset={cs}">'


def doc(text=TEXT, head=""):
    return f"<html><head>{head}<title>讲话</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize("name,body,ctype,encoding,source", [
    ("UTF-8 page declaring gb2312 (browser save)", doc(head=meta("gb2312")).encode(), None, "utf-8", "bytes"),
    ("UTF-8 page declaring gbk in the header", doc().encode(), "text/html; charset=GBK", "utf-8", "bytes"),
    ("GBK page, no declaration", doc().encode("gbk"), "text/html", "gb18030", "bytes"),
    ("GBK page served as charset=utf-8", doc().encode("gbk"), "text/html; charset=utf-8", "gb18030", "bytes"),
    ("GBK page, header utf-8, meta gbk: the meta fits", doc(head=meta("gbk")).encode("gbk"),
     "text/html; charset=utf-8", "gb18030", "meta"),
    ("UTF-8 page, header gbk, meta utf-8: the meta fits", doc(head=meta("utf-8")).encode(),
     "text/html; charset=gbk", "utf-8", "meta"),
    ("GBK page, header gbk, meta utf-8: the header fits (Scrapy's order)", doc(head=meta("utf-8")).encode("gbk"),
     "text/html; charset=gbk", "gb18030", "header"),
    ("GB2312 declared, GBK-only characters (朱镕基, 堃)", doc("朱镕基同志和王堃同志" + TEXT, meta("gb2312")).encode("gbk"),
     None, "gb18030", "meta"),
    ("GB18030 four-byte character", doc(TEXT + "𠮷", meta("gb18030")).encode("gb18030"), None, "gb18030", "meta"),
    ("UTF-8 BOM, then GBK bytes: GBK", b"\xef\xbb\xbf" + doc().encode("gbk"), None, "gb18030", "bytes"),
    ("UTF-8 BOM and UTF-8 bytes", b"\xef\xbb\xbf" + doc().encode(), "text/html; charset=gbk", "utf-8", "bom"),
    ("UTF-16 LE BOM", doc().encode("utf-16"), "text/html", "utf-16-le", "bom"),
    ("UTF-16 BE BOM", b"\xfe\xff" + doc().encode("utf-16-be"), None, "utf-16-be", "bom"),
    ("Big5 declared", doc(TRAD, meta("big5")).replace("讲话", "講話").encode("big5"), None, "big5hkscs", "meta"),
    ("Big5, no declaration", doc(TRAD).replace("讲话", "講話").encode("big5"), None, "big5hkscs", "bytes"),
    ("Short GBK text, no declaration (charset-normalizer also offers cp949)", "<p>讲话稿</p>".encode("gbk"), None,
     "gb18030", "bytes"),
    ("GBK page with two broken characters, no declaration", doc().encode("gbk")[:-40] + b"\xc7" +
     doc().encode("gbk")[-40:-20] + b"\xd6" + doc().encode("gbk")[-20:], None, "gb18030", "bytes"),
    ("GBK served as ISO-8859-1 (a Tomcat default)", doc().encode("gbk"), "text/html; charset=ISO-8859-1",
     "gb18030", "bytes"),
])
def test_the_right_text_whatever_the_declaration(name, body, ctype, encoding, source):
    d = decode_bytes(body, ctype)
    want = TRAD if "Big5" in name else "讲话稿" if "Short" in name else TEXT
    assert want[:40] in d.text, (name, d.text[:120])
    assert (d.encoding, d.source) == (encoding, source), (name, d.reason)
    assert d.text.count("\ufffd") == d.errors == (2 if "broken" in name else 0)
    assert "\ufeff" not in d.text and garbled(d.text) is None
    assert d.reason and d.as_dict()["encoding"] == encoding and "text" not in d.as_dict()


def test_what_was_declared_and_why_it_was_refused():
    d = decode_bytes(doc(head=meta("gb2312")).encode(), "text/html; charset=gb2312")
    assert d.declared == {"header": "gb18030", "meta": "gb18030"}
    assert "UTF-8 holding multi-byte text" in d.reason
    d = decode_bytes(doc().encode("gbk"), "text/html; charset=utf-8")
    assert d.declared == {"header": "utf-8"} and "do not decode" in d.reason and "gb18030" in d.reason


def test_a_real_latin_page_stays_latin():
    body = doc("Le café est à côté de la gare, près du musée.", '<meta charset="iso-8859-1">').replace("讲话", "Gare").encode("latin-1")
    d = decode_bytes(body)
    assert d.encoding == "cp1252" and "café" in d.text and "musée" in d.text


def test_ascii_and_text_input():
    assert decode_bytes(b"<html><body>hello</body></html>").text.endswith("hello</body></html>")
    d = decode_page("<p>已是文本</p>")
    assert (d.text, d.source) == ("<p>已是文本</p>", "text")
    assert decode_html("<p>已是文本</p>") == "<p>已是文本</p>"
    assert decode_html(doc().encode("gbk"), "text/html; charset=utf-8") == doc()


def test_a_stray_broken_byte_in_a_long_utf8_page_declaring_gb2312():
    body = doc(TEXT * 5, meta("gb2312")).encode()
    body = body.replace("封山".encode(), "封".encode() + b"\xe5", 1)  # one cut character
    d = decode_bytes(body)
    assert d.encoding == "utf-8" and d.errors == 1 and KEY_PHRASES[0] in d.text


@pytest.mark.parametrize("text,why", [
    ("ͬ־�ǣ����������ٿ�ȫ�ؾ��ù������飬��Ҫ�����", "replacement"),  # GBK read as UTF-8
    ("锟斤拷锟斤拷锟斤拷，今天召开锟斤拷会议。", "kunkao"),
    ("鍦ㄥ叏鍘跨粡娴庡伐浣滀細璁\ue1bd笂鐨勮\ue1bd瘽锛屽悓蹇椾滑", "utf8 as gbk"),  # UTF-8 read as GBK
    ("åœ¨å…¨åŽ¿ç»æµŽå·¥ä½œä¼šè®®ä¸Šçš„è®²è¯", "latin mojibake"),  # UTF-8 read as cp1252
    ("Í¬Ö¾ÃÇ£º½ñÌìÎÒÃÇÕÙ¿ªÈ«ÏØ¾­¼Ã¹¤×÷»áÒé", "latin mojibake"),  # GBK read as cp1252
])
def test_still_garbled_text_is_recognised(text, why):
    reason = garbled(text)
    assert reason and why in reason, (text, reason)


def test_ordinary_chinese_text_is_not_garbled():
    ordinary = ("同志们：这是一段正常的讲话——包括破折号……省略号、“引号”、《书名号》、××××占位符、"
                "★☆符号、·间隔号和 Ｘ 全角字母，以及 2025 年的数字与 English words。") * 4
    assert garbled(ordinary) is None
    assert garbled(TEXT * 10 + "\ufffd") is None  # one stray broken character in a long text


def test_old_rows_text_is_repaired_when_the_bytes_can_be_recovered():
    # UTF-8 page declaring gb2312: the old crawl stored Scrapy's gb18030 reading of it
    old = old_stored_text(page_html("gb2312").encode(), "text/html")
    assert garbled(old)
    d = decode_text(old)
    assert d.encoding == "utf-8" and "misread as gb18030" in d.reason
    assert all(k in d.text for k in KEY_PHRASES)
    # the old decoding dropped the last byte of a character before ASCII (a paragraph's final 。 before </p>): those
    # stay lost, one U+FFFD each, no more
    assert d.text.count("\ufffd") == old.count("\ufffd") <= 10
    # GBK bytes read as cp1252 (a server's ISO-8859-1 header, taken at its word)
    old = page_html("iso-8859-1").encode("gbk").decode("cp1252", "replace")
    d = decode_text(old)
    assert all(k in d.text for k in KEY_PHRASES) and "misread as cp1252" in d.reason
    # GBK served as utf-8: the old crawl kept U+FFFD, the bytes are gone; it stays garbled
    old = old_stored_text(page_html().encode("gbk"), "text/html; charset=utf-8")
    d = decode_text(old)
    assert d.text == old and garbled(d.text)


def test_binary_kinds():
    assert binary_kind(b"\x89PNG\r\n\x1a\n\x00\x00") == "PNG"
    assert binary_kind(b"%PDF-1.7 ...") == "PDF"
    assert binary_kind(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "JPEG"
    assert binary_kind(doc().encode("utf-16")) is None  # UTF-16 text has NUL bytes, and a BOM
    assert binary_kind(doc().encode("gbk")) is None


def _project_sources():
    """The project's own .py files: what git tracks, or (no git) the tree without build output and environments."""
    try:
        listed = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
        return [ROOT / name for name in listed.stdout.splitlines() if (ROOT / name).is_file()]
    except (OSError, subprocess.CalledProcessError):
        skip = {".venv", "venv", "site-packages", "build", "dist", ".eggs", ".tox"}
        return [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]


def test_one_decoder_in_the_repository():
    """decode_html / decode_page / decode_bytes are defined in cleaners/decode.py only (issue 8: one decoder)."""
    defs = []
    for path in _project_sources():
        for m in re.finditer(r"^\s*def (decode_html|decode_page|decode_bytes)\b", path.read_text(encoding="utf-8"),
                             re.M):
            defs.append((path.relative_to(ROOT).as_posix(), m.group(1)))
    assert sorted(defs) == [("cleaners/decode.py", "decode_bytes"), ("cleaners/decode.py", "decode_html"),
                            ("cleaners/decode.py", "decode_page")]
