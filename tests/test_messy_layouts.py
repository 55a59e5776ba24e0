"""Layouts real tables use, on invented tables (tests/data/messy and XLSX built here): levels with
scores and notes, old frameworks, 长期/年度 sets, self-evaluation tables, operator and weight
columns, indicators written as prose, evaluation rows, and where the budget year comes from."""
import json
from pathlib import Path

import openpyxl
import pytest

from engine.cli import main
from engine.domain.framework import NON_GOAL, framework
from engine.domain.targets import DATE, EMPTY
from engine.io.readers import InputError, read_file
from engine.review.reviewer import Reviewer

MESSY = Path(__file__).parent / "data" / "messy"


def read(path) -> list:
    return read_file(path).tables


def slot(ind) -> tuple[str, str]:
    return ind.placement.level1, ind.placement.level2


def target(ind) -> tuple:
    t = ind.target
    return t.op, t.numbers, t.unit


def reviewed(table):
    """The rules-only review; the level spellings of these tables must not be reported as misfiled."""
    review = Reviewer().review(table)
    assert not [f for f in review.findings if f.code == "LEVEL_MISFILED"], review.findings
    assert 0 <= review.total <= 100
    return review


def by_name(table) -> dict:
    return {i.name: i for i in table.indicators}


def form(tmp_path, name, rows, merges=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for m in merges:
        ws.merge_cells(m)
    path = tmp_path / name
    wb.save(path)
    return path


# ------------------------------------------------------------------ a. scores and notes in level names
def test_scores_and_form_notes_in_level_names():
    t, = read(MESSY / "levels_scores.csv")
    rows = by_name(t)
    assert slot(rows["培训乡村教师人次"]) == ("产出指标", "数量指标")          # 产出指标(50分)/数量指标(必填硬性指标)
    assert slot(rows["人均培训成本"]) == ("成本指标", "经济成本指标")          # 成本指标(0-20)分
    assert slot(rows["学校外聘信息技术教师费用节约额"]) == ("效益指标", "经济效益指标")  # 经济效益指标(选填)
    assert slot(rows["参训教师满意度"]) == ("满意度指标", "服务对象满意度指标")  # 满意度指标（10分）
    assert not any(i.placement.guessed or i.placement.conflict for i in t.indicators)
    assert target(rows["培训乡村教师人次"]) == ("≥", (600.0,), "人次")
    assert target(rows["人均培训成本"]) == ("≤", (800.0,), "元/人")
    codes = {f.code for f in reviewed(t).findings}
    assert not codes & {"LEVEL1_MISSING", "LEVEL2_MISSING"}


@pytest.mark.parametrize("level1,level2,expected", [
    ("产出指标(50分)", "数量指标", ("产出指标", "数量指标")),
    ("成本指标(0-20)分", "经济成本指标", ("成本指标", "经济成本指标")),
    ("效益指标（30分）", "经济效益指标(选填)", ("效益指标", "经济效益指标")),
    ("产出指标", "数量指标(必填硬性指标)", ("产出指标", "数量指标")),
    ("满意度指标（10分）", "满意度指标（10分）", ("满意度指标", "服务对象满意度指标")),
    ("产出指标50分", "质量指标：", ("产出指标", "质量指标")),
    ("产出目标", "数量目标", ("产出指标", "数量指标")),
    ("效益目标", "社会效益目标", ("效益指标", "社会效益指标")),
    ("项目完成指标", "产出时效", ("产出指标", "时效指标")),
    ("项目完成指标", "成本指标", ("成本指标", "经济成本指标")),
    ("项目效益指标", "可持续影响指标", ("效益指标", "社会效益指标")),
    ("项目效益指标", "社会公众或服务对象满意度指标", ("满意度指标", "服务对象满意度指标")),
    ("效益指标", "满意度", ("满意度指标", "服务对象满意度指标")),
    ("产出", "产出数量", ("产出指标", "数量指标")),
    ("满意度", "服务对象", ("满意度指标", "服务对象满意度指标")),
    ("效益", "环境效益", ("效益指标", "生态效益指标")),
    ("一、产出指标", "（一）时效性", ("产出指标", "时效指标")),
])
def test_level_spellings(level1, level2, expected):
    pl = framework().place(level1, level2, "某指标")
    assert (pl.level1, pl.level2) == expected and not pl.conflict and not pl.guessed


def test_first_level_written_as_the_second():
    pl = framework().place("绩效指标", "项目完成指标", "完成改造户数")
    assert (pl.level1, pl.level2) == ("产出指标", "数量指标") and pl.guessed


def test_scores_in_level_names_in_a_form(tmp_path):
    rows = [["2026年度项目支出绩效目标申报表", None, None, None],
            ["项目名称", "2026年社区食堂运营补助", None, None],
            ["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标(60分)", "数量指标(必填)", "社区食堂运营点数", "≥6个"],
            [None, "质量指标(必填)", "食品安全检查合格率", "100%"],
            [None, "时效指标(必填)", "补助资金拨付时间", "2026年6月底前"],
            ["效益指标(30分)", "社会效益指标", "日均就餐老人人次", "≥300人次"],
            ["满意度指标(10分)", "服务对象满意度指标", "就餐老人满意度", "≥90%"]]
    t, = read(form(tmp_path, "a.xlsx", rows, ["A4:A6"]))
    assert [slot(i) for i in t.indicators] == [("产出指标", "数量指标"), ("产出指标", "质量指标"),
                                              ("产出指标", "时效指标"), ("效益指标", "社会效益指标"),
                                              ("满意度指标", "服务对象满意度指标")]
    reviewed(t)


# ------------------------------------------------------------------ b. older frameworks and short names
def test_old_frameworks_and_short_names():
    farm, water = read(MESSY / "old_frameworks.csv")
    rows = by_name(farm)
    assert slot(rows["新建高标准农田面积"]) == ("产出指标", "数量指标")        # 项目完成指标/数量
    assert slot(rows["亩均建设成本"]) == ("成本指标", "经济成本指标")          # 成本 under 项目完成
    assert rows["亩均建设成本"].placement.legacy
    assert slot(rows["节水灌溉面积占比"]) == ("效益指标", "生态效益指标")      # 环境效益
    assert slot(rows["工程设计使用年限"]) == ("效益指标", "社会效益指标")      # 可持续影响指标
    assert slot(rows["受益农户满意度"]) == ("满意度指标", "服务对象满意度指标")  # under 项目效益指标
    assert rows["受益农户满意度"].placement.legacy
    rows = by_name(water)
    assert slot(rows["新建集中供水工程"]) == ("产出指标", "数量指标")          # 产出目标/数量目标
    assert slot(rows["受益人口"]) == ("效益指标", "社会效益指标")              # 效益目标/社会效益目标
    assert slot(rows["受益群众满意度"]) == ("满意度指标", "服务对象满意度指标")  # 效益指标/服务对象满意度
    for t in (farm, water):
        codes = {f.code for f in reviewed(t).findings}
        assert "LEVEL1_MISSING" not in codes  # satisfaction filed under 效益 still counts


# ------------------------------------------------------------------ c. 长期 and 年度 sets side by side
def test_long_term_and_annual_value_columns():
    t, = read(MESSY / "long_and_annual.csv")
    rows = by_name(t)
    green = rows["新建绿道长度"]
    assert target(green) == ("≥", (15.0,), "公里") and green.extra["long_term"] == "≥45"
    deadline = rows["年度建设任务完成时间"].target
    assert (deadline.kind, deadline.year) == (DATE, 2026)
    assert t.project.extra["long_goal"].startswith("2026—2028年")
    assert t.project.goal.startswith("2026年新建绿道15公里")
    codes = {f.code for f in reviewed(t).findings}
    assert "TARGET_IMPLAUSIBLE" not in codes  # the 2028 long-term deadline is not the annual target


def test_value_columns_headed_long_term_and_annual_goal(tmp_path):
    text = ("项目名称,一级指标,二级指标,三级指标,中长期目标,年度目标\n"
            "2026年城市绿道网络建设,产出指标,数量指标,新建绿道长度,45公里,15公里\n"
            "2026年城市绿道网络建设,满意度指标,服务对象满意度指标,市民满意度,≥90%,≥90%\n")
    (tmp_path / "g.csv").write_text(text, encoding="utf-8")
    t, = read(tmp_path / "g.csv")
    first = t.indicators[0]
    assert target(first) == (None, (15.0,), "公里") and first.extra["long_term"] == "45公里"
    assert t.project.goal == ""  # 年度目标 is the value column here, not the goal text
    reviewed(t)


def test_long_term_and_annual_blocks_in_a_form(tmp_path):
    rows = [["2026年度项目支出绩效目标申报表", None, None, None, None, None],
            ["项目名称", "2026年城市绿道网络建设", None, None, None, None],
            ["绩效目标", "中长期目标", None, None, "年度目标", None],
            ["绩效目标", "三年累计建成绿道45公里", None, None, "2026年新建绿道15公里", None],
            ["一级指标", "二级指标", "中长期目标", None, "年度目标", None],
            ["一级指标", "二级指标", "三级指标", "指标值", "三级指标", "指标值"],
            ["产出指标", "数量指标", "累计建成绿道长度", "≥45公里", "新建绿道长度", "≥15公里"],
            ["产出指标", "质量指标", "绿道设施完好率", "≥95%", "绿道设施完好率", "≥95%"],
            ["满意度指标", "服务对象满意度指标", "市民满意度", "≥90%", "市民满意度", "≥90%"]]
    merges = ["A1:F1", "B2:F2", "A3:A4", "B3:D3", "E3:F3", "B4:D4", "E4:F4", "A5:A6", "B5:B6", "C5:D5", "E5:F5"]
    t, = read(form(tmp_path, "blocks.xlsx", rows, merges))
    first = t.indicators[0]
    assert first.name == "新建绿道长度" and target(first) == ("≥", (15.0,), "公里")
    assert first.extra["long_term"] == "≥45公里" and first.extra["long_indicator"] == "累计建成绿道长度"
    assert t.project.goal == "2026年新建绿道15公里"
    assert t.project.extra["long_goal"] == "三年累计建成绿道45公里"
    reviewed(t)


# ------------------------------------------------------------------ d. self-evaluation tables
def test_self_evaluation_reads_the_target_not_the_score():
    t, = read(MESSY / "self_evaluation.csv")
    rows = by_name(t)
    people = rows["享受上门服务老人人数"]
    assert target(people) == ("≥", (800.0,), "人") and people.actual == "812人"
    assert people.extra["weight"] == "20" and people.extra["score"] == "20"
    late = rows["补贴发放及时率"]
    assert target(late) == (None, (100.0,), "%") and late.extra["deviation"] == "第四季度资金拨付延迟"
    blank = rows["失能老人家庭照护负担减轻率"]
    assert blank.target.kind == EMPTY and blank.extra["score"] == "12"  # 分值 15 / 得分 12 are no target
    assert not rows["预算执行率"].placement.is_goal
    review = reviewed(t)
    assert [f.row for f in review.findings if f.code == "VALUE_MISSING"] == [5]


def test_self_evaluation_form(tmp_path):
    rows = [["2025年度项目支出绩效自评表", None, None, None, None, None, None, None],
            ["项目名称", "2025年社区居家养老服务补贴", None, None, None, None, None, None],
            ["年度目标", "为800名失能半失能老人提供上门服务", None, None, None, None, None, None],
            ["一级指标", "二级指标", "三级指标", "全年指标值", "全年实际值", "分值", "得分", "偏差原因分析及改进措施"],
            ["产出指标", "数量指标", "享受上门服务老人人数", "≥800人", "812人", 20, 20, None],
            ["产出指标", "质量指标", "服务对象回访合格率", 0.95, 0.965, 15, 15, None],
            ["产出指标", "时效指标", "补贴发放及时率", None, "92%", 10, 8, "资金拨付延迟"],
            ["满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "93%", 10, 10, None]]
    t, = read(form(tmp_path, "self.xlsx", rows))
    rows = by_name(t)
    assert target(rows["服务对象回访合格率"]) == (None, (95.0,), "%")
    assert rows["服务对象回访合格率"].actual == 0.965
    assert rows["补贴发放及时率"].target.kind == EMPTY and rows["补贴发放及时率"].extra["weight"] == 10
    assert t.project.goal.startswith("为800名") and t.project.year == 2025
    reviewed(t)


# ------------------------------------------------------------------ e. operator, nature, unit and weight columns
def test_operator_unit_and_weight_columns():
    t, = read(MESSY / "operator_columns.csv")
    rows = by_name(t)
    assert target(rows["完成适老化改造小区数"]) == ("≥", (40.0,), "个")
    assert rows["完成适老化改造小区数"].value_text == "≥40"
    assert target(rows["受益老年居民户数"]) == ("≥", (1200.0,), "户")          # 大于等于
    assert target(rows["工程验收合格率"]) == ("=", (100.0,), "%")
    assert target(rows["单个小区改造成本"]) == ("≤", (8.0,), "万元")            # 反向
    assert target(rows["老年居民居家安全事件下降率"]) == ("≥", (20.0,), "%")    # 正向
    assert all(i.extra["weight"] for i in t.indicators)                         # 权重 kept, never the target
    assert [i.target.numbers for i in t.indicators][:3] == [(40.0,), (1200.0,), (100.0,)]
    assert t.indicators[0].to_dict()["value"] == "≥40"
    reviewed(t)


def test_operator_columns_in_bulk_xlsx(tmp_path):
    head = ["项目名称", "预算年度", "一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "权重", "指标性质"]
    body = [["城区公厕提档升级", 2026.0, "产出指标", "数量指标", "提档升级公厕座数", "≥", 25, "座", 30, "定量"],
            ["城区公厕提档升级", 2026.0, "产出指标", "质量指标", "验收合格率", ">=", 1, "%", 20, "定量"],
            ["城区公厕提档升级", 2026.0, "产出指标", "时效指标", "完工时间", None, "2026年9月底前", None, 20, "定性"],
            ["城区公厕提档升级", 2026.0, "效益指标", "社会效益指标", "如厕投诉下降率", "大于", 30, "%", 10, "定量"],
            ["城区公厕提档升级", 2026.0, "满意度指标", "服务对象满意度指标", "市民满意度", "不低于", 90, "%", 20, "定量"],
            ["城区公厕提档升级", 2026.0, "成本指标", "经济成本指标", "单座改造成本", None, None, "万元", 10, "反向"]]
    t, = read(form(tmp_path, "ops.xlsx", [head, *body]))
    assert t.project.year == 2026 and t.project.extra["years"] == {"column": 2026}
    assert [target(i) for i in t.indicators[:2]] == [("≥", (25.0,), "座"), ("≥", (100.0,), "%")]
    assert target(t.indicators[3]) == (">", (30.0,), "%")
    assert target(t.indicators[4]) == ("≥", (90.0,), "%")
    cost = t.indicators[5]
    assert cost.target.kind == EMPTY and cost.extra["weight"] == 10  # the weight 10 is not its target
    review = reviewed(t)
    assert [f.row for f in review.findings if f.code == "VALUE_MISSING"] == [6]


# ------------------------------------------------------------------ f. indicators written as prose
def test_prose_list_in_one_cell():
    training, children = read(MESSY / "prose_indicators.csv")
    got = [(slot(i), i.name, target(i)) for i in training.indicators]
    assert got == [(("产出指标", "数量指标"), "培训教师", (None, (600.0,), "人次")),
                   (("产出指标", "数量指标"), "发放培训教材", (None, (600.0,), "册")),
                   (("产出指标", "质量指标"), "培训合格率", ("≥", (95.0,), "%")),
                   (("产出指标", "时效指标"), "完成时间", ("≤", (), "")),
                   (("效益指标", "社会效益指标"), "教师信息技术应用能力", (None, (), "")),
                   (("满意度指标", "服务对象满意度指标"), "参训教师满意度", ("≥", (90.0,), "%"))]
    assert training.indicators[3].target.year == 2026
    assert all(i.source_row == 2 for i in training.indicators)
    codes = [f.code for f in reviewed(training).findings]
    assert codes == ["VALUE_VAGUE"]  # 明显提升
    got = [(slot(i), i.name) for i in children.indicators]  # numbered lines
    assert got == [(("产出指标", "数量指标"), "关爱服务留守儿童"), (("产出指标", "质量指标"), "走访覆盖率"),
                   (("产出指标", "时效指标"), "首轮走访完成时间"), (("满意度指标", "服务对象满意度指标"), "监护人满意度")]
    assert {f.code for f in reviewed(children).findings} == {"LEVEL1_MISSING"}  # it has no 效益 indicator


def test_prose_under_a_form_label(tmp_path):
    rows = [["2026年度项目支出绩效目标申报表", None],
            ["项目名称", "2026年基层网格员能力培训"],
            ["年度绩效目标", "培训基层网格员200人，考核通过率90%以上"],
            ["绩效指标", "一、产出指标\n1.数量指标：培训基层网格员200人\n2.质量指标：考核通过率≥90%\n"
                         "3.时效指标：2026年10月底前完成\n二、效益指标\n社会效益指标：网格事件按时办结率≥95%\n"
                         "三、满意度指标：参训人员满意度≥90%"]]
    t, = read(form(tmp_path, "prose.xlsx", rows))
    assert [slot(i) for i in t.indicators] == [("产出指标", "数量指标"), ("产出指标", "质量指标"),
                                              ("产出指标", "时效指标"), ("效益指标", "社会效益指标"),
                                              ("满意度指标", "服务对象满意度指标")]
    assert target(t.indicators[0]) == (None, (200.0,), "人")
    assert target(t.indicators[3]) == ("≥", (95.0,), "%")
    assert t.project.goal.startswith("培训基层网格员")
    assert reviewed(t).decision == "通过"


def test_prose_in_json_and_json_extras():
    sport, river, text = read(MESSY / "json_tables.json")
    assert [slot(i) for i in text.indicators] == [("产出指标", "数量指标"), ("产出指标", "质量指标")]
    assert target(text.indicators[1]) == ("≥", (90.0,), "%")
    rows = by_name(sport)
    assert target(rows["更新健身器材数量"]) == ("≥", (120.0,), "件")  # "op": "≥"
    assert rows["更新健身器材数量"].extra["weight"] == 20
    assert slot(rows["居民满意度"]) == ("满意度指标", "服务对象满意度指标")
    assert target(rows["器材设计使用年限"]) == ("≥", (8.0,), "年")      # 正向
    for t in (sport, river, text):
        reviewed(t)


def test_a_form_label_without_a_list_is_still_no_table(tmp_path):
    rows = [["2026年度项目支出绩效目标申报表", None], ["项目名称", "2026年河道保洁服务"], ["绩效指标", "见附表"]]
    with pytest.raises(InputError) as e:
        read(form(tmp_path, "none.xlsx", rows))
    assert "未找到绩效指标表头" in str(e.value)


def test_a_goal_column_is_not_taken_for_the_missing_value_column(tmp_path):
    text = "项目名称,年度绩效目标,一级指标,二级指标,三级指标\n河道保洁,保洁河道30公里,产出指标,数量指标,保洁河道长度\n"
    (tmp_path / "v.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        read(tmp_path / "v.csv")
    assert "缺少必需的列：指标值" in str(e.value) and "v.csv 第1行" in str(e.value)


# ------------------------------------------------------------------ g. evaluation-table rows
def test_evaluation_rows_are_not_goal_rows():
    t, = read(MESSY / "self_evaluation.csv")
    management = [i for i in t.indicators if not i.placement.is_goal]
    assert [i.name for i in management] == ["预算执行率", "资金使用合规性"]
    assert all(i.placement.level1 == NON_GOAL for i in management)
    review = reviewed(t)
    assert not [f for f in review.findings if f.row in (7, 8)]


# ------------------------------------------------------------------ the budget year
def test_year_column_and_name(tmp_path):
    farm, water = read(MESSY / "old_frameworks.csv")
    assert (farm.project.year, farm.project.extra["years"]) == (2025, {"column": 2025, "name": 2025})
    assert (water.project.year, water.project.extra["years"]) == (2026, {"column": 2026})
    text = ("项目名称,申报年度,一级指标,二级指标,三级指标,指标值\n"
            "2025年河道保洁服务,2026年,产出指标,数量指标,保洁河道长度,≥30公里\n")
    (tmp_path / "y.csv").write_text(text, encoding="utf-8")
    t, = read(tmp_path / "y.csv")
    assert (t.project.year, t.project.extra["years"]) == (2026, {"column": 2026, "name": 2025})


def test_year_from_the_name_only():
    t, = read(MESSY / "levels_scores.csv")
    assert (t.project.year, t.project.extra["years"]) == (2026, {"name": 2026})
    t, = read(MESSY / "operator_columns.csv")  # 年度 column, no year in the name
    assert t.project.extra["years"] == {"column": 2026}


def test_year_from_form_title_disagreeing_with_the_name(tmp_path):
    rows = [["2025年度项目支出绩效目标申报表", None, None, None],
            ["项目名称", "2026年社区食堂运营补助", None, None],
            ["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "社区食堂运营点数", "≥6个"]]
    t, = read(form(tmp_path, "title.xlsx", rows))
    assert (t.project.year, t.project.extra["years"]) == (2025, {"title": 2025, "name": 2026})
    rows.insert(2, ["预算年度", "2026年", None, None])
    t, = read(form(tmp_path, "field.xlsx", rows))
    assert (t.project.year, t.project.extra["years"]) == (2026, {"column": 2026, "title": 2025, "name": 2026})


def test_json_year_field_and_name():
    sport, river, text = read(MESSY / "json_tables.json")
    assert (sport.project.year, sport.project.extra["years"]) == (2026, {"name": 2026})
    assert (river.project.year, river.project.extra["years"]) == (2026, {"column": 2026, "name": 2025})
    assert text.project.year is None and "years" not in text.project.extra
    assert sport.to_dict()["project"]["year"] == 2026


def test_unreadable_year_is_a_warning(tmp_path):
    text = "项目名称,年度,一级指标,二级指标,三级指标,指标值\n河道保洁,明年,产出指标,数量指标,保洁河道长度,≥30公里\n"
    (tmp_path / "w.csv").write_text(text, encoding="utf-8")
    result = read_file(tmp_path / "w.csv")
    assert result.tables[0].project.year is None
    assert any("第2行" in w and "年度" in w for w in result.warnings)


# ------------------------------------------------------------------ the command line
def test_score_the_messy_folder(capsys):
    assert main(["score", str(MESSY), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 11
    for r in out:
        assert r["indicator_count"] > 0 and r["decision"] in ("通过", "修改后通过", "退回修改")
        # the model may still question what a row means; never the level names as written
        spelling = [f for f in r["findings"] if f["code"] == "LEVEL_MISFILED"
                    and ("无法识别" in f["message"] or "不属于" in f["message"])]
        assert not spelling, r["name"]
