"""Appropriateness rules that need no model (engine/review/appropriateness.py)."""
from rulekit import GOOD_ROWS, codes, context, replace

from engine.review.appropriateness import check_plausibility, rate_floor


def test_ordinary_targets_pass():
    assert codes(check_plausibility, context()) == []


def test_a_rate_over_100_percent_is_implausible():
    rows = replace(GOOD_ROWS, "培训考核合格率", ("产出指标", "质量指标", "培训考核合格率", "≥120%"))
    assert codes(check_plausibility, context(rows)) == ["TARGET_IMPLAUSIBLE"]


def test_a_rate_below_the_usual_floor_is_too_low():
    key, floor = rate_floor("参训教师满意度")
    rows = replace(GOOD_ROWS, "参训教师满意度", ("满意度指标", "服务对象满意度指标", "参训教师满意度", f"≥{floor - 20:g}%"))
    assert codes(check_plausibility, context(rows)) == ["TARGET_TOO_LOW"]
    assert key and floor > 20
