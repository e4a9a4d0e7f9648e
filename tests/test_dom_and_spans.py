"""DOM pass (layout tables, widgets, comments), forum-only density, span rules, the guard and titles, through the
real extract -> clean path on pages written here (original texts)."""
import json

from cleaners.document import Document
from cleaners.extract import extract_pages
from cleaners.registry import Rule, run_rules
from cleaners.rules import clean_document, explain_cleaning

PARAS = [
    "同志们:",
    "今天召开全县经济工作会议,主要任务是总结今年经济工作,分析当前形势,部署明年重点任务。刚才,县发改局通报了全县经济运行情况,我都同意。",
    "一、正确认识当前经济形势",
    "今年以来,全县上下坚持稳中求进工作总基调,地区生产总值增长百分之六,规上工业增加值增长百分之七,主要指标好于全市平均水平。",
    "二、突出抓好明年重点工作",
    "明年要聚焦项目建设、产业升级和民生改善三件大事,各乡镇、各部门要细化任务清单,压实工作责任,确保各项部署落到实处。",
    "三、切实转变工作作风",
    "各级干部要多到一线察实情、解难题,少开会、开短会,把更多精力放在抓落实上,以实干实绩检验工作成效。",
]
TITLE = "县长在全县经济工作会议上的讲话"


def gb_page(article_cell: str, sidebar: bool = True) -> bytes:
    side = ('<td width="200" valign="top"><b>相关文章</b><br>'
            + "".join(f'<a href="/a/{i}.html">·在全县第{i}次工作会议上的讲话</a><br>' for i in range(6)) + "</td>") if sidebar else ""
    html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>{TITLE}-某某秘书网</title>'
            f'</head><body><table width="960"><tr><td><a href="/">首页</a> | <a href="/l/1">领导讲话</a> | <a href="/l/2">工作总结</a></td></tr></table>'
            f'<table width="960"><tr><td width="760" valign="top"><b>{TITLE}</b><br>{article_cell}'
            '<br>【<a href="javascript:print()">打印本文</a>】【<a href="javascript:close()">关闭窗口</a>】</td>'
            f'{side}</tr></table><table><tr><td>上一篇:<a href="/p/1.html">在全县春耕工作会议上的讲话</a> 下一篇:<a href="/p/3.html">在全县防汛工作会议上的讲话</a></td></tr></table>'
            '<div class="footer">版权所有 某某秘书网</div></body></html>')
    return html.encode("gb18030")


def _clean(pages):
    return clean_document(extract_pages(pages))


def test_table_layout_with_sidebar_keeps_lines_and_drops_sidebar_and_widgets():
    doc = _clean([("http://old.example/html/1.html", gb_page("<br>".join(PARAS)))])
    assert "|" not in doc.raw_text
    for p in PARAS:
        assert p in doc.text.split("\n"), p
    for junk in ("·在全县", "打印本文", "关闭窗口", "上一篇", "版权所有"):
        assert junk not in doc.text
    assert doc.title == TITLE


def test_one_column_layout_table_is_not_one_line():
    cell = "<br><br>\u3000\u3000".join(PARAS)
    doc = _clean([("http://old.example/html/2.html", gb_page(cell, sidebar=False))])
    assert len(doc.text.split("\n")) == len(PARAS)


def _news_page(comments: int) -> str:
    # a speech of ~1,000 characters under a comment list holding more text than the speech
    body = "".join(f"<p>{p}</p>" for p in PARAS + [f"{k}、{p}" for k in "四五六七" for p in PARAS[1::2]])
    cmts = "".join(f'<div class="comment-item"><a href="/u/{i}">网友{i}</a><p>这是第{i}条评论,讲话很实在,我们乡镇也要抓紧落实项目建设和民生实事,'
                   f'把会议精神传达到每一个村组,请各位领导多到基层看看。</p><span>回复 {i}</span></div>' for i in range(comments))
    return (f"<html><head><title>{TITLE}_新闻中心</title></head><body><div class='nav'><a href='/'>首页</a></div>"
            f"<div class='article'><h1>{TITLE}</h1><div class='content'>{body}</div>"
            "<div class='share'>分享到: 微信 微博 QQ空间</div><div class='editor'>(责任编辑:张三)</div></div>"
            f"<div class='comments'><h3>热门评论</h3>{cmts}</div></body></html>")


def test_comment_list_under_a_news_article_never_replaces_it():
    doc = _clean([("http://news.example/2024/05/a1.html", _news_page(20))])
    assert PARAS[1] in doc.text and PARAS[-1] in doc.text
    assert "网友" not in doc.text and "评论" not in doc.text
    assert "分享到" not in doc.text and "责任编辑" not in doc.text
    assert doc.explain["extract"]["extractor"].startswith("trafilatura")


