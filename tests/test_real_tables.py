"""The four real published XLSX forms: project facts, indicator counts and the defects a reviewer finds."""
import pytest

from engine.io.readers import read_file
from engine.review.reviewer import Reviewer

EXPECTED = {  # file: (project name, department, indicator rows, budget year)
    "1.xlsx": ("湛江市人力资源和社会保障局", "湛江市人力资源和社会保障局", 19, 2024),
    "40.xlsx": ("湛江市人力资源和社会保障局", "湛江市人力资源和社会保障局", 16, 2023),
    "17.xlsx": ("专项资金", "武汉市人力资源和社会保障局东湖新技术开发区分局", 13, 2020),
    "72.xlsx": ("就业补助资金", "渝中区人力资源和社会保障局", 16, 2021),
}


@pytest.mark.parametrize("fname", sorted(EXPECTED))
def test_form_facts_and_counts(raptor, fname):
    tables = read_file(raptor / fname).tables
    assert len(tables) == 1
    t = tables[0]
    name, dept, count, year = EXPECTED[fname]
    assert t.project.name == name
    assert t.project.department == dept
    assert len(t.indicators) == count
    assert t.project.year == year
    assert t.project.goal, "the overall goal text is read"


def test_amounts(raptor):
    assert read_file(raptor / "17.xlsx").tables[0].project.amount == 6730
    assert read_file(raptor / "72.xlsx").tables[0].project.amount == 7574
    # a department table: basic plus project spending
    assert read_file(raptor / "1.xlsx").tables[0].project.amount == pytest.approx(10891.615675 + 61915.7693)


def _findings(path):
    return Reviewer().review(read_file(path).tables[0])


def test_40_vague_values(raptor):
    review = _findings(raptor / "40.xlsx")
    vague = [f for f in review.findings if f.code == "VALUE_VAGUE"]
    assert len(vague) == 4
    assert all("根据下达任务目标要求确定" in f.message for f in vague)
    assert review.decision == "退回修改"


def test_17_two_values_in_one_cell_and_vague_satisfaction(raptor):
    review = _findings(raptor / "17.xlsx")
    multi = [f for f in review.findings if f.code == "MULTIPLE_VALUES"]
    assert any("1600人、200人" in f.message for f in multi)
    assert len(multi) == 4
    sat = [f for f in review.findings if f.code == "VALUE_VAGUE" and "满意" in f.indicator]
    assert sat and sat[0].row == 13


def test_1_benefits_filed_under_quality_and_low_satisfaction(raptor):
    review = _findings(raptor / "1.xlsx")
    misfiled = {f.row for f in review.findings if f.code == "LEVEL_MISFILED"}
    assert misfiled == {11, 12, 13, 14}
    low = [f for f in review.findings if f.code == "TARGET_TOO_LOW"]
    assert [f.indicator for f in low] == ["群众满意度"]


def test_72_self_evaluation_reads_operator_column_and_management_rows(raptor):
    t = read_file(raptor / "72.xlsx").tables[0]
    first = t.indicators[0]
    assert (first.target.op, first.target.value, first.target.unit) == ("≥", 1.0, "个")
    assert first.actual == 3
    management = [i for i in t.indicators if not i.placement.is_goal]
    assert len(management) == 6
