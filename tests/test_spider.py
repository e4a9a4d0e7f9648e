"""The generic spider on stored responses: which links it follows, incremental stops, multi-page stitching."""
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.siteconfig import load_sites
from crawler.spiders.fanwen import FanwenSpider

SITES_DIR = str(Path(__file__).with_name("fixtures") / "sites")
BASE = "http://www.forum.example.test/"

LIST_PAGE = f"""<html><head><title>领导讲话 - 测试论坛</title></head><body>
<a href="forum.php?mod=viewthread&tid=11">在全县项目建设推进会上的讲话</a>
<a href="thread-12-1-1.html">在全市经济运行调度会上的讲话</a>
<a href="archiver/tid-11.html">在全县项目建设推进会上的讲话(简洁版)</a>
<a href="forum.php?mod=viewthread&action=printable&tid=13">国旗下讲话:珍惜时间</a>
<a href="forum-2-2.html">下一页</a>
<a href="forum-9-1.html">作文大全</a>
<a href="member.php?mod=register">立即注册</a>
<a href="http://127.0.0.1/forum.php?mod=viewthread&tid=99">ip link</a>
<a href="http://other.example.com/thread-5-1-1.html">other site</a>
<a href="file:///etc/passwd">file</a><a href="mailto:a@b.c">mail</a><a href="javascript:void(0)">js</a>
</body></html>"""


def make_spider(**kw):
    crawler = get_crawler(FanwenSpider, {"FANWEN_DB": kw.pop("db", None)})
    spider = FanwenSpider.from_crawler(crawler, sites="forum", sites_dir=SITES_DIR, **kw)
    load_sites.cache_clear()
    return spider


def response(url, body, meta=None):
    req = Request(url, meta=meta or {"site": "forum"})
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", request=req)


def test_list_page_links():
    spider = make_spider()
    out = list(spider.parse_list(response(BASE + "forum-2-1.html", LIST_PAGE)))
    urls = [r.url for r in out]
    # one request per thread, whatever URL form was linked first
    assert urls.count(BASE + "forum.php?mod=viewthread&tid=11") == 1
    assert BASE + "archiver/tid-11.html" not in urls
    assert BASE + "thread-12-1-1.html" in urls
    assert BASE + "forum-2-2.html" in urls                      # pagination followed
    assert BASE + "forum-9-1.html" not in urls                  # a 作文 channel: denied branch
    assert not any("member.php" in u or "127.0.0.1" in u or "other.example" in u for u in urls)
    assert all(u.startswith("http://www.forum.example.test/") for u in urls)
    prio = {r.url: r.priority for r in out}
    assert prio[BASE + "forum.php?mod=viewthread&tid=11"] > prio[BASE + "forum.php?mod=viewthread&action=printable&tid=13"]


def test_breadth_first_mode_enters_every_branch_with_flat_priority():
    spider = make_spider(focused="0")
    out = list(spider.parse_list(response(BASE + "forum-2-1.html", LIST_PAGE)))
    assert BASE + "forum-9-1.html" in [r.url for r in out]
    assert {r.priority for r in out} == {0}


def test_incremental_skips_stored_and_stops_paging(tmp_path):
    from fanwen.store import Corpus
    from fanwen.pipeline import process_text
    db = str(tmp_path / "c.db")
    c = Corpus(db)
    for tid in (11, 12, 13):
        c.add_documents([(process_text(f"{BASE}forum.php?mod=viewthread&tid={tid}", f"内容{tid}", "讲话"), [])])
    c.close()
    spider = make_spider(db=db)
    list(spider.start_requests())
    out = list(spider.parse_list(response(BASE + "forum-2-1.html", LIST_PAGE)))
    assert out == []  # every article stored: no article fetched, no paging further down
    assert spider.crawler.stats.get_value("fanwen/list_stops") == 1


def test_multi_page_thread_is_stitched_into_one_item():
    spider = make_spider()
    page1 = response(BASE + "thread-12-1-1.html", "<html><body><p>第一页内容</p>"
                     "<a href='thread-12-2-1.html'>2</a><a href='thread-12-2-1.html'>下一页</a></body></html>")
    out = list(spider.parse_article(page1))
    follow = [r for r in out if isinstance(r, Request) and r.callback == spider.parse_article_page]
    assert [r.url for r in follow] == [BASE + "thread-12-2-1.html"]
    page2 = response(follow[0].url, "<html><body><p>第二页内容</p><a href='thread-12-3-1.html'>3</a></body></html>",
                     meta=follow[0].meta)
    out2 = list(spider.parse_article_page(page2))
    assert [r.url for r in out2] == [BASE + "thread-12-3-1.html"]
    page3 = response(out2[0].url, "<html><body><p>第三页内容</p></body></html>", meta=out2[0].meta)
    item = next(iter(spider.parse_article_page(page3)))
    assert item["url"] == BASE + "forum.php?mod=viewthread&tid=12"
    assert [u for u, _, _ in item["pages"]] == [BASE + f"thread-12-{p}-1.html" for p in (1, 2, 3)]
    # each page as received: the body bytes and the Content-Type, decoded later by the pipeline's decoder
    assert item["pages"][2][1] == "<html><body><p>第三页内容</p></body></html>".encode("utf-8")


def test_site_search_uses_model_keywords():
    spider = make_spider()
    starts = list(spider.start_requests())
    assert any(r.url.startswith(BASE + "search.php?q=") for r in starts)
    assert not any(r.url.startswith(BASE + "search.php") for r in make_spider(focused="0").start_requests())


def test_unknown_site_is_refused():
    with pytest.raises(ValueError, match="unknown site"):
        FanwenSpider(sites="nope", sites_dir=SITES_DIR)


@pytest.mark.parametrize("last_status,expect_catch_up", [("interrupted", True), ("finished", False)])
def test_after_a_crawl_cut_short_stored_pages_are_reread_for_links(tmp_path, last_status, expect_catch_up):
    from fanwen.pipeline import process_text
    from fanwen.store import Corpus
    db = str(tmp_path / "c.db")
    c = Corpus(db)
    crawl = c.begin_crawl(["forum"], command="crawl")
    page = f"<html><body><p>正文</p><a href='{BASE}forum.php?mod=viewthread&tid=77'>在全县招商大会上的讲话</a></body></html>"
    doc = process_text(f"{BASE}forum.php?mod=viewthread&tid=11", "内容", "讲话")
    doc.site = "forum"
    c.add_documents([(doc, [(f"{BASE}thread-11-1-1.html", page)])], crawl_id=crawl)
    c.finish_crawl(crawl, last_status)
    c.close()
    spider = make_spider(db=db)
    urls = [r.url for r in spider.start_requests()]
    assert (BASE + "forum.php?mod=viewthread&tid=77" in urls) is expect_catch_up
    assert spider.stop_at_stored_lists is not expect_catch_up
