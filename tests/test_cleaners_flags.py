"""Flags (truncated, mangled, placeholders, script) and metadata (title, speaker, meeting, level, year)."""
from cleaners import flags, metadata
from cleaners.rules import clean_text

CLEAN = ("今天召开全市经济工作会议,主要任务是总结今年经济工作,分析当前形势,部署明年任务。"
         "我们要坚持稳中求进,推动经济社会高质量发展,为全市人民提供更好的服务,夯实发展基础。")
SWAPPED = ("今天召开全市经济工作会议,主要任务是推动经济社会高质量开展,加快开展是第一要务,否那么就会落后。"
           "我们要为企业做好效劳,夯实开展根底,坚持原那么问题不让步,比方招商引资要有〞硬招实招〞。")


def test_mangled_scores_synonym_swaps():
    assert flags.mangled(CLEAN)[0] == 0.0
    score, signs = flags.mangled(SWAPPED)
    assert score >= 0.8 and {"效劳 for 服务", "根底 for 基础", "开展 for 发展"} <= set(signs)
    assert flags.mangled(CLEAN + "要认真开展调查研究。")[0] == 0.0  # 开展 used rightly


def test_placeholders():
    assert flags.placeholders("XX同志指出") == ["xx"]
    assert flags.placeholders("X月X日召开") == ["x"]
    assert flags.placeholders("投资*亿元") == ["star"]
    assert flags.placeholders("某某局要牵头,某些问题要解决") == ["mou"]
    assert flags.placeholders("☆☆镇要带头") == ["star2"]
    assert flags.placeholders("对(单字替换)问题") == ["censored"]
    assert flags.placeholders(CLEAN) == []


def test_script_detection():
    assert flags.script(CLEAN)[0] == "simplified"
    trad = "今天召開全市經濟工作會議,主要任務是總結今年經濟工作,分析當前形勢,部署明年任務。"
    assert flags.script(trad)[0] == "traditional"
    pinyin = "書記(shū)要求,全市幹部(gàn bù)要認真學習,各級領導(lǐng dǎo)要帶頭落實。"
    assert flags.script(pinyin)[0] == "traditional_pinyin"
    assert flags.to_simplified("書記") == "书记"


def test_truncated_reasons():
    assert flags.truncated(CLEAN, {}) == (False, [])
    assert flags.truncated(CLEAN, {"declared_pages": 9, "shown_pages": 4})[0]
    assert flags.truncated(CLEAN, {"declared_chars": 5000})[0]
    assert not flags.truncated(CLEAN, {"declared_chars": 90})[0]
    assert flags.truncated(CLEAN[:60], {})[0]  # ends mid-sentence
    assert not flags.truncated(CLEAN + "\n谢谢大家", {})[0]


def test_metadata_from_title():
    t = "常务副县长在全县财税工作会议上的讲话"
    assert metadata.speaker(t) == "常务副县长"
    assert metadata.meeting(t) == "全县财税工作会议"
    assert metadata.level("常务副县长", "全县财税工作会议") == "县"
    assert metadata.level(None, "全镇安全生产工作会议") == "镇"
    assert metadata.level("开发区党工委书记", None) == "区"
    assert metadata.year("在2023年全市经济工作会议上的讲话", None) == 2023
    assert metadata.year("在全市经济工作会议上的讲话", "2021-12-28") == 2021
    assert metadata.normalize_title("x xx 市长在市政府常务会议上的讲话") == "xxx市长在市政府常务会议上的讲话"


def test_document_metadata_filled():
    d = clean_text("区长在区政府第五次全体会议上的讲话\n2024-03-02 10:00:00 来源:网友投稿\n" + CLEAN,
                   "区长在区政府第五次全体会议上的讲话_讲话稿_某某范文网")
    assert (d.title, d.speaker, d.meeting, d.level, d.year, d.published) == (
        "区长在区政府第五次全体会议上的讲话", "区长", "区政府第五次全体会议", "区", 2024, "2024-03-02")
    assert d.text == CLEAN
