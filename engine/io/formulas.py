"""Formula cells a workbook saved without their computed values. Files written by programs (or never
opened in Excel) hold the formula only; read for values such a cell is empty, and a target it holds
would be reported as not filled in. The reader says what the cell is and how to fix the file instead."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from engine.io.errors import InputError, ReadResult

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
SHOWN = 5  # cells named in the message


def _has_formulas(p: Path) -> bool:
    """Whether any worksheet holds a formula at all (cheap: the sheet XML, not a second parse)."""
    try:
        with zipfile.ZipFile(p) as z:
            return any(_FORMULA_TAG.search(z.read(n)) for n in z.namelist()
                       if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def uncached_formulas(p: Path) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """(sheet, row) → [(cell, formula)] of the formula cells that have no saved value."""
    if not _has_formulas(p):
        return {}
    import openpyxl

    out: dict[tuple[str, int], list[tuple[str, str]]] = {}
    formulas = openpyxl.load_workbook(p, read_only=True, data_only=False)
    values = openpyxl.load_workbook(p, read_only=True, data_only=True)
    try:
        for ws_f, ws_v in zip(formulas.worksheets, values.worksheets):
            for row_f, row_v in zip(ws_f.iter_rows(), ws_v.iter_rows()):
                for cf, cv in zip(row_f, row_v):
                    if getattr(cf, "data_type", None) == "f" and cv.value is None:
                        out.setdefault((ws_f.title, cf.row), []).append((cf.coordinate, str(cf.value)))
    finally:
        formulas.close()
        values.close()
    return out


def check_formulas(p: Path, res: ReadResult) -> None:
    """An InputError when an indicator read as empty sits in a row whose formula has no saved value."""
    empty = [(t.source_sheet, ind.source_row) for t in res.tables for ind in t.indicators
             if ind.source_row and (ind.value is None or (isinstance(ind.value, str) and not ind.value.strip()))]
    if not empty:
        return
    cells = uncached_formulas(p)
    if not cells:
        return
    hits = []
    for sheet, row in empty:
        for (s, r), found in cells.items():
            if r == row and (not sheet or s == sheet):
                hits.append((row, found))
                break
    if not hits:
        return
    shown = "、".join(f"第{row}行 {found[0][0]}（{found[0][1]}）" for row, found in hits[:SHOWN])
    more = f"等 {len(hits)} 处" if len(hits) > SHOWN else ""
    raise InputError(p, f"{shown}{more}是公式，但文件中没有保存公式的计算结果，读不到指标值"
                        "（常见于由程序生成、未在 Excel 中保存过的文件）：请用 Excel 或 WPS 打开文件后保存再提交，"
                        "或把这些单元格改为数值")
