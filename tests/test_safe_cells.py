"""Every XLSX and CSV writer keeps user text as text: a table whose every text field starts with = + - @
round-trips with no formula cell (XLSX) and no live formula (CSV), and the visible text is the original."""
import csv
import io

import openpyxl
import pytest

from engine.io.readers import read_file, tables_from_json
from engine.io.safe_cells import csv_cell, csv_uncell, formula_like

LINK = '=HYPERLINK("http://example.com/x","点击查看")'
NASTY = {"project": {"project_id": "@P1", "name": LINK, "department": "+某县财政局", "sector": "-卫生健康",
                     "category": "@培训类", "amount": 180.0, "description": "=1+1", "goal": "+年内完成\t培训"},
         "indicators": [
             {"level1": "=产出指标", "level2": "+数量指标", "indicator": "=1+1", "value": "=16台", "unit": "@台",
              "note": "-说明"},
             {"level1": "-效益指标", "level2": "@社会效益指标", "indicator": "+群众知晓率", "value": "-有效提升",
              "unit": "=%", "note": "\r说明"},
             {"level1": "@满意度指标", "level2": "=服务对象满意度指标", "indicator": "-满意度", "value": "+≥90%",
              "unit": "-%", "note": "=SUM(A1:A9)"}]}
TEXTS = {LINK, "+某县财政局", "=1+1", "+群众知晓率", "-满意度", "=16台", "-说明", "=SUM(A1:A9)"}


def tables():
    return tables_from_json(NASTY)


def no_formulas(data: bytes) -> set[str]:
    """The text of every cell of a workbook, after checking that none is a formula (as openpyxl sees it,
    and as stored in the file: a formula cell has an <f> element)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    wb = openpyxl.load_workbook(io.BytesIO(data))
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    seen.add(c.value)
    return seen


def no_live_csv(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for row in rows:
        for cell in row:
            assert not formula_like(cell), cell
    return rows


def test_neutraliser_rules():
    assert csv_cell(LINK) == "'" + LINK and csv_uncell(csv_cell(LINK)) == LINK
    for s in ("+1+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "=16台"):
        assert csv_cell(s) == "'" + s and csv_uncell("'" + s) == s
    for s in ("-5", "+3.5", "1e5", "普通文本", "", "'已带引号的文本"):
        assert csv_cell(s) == s and csv_uncell(s) == s
    assert csv_cell(-5.0) == -5.0  # numbers stay numbers


def test_export_xlsx_and_csv_round_trip(tmp_path):
    from engine.io.writers import tables_csv, tables_xlsx

    data = tables_xlsx(tables())
    assert TEXTS <= no_formulas(data)
    (tmp_path / "t.xlsx").write_bytes(data)
    back = read_file(tmp_path / "t.xlsx").tables[0]
    assert back.project.name == LINK and back.project.description == "=1+1"
    assert [i.name for i in back.indicators] == ["=1+1", "+群众知晓率", "-满意度"]
    text = tables_csv(tables())
    rows = no_live_csv(text)
    assert "'" + LINK in rows[1] and rows[1][5] == "180.0"  # numbers are written as they are
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    back = read_file(tmp_path / "t.csv").tables[0]
    assert back.project.name == LINK and back.project.department == "+某县财政局"
    assert [i.name for i in back.indicators] == ["=1+1", "+群众知晓率", "-满意度"]
    assert [i.note for i in back.indicators] == ["-说明", "说明", "=SUM(A1:A9)"]


@pytest.fixture(scope="module")
def reviews():
    from engine.review.reviewer import Reviewer

    return [Reviewer().review(t) for t in tables()]


def test_score_reports(reviews):
    from engine.io import reports

    seen = no_formulas(reports.to_xlsx(reviews))
    assert {LINK, "=1+1", "-满意度"} <= seen
    wb = openpyxl.load_workbook(io.BytesIO(reports.to_xlsx(reviews)))
    assert wb["汇总"]["C2"].value == LINK and wb["问题清单"]["C2"].value == LINK
    rows = no_live_csv(reports.to_csv(reviews))
    assert all(r[1] == "'" + LINK for r in rows[1:])
    assert LINK in reports.to_html(reviews).replace("&quot;", '"')


def test_diff_reports(reviews):
    from engine.io import diff_reports
    from engine.review.diff import diff_tables

    old, new = tables()[0], tables()[0]
    new.indicators = new.indicators[:2]
    d = [diff_tables(old, new)]
    seen = no_formulas(diff_reports.to_xlsx(d))
    assert {LINK, "=1+1", "-满意度"} <= seen
    rows = no_live_csv(diff_reports.to_csv(d))
    assert any("'=1+1" in r for r in rows) and all(r[-1] == "'" + LINK for r in rows[1:])


def test_proposals_file_round_trip(tmp_path):
    from engine.model.proposals import Proposal, dump_proposals, load_proposals

    props = [Proposal("A-00001", "待审核", "=产出指标", "+数量指标", LINK, "@台", "=16台", 3, "-某项目",
                      "2026-01-01", f"{LINK}×3")]
    data = dump_proposals(props)
    no_live_csv(data.decode("utf-8"))
    (tmp_path / "proposals.csv").write_bytes(data)
    assert load_proposals(tmp_path / "proposals.csv") == props
