"""Review that holds up on real tables: empty and unusable tables, the monotone score, template debris
and non-indicators, goal–indicator consistency, relevance by sector words, budget years, one
coherent piece of advice per row."""
import copy
import random

import pytest

from engine.io.examples import load_example_tables
from engine.io.readers import read_file, tables_from_json
from engine.review.context import TableContext
from engine.review.reviewer import Reviewer
from engine.domain.table import GoalTable, Indicator
from engine.paths import Paths

RULES = Reviewer()

CT = {"project_id": "CT", "name": "2026年县人民医院CT设备购置", "department": "县卫生健康局", "sector": "卫生健康",
      "amount": 500, "description": "为县人民医院购置64排螺旋CT一台，开展影像检查",
      "goal": "完成64排CT购置1台，年检查人次达到8000人次"}
CT_ROWS = [("产出指标", "数量指标", "CT设备购置数量", "=1台"),
           ("产出指标", "质量指标", "设备验收合格率", "100%"),
           ("产出指标", "时效指标", "设备安装完成时间", "2026年6月30日前"),
           ("成本指标", "经济成本指标", "设备购置成本", "≤500万元"),
           ("效益指标", "社会效益指标", "年检查人次", "≥8000人次"),
           ("满意度指标", "服务对象满意度指标", "患者满意度", "≥90%")]


def table(rows, **project):
    data = {"project": {**CT, **project},
            "indicators": [{"level1": a, "level2": b, "indicator": c, "value": d} for a, b, c, d in rows]}
    return tables_from_json(data)[0]


def review(rows, reviewer=RULES, **project):
    return reviewer.review(table(rows, **project))


def at(result, code):
    return [f for f in result.findings if f.code == code]


# ------------------------------------------------------------------ scoring that cannot be gamed
def test_clean_table_passes():
    r = review(CT_ROWS)
    assert r.decision == "通过" and not [f for f in r.findings if f.severity == "error"], r.findings


@pytest.mark.parametrize("rows", [
    [],
    [("满意度指标", "服务对象满意度指标", "患者满意度", "≥90%")],
    [("其他", "其他", "CT购置数量", "1台")],
    [("产出指标", "数量指标", "本项目不适用此指标", "无"), ("产出指标", "质量指标", "无", "无"),
     ("效益指标", "社会效益指标", "★★★", ""), ("满意度指标", "服务对象满意度指标", "满意度", "")],
])
def test_empty_or_unusable_tables_are_poor_and_returned(rows):
    r = review(rows)
    assert r.grade == "差" and r.decision == "退回修改", (r.total, r.findings)


def test_unrecognised_levels_are_named_in_the_message():
    r = review([("其他", "其他", "CT购置数量", "1台")])
    msg = next(f.message for f in at(r, "LEVEL1_MISSING") if f.row is None)
    assert "无法识别" in msg and "CT购置数量" in msg and "没有任何" not in msg


def _parts_of(t: GoalTable) -> list:
    """The parts required of this table that it has rows in."""
    parts = TableContext.of(t).coverage.parts
    return [p for p in parts if any(p.holds(i.placement.level1, i.placement.level2) for i in t.indicators)]


def _without(t: GoalTable, part) -> GoalTable:
    c = copy.deepcopy(t)
    c.indicators = [i for i in c.indicators if not part.holds(i.placement.level1, i.placement.level2)]
    return c


def _spoil(t: GoalTable, rng: random.Random) -> GoalTable:
    """Random damage: vague, empty, filler, foreign and duplicated rows, so that floors are exercised."""
    c = copy.deepcopy(t)
    for ind in c.indicators:
        roll = rng.random()
        if roll < 0.12:
            ind.value = rng.choice(["有效提升", "", "按要求", "较好"])
        elif roll < 0.18:
            ind.name, ind.value = rng.choice([("本项目不适用此指标", "无"), ("★★★", ""), ("0", "0")])
        elif roll < 0.22:
            ind.value = "≥300%"
        ind._placement = ind._target = None
    if rng.random() < 0.3 and c.indicators:
        c.indicators.append(copy.deepcopy(rng.choice(c.indicators)))
    if rng.random() < 0.3:
        c.indicators.append(Indicator("产出指标", "数量指标", "生猪出栏头数", "≥500头"))
    return c


def test_removing_a_required_part_never_raises_the_total():
    rng = random.Random(7)
    tables = load_example_tables()
    sample = rng.sample(tables, 60) + [table(CT_ROWS)]
    checked = 0
    for t in sample:
        for variant in (t, _spoil(t, rng), _spoil(t, rng)):
            full = RULES.review(variant).total
            for part in _parts_of(variant):
                reduced = RULES.review(_without(variant, part)).total
                assert reduced <= full + 1e-9, (variant.project.name, part.key, full, reduced)
                checked += 1
    assert checked > 300


