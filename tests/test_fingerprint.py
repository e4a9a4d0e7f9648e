"""cleaners.fingerprint: each normalisation step of the comparison text, and the content hash."""
import pytest

from cleaners.fingerprint import content_hash, fingerprint_text as fp


def test_empty():
    assert fp("") == "" and fp("  ,。 \n") == ""


def test_traditional_script_folds_to_simplified():
    assert fp("書記在會議上強調,發展經濟要實事求是。") == fp("书记在会议上强调,发展经济要实事求是。")


@pytest.mark.parametrize("mirror", ["書記(shū)在會議上強調", "書記(shū jì)在會議上強調", "书记（shū）在会议(huì yì)上强调",
                                    "书记(shu ji)在会议上强调"])
def test_pinyin_in_parentheses_is_removed(mirror):
    assert fp(mirror) == fp("书记在会议上强调")


def test_parentheses_that_are_not_pinyin_stay():
    assert fp("地区生产总值(GDP)增长") == "地区生产总值gdp增长"
    assert fp("第(一)部分") == "第一部分"
    assert fp("(x)同志") == "#同志"  # a placeholder in parentheses is not pinyin


def test_nfkc_full_width_forms():
    assert fp("ＧＤＰ增长１２．５％") == fp("GDP增长12.5%") == "gdp增长#"


@pytest.mark.parametrize("variant", ["*同志", "X同志", "xx同志", "XXX同志", "×同志", "某某同志", "☆同志", "**同志",
                                     "x xx 同志", "○○同志"])
def test_placeholders_fold_to_one_symbol(variant):
    assert fp(variant) == "#同志"


def test_figures_fold_and_match_placeholders():
    assert fp("1*月增长5.6%") == fp("6月增长*%") == fp("xx月增长1%") == "#月增长#"


def test_x_inside_a_latin_word_is_kept():
    assert fp("用excel统计") == "用excel统计"


@pytest.mark.parametrize("swapped, original", [
    ("做好效劳工作", "做好服务工作"), ("打牢根底", "打牢基础"), ("坚持原那么", "坚持原则"),
    ("推动高质量开展", "推动高质量发展"), ("比方工业经济", "比如工业经济"), ("反响问题", "反映问题"),
    ("储藏人才", "储备人才"), ("这个咨询题", "这个问题"), ("〝双过半〞", "“双过半”"),
])
def test_known_swaps_map_back(swapped, original):
    assert fp(swapped) == fp(original)


def test_punctuation_and_whitespace_dropped():
    assert fp("同志们:\n  今天,我们召开——全县“冲刺三季度”会议!") == "同志们今天我们召开全县冲刺三季度会议"


def test_idempotent():
    t = "書記(shū)说:xx市1*月增长5.6%,效劳根底原那么〞 excel ＧＤＰ"
    assert fp(fp(t)) == fp(t)


def test_content_hash():
    h = content_hash(fp("同志们:今天开会。"))
    assert h == content_hash("同志们今天开会") and len(h) == 40
    assert h != content_hash("同志们今天开会了")
