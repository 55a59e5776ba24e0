"""Rows are never dropped or misread without a word: formula cells without a saved value, rows cut
off, rows without 三级指标, amounts that are not numbers, JSON indicators without a name; user text is
kept as entered; written reports get the mode any new file gets."""
import json
import os
import stat

import pytest
from openpyxl import Workbook

from engine.cli import main
from engine.io.readers import InputError, read_file, tables_from_json
from engine.io.writers import atomic_write

HEADER = ["项目名称", "项目金额（万元）", "一级指标", "二级指标", "三级指标", "指标值", "计量单位"]
ROWS = [["甲项目", 20, "产出指标", "数量指标", "举办讲座场次", "≥12场", "场"],
        ["甲项目", 20, "产出指标", "质量指标", "讲座合格率", "≥95%", "%"],
        ["甲项目", 20, "满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", "%"]]


def long_xlsx(path, rows, extra=None):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER + (["备注"] if extra else []))
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_formula_without_saved_value_is_named_not_reported_as_empty(tmp_path):
    rows = [r[:] for r in ROWS]
    rows[1][5] = "=10*9.5"  # openpyxl saves the formula only, as programs do
    path = long_xlsx(tmp_path / "公式.xlsx", rows)
    with pytest.raises(InputError) as e:
        read_file(path)
    msg = str(e.value)
    assert "公式.xlsx" in msg and "第3行 F3（=10*9.5）" in msg and "没有保存" in msg and "Excel" in msg


def test_formula_elsewhere_in_a_row_with_its_value_is_fine(tmp_path):
    rows = [r[:] + ["=1+1"] for r in ROWS]  # formulas in a column the reader ignores, the targets filled
    path = long_xlsx(tmp_path / "备注公式.xlsx", rows, extra=True)
    [t] = read_file(path).tables
    assert [i.value for i in t.indicators] == ["≥12场", "≥95%", "≥90%"]


def test_cut_off_and_nameless_rows_are_named(tmp_path):
    text = "\n".join([",".join(HEADER),
                      "甲项目,20,产出指标,数量指标,举办讲座场次,≥12场,场",
                      "甲项目,20,产出指标,质量指标",          # cut off before the indicator
                      "甲项目,20,产出指标,时效指标,完成时间",  # cut off before the target
                      "甲项目,20,效益指标,社会效益指标,,≥85%,%",  # a target without a name
                      "甲项目,很多,满意度指标,服务对象满意度指标,居民满意度,≥90%,%"]) + "\n"
    (tmp_path / "短行.csv").write_text(text, encoding="utf-8")
    res = read_file(tmp_path / "短行.csv")
    [t] = res.tables
    assert [i.name for i in t.indicators] == ["举办讲座场次", "完成时间", "居民满意度"]
    notes = "\n".join(res.warnings)
    assert "第3行：只有 4 列，表头有 7 列（这一行可能被截断），三级指标为空，已跳过" in notes
    assert "第4行：只有 5 列" in notes and "缺少的列按未填写处理" in notes
    assert "第5行：三级指标为空，已跳过" in notes
    assert len(res.warnings) == 3  # the amount of the project's first row is a number; later rows do not set it


def test_amount_that_is_not_a_number_is_named(tmp_path):
    text = ",".join(HEADER) + "\n甲项目,很多,产出指标,数量指标,举办讲座场次,≥12场,场\n"
    (tmp_path / "金额.csv").write_text(text, encoding="utf-8")
    res = read_file(tmp_path / "金额.csv")
    assert res.tables[0].project.amount is None
    assert any("第2行" in w and "项目金额“很多”不是数字" in w for w in res.warnings)


@pytest.mark.parametrize("amount, words", [("很多", "不是数字"), (True, "不是数字"), (-5, "负数"), ("-5万元", "负数")])
def test_json_amount_must_be_a_number(amount, words):
    with pytest.raises(InputError) as e:
        tables_from_json({"project": {"name": "甲", "amount": amount}, "indicators": []}, "t.json")
    assert "project.amount" in str(e.value) and words in str(e.value)
    assert tables_from_json({"project": {"name": "甲", "amount": "120万元"}})[0].project.amount == 120


def test_json_indicator_without_a_name_is_named():
    body = {"project": {"name": "甲"}, "indicators": [{"indicator": "培训人次", "value": "≥5"},
                                                       {"indicator": None, "value": "≥90%"}]}
    with pytest.raises(InputError) as e:
        tables_from_json(body, "t.json")
    assert "t.json" in str(e.value) and "第2个指标缺少三级指标名称" in str(e.value)


