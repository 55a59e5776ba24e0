"""The target parser on the written forms the domain names (each case hand-checked)."""
import datetime as dt

import pytest

from engine.domain.targets import DATE, EMPTY, QUAL, QUANT, YESNO, money_in_wan, parse_target

CASES = [
    # raw, indicator name, unit column -> kind, op, numbers, unit
    ("≥500人次", "", "", QUANT, "≥", (500,), "人次"),
    ("≧95%", "", "", QUANT, "≥", (95,), "%"),
    (">=90%", "", "", QUANT, "≥", (90,), "%"),
    ("不低于90%", "", "", QUANT, "≥", (90,), "%"),
    ("不少于3场", "", "", QUANT, "≥", (3,), "场"),
    ("至少2次", "", "", QUANT, "≥", (2,), "次"),
    ("达到98%", "", "", QUANT, "≥", (98,), "%"),
    ("≤30万元", "", "", QUANT, "≤", (30,), "万元"),
    ("≦5天", "", "", QUANT, "≤", (5,), "天"),
    ("<=3个工作日", "", "", QUANT, "≤", (3,), "个工作日"),
    ("不高于2%", "", "", QUANT, "≤", (2,), "%"),
    ("不超过120万元", "", "", QUANT, "≤", (120,), "万元"),
    ("50万元以内", "", "", QUANT, "≤", (50,), "万元"),
    ("控制在80万元以内", "", "", QUANT, "≤", (80,), "万元"),
    ("＝12个月", "", "", QUANT, "=", (12,), "个月"),
    ("100%", "", "", QUANT, None, (100,), "%"),
    ("80%-90%", "", "", QUANT, "range", (80, 90), "%"),
    ("80%～90%", "", "", QUANT, "range", (80, 90), "%"),
    ("≥190元每人每月", "", "", QUANT, "≥", (190,), "元/人·月"),
    ("≤5元/人·月", "", "", QUANT, "≤", (5,), "元/人·月"),
    ("1", "补贴发放准确率", "", QUANT, None, (100,), "%"),
    ("0.95", "仲裁案件法定期限结案率", "", QUANT, None, (95,), "%"),
    ("50000", "城镇新增就业人数（人）", "", QUANT, None, (50000,), "人"),
    ("3.3", "执法执勤用车平均里程数", "万公里", QUANT, None, (3.3,), "万公里"),
    ("1,200人", "", "", QUANT, None, (1200,), "人"),
    ("＞90％", "", "", QUANT, ">", (90,), "%"),
]


@pytest.mark.parametrize("raw,name,unit,kind,op,numbers,out_unit", CASES)
def test_quantitative_forms(raw, name, unit, kind, op, numbers, out_unit):
    t = parse_target(raw, name, unit)
    assert (t.kind, t.op, t.numbers, t.unit) == (kind, op, tuple(float(n) for n in numbers), out_unit)
    assert not t.vague and not t.multiple


@pytest.mark.parametrize("raw,month,year", [("12月底前", 12, None), ("2026年6月底前", 6, 2026),
                                            ("2024年12月31日前", 12, 2024), ("年底前", 12, None),
                                            ("第三季度末前", 9, None), ("2025-10-31", 10, 2025)])
def test_deadlines(raw, month, year):
    t = parse_target(raw)
    assert (t.kind, t.month, t.year) == (DATE, month, year)


def test_excel_date_cell():
    t = parse_target(dt.datetime(2025, 11, 30))
    assert (t.kind, t.year, t.month, t.day) == (DATE, 2025, 11, 30)


@pytest.mark.parametrize("raw", ["有效提升", "明显改善", "进一步提高", "根据上级下达任务确定", "按要求完成", "保持稳定", "达到预期"])
def test_vague_words(raw):
    t = parse_target(raw)
    assert t.kind == QUAL and t.vague


@pytest.mark.parametrize("raw", ["较上年提高", "达到《城市道路养护技术规范》要求", "不低于上年度水平", "合格"])
def test_graded_qualitative_is_not_vague(raw):
    t = parse_target(raw)
    assert t.kind == QUAL and t.graded and not t.vague


@pytest.mark.parametrize("raw,parts", [("1600人、200人", 2), ("1000人,3000人", 2), ("900人；1500人；20场", 3)])
def test_multiple_values(raw, parts):
    t = parse_target(raw)
    assert t.multiple and t.parts == parts


def test_ranges_and_ratios_are_not_multiple():
    assert not parse_target("5人/10万人").multiple
    assert not parse_target("80%-90%").multiple


@pytest.mark.parametrize("raw,kind", [("", EMPTY), (None, EMPTY), ("是", YESNO), ("否", YESNO)])
def test_empty_and_yes_no(raw, kind):
    assert parse_target(raw).kind == kind


def test_money_in_wan():
    assert money_in_wan(parse_target("≤300000元")) == pytest.approx(30.0)
    assert money_in_wan(parse_target("≤1.2亿元")) == pytest.approx(12000.0)
    assert money_in_wan(parse_target("≥95%")) is None