def test_forum_thread_keeps_replies():
    posts = "".join(f'<div class="post" id="post_{i}"><div class="authi"><a href="/u/{i}">用户{i}</a> 发表于 2024-5-{i + 1} 10:0{i}</div>'
                    f'<div class="t_f" id="postmessage_{i}">{PARAS[1] if i == 0 else f"第{i}楼回复:这篇讲话对我们写材料很有帮助,结构清楚,层次分明,感谢楼主分享。"}</div></div>'
                    for i in range(6))
    html = (f'<html><head><meta name="generator" content="Discuz! X3.4"><title>{TITLE} - 论坛</title></head>'
            f'<body><div id="postlist">{posts}</div><div id="ft">Powered by Discuz! X3.4</div></body></html>')
    doc = _clean([("http://bbs.example/thread-9-1-1.html", html)])
    assert doc.explain["extract"]["dom"].get("forum") is True
    assert "第3楼回复" in doc.text


def _text_doc(text: str, title: str = TITLE) -> Document:
    return clean_document(Document(url="http://x.example/1.html", raw_title=title, raw_text=text))


def test_leadin_sentence_removed_not_its_line():
    doc = _text_doc(f"下面是小编为大家整理的{TITLE},供大家参考。{PARAS[0]}{PARAS[1]}\n" + "\n".join(PARAS[2:]))
    assert doc.text.startswith("同志们:今天召开")
    assert "小编" not in doc.text


def test_header_fields_and_editor_note_and_share_notice_are_spans():
    body = "\n".join(PARAS[2:])
    d1 = _text_doc(f"(本页约4900+字) 2025-11-08 07:03:52 99 {PARAS[0]}{PARAS[1]}\n{body}")
    assert d1.text.startswith("同志们:") and "07:03" not in d1.text
    d2 = _text_doc(f"公文搜 2022-06-18 21:55:42 经济 {PARAS[1]}\n{body}")
    assert d2.text.startswith("今天召开") and "公文搜" not in d2.text
    d3 = _text_doc(f"编者按:这是一篇县长讲话,供学习参考。具体材料请详见: {PARAS[1]}\n{body}")
    assert d3.text.startswith("今天召开")
    d4 = _text_doc(f"{TITLE}.docx\n《{TITLE}.docx》由会员分享,可在线阅读,更多相关《{TITLE}.docx(12页珍藏版)》请在淘文阁上搜索。{PARAS[1]}\n{body}")
    assert d4.text.startswith("今天召开") and "淘文阁" not in d4.text


def test_inline_paywall_tails_cut_from_the_marker_and_flag_truncation():
    head = "\n".join(PARAS[:5])
    d1 = _text_doc(head + "\n" + PARAS[5] + " 阅读全文 (想阅读完全部图文内容,您需要先登陆!) 如果喜欢本篇内容,请赞赏鼓励哦! ¥8.88 赏赞 分享: 微信扫")
    assert d1.text.endswith(PARAS[5]) and d1.truncated
    d2 = _text_doc(head + "\n" + PARAS[5] + "……(新文秘网省略833字,正式会员可完整阅读)")
    assert d2.text.endswith(PARAS[5].rstrip("。")) or d2.text.endswith(PARAS[5])
    assert "省略" not in d2.text and d2.truncated


def test_guard_refuses_a_removal_that_takes_speech_text_and_explain_shows_it():
    def greedy(text: str) -> str:  # a rule gone wrong: drops every line holding 讲话 or 同志们
        return "\n".join(ln for ln in text.split("\n") if "同志们" not in ln)

    doc = Document(url="u", raw_text="\n".join(PARAS), text="\n".join(PARAS))
    run_rules(doc, [Rule("greedy", "generic", "text", greedy)])
    assert doc.text.startswith("同志们")
    assert "greedy" in doc.explain["cleaning"]["refused"]
    doc = _text_doc("\n".join(PARAS))
    doc.explain["cleaning"]["refused"] = {"greedy": ["holds 同志们"]}
    assert "refused: greedy" in explain_cleaning(doc)


def test_cleaning_that_drops_half_is_recorded():
    junk = "\n".join(f"相关推荐:在全县第{i}次工作会议上的讲话,县长在会上强调要抓好项目建设和民生工作。" for i in range(30))
    doc = _text_doc("\n".join(PARAS) + "\n" + junk)
    assert doc.explain["cleaning"].get("dropped_half")


def test_titles_lose_widget_text_and_site_suffix_and_never_take_a_sentence():
    assert _text_doc("\n".join(PARAS), title="正文复制在招商引资工作会上的讲话").title == "在招商引资工作会上的讲话"
    assert _text_doc("\n".join(PARAS), title=f"{TITLE}-范文大全").title == TITLE
    d = _text_doc("\n".join(PARAS), title="同志们: 前不久,市政府刚刚召开了今年第-范文大全")
    assert "同志们" not in d.title


