"""Extract stage: decoding, trafilatura with a density fallback for threads, multi-page joining."""
from cleaners.density import density_region
from cleaners.extract import decode_html, extract_pages

PARA = "今天召开全县经济工作会议,主要任务是总结今年工作,部署明年任务。各乡镇、各部门要认清形势,压实责任,确保各项目标任务圆满完成。"


def page(body: str, title: str = "在全县经济工作会议上的讲话", charset: str = "utf-8") -> str:
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{title}_讲话稿_某某范文网</title></head><body>"
            '<div class="nav"><a href="/">首页</a> <a href="/list/1.html">领导讲话</a></div>'
            f'<div class="content"><h1>{title}</h1>{body}</div>'
            '<div class="footer">版权所有 联系我们</div></body></html>')


def test_decode_gbk_meta_and_header():
    html = page(f"<p>{PARA}</p>", charset="gb2312").encode("gb18030")
    assert PARA in decode_html(html)
    assert PARA in decode_html(html, "text/html; charset=GBK")
    assert decode_html("已是文本") == "已是文本"


def test_extract_pages_joins_pages_in_order():
    p1 = page("".join(f"<p>{PARA}</p>" for _ in range(3)))
    p2 = page("<p>第二页:要强化督查考核,对工作不力的单位严肃问责,确保各项部署落到实处、见到实效。</p>" * 3)
    doc = extract_pages([("http://a.test/1.html", p1.encode()), ("http://a.test/1_2.html", p2)])
    assert doc.page_urls == ["http://a.test/1.html", "http://a.test/1_2.html"]
    assert doc.raw_text.index(PARA) < doc.raw_text.index("第二页")
    assert doc.raw_title.startswith("在全县经济工作会议上的讲话")


def test_density_region_finds_repeated_posts():
    posts = "".join(
        f'<div class="post" id="p{i}"><div class="author"><a href="/u/{i}">用户{i}</a></div>'
        f'<div class="msg">这是第{i}楼的回复内容,讨论县域经济发展和乡村振兴的具体做法,很有启发。</div></div>'
        for i in range(1, 7))
    html = (f'<html><body><div class="nav">{"".join(f"<a href=/c/{i}>栏目{i}</a>" for i in range(20))}</div>'
            f'<div id="postlist">{posts}</div><div class="footer">版权所有</div></body></html>')
    text, info = density_region(html, 0.75)
    assert info["repeats"] >= 2
    assert "第1楼" in text and "第6楼" in text and "栏目3" not in text


def test_paywall_notice_right_after_the_text_marks_truncation_but_a_sidebar_link_does_not():
    from cleaners.extract import extract_pages
    from cleaners.rules import clean_document

    body = "".join(f"<p>第{i}段,各部门要围绕年度目标任务,抓紧推进重点项目建设,确保各项指标稳步提升,切实做到心中有数、手中有策。</p>"
                   for i in range(1, 9))
    cut = body[:-40] + "</p>"  # the shown text stops mid-sentence inside the last paragraph
    paywalled = (f"<html><body><div class='content'><h1>在全县项目推进会上的讲话</h1>{cut}</div>"
                 "<div class='pay'>阅读全文(想阅读完全部图文内容,您需要先登陆!)</div></body></html>")
    complete = (f"<html><body><div class='content'><h1>在全县项目推进会上的讲话</h1>{body}</div>"
                + "<div class='footer'>" + "友情链接:各地范文网站导航与合作伙伴列表,欢迎交换链接。" * 4
                + "<a href='/x'>阅读全文</a></div></body></html>")
    d1 = clean_document(extract_pages([("http://a.test/1.html", paywalled)]))
    d2 = clean_document(extract_pages([("http://a.test/2.html", complete)]))
    assert d1.explain["extract"].get("paywall_after_text") == "阅读全文"
    assert d1.truncated is True
    assert "paywall_after_text" not in d2.explain["extract"]
    assert d2.truncated is False


def test_decoded_text_is_not_scanned_again(monkeypatch):
    """The pipeline decodes each page once: extract_page(decoded=True) does not run the decoder on its text again,
    and gives the same document as the path that does."""
    import cleaners.extract as ex

    html = "<html><head><title>在全县工作会议上的讲话</title></head><body><p>" + "同志们，今天我们召开会议。" * 20 + "</p></body></html>"
    plain = ex.extract_page(html, "http://a.test/1.html")
    calls = []
    monkeypatch.setattr(ex, "decode_html", lambda *a, **k: calls.append(a) or a[0])
    once = ex.extract_page(html, "http://a.test/1.html", decoded=True)
    assert calls == []
    assert (once.raw_text, once.raw_title, once.explain) == (plain.raw_text, plain.raw_title, plain.explain)
    ex.extract_page(html, "http://a.test/1.html")
    assert len(calls) == 1  # without the flag, text still goes through the one decoder
