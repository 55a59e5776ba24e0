"""Completeness rules (engine/review/completeness.py)."""
from rulekit import GOOD_ROWS, codes, context, replace

from engine.review.completeness import check_cost, check_cost_budget, check_goal, check_levels


def test_a_complete_table_has_no_completeness_findings():
    ctx = context()
    assert [codes(c, ctx) for c in (check_goal, check_levels, check_cost, check_cost_budget)] == [[], [], [], []]


def test_missing_goal_text_is_reported():
    assert codes(check_goal, context(goal="")) == ["GOAL_TEXT_MISSING"]


def test_missing_first_and_second_levels_are_reported():
    no_satisfaction = replace(GOOD_ROWS, "参训教师满意度", None)
    assert "LEVEL1_MISSING" in codes(check_levels, context(no_satisfaction))
    no_deadline = replace(GOOD_ROWS, "培训完成时间", None)
    assert codes(check_levels, context(no_deadline)) == ["LEVEL2_MISSING"]


def test_construction_projects_must_set_cost_indicators():
    rows = [r for r in GOOD_ROWS if r[0] != "成本指标"]
    ctx = context(rows, name="2026年城区排水管网改造工程", category="工程基建类", sector="住房城乡建设",
                  description="改造城区排水管网12公里", amount=3000)
    assert "COST_REQUIRED_MISSING" in codes(check_cost, ctx)
    assert "COST_REQUIRED_MISSING" not in codes(check_cost, context())  # a training project need not


def test_a_total_cost_above_the_budget_is_reported():
    rows = replace(GOOD_ROWS, "人均培训成本", ("成本指标", "经济成本指标", "项目总成本", "≤500万元"))
    assert codes(check_cost_budget, context(rows, amount=120)) == ["COST_BUDGET_MISMATCH"]
    rows = replace(GOOD_ROWS, "人均培训成本", ("成本指标", "经济成本指标", "项目总成本", "≤120万元"))
    assert codes(check_cost_budget, context(rows, amount=120)) == []
