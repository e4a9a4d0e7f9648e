"""Which pages are no document (cleaners/usable.py), through the real pipeline: empty, binary, blank, garbled, no
main text; and what is kept: short but real documents."""
import pytest

from cleaners.usable import MIN_CJK, bytes_unusable, has_sentence, text_unusable, unusable_kind
from encoding_pages import SHORT_NOTICE, UNUSABLE_CASES, page_html, utf8_declaring_gb2312
from fanwen.pipeline import process_pages, process_text

URL = "http://www.example.test/news/7.html"


@pytest.mark.parametrize("name", sorted(UNUSABLE_CASES))
def test_pages_that_are_no_document(name):
    body, ctype, reason = UNUSABLE_CASES[name]
    doc = process_pages([(URL, body, ctype)], url=URL)
    assert doc.unusable and doc.unusable.startswith(reason), (name, doc.unusable)
    assert doc.explain["unusable"] == doc.unusable


def test_short_real_documents_are_kept():
    doc = process_pages([(URL, SHORT_NOTICE.encode(), "text/html; charset=utf-8")], url=URL)
    assert doc.unusable is None and "请居民提前储水" in doc.text
    # one sentence of 20 CJK characters is the least a document can be
    assert text_unusable("今天下午三点在县政府三楼会议室召开安全生产会议。") is None
    assert text_unusable("今天下午三点在县政府三楼开会。").startswith("no main text")  # 14 CJK
    # a long line without punctuation is prose too (some pages drop their 。)
    assert text_unusable("各乡镇各部门要认清形势压实责任确保各项目标任务圆满完成全力推动全县经济社会高质量发展再上新台阶") is None


def test_links_ads_and_widgets_are_no_main_text():
    lines = "\n".join(["热门范文推荐", "开通会员免费下载", "扫码关注公众号领取资料", "上一篇：关于做好防汛工作的通知",
                       "下一篇：在全县工作会议上的讲话", "相关阅读 更多精彩内容"])
    assert text_unusable(lines).startswith("no main text") and not has_sentence(lines)
    assert text_unusable("") == f"no main text (0 CJK characters after cleaning, fewer than {MIN_CJK})"


def test_garbled_text_is_unusable():
    doc = process_text(URL, "\ufffd\ufffd今天\ufffd\ufffd\ufffd召开\ufffd\ufffd\ufffd会议\ufffd\ufffd" * 10, "讲话")
    assert doc.unusable.startswith("garbled text")


def test_a_later_empty_or_binary_page_is_left_out_not_the_document():
    body = utf8_declaring_gb2312()[0]
    doc = process_pages([(URL, body, None), (URL.replace(".html", "_2.html"), b"", "text/html"),
                         (URL.replace(".html", "_3.html"), UNUSABLE_CASES["png_as_html"][0], "text/html")], url=URL)
    assert doc.unusable is None and "掀起植树造林的新高潮" in doc.text
    assert [d.get("left_out") for d in doc.explain["decode"]] == [None, "empty body",
                                                                  "binary content (PNG) served as a page"]


def test_bytes_rules_and_kinds():
    assert bytes_unusable(b"  \r\n ") == "empty body" and bytes_unusable("") == "empty body"
    assert bytes_unusable(b"%PDF-1.4 ...") == "binary content (PDF) served as a page"
    assert bytes_unusable(page_html().encode("gbk")) is None
    assert unusable_kind("binary content (PNG) served as a page") == "binary_content"
    assert unusable_kind("no main text (3 CJK characters …)") == "no_main_text"
    assert unusable_kind("blank HTML (no visible text)") == "blank_html"
