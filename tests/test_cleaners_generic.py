"""Generic cleaning rules, each on the shapes SITES.md documents (speech sentences here are invented)."""
from cleaners.document import Document
from cleaners.generic import (
    cut_paywall_tail,
    cut_related_tail,
    cut_site_footer,
    drop_ascii_noise,
    drop_breadcrumb,
    normalize_space,
    rejoin_broken_lines,
    strip_title_suffix,
)
from cleaners.registry import list_rules
from cleaners.rules import clean_text, explain_cleaning

P1 = "同志们:今天召开全县春季农业生产工作会议,主要任务是总结去年工作,安排今年春耕备耕,动员全县上下抓早抓实各项农事。"
P2 = "一、充分认识做好春耕生产的重要意义"
P3 = "粮食安全是国之大者。去年全县粮食总产再创新高,但也要看到,种植结构还不够优,农田水利设施仍有短板,部分乡镇抓粮积极性不高。"
P4 = "二要压实责任,确保各项措施落地见效。各乡镇要把春耕生产作为当前头等大事,主要负责同志要亲自抓、负总责,分管同志要靠前指挥。"
BODY = "\n".join([P1, P2, P3, P4])


def doc(text, title="", site_name=None):
    return Document(url="http://fanwen.example/a/1.html", raw_title=title, raw_text=text, site_name=site_name)


def clean(text, title="", site_rules=None, site_name=None):
    from cleaners.rules import clean_document

    return clean_document(doc(text, title, site_name), site_rules)


def test_rules_are_listed_with_scope_and_summary():
    rules = list_rules()
    names = [r["name"] for r in rules]
    assert names.index("normalize_space") < names.index("site_cut_from")  # generic first, site second
    assert all(r["summary"] for r in rules)
    assert {r["scope"] for r in rules} == {"generic", "site"}


def test_normalize_space():
    assert normalize_space("\u3000\u3000第一段。\r\n\n\u00a0\n第二段。 ") == "第一段。\n第二段。"


def test_breadcrumb_and_byline_and_leadin_removed():
    text = "\n".join([
        "位置: 首页 >专题范文 > 公文范文 > 文章内容",
        "在全县春季农业生产工作会议上的讲话",
        "2023-03-01 09:12:44 投稿作者:网友投稿 点击:",
        "下面是小编为大家整理的在全县春季农业生产工作会议上的讲话,供大家参考。",
        "在全县春季农业生产工作会议上的讲话",
        BODY,
    ])
    d = clean(text, "在全县春季农业生产工作会议上的讲话_公文范文_某某范文网")
    assert d.text == BODY
    assert d.title == "在全县春季农业生产工作会议上的讲话"
    assert {"drop_breadcrumb", "drop_byline", "drop_leadin", "drop_title_lines"} <= set(d.rules)
    assert d.published == "2023-03-01"  # from the date line


def test_lead_in_variants():
    for lead in ("导语:县长在春耕会上的讲话一文来源于网友上传,不代表本站观点,若需要原创文章可咨询客服老师,欢迎参考。",
                 "前言:本站为你精心整理了县长在春耕会上的讲话范文,希望能为你的创作提供参考价值,我们的客服老师可以帮助你,欢迎咨询。",
                 "【文章共1200字,精选参考范文,仅供学习借鉴】"):
        assert clean(lead + "\n" + BODY).text == BODY


def test_auto_summary_dropped():
    text = "文章导读\n今年全县春耕生产的重点任务是稳面积、提单产。\n" + BODY
    assert clean(text).text == BODY
    echo = P1[:40] + "……\n" + BODY  # a summary that repeats the opening
    assert clean(echo).text == BODY


def test_related_list_and_tags_cut():
    tail = "\n".join(["推荐访问:春耕 会议 讲话", "猜你喜欢", "2024年个人工作总结范文",
                      "本页是最新发布的《党支部书记述职报告》的详细范文参考文章。", "相关推荐"])
    d = doc(BODY + "\n" + tail)
    d.text = d.raw_text
    assert cut_related_tail(d).text == BODY


def test_paywall_tail_marks_truncated():
    cut = P3[:30]
    d = clean(P1 + "\n" + cut + "\n阅读全文 (想阅读完全部图文内容,您需要先登陆!)\n如果喜欢本篇内容,请赞赏鼓励哦!")
    assert d.text == P1 + "\n" + cut
    assert d.truncated
    d = doc(P1 + "……此处隐藏1520个字……" + P4)
    d.text = d.raw_text
    cut_paywall_tail(d)
    assert "此处隐藏" not in d.text and d.explain["cleaning"]["evidence"]["hidden_chars"] == 1520
    d = clean(P1 + "\n" + P3 + "\n(未完,全文共5200字,当前显示860字)")
    assert d.text == P1 + "\n" + P3 and d.truncated


