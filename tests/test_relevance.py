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


def test_classify_is_fast(model):
    title, text = SPEECH
    long_text = "\n".join([text] * 15)
    model.classify(title, long_text)
    t0 = time.perf_counter()
    for _ in range(50):
        model.classify(title, long_text)
    assert (time.perf_counter() - t0) / 50 < 0.005


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
               *(ROOT / "fanwen" / "demo" / "content" / "extra").glob("*.txt")]
    for f in shipped:
        t = re.sub(r"\s+", "", f.read_text(encoding="utf-8"))
        assert not any(t[i:i + 12] in grams for i in range(len(t) - 11)), f


def test_benchmark_heldout_meets_target(model):
    from benchmarks import labelled
    from benchmarks.relevance import evaluate

    held = labelled.load("heldout")
    assert len(labelled.load("all")) >= 150 and sum(e["label"] == "speech" for e in held) >= 10
    rows = evaluate(model, held)
    for variant in ("full text", "first 1,000 chars", "traditional + pinyin"):
        m = rows[variant]["model"]
        assert m["precision"] >= 0.95 and m["recall"] >= 0.95, (variant, m)
