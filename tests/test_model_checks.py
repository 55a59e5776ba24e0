"""The scoring model: level classifier, relevance, cost against budget, candidates, bulk scoring."""
import copy

import numpy as np
import pytest

from engine.service.api import make_reviewer
from engine.review.bulk import review_all
from engine.domain.row_text import row_text
from engine.model.classifier import LevelClassifier
from engine.model.versions import open_engine
from engine.io.examples import load_example_tables
from engine.io.readers import tables_from_json


@pytest.fixture(scope="module")
def engine():
    return open_engine()  # built once per test session in the temporary models folder (conftest)


@pytest.fixture(scope="module")
def reviewer(engine):
    return make_reviewer(engine)


BASE = {"project": {"name": "2026年全市中小学教师信息技术应用能力提升培训", "sector": "教育", "category": "培训类",
                    "amount": 120, "description": "面向全市中小学教师开展信息技术应用能力培训，共3000人次。",
                    "goal": "年内完成3000人次教师培训，考核合格率≥95%，参训教师满意度≥90%。"},
        "indicators": [
            {"level1": "成本指标", "level2": "经济成本指标", "indicator": "人均培训成本", "value": "≤400元/人次"},
            {"level1": "产出指标", "level2": "数量指标", "indicator": "教师培训人次", "value": "≥3000人次"},
            {"level1": "产出指标", "level2": "质量指标", "indicator": "培训考核合格率", "value": "≥95%"},
            {"level1": "产出指标", "level2": "时效指标", "indicator": "培训完成时间", "value": "11月底前"},
            {"level1": "效益指标", "level2": "社会效益指标", "indicator": "教师信息化教学能力达标率", "value": "≥90%"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "indicator": "参训教师满意度", "value": "≥90%"}]}


def review(reviewer, table):
    return reviewer.review(tables_from_json(table)[0])


def codes_at(result, code):
    return [f.row for f in result.findings if f.code == code]


def test_clean_table_has_no_model_finding(reviewer):
    r = review(reviewer, BASE)
    assert not [f for f in r.findings if f.severity == "error"]
    assert not codes_at(r, "INDICATOR_IRRELEVANT") and not codes_at(r, "LEVEL_MISFILED")


def test_unrelated_sector_indicator_is_irrelevant_with_candidates(reviewer):
    t = copy.deepcopy(BASE)
    t["indicators"].insert(2, {"level1": "产出指标", "level2": "数量指标", "indicator": "松材线虫病疫木除治数量", "value": "≥5000株"})
    r = review(reviewer, t)
    f = next(f for f in r.findings if f.code == "INDICATOR_IRRELEVANT")
    assert f.row == 3 and "林业" in f.message
    assert f.candidates and all(c["level2"] == "数量指标" for c in f.candidates)


def test_misfiled_indicator_is_named(reviewer):
    t = copy.deepcopy(BASE)
    t["indicators"][1] = {"level1": "效益指标", "level2": "经济效益指标", "indicator": "教师培训人次", "value": "≥3000人次"}
    r = review(reviewer, t)
    f = next(f for f in r.findings if f.code == "LEVEL_MISFILED" and f.row == 2)
    assert "产出指标" in f.message


def test_cost_above_budget_and_funds_as_goal(reviewer):
    t = copy.deepcopy(BASE)
    t["indicators"][0] = {"level1": "成本指标", "level2": "经济成本指标", "indicator": "项目总成本", "value": "≤1800000元"}
    t["indicators"].append({"level1": "产出指标", "level2": "数量指标", "indicator": "财政资金投入金额", "value": "120万元"})
    r = review(reviewer, t)
    cost = next(f for f in r.findings if f.code == "COST_BUDGET_MISMATCH")
    assert cost.severity == "error" and cost.row == 1 and "180万元" in cost.message
    assert codes_at(r, "INPUT_AS_GOAL") == [7]


def test_missing_slot_gets_candidates(reviewer):
    t = copy.deepcopy(BASE)
    t["indicators"] = [i for i in t["indicators"] if i["level2"] != "时效指标"]
    r = review(reviewer, t)
    f = next(f for f in r.findings if f.code == "LEVEL2_MISSING")
    assert f.candidates and all(c["level2"] == "时效指标" for c in f.candidates)


def test_bulk_parallel_equals_sequential(engine):
    tables = load_example_tables()[:240]
    a = review_all(tables, make_reviewer(engine), workers=1)
    b = review_all(tables, make_reviewer(engine), workers=2)
    assert [r.to_dict() for r in a] == [r.to_dict() for r in b]


def test_classifier_round_trip_and_sense(tmp_path):
    X = [row_text(n, u, v) for n, u, v in [("培训人次", "人次", "≥500"), ("验收合格率", "%", "100%"),
                                           ("完成时间", "", "12月底前"), ("服务对象满意度", "%", "≥90%"),
                                           ("会议人次", "人次", "≥100"), ("资金拨付及时率", "%", "≥95%")]]
    y = ["数量指标", "质量指标", "时效指标", "服务对象满意度指标", "数量指标", "时效指标"]
    clf = LevelClassifier().fit(X, y)
    clf.save(tmp_path)
    back = LevelClassifier.load(tmp_path)
    np.testing.assert_allclose(clf.decision_function(X), back.decision_function(X), rtol=1e-5)
    assert list(back.predict([row_text("群众满意度", "%", "≥85%")])) == ["服务对象满意度指标"]


def test_engine_classifier_is_calibrated(engine):
    cal = engine.params["calibration"]
    assert cal["misfiled_margin"] > 0 and 0 < cal["irrelevant_line"] <= 0.85