def test_missing_parts_cost_in_order():
    full = review(CT_ROWS).total
    no_time = review([r for r in CT_ROWS if r[1] != "时效指标"]).total
    no_output = review([r for r in CT_ROWS if r[0] != "产出指标"]).total
    assert full > no_time > no_output


# ------------------------------------------------------------------ template debris and non-indicators
@pytest.mark.parametrize("name,cleaned", [
    ("农村低保发放人数(≥**人)", "农村低保发放人数"), ("指标1:培训人次", "培训人次"), ("培训人次（必填）", "培训人次"),
    ("XX村道路硬化长度", "村道路硬化长度"), ("设备验收合格率★★★", "设备验收合格率")])
def test_placeholder_gets_the_cleaned_name(name, cleaned):
    rows = CT_ROWS[:1] + [("产出指标", "质量指标", name, "100")] + CT_ROWS[2:]
    f = at(review(rows), "NAME_PLACEHOLDER")
    assert len(f) == 1 and f[0].row == 2 and f"“{cleaned}”" in f[0].suggestion


@pytest.mark.parametrize("name,value", [
    ("本项目不适用此指标", "无"), ("无", "无"), ("0", "0"), ("100万", "100万"), ("2020年12月完成", "是"),
    ("数量指标", "≥1台"), ("项目实施是否产生经济价值", "否")])
def test_not_an_indicator(name, value):
    rows = CT_ROWS + [("效益指标", "经济效益指标", name, value)]
    r = review(rows)
    f = at(r, "NAME_NOT_INDICATOR")
    assert len(f) == 1 and f[0].row == len(rows), r.findings
    # one coherent message: nothing else on a row that is no indicator
    if f[0].severity == "error":
        assert [x.code for x in r.findings if x.row == len(rows)] == ["NAME_NOT_INDICATOR"]


def test_name_carrying_its_own_target_gets_one_message():
    rows = CT_ROWS[:1] + [("产出指标", "质量指标", "设备验收达标率100%", "≥98%")] + CT_ROWS[2:]
    r = review(rows)
    on_row = [f for f in r.findings if f.row == 2]
    assert [f.code for f in on_row] == ["NAME_NOT_INDICATOR"]
    assert "“设备验收达标率”" in on_row[0].suggestion and "不一致" in on_row[0].message
    empty = review(CT_ROWS[:1] + [("产出指标", "质量指标", "设备验收达标率100%", "")] + CT_ROWS[2:])
    assert [f.code for f in empty.findings if f.row == 2] == ["NAME_NOT_INDICATOR"]


def test_split_advice_names_the_values_not_numbers():
    rows = CT_ROWS + [("效益指标", "社会效益指标", "受益人数", "1600人、200人")]
    f = at(review(rows), "MULTIPLE_VALUES")[0]
    assert "“1600人”“200人”" in f.suggestion and "（1）" not in f.suggestion


# ------------------------------------------------------------------ goal–indicator consistency
TRAIN = {"name": "2026年乡村教师能力提升培训", "department": "县教育局", "sector": "教育", "amount": 80,
         "description": "面向全县乡村教师开展集中培训", "goal": "全年培训乡村教师600人次以上，培训合格率100%，参训教师满意度达到92%以上"}
TRAIN_ROWS = [("产出指标", "数量指标", "乡村教师培训人次", "≥600人次"),
              ("产出指标", "质量指标", "培训考核合格率", "100%"),
              ("产出指标", "时效指标", "培训完成时间", "2026年11月底前"),
              ("效益指标", "社会效益指标", "教师教学能力提升率", "≥90%"),
              ("满意度指标", "服务对象满意度指标", "参训教师满意度", "≥92%")]


def test_goal_consistent_table_has_no_goal_finding():
    r = review(TRAIN_ROWS, **TRAIN)
    assert not at(r, "GOAL_VALUE_MISMATCH") and not at(r, "GOAL_NOT_COVERED"), r.findings


def test_row_below_the_goal_number_is_a_mismatch():
    rows = [("产出指标", "数量指标", "培训人次", "≥500人次")] + TRAIN_ROWS[1:]
    f = at(review(rows, **TRAIN), "GOAL_VALUE_MISMATCH")
    assert len(f) == 1 and f[0].row == 1 and "≥600人次" in f[0].suggestion
    sat = TRAIN_ROWS[:4] + [("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥85%")]
    f = at(review(sat, **TRAIN), "GOAL_VALUE_MISMATCH")
    assert len(f) == 1 and f[0].row == 5 and "≥92%" in f[0].suggestion


