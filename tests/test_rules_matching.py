"""Matching rules that need no model (engine/review/matching.py)."""
from rulekit import GOOD_ROWS, codes, context, replace

from engine.review.matching import check_duplicates, check_inputs, check_placement, check_unknown_levels


def test_a_well_placed_table_passes():
    ctx = context()
    assert [codes(c, ctx) for c in (check_placement, check_unknown_levels, check_duplicates, check_inputs)] == [[], [], [], []]


def test_the_same_indicator_twice_is_reported():
    rows = GOOD_ROWS + [("产出指标", "数量指标", "培训教师人次", "≥3000人次")]
    assert codes(check_duplicates, context(rows)) == ["INDICATOR_DUPLICATE"]


def test_money_stated_as_a_goal_is_reported():
    rows = GOOD_ROWS + [("产出指标", "数量指标", "专项资金投入金额", "≥120万元")]
    assert codes(check_inputs, context(rows)) == ["INPUT_AS_GOAL"]


def test_a_satisfaction_indicator_outside_satisfaction_is_reported():
    rows = replace(GOOD_ROWS, "参训教师满意度", ("效益指标", "社会效益指标", "参训教师满意度", "≥90%"))
    assert codes(check_placement, context(rows)) == ["LEVEL_MISFILED"]
