"""Relevance model: labels, scores, explanations, robustness (preview, traditional script), links, the benchmark."""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fanwen.relevance import LABELS, load_model, normalise  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"

# Short original texts written for these tests.
SPEECH = (
    "在全县二季度经济运行调度会上的讲话",
    "同志们:\n今天召开全县二季度经济运行调度会,主要是分析上半年经济形势,压实下半年的工作责任。刚才,县统计局通报了"
    "主要经济指标完成情况,几个乡镇作了表态发言,我都同意。下面,我讲三点意见。\n"
    "一要盯紧目标任务。全县地区生产总值增长4.9%,低于年度目标,规上工业增加值增速回落,各部门要逐项分析原因。\n"
    "二要狠抓项目建设。对未开工的重点项目,县级领导要包联到位,倒排工期、挂图作战,确保三季度全部开工。\n"
    "三要优化企业服务。开展一企一策帮扶,帮助企业解决融资、用工难题,确保完成全年目标任务。\n"
    "同志们,时间紧、任务重,希望大家只争朝夕、真抓实干。谢谢大家!",
)
NEWS = (
    "全县二季度经济运行调度会召开",
    "7月10日,全县二季度经济运行调度会召开。县长王立新出席会议并讲话。\n会议通报了上半年主要经济指标完成情况。"
    "王立新指出,上半年全县经济运行总体平稳,但工业增速回落。他强调,各部门要紧盯目标任务,狠抓项目建设,"
    "优化企业服务。王立新要求,县级领导要包联重点项目,确保三季度全部开工。\n各乡镇、县直部门主要负责同志参加会议。",
)
HOST = (
    "全县项目建设观摩会主持词",
    "同志们:\n现在开会。今天召开全县项目建设观摩会,主要任务是总结观摩情况,部署下步工作。会议共有三项议程:"
    "第一项,请县发改局通报观摩评分结果;第二项,请三个乡镇作交流发言;第三项,请县委书记讲话,大家欢迎。\n"
    "同志们,刚才书记的讲话要求明确,希望大家抓好落实。会议到此结束,散会。",
)
STUDENT = (
    "国旗下讲话:珍惜时间 努力学习",
    "老师们,同学们:\n大家早上好!我是初三(2)班的王小雨。今天我国旗下讲话的题目是《珍惜时间 努力学习》。"
    "同学们,距离中考只有一百天了,我们要在课堂上专心听讲,认真完成作业,不让时间白白溜走。谢谢大家!",
)


@pytest.fixture(scope="module")
def model():
    return load_model()


def test_labels_scores_and_explanation(model):
    label, score, why = model.classify(*SPEECH)
    assert label == "speech" and 0.0 <= score <= 1.0 and score >= model.threshold
    assert why["label"] == label and why["signals"]
    names = {s["signal"] for s in why["signals"]}
    assert {"opening_tongzhi", "speaks_points"} <= names
    assert all("contribution" in s for s in why["signals"])
    for title, text in (NEWS, HOST, STUDENT):
        label, score, _ = model.classify(title, text)
        assert label in LABELS and label != "speech", title


def test_near_miss_kinds(model):
    assert model.classify(*NEWS)[0] == "other"  # a report about the meeting is not spoken address
    assert model.classify(*HOST)[0] == "other_speech"
    assert model.classify(*STUDENT)[0] == "other_speech"


def test_preview_traditional_and_no_title(model):
    import opencc

    s2t = opencc.OpenCC("s2t").convert
    title, text = SPEECH
    trad = s2t(text).replace("經濟", "經濟(jīng jì)", 1)
    assert model.classify(s2t(title), trad)[0] == "speech"
    assert model.classify(title, text[:300])[0] == "speech"
    assert model.classify("", text)[0] == "speech"
    assert normalise("縣委書記(shū jì)講話") == "县委书记讲话"


def test_threshold_is_a_setting():
    strict = load_model(threshold=0.999)
    assert strict.threshold == 0.999
    assert strict.classify(*SPEECH)[0] != "speech"


def test_score_link_orders_anchors(model):
    good = model.score_link("县长在全县经济运行调度会上的讲话")
    assert 0.0 <= good <= 1.0
    for bad in ("全县经济运行调度会召开 县长出席并讲话", "官场风云 第十二章 县长的讲话稿", "在春季开学典礼上的国旗下讲话",
                "全县经济工作会议主持词", "学习全县经济工作会议精神心得体会", "入党申请书范文", "我的家乡(作文)"):
        assert model.score_link(bad) < good, bad
    assert model.score_link("下一页", context="领导讲话_第2页") > model.score_link("下一页", context="作文大全_第2页")


def test_denied_branches(model):
    for a in ("作文大全", "入党申请书", "学生演讲稿", "国旗下讲话", "心得体会", "小说阅读"):
        assert model.is_denied_branch(a), a
    for a in ("领导讲话", "公文范文", "讲话发言", "工作会议讲话", ""):
        assert not model.is_denied_branch(a), a