def test_explain_samples_only_when_asked(tmp_path):
    from click.testing import CliRunner

    from fanwen.cli import main

    page = tmp_path / "p.html"
    page.write_bytes(gb_page("<br>".join(PARAS)))
    r = CliRunner().invoke(main, ["extract", str(page), "--url", "http://old.example/html/1.html", "--explain"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["text"].startswith("同志们") and out["title"] == TITLE
    assert "dom" in out["explain"]["extract"]


def test_site_config_prune_xpath_and_kind():
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    html = (f"<html><head><title>{TITLE}</title></head><body><div class='content'>{body}</div>"
            "<div class='tuijian'><p>本站推荐:这是一段站方推荐的长文字,讲的是别的事情,和讲话无关,却写得像正文一样长,足以混进正文里面去。</p></div></body></html>")
    plain = extract_pages([("http://a.example/1.html", html)])
    pruned = extract_pages([("http://a.example/1.html", html)], {"prune_xpath": ["//div[@class='tuijian']"]})
    assert "本站推荐" not in pruned.raw_text and PARAS[1] in pruned.raw_text
    assert pruned.explain["extract"]["dom"]["pruned"][0].startswith("site:")
    assert plain.explain["extract"]["dom"].get("forum") is not True
    assert extract_pages([("http://a.example/1.html", html)], {"kind": "forum"}).explain["extract"]["dom"]["forum"] is True


def test_page_counters_of_a_converted_document_go_wherever_they_fall():
    doc = _text_doc(f"第1页共21页{PARAS[0]}\n{PARAS[1][:30]}第2页共21页{PARAS[1][30:]}\n" + "\n".join(PARAS[2:]))
    assert "页共" not in doc.text and PARAS[1] in doc.text
    assert doc.explain["cleaning"]["evidence"]["declared_pages"] == 21


def test_legal_notice_and_platform_lines_removed_at_the_dom_level_and_explained():
    notice = ('<div class="notice"><p><b>反侵权公告：</b></p><p>未经本报书面许可，任何单位和个人不得转载、摘编本网刊发的原创作品，'
              '违者将依法追究责任。</p><p>一、转载须注明出处；</p><p>二、不得歪曲原意；</p><p>三、侵权线索请来电告知。</p></div>')
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    html = (f'<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body><h1>{TITLE}</h1>'
            f'<div class="article">{body}<p class="ip">发布于：河北省</p></div>{notice}'
            '<div class="foot">关于我们 联系我们</div></body></html>')
    doc = _clean([("http://news.example/a/1.html", html)])
    assert "同志们" in doc.text and "切实转变工作作风" in doc.text
    assert "反侵权" not in doc.text and "不得歪曲原意" not in doc.text and "发布于" not in doc.text
    pruned = doc.explain["extract"]["dom"]["pruned"]
    assert any(p.startswith("notice: ") and "反侵权公告" in p for p in pruned)
    assert any(p.startswith("widget: 发布于") for p in pruned)


def test_platform_disclaimer_and_the_feed_after_it_are_cut():
    text = "\n".join([TITLE] + PARAS + ['以上内容（包括图片及视频）为创作者平台"某某号"用户上传并发布，本平台仅提供信息存储服务',
                                       "文章不错，点个赞吧", "三十岁那年他离开了小城"])
    doc = clean_document(Document(url="http://news.example/a/2.html", raw_title=TITLE, raw_text=text))
    assert "切实转变工作作风" in doc.text and "本平台" not in doc.text and "点个赞" not in doc.text
    assert "cut_platform_notice" in doc.explain["cleaning"]["rules"]


def test_a_stream_of_more_stories_after_the_article_is_dropped():
    # a news page that keeps loading other stories under the article: each teaser is a title link and a paragraph
    # of summary, so the stream is no link list; its container names it (moreStories / stream-item)
    teasers = "".join(
        f'<li class="stream-item"><h3><a href="/news/{i}.html">第{i}条其他新闻的标题写在这里</a></h3>'
        f'<p>这是第{i}条其他新闻的摘要，讲的是另一座城市的交通建设和居民出行，与本文毫不相干，却写得和正文一样长，'
        f'足够让抽取器把它当作正文的一部分收进来，所以必须在抽取之前把它去掉。</p></li>' for i in range(8))
    html = (f"<html><head><title>{TITLE}</title></head><body><main><article><h1>{TITLE}</h1>"
            + "".join(f"<p>{p}</p>" for p in PARAS) + "</article>"
            f'<div id="module-moreStories"><ul class="stream">{teasers}</ul></div></main></body></html>')
    doc = _clean([("http://news.example/2024/05/a2.html", html)])
    assert PARAS[1] in doc.text and PARAS[-1] in doc.text
    assert "其他新闻" not in doc.text
    assert any(p.startswith("related:") for p in doc.explain["extract"]["dom"]["pruned"])