def test_site_footer_cut():
    d = doc(BODY + "\n《在全县春季农业生产工作会议上的讲话》由互联网用户分享整理。文章地址:http://www.sanweiyuan.com/news/1.html")
    d.text = d.raw_text
    assert cut_site_footer(d).text == BODY


def test_docx_preview_pages_joined_and_title_unglued():
    title = "县长在全县春季农业生产工作会议上的讲话"
    pages = [title + P1[:50], P1[50:] + P3[:20], P3[20:]]
    text = "\n".join([
        f"{title}.docx",
        f"《{title}.docx》由会员分享,可在线阅读,更多相关《{title}.docx(6页珍藏版)》请在第壹文秘上搜索。",
        *[f"{i}、{p}" for i, p in enumerate(pages, 1)],
        "- 配套讲稿:", "如PPT文件的首页显示word图标,表示该PPT已包含配套word讲稿。",
    ])
    d = clean(text, f"{title}.docx-第壹文秘")
    assert d.text.replace("\n", "") == P1 + P3
    assert d.title == title
    assert d.truncated  # 6 pages declared, 3 shown
    assert {"drop_docx_header", "join_page_markers", "split_glued_title", "cut_site_footer"} <= set(d.rules)


def test_numbered_items_are_not_page_markers():
    items = "\n".join(["1、加强组织领导。各乡镇要成立工作专班,明确责任分工。", "2、强化要素保障。要统筹资金、用地、用工。",
                       "3、严格督查考核。县委督查室要定期通报进展。"])
    assert clean(P1 + "\n" + items).text == P1 + "\n" + items


def test_discuz_print_view_and_watermark():
    text = "\n".join([
        "老秘网_材夜思范文",
        "标题: 在全区春耕工作会议上的讲话 [打印本页]",
        "作者: 释然    时间: 昨天 14:58",
        "标题: 在全区春耕工作会议上的讲话",
        "同志们:",
        "今天召开全区春耕工作会议,我老秘网区今年的春耕任务很重,各街道要提前谋划、抓早抓实。",
        "& _3 ^; K# R\" y; w6 n5 q",
        "欢迎光临 老秘网_材夜思范文 (http://www.caiyes.cn/) Powered by Discuz! X3.4",
    ])
    d = clean(text, "老秘网_材夜思范文")
    assert d.text == "同志们:\n今天召开全区春耕工作会议,我区今年的春耕任务很重,各街道要提前谋划、抓早抓实。"
    assert d.title == "在全区春耕工作会议上的讲话"
    assert "remove_watermarks" in d.rules and "drop_ascii_noise" in d.rules


def test_ascii_noise_but_not_placeholders():
    assert drop_ascii_noise("要抓好落实。\n& _3 ^; K# R\" y; w6 n5 q\n完成x xx 亿元。") == "要抓好落实。\n完成x xx 亿元。"


def test_speech_tokens_kept():
    text = "\n".join([
        "同志们:",
        "第一,要提高认识。今年全县要完成投资*亿元,XX同志、某某局要牵头,xxx项目要在X月底前开工。",
        "(一)稳住农业基本盘。一要稳面积,二要提单产,三要强服务。",
        "1.加大财政投入。对☆☆乡镇的奖补资金要足额到位,对(单字替换)问题要严肃查处。",
        "“一年之计在于春”,全年增长6.5%的目标必须完成。",
    ])
    d = clean(text)
    assert d.text == text
    assert {"star", "xx", "x", "mou", "star2", "censored"} <= set(d.placeholders)


def test_pdf_broken_lines_rejoined_but_paragraphs_kept():
    broken = "\n".join([
        "一要认清形势。今年以来全县经济运行总体平稳,但工业投资增长乏力,重点项目推进偏慢,部分指标与年初目标相比还有较",
        "大差距,必须引起高度重视。",
        "二要压实责任。",
        "各乡镇、各部门要对照目标倒排工期。",
    ])
    assert rejoin_broken_lines(broken).split("\n") == [
        "一要认清形势。今年以来全县经济运行总体平稳,但工业投资增长乏力,重点项目推进偏慢,部分指标与年初目标相比还有较大差距,必须引起高度重视。",
        "二要压实责任。",
        "各乡镇、各部门要对照目标倒排工期。",
    ]