def test_search_keywords(tmp_path, model):
    kws = model.search_keywords(5)
    assert len(kws) == 5 and all(isinstance(k, str) and k for k in kws)
    (tmp_path / "a.txt").write_text("在全区招商引资工作推进会上的讲话\n同志们:今天召开全区招商引资工作推进会。刚才…下面,我讲三点。\n",
                                    encoding="utf-8")
    m = load_model(seeds_dir=tmp_path)
    assert m.search_keywords(3)[0] == "招商引资工作推进会"
    assert m.classify(*SPEECH)[2]["similarity"].get("seeds") is not None


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no shared seeds")
def test_seeds_are_speech_and_not_in_the_package(model):
    from fanwen.relevance import read_seed_docs

    for title, text in read_seed_docs(SEEDS):
        assert model.classify(title, text)[0] == "speech", title
        assert model.classify(title, text[:1000])[0] == "speech", title
    # the built-in profile is derived from project texts only: no seed passage is shipped in the package data
    grams = set()
    for p in SEEDS.glob("*.txt"):
        s = re.sub(r"\s+", "", p.read_text(encoding="utf-8"))
        grams.update(s[i:i + 12] for i in range(len(s) - 11))
    shipped = [*(ROOT / "fanwen" / "data").glob("relevance_*"), ROOT / "fanwen" / "relevance.py",
               *(ROOT / "fanwen" / "demo" / "content" / "extra").glob("*.txt"),
               *(ROOT / "fanwen" / "data" / "labelled").glob("*.txt")]
    for f in shipped:
        t = re.sub(r"\s+", "", f.read_text(encoding="utf-8"))
        assert not any(t[i:i + 12] in grams for i in range(len(t) - 11)), f


# Floors of the held-out figures printed by `python -m benchmarks.relevance` (a little under the measured values, so a
# change that loses a whole example fails). The held-out part is never trained or tuned on.
HELDOUT_FLOORS = {  # variant: (precision, recall)
    "full text": (0.95, 0.97),
    "first 300 chars (preview)": (0.95, 0.97),
    "traditional + pinyin": (0.95, 0.97),
    "traditional, first 300": (0.95, 0.97),
    "no title, first 1,000": (0.90, 0.95),
}
PAGE_FLOORS = {"full text": (0.90, 0.95), "traditional + pinyin": (0.90, 0.95), "first 300 chars (preview)": (0.90, 0.95)}


@pytest.fixture(scope="module")
def heldout_rows(model):
    from benchmarks import labelled
    from benchmarks.relevance import evaluate

    held = labelled.load("heldout")
    pages = [e for e in held if e["id"].startswith("labelled/")]
    return evaluate(model, held), evaluate(model, pages), held, pages


def test_benchmark_heldout_meets_target(heldout_rows):
    from benchmarks import labelled

    rows, page_rows, held, pages = heldout_rows
    assert len(labelled.load("all")) >= 290 and sum(e["label"] == "speech" for e in held) >= 35
    assert len(pages) >= 25 and sum(e["label"] == "speech" for e in pages) >= 12
    for variant, (p, r) in HELDOUT_FLOORS.items():
        m = rows[variant]["model"]
        assert m["precision"] >= p and m["recall"] >= r, (variant, m)
    for variant, (p, r) in PAGE_FLOORS.items():
        m = page_rows[variant]["model"]
        assert m["precision"] >= p and m["recall"] >= r, ("page openings", variant, m)
    # the model beats the keyword baseline on the held-out part
    assert rows["full text"]["model"]["f1"] > rows["full text"]["baseline"]["f1"] + 0.1


def test_split_is_deterministic_and_disjoint():
    from benchmarks import labelled

    train, held = labelled.load("train"), labelled.load("heldout")
    assert not {e["id"] for e in train} & {e["id"] for e in held}
    assert [e["id"] for e in held] == [e["id"] for e in labelled.load("heldout")]
    assert all(labelled.is_heldout(e["id"]) or e.get("split") == "heldout" for e in held)


CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.mark.skipif(not (CORPORA / "xwlb_meeting_news.jsonl").is_file(), reason="no shared corpora")
def test_real_negatives_of_the_shared_corpora(model):
    from benchmarks.relevance import corpora_rows

    rows = corpora_rows(model, CORPORA)
    n = sum(r["n"] for r in rows)
    fp = sum(r["fp"] for r in rows)
    assert n >= 800 and fp / n <= 0.002, rows