def test_text_is_kept_as_entered(tmp_path):
    text = ",".join(HEADER + ["项目概述"]) + "\n" + \
        "\n".join(",".join(f'"{c}"' for c in r + ["为8家卫生院（一期）购置设备，含DR、彩超"]) for r in ROWS) + "\n"
    rows = text.replace("甲项目", "甲项目（二期）")
    (tmp_path / "原样.csv").write_text(rows, encoding="utf-8")
    [t] = read_file(tmp_path / "原样.csv").tables
    assert t.project.name == "甲项目（二期）" and t.project.description == "为8家卫生院（一期）购置设备，含DR、彩超"
    [j] = tables_from_json({"project": {"name": "乙项目（二期）", "goal": "完成培训，合格率≥95％"}, "indicators": []})
    assert j.project.name == "乙项目（二期）" and j.project.goal == "完成培训，合格率≥95％"


def test_atomic_write_honours_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "报告.csv", b"x")
        assert stat.S_IMODE(os.stat(tmp_path / "报告.csv").st_mode) == 0o644
        os.umask(0o077)
        atomic_write(tmp_path / "私密.csv", b"x")
        assert stat.S_IMODE(os.stat(tmp_path / "私密.csv").st_mode) == 0o600
    finally:
        os.umask(old)


def test_train_names_rows_the_reader_skipped(tmp_path):
    from engine.model.train import read_approved

    text = ",".join(HEADER) + "\n" + "\n".join(",".join(str(c) for c in r) for r in ROWS) + \
        "\n甲项目,20,产出指标,时效指标,,2026年底前,\n"
    (tmp_path / "批复.csv").write_text(text, encoding="utf-8")
    tables, skipped, _ = read_approved([str(tmp_path / "批复.csv")])
    assert len(tables) == 1 and any("第5行" in s and "三级指标为空" in s for s in skipped)


@pytest.mark.parametrize("args, words", [
    (["suggest", "--name", "测试项目", "--sector", "火星开发"], ["未知的行业“火星开发”", "卫生健康", "教育"]),
    (["suggest", "--name", "测试项目", "--category", "不存在类"], ["未知的项目类别“不存在类”", "培训类"]),
    (["search", "培训", "--sector", "火星开发"], ["未知的行业", "共性"]),
    (["score", "x.csv", "--format", "pdf"], ["无效的选项", "可选：json、table、csv、xlsx、html"]),
])
def test_cli_unknown_choices_are_named_in_chinese(capsys, args, words):
    try:
        code = main(args)
    except SystemExit as e:  # argparse's own errors
        code = e.code
    assert code == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err
    assert "choose from" not in err and "usage:" not in err


def test_cli_score_names_the_formula_file_and_goes_on(tmp_path, capsys):
    rows = [r[:] for r in ROWS]
    rows[0][5] = "=12"
    bad = long_xlsx(tmp_path / "公式.xlsx", rows)
    good = tmp_path / "好.json"
    good.write_text(json.dumps({"project": {"name": "乙项目"}, "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "indicator": "培训人次", "value": "≥5人次"}]}), encoding="utf-8")
    code = main(["score", str(bad), str(good), "--rules-only", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2 and [r["name"] for r in json.loads(out)] == ["乙项目"]
    assert "公式.xlsx" in err and "F2（=12）" in err


def test_cli_xlsx_report_names_bad_files_and_skipped_rows(tmp_path, capsys):
    from openpyxl import load_workbook

    good = tmp_path / "好.csv"
    good.write_text(",".join(HEADER) + "\n" + "\n".join(",".join(str(c) for c in r) for r in ROWS) +
                    "\n甲项目,20,产出指标,时效指标,,2026年底前,\n", encoding="utf-8")
    (tmp_path / "坏.json").write_text("{broken", encoding="utf-8")
    out = tmp_path / "报告.xlsx"
    code = main(["score", str(good), str(tmp_path / "坏.json"), "--rules-only", "--format", "xlsx", "-o", str(out)])
    assert code == 2
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "问题清单", "无法评审的文件", "读取提示"]
    [bad] = list(wb["无法评审的文件"].iter_rows(min_row=2, values_only=True))
    assert bad[1].endswith("坏.json") and "JSON" in bad[2]
    [note] = list(wb["读取提示"].iter_rows(min_row=2, values_only=True))
    assert "第5行" in note[2] and "三级指标为空" in note[2]