def test_cut_ellipsis_marks_truncated():
    d = clean(P1 + "\n" + P3[:40] + "...")
    assert d.text == P1 + "\n" + P3[:40] and d.truncated


def test_title_suffixes():
    assert strip_title_suffix("在全县农业工作会议上的讲话_公文范文_某某范文网") == "在全县农业工作会议上的讲话"
    assert strip_title_suffix("在全县农业工作会议上的讲话 (本页约4900+字)") == "在全县农业工作会议上的讲话"
    assert strip_title_suffix("县长讲话.docx") == "县长讲话"


def test_ads_dropped_speech_kept():
    rest = "\n".join([P4, P3, P4.replace("二要", "三要"), P3.replace("去年", "前年"), P4.replace("二要", "四要")])
    text = P1 + "\n更多精彩范文请关注本站,点击下载本文完整版。\n微信扫一扫\n" + rest
    d = clean(text)
    assert d.text == P1 + "\n" + rest
    assert not d.truncated  # a download notice in the middle is an ad, not where the copy stops


def test_site_rules_after_generic_and_explained():
    cfg = {"drop_lines": ["^某某会员专享$"], "cut_from": ["^附件下载$"], "watermarks": ["某某网"]}
    d = clean(P1 + "\n某某会员专享\n" + P3.replace("全县", "全某某网县") + "\n附件下载\n附件一", site_rules=cfg)
    assert d.text == P1 + "\n" + P3
    assert d.rules[-3:] == ["site_cut_from", "site_drop_lines", "site_watermarks"]
    report = explain_cleaning(d)
    assert "site_watermarks" in report and "truncated: False" in report


def test_clean_text_helper_fills_flags():
    d = clean_text(BODY, "在全县春季农业生产工作会议上的讲话")
    assert d.truncated is False and d.mangled == 0.0 and d.script == "simplified" and d.placeholders == []
    assert d.explain["cleaning"]["flags"]["truncated"] == []


def test_plain_texts_pass_through_untouched():
    """Do no harm: the demo's original texts (speeches, letters, plans, news…), given bare, lose nothing."""
    from pathlib import Path

    from benchmarks.common import bigram_f1

    content = Path(__file__).resolve().parents[1] / "fanwen" / "demo" / "content"
    # content/extra is left out on purpose: some of its texts carry page chrome (they test the relevance model)
    files = sorted([*content.glob("speeches/*.txt"), *content.glob("others/*.txt")])
    assert files
    for f in files:
        head, _, body = f.read_text(encoding="utf-8").partition("\n---\n")
        title = next((ln[7:] for ln in head.splitlines() if ln.startswith("title: ")), "")
        d = clean_text(body, title)
        assert bigram_f1(d.text, body) >= 0.999, (f.name, d.explain["cleaning"]["removed"])
        assert not d.truncated, (f.name, d.explain["cleaning"]["flags"]["truncated"])


def test_comment_box_and_topic_counters_are_dropped_but_speech_lines_with_numbers_stay():
    # a forum topic page: the post, its comment box chrome, then a sidebar of other topics with their counters
    page = "\n".join([P1, "等人赞过", "0/200", "表情 图片", "全部评论", "最热 最新", P3,
                      "春耕备耕交流", "3 点赞 · 1 评论", "农机补贴问答", "12 阅读 | 0 回复", P4,
                      "全县共有12个乡镇、3个街道参加评比。", "2/3"])
    text = clean(page).text
    for chrome in ("等人赞过", "0/200", "表情 图片", "全部评论", "最热 最新", "点赞 · 1 评论", "阅读 | 0 回复"):
        assert chrome not in text
    for kept in (P1, P3, P4, "全县共有12个乡镇、3个街道参加评比。", "2/3"):
        assert kept in text


def test_relative_times_and_thread_tools_alone_on_a_line_are_dropped():
    page = "\n".join([P1, "6天前", "仅看楼主", "倒序看帖", P3, "[作者]", "3小时前", "该评论已删除", "暂无数据", P4,
                      "会议要求，三天前下发的通知要在一周内落实到位。"])
    text = clean(page).text
    for chrome in ("6天前", "仅看楼主", "倒序看帖", "[作者]", "3小时前", "该评论已删除", "暂无数据"):
        assert chrome not in text
    for kept in (P1, P3, P4, "会议要求，三天前下发的通知要在一周内落实到位。"):
        assert kept in text