def test_wording_and_unit_conversions_are_tolerated():
    goal = "全年服务群众1.2万人次，新建污水管网3公里，户均增收1500元"
    rows = TRAIN_ROWS[1:] + [("产出指标", "数量指标", "群众服务人次", "≥12000人次"),
                             ("产出指标", "数量指标", "新建污水管网长度", "≥3000米"),
                             ("效益指标", "经济效益指标", "带动农户户均增收", "≥1500元")]
    r = review(rows, **{**TRAIN, "goal": goal})
    assert not at(r, "GOAL_VALUE_MISMATCH") and not at(r, "GOAL_NOT_COVERED"), r.findings


def test_commitment_without_a_row_is_not_covered_with_the_row_to_add():
    goal = TRAIN["goal"] + "，新建污水管网12公里"
    f = at(review(TRAIN_ROWS, **{**TRAIN, "goal": goal}), "GOAL_NOT_COVERED")
    assert len(f) == 1 and f[0].row is None
    assert "12公里" in f[0].message and "≥12公里" in f[0].suggestion and "数量指标" in f[0].suggestion
    assert f[0].candidates and f[0].candidates[0]["suggested_value"] == "≥12公里"


def _clean_sets():
    yield "examples", load_example_tables()
    root = Paths.default().data / "eval" / "independent"
    yield "independent", [t for f in sorted(root.glob("*.json")) for t in read_file(f).tables]


@pytest.mark.parametrize("label,tables", list(_clean_sets()))
def test_new_codes_stay_quiet_on_clean_tables(label, tables):
    new = {"GOAL_VALUE_MISMATCH", "GOAL_NOT_COVERED", "NAME_PLACEHOLDER", "NAME_NOT_INDICATOR", "INDICATOR_IRRELEVANT"}
    # warnings included: a few example goals promise what no row carries (奖补资金兑付及时率≥98% with no
    # such row), which a reviewer would also ask for
    fired = [t.project.name for t in tables if {f.code for f in RULES.review(t).findings} & new]
    assert len(fired) <= 0.05 * len(tables), fired
    # the independent tables keep real drafters' vague effect targets (有效提升), which are errors;
    # the approved examples are clean
    errors = [t.project.name for t in tables if any(f.severity == "error" and (label == "examples" or f.code in new)
                                                    for f in RULES.review(t).findings)]
    assert len(errors) <= 0.05 * len(tables), errors


# ------------------------------------------------------------------ relevance for anything
def test_foreign_sector_rows_are_irrelevant_and_returned():
    rows = CT_ROWS + [("产出指标", "数量指标", "生猪出栏头数", "≥500头"),
                      ("效益指标", "生态效益指标", "森林覆盖率", "≥40%"),
                      ("效益指标", "社会效益指标", "培训教师人次", "≥100人次")]
    r = review(rows)
    assert sorted(f.row for f in at(r, "INDICATOR_IRRELEVANT")) == [7, 8, 9]
    # the rate norm for service coverage is not applied to forest cover
    assert not any("一般不低于80%" in f.message for f in r.findings)
    assert r.decision == "退回修改"


def test_related_or_mentioned_objects_are_relevant():
    pig = {"name": "2026年生猪良种补贴", "department": "县农业农村局", "sector": "农业农村",
           "description": "对全县生猪养殖场户发放良种补贴", "goal": "补贴能繁母猪2000头"}
    rows = [("产出指标", "数量指标", "补贴能繁母猪数量", "≥2000头"), ("效益指标", "经济效益指标", "生猪出栏头数", "≥30000头")]
    assert not at(review(rows, **pig), "INDICATOR_IRRELEVANT")
    school = {"name": "2026年县第二中学教学楼建设", "department": "县教育局", "sector": "教育",
              "description": "新建教学楼一栋，建筑面积6000平方米", "goal": "年内主体结构封顶"}
    rows = [("产出指标", "时效指标", "主体结构封顶时间", "2026年10月底前"), ("产出指标", "数量指标", "新建校舍面积", "≥6000平方米")]
    assert not at(review(rows, **school), "INDICATOR_IRRELEVANT")


# ------------------------------------------------------------------ the budget year
def test_deadlines_outside_the_budget_year():
    rows = [r if r[1] != "时效指标" else (r[0], r[1], r[2], "2027年6月30日前") for r in CT_ROWS]
    rows.append(("产出指标", "时效指标", "设备采购合同签订时间", "2025年12月31日前"))
    r = review(rows, year=2026)
    assert sorted(f.row for f in at(r, "TARGET_IMPLAUSIBLE")) == [3, 7]


def test_disagreeing_years_are_a_table_finding():
    t = table(CT_ROWS)
    t.project.extra["years"] = {"title": 2025, "name": 2026}
    f = [x for x in RULES.review(t).findings if x.code == "TARGET_IMPLAUSIBLE" and x.row is None]
    assert len(f) == 1 and "2025" in f[0].message and "2026" in f[0].message


def test_sector_words_are_up_to_date_with_the_library():
    import subprocess
    import sys

    root = Paths.default().data.parent
    r = subprocess.run([sys.executable, str(root / "scripts" / "build_sector_marks.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