# ------------------------------------------------------------------ page openings (original texts written here)
def test_read_page_finds_title_and_skips_chrome():
    from fanwen.relevance_page import read_page

    v = read_page("当前位置:首页 > 领导讲话 > 正文", "县长在全县秋收工作会议上的讲话\n发布时间:10-08 | 阅读:12\n同志们:\n今天开会。")
    assert v.title == "县长在全县秋收工作会议上的讲话" and v.body.startswith("同志们") and "领导讲话" in v.chrome
    v = read_page("", "| 标题:区长在全区防汛会议上的讲话 |\n| 来源:本站 |\n同志们:\n汛期到了。")
    assert v.title == "区长在全区防汛会议上的讲话" and v.title_from == "table row" and v.body.startswith("同志们")
    v = read_page("", "VIP专免\n2024-05-16\n18.6KB\n14 页\n侵权投诉\n同志们:\n今天开会。")
    assert v.body.startswith("同志们") and "侵权投诉" in v.chrome
    v = read_page("", "温馨提示:\n2024\n县长\n在全县\n工作会议\n讲话\n同志们:\n今天开会。")
    assert v.body.startswith("同志们") and "在全县" in v.chrome
    glued = "镇长在全镇工作会议上讲话镇长在全镇工作会议上的讲话刚才几个村汇报了情况" + "我都同意。" * 20
    v = read_page("", glued)
    assert v.title_from == "run-in" and v.title.endswith("上的讲话") and v.body.startswith("刚才")
    v = read_page("稳中求进 干字当头", "——在全县经济工作会议上的讲话\n同志们:\n今天开会。")
    assert v.title == "稳中求进 干字当头 ——在全县经济工作会议上的讲话" and v.body.startswith("同志们")
    v = read_page("", "今天我们在这里召开全县植树造林动员会。下面我讲三点。\n(未完,全文共3000字)\n收藏《县长在全县植树造林动员会上的讲话》")
    assert v.title == "县长在全县植树造林动员会上的讲话" and v.title_from == "bookmark" and "未完" not in v.body
    # a docx viewer's page marker glued to the text: only the marker is chrome, the speech behind it is kept
    v = read_page("", "第1页共4页乡长讲话同志们:刚刚,几位同志总结了去年的工作。" + "下面我讲三点意见。" * 12)
    assert v.chrome == "第1页共4页" and "同志们:刚刚" in v.title + v.body
    v = read_page("", "正文\n第2页共5页")
    assert "第2页共5页" in v.chrome and "第2页" not in v.body


def test_real_page_eval_is_stored_without_texts():
    """The stored real-page labelling (benchmarks/real_pages.py): URLs, labels, notes only, both halves present."""
    from benchmarks import real_pages

    rows = real_pages.read()
    assert len(rows) >= 100 and {r["half"] for r in rows} == {"A", "B"}
    assert all(r["half"] == real_pages.half(r["url"]) for r in rows)
    assert all(r["label"] in ("speech", "other_speech", "other") and len(r["note"]) < 200 for r in rows)
    assert not set(r["url"] for r in rows) & real_pages.seen_before()


ELECTED = ("", "各位代表:\n刚才,大会选举我担任县人民政府县长。我衷心感谢各位代表的信任!今后五年,我将和县政府一班人一道,"
           "把人代会通过的各项任务落到实处,抓项目、稳就业、办实事,恳请各位代表监督政府的工作。谢谢大家!")
WORK_REPORT = ("", "各位代表:\n现在,我代表县人民政府,向大会报告工作,请予审议,并请县政协委员提出意见。\n一、2024年工作回顾\n"
               "过去一年,全县地区生产总值增长5.1%,一般公共预算收入增长4.2%。一年来,我们主要做了以下工作:")
INSPECTION = ("县长调研全县冷链物流建设时的讲话", "今天和大家一起看了两个冷链仓库,进度比预想的慢。刚才交通局作了汇报,"
              "我讲三点意见:一是抓进度,二是抓配套,三是抓招商。各乡镇要倒排工期,确保年底前投用。")
INSPECTION_NEWS = ("县长调研冷链物流建设时强调 加快项目进度", "10月9日,县长到冷链物流园调研。他强调,各部门要倒排工期,"
                   "确保年底前投用。县直有关部门负责同志陪同调研。")
FAREWELL = ("山高水长 情深意重", "——在全市领导干部会议上的讲话\n同志们:\n刚才,组织部领导宣布了省委的决定,我调省里工作。"
            "我在这里工作了五年,离开的时候心里很不舍。希望大家像支持我一样支持新同志的工作。再见了,同志们!")


def test_page_manners_of_real_speeches(model):
    import opencc

    s2t = opencc.OpenCC("s2t").convert
    assert model.classify(*ELECTED)[0] == "speech"
    assert model.classify(*WORK_REPORT)[0] == "other"
    assert model.classify(*INSPECTION)[0] == "speech"
    assert model.classify(*INSPECTION_NEWS)[0] == "other"
    assert model.classify(*FAREWELL)[0] == "other_speech"
    # a traditional-script mirror with toneless pinyin after the characters, headline first
    title, text = SPEECH
    trad = "".join(ch + ("(x)" if "\u4e00" <= ch <= "\u9fff" and i % 2 else "") for i, ch in enumerate(s2t(text)))
    assert model.classify("", s2t(title) + "\n2024-05-09 來源:網絡\n" + trad)[0] == "speech"
    # breadcrumb as the only title: the first line of the text is read as the title, and the explanation says so
    label, _, why = model.classify("当前位置:首页 > 领导讲话 > 正文", title + "\n" + text)
    assert label == "speech" and why["page"]["title_found_in_page"].startswith("first line")
