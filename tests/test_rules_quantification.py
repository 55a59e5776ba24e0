"""Quantification rules (engine/review/quantification.py)."""
from rulekit import GOOD_ROWS, codes, context, replace

from engine.review.quantification import check_values


def test_quantified_targets_pass():
    assert codes(check_values, context()) == []


def test_vague_target_is_reported():
    rows = replace(GOOD_ROWS, "培训考核合格率", ("产出指标", "质量指标", "培训考核合格率", "显著提高"))
    assert codes(check_values, context(rows)) == ["VALUE_VAGUE"]


def test_empty_target_is_reported():
    rows = replace(GOOD_ROWS, "培训教师人次", ("产出指标", "数量指标", "培训教师人次", ""))
    assert codes(check_values, context(rows)) == ["VALUE_MISSING"]


def test_a_count_without_unit_is_reported():
    rows = replace(GOOD_ROWS, "培训教师人次", ("产出指标", "数量指标", "培训教师规模", "3000"))
    assert "UNIT_MISSING" in codes(check_values, context(rows))


def test_several_values_in_one_target_are_reported():
    rows = replace(GOOD_ROWS, "培训考核合格率", ("产出指标", "质量指标", "培训考核合格率及出勤率", "≥95%、≥98%"))
    assert "MULTIPLE_VALUES" in codes(check_values, context(rows))
