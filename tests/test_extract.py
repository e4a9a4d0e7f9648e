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
