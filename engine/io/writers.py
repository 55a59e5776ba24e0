"""Writing goal tables (JSON, bulk long CSV, XLSX in the standard layout) — atomically: a file is
either written whole or not at all."""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from engine.domain.table import GoalTable
from engine.domain.text import tidy
from engine.io.safe_cells import csv_cell, put_row, xlsx_value

LONG_HEADER = ["项目编号", "项目名称", "主管部门", "行业领域", "项目类别", "项目金额（万元）", "项目概述", "年度绩效目标",
               "一级指标", "二级指标", "三级指标", "指标值", "计量单位", "指标性质", "指标值说明"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename over it. The file gets the mode any
    new file would (0666 less the umask): mkstemp's 0600 would keep a report from those it is for."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def one_or_list_json(items: list[dict]) -> str:
    """JSON of one object when there is one, else of the list (contract: one table in, one table out)."""
    return json.dumps(items[0] if len(items) == 1 else items, ensure_ascii=False, indent=2)


def csv_text(header: list[str], rows, bom: bool = False) -> str:
    """CSV text; with `bom`, Excel opens the UTF-8 file correctly. User text that a spreadsheet program
    would take for a formula is neutralised (safe_cells.csv_cell)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows([csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


def table_dict(t: GoalTable) -> dict:
    """The table as contract §1b JSON, each target as it was entered (the parsed target folds
    full-width forms: “≥95％”, “1600人，200人” stay as written)."""
    d = t.to_dict()
    for out, ind in zip(d["indicators"], t.indicators):
        if isinstance(ind.value, str) and tidy(ind.value):
            out["value"] = tidy(ind.value)
    return d


def tables_json(tables: list[GoalTable]) -> str:
    return one_or_list_json([table_dict(t) for t in tables])


def tables_csv(tables: list[GoalTable]) -> str:
    def rows():
        for t in tables:
            p = t.project.to_dict()
            head = [p["project_id"], p["name"], p["department"], p["sector"], p["category"],
                    "" if p["amount"] is None else p["amount"], p["description"], p["goal"]]
            for ind in table_dict(t)["indicators"]:
                yield head + [ind["level1"], ind["level2"], ind["indicator"], ind["value"], ind["unit"],
                              ind["nature"], ind["note"]]

    return csv_text(LONG_HEADER, rows())


def tables_xlsx(tables: list[GoalTable]) -> bytes:
    """Each table on its own sheet in the standard 绩效目标申报表 layout (readable back by the form reader)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DCE6F1")
    wrap = Alignment(wrap_text=True, vertical="center")
    used: set[str] = set()
    for n, t in enumerate(tables, 1):
        p = t.project
        title = (xlsx_value(p.name) or f"表{n}")[:25]
        for ch in "[]:*?/\\":
            title = title.replace(ch, " ")
        base, k = title, 2
        while title in used:
            title, k = f"{base[:22]}_{k}", k + 1
        used.add(title)
        ws = wb.create_sheet(title)
        put_row(ws, [f"{p.name}项目绩效目标申报表"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=7)
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        facts = [("项目名称", p.name), ("项目编号", p.project_id), ("主管部门", p.department), ("行业领域", p.sector),
                 ("项目类别", p.category), ("项目金额（万元）", "" if p.amount is None else p.amount),
                 ("项目概述", p.description), ("年度绩效目标", p.goal)]
        for label, value in facts:
            put_row(ws, [label, value])
            r = ws.max_row
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=7)
            ws.cell(r, 1).fill = head_fill
            ws.cell(r, 1).font = Font(bold=True)
            ws.cell(r, 2).alignment = wrap
        ws.append(["一级指标", "二级指标", "三级指标", "指标值", "计量单位", "指标性质", "指标值说明"])
        hr = ws.max_row
        for c in range(1, 8):
            ws.cell(hr, c).fill = head_fill
            ws.cell(hr, c).font = Font(bold=True)
        start = {1: hr + 1, 2: hr + 1}
        prev = {1: None, 2: None}
        for ind in table_dict(t)["indicators"]:
            put_row(ws, [ind[k] for k in ("level1", "level2", "indicator", "value", "unit", "nature", "note")])
            r = ws.max_row
            for col, key in ((1, "level1"), (2, "level2")):
                cur = (ind["level1"], ind["level2"]) if col == 2 else ind["level1"]
                if prev[col] is not None and cur != prev[col]:
                    if r - 1 > start[col]:
                        ws.merge_cells(start_row=start[col], start_column=col, end_row=r - 1, end_column=col)
                    start[col] = r
                prev[col] = cur
        last = ws.max_row
        for col in (1, 2):
            if last > start[col] and prev[col] is not None:
                ws.merge_cells(start_row=start[col], start_column=col, end_row=last, end_column=col)
        for row in ws.iter_rows(min_row=2, max_row=last, max_col=7):
            for cell in row:
                cell.border = box
                if cell.column != 1 or cell.row > hr:
                    cell.alignment = wrap
        for col, width in zip("ABCDEFG", (14, 16, 30, 16, 10, 10, 36)):
            ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
