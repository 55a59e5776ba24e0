"""`jixiao score` end to end through main(): formats, bad input, exit codes."""
import json

import openpyxl
import pytest

from engine.cli import main

HEADER = "项目名称,一级指标,二级指标,三级指标,指标值,计量单位,年度绩效目标\n"
GOOD = [
    "社区老年人健康培训,产出指标,数量指标,培训人次,≥500,人次,年内完成社区老年人健康知识培训500人次，合格率95%以上",
    "社区老年人健康培训,产出指标,质量指标,培训考核合格率,≥95%,%,",
    "社区老年人健康培训,产出指标,时效指标,培训完成时间,12月底前,,",
    "社区老年人健康培训,效益指标,社会效益指标,老年人健康知识知晓率,≥85%,%,",
    "社区老年人健康培训,满意度指标,服务对象满意度指标,参训人员满意度,≥90%,%,",
]


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_good_csv_json(tmp_path, capsys):
    f = write(tmp_path, "a.csv", HEADER + "\n".join(GOOD) + "\n")
    assert main(["score", str(f), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 1
    r = out[0]
    assert r["name"] == "社区老年人健康培训" and r["indicator_count"] == 5
    assert r["decision"] == "通过" and r["grade"] == "优"
    assert set(r["dimensions"]) == {"completeness", "quantification", "matching", "appropriateness"}


def test_gbk_csv_and_english_headers(tmp_path, capsys):
    text = "name,level1,level2,indicator,value,unit\n" + "\n".join(",".join(r.split(",")[:6]) for r in GOOD) + "\n"
    f = write(tmp_path, "gbk.csv", text, encoding="gbk")
    assert main(["score", str(f), "--format", "json"]) == 0
    r = json.loads(capsys.readouterr().out)[0]
    assert r["name"] == "社区老年人健康培训"
    assert any(x["code"] == "GOAL_TEXT_MISSING" for x in r["findings"])


def test_defects_found(tmp_path, capsys):
    rows = GOOD[:1] + ["社区老年人健康培训,产出指标,质量指标,培训考核合格率,有效提升,,",
                       "社区老年人健康培训,满意度指标,服务对象满意度指标,参训人员满意度,60%,%,",
                       "社区老年人健康培训,产出指标,数量指标,培训人次,≥500,人次,"]
    f = write(tmp_path, "b.csv", HEADER + "\n".join(rows) + "\n")
    assert main(["score", str(f), "--format", "json"]) == 0
    codes = {x["code"] for x in json.loads(capsys.readouterr().out)[0]["findings"]}
    assert {"VALUE_VAGUE", "TARGET_TOO_LOW", "INDICATOR_DUPLICATE", "LEVEL2_MISSING", "LEVEL1_MISSING"} <= codes


def test_missing_column_is_exit_2_and_other_files_still_scored(tmp_path, capsys):
    bad = write(tmp_path, "bad.csv", "项目名称,一级指标,三级指标\nX,产出指标,Y\n")
    good = write(tmp_path, "good.csv", HEADER + "\n".join(GOOD) + "\n")
    assert main(["score", str(bad), str(good), "--format", "json"]) == 2
    cap = capsys.readouterr()
    assert len(json.loads(cap.out)) == 1
    assert "bad.csv" in cap.err and "缺少必需的列" in cap.err and "二级指标" in cap.err
    assert "Traceback" not in cap.err


@pytest.mark.parametrize("name,content,needle", [
    ("empty.csv", b"", "文件为空"),
    ("junk.xlsx", b"this is not a zip", "无法作为 Excel 文件打开"),
    ("bad.json", b"{not json", "不是有效的 JSON"),
    ("old.xls", b"\xd0\xcf\x11\xe0", ".xls"),
    ("latin.csv", "项目名称,一级指标,二级指标,三级指标,指标值\n".encode("utf-8") + b"\xff\xfe\xfa,\x81\n", None),
])
def test_bad_files_exit_2_with_chinese_message(tmp_path, capsys, name, content, needle):
    f = tmp_path / name
    f.write_bytes(content)
    code = main(["score", str(f), "--format", "json"])
    err = capsys.readouterr().err
    if needle is None:  # undecodable bytes: either read as GB18030 or rejected, never a traceback
        assert code in (0, 2)
    else:
        assert code == 2 and needle in err and name in err
    assert "Traceback" not in err


def test_row_named_when_project_name_missing(tmp_path, capsys):
    f = write(tmp_path, "c.csv", HEADER + ",产出指标,数量指标,培训人次,≥5,人次,\n")
    assert main(["score", str(f)]) == 2
    assert "第2行" in capsys.readouterr().err


def test_oversize_file(tmp_path, capsys):
    f = write(tmp_path, "big.csv", HEADER + ("x" * 1000 + "\n") * 2200)
    assert main(["score", str(f), "--max-mb", "1"]) == 2
    assert "文件过大" in capsys.readouterr().err


def test_empty_sheet(tmp_path, capsys):
    wb = openpyxl.Workbook()
    f = tmp_path / "empty.xlsx"
    wb.save(f)
    assert main(["score", str(f)]) == 2
    assert "工作表为空" in capsys.readouterr().err


def test_xlsx_and_html_reports(tmp_path, capsys):
    src = write(tmp_path, "a.csv", HEADER + "\n".join(GOOD) + "\n")
    out = tmp_path / "r.xlsx"
    assert main(["score", str(src), "--format", "xlsx", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "问题清单"]
    assert wb["汇总"]["C2"].value == "社区老年人健康培训"
    html = tmp_path / "r.html"
    assert main(["score", str(src), "--format", "html", "-o", str(html)]) == 0
    assert "问题清单" in html.read_text(encoding="utf-8")
    assert main(["score", str(src), "--format", "xlsx"]) == 2  # xlsx needs -o


def test_folder_of_files(tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    write(d, "a.csv", HEADER + "\n".join(GOOD) + "\n")
    write(d, "b.csv", HEADER + "\n".join(g.replace("社区老年人健康培训", "另一项目") for g in GOOD) + "\n")
    assert main(["score", str(d), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "另一项目" in out and "社区老年人健康培训" in out
