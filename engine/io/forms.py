"""The real published single-table XLSX forms (merged cells, title rows, project facts above the
indicator block), and telling them from the long format in a workbook."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from engine.domain.resources import load_json
from engine.domain.table import GoalTable, Indicator, Project
from engine.domain.text import nfkc, tidy as clean  # cells keep the text as entered (see tidy)
from engine.domain.years import parse_year, settle_year, year_in_name, year_in_title

from engine.io.errors import InputError, ReadResult
from engine.io.layouts import expand_prose, hkey, indicator_of, map_columns, split_prose
from engine.io.longform import _to_amount, long_header, long_rows


# ------------------------------------------------------------------ XLSX
def _read_xlsx(p: Path) -> ReadResult:
    import zipfile

    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover - dependency is pinned
        raise InputError(p, f"缺少 openpyxl：{e}") from None
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise InputError(p, "无法作为 Excel 文件打开：文件已损坏，或不是 .xlsx 格式（请在 Excel 中另存为 .xlsx 后再提交）") from None
    try:
        sheets = wb.worksheets
        if not sheets:
            raise InputError(p, "工作簿中没有工作表")
        # the bulk long format: a header row with 项目名称 and the indicator columns
        for ws in sheets:
            top = [list(row) for row in ws.iter_rows(max_row=5, values_only=True)]
            r = next((r for r, row in enumerate(top) if long_header(row)), None)
            if r is not None:
                body = ws.iter_rows(min_row=r + 2, values_only=True)
                return long_rows(p, top[r], body, first_line=r + 2, above=top[:r])
    finally:
        wb.close()
    return _read_forms(p)


# the labels of real published forms (data/columns.json: form_header, form_facts)
_HEAD = {k: tuple(v) for k, v in load_json("columns.json")["form_header"].items()}
_FACTS = [(k, tuple(v)) for k, v in load_json("columns.json")["form_facts"]]
_STOP = re.compile(r"^(合计|说明|备注|注[:：]|填表说明|审核意见|单位负责人|填表人)")


def _sheet_grid(ws) -> list[list]:
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in grid), default=0)
    for r in grid:
        r.extend([None] * (width - len(r)))
    for rng in ws.merged_cells.ranges:
        top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
        for rr in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            for cc in range(rng.min_col - 1, min(rng.max_col, width)):
                if grid[rr][cc] is None:
                    grid[rr][cc] = top
    return grid


def _label(cell) -> str:
    return re.sub(r"\s+", "", nfkc(str(cell))) if cell is not None else ""


@lru_cache(maxsize=1)
def _head_table() -> dict[str, str]:
    return {hkey(n): field for field, names in _HEAD.items() for n in names}


def _find_header(grid) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(grid):
        cols = map_columns(row, _head_table(), grid[max(0, r - 2):r])
        if "indicator" in cols and "value" in cols and "level1" in cols:
            return r, cols
    return None


def _fact_value(grid, r: int, c: int, label_text: str):
    row = grid[r]
    for cc in range(c + 1, len(row)):
        v = row[cc]
        if v is None or _label(v) == label_text or not str(v).strip():
            continue
        if _is_label(v):
            break
        return v
    if r + 1 < len(grid):
        v = grid[r + 1][c]
        if v is not None and _label(v) != label_text and not _is_label(v):
            return v
    return None


@lru_cache(maxsize=4096)
def _label_field(text: str) -> str | None:
    head = re.split(r"[（(\n]", text)[0]
    for field, names in _FACTS:
        if head in names:
            return field
    return None


def _is_label(v) -> bool:
    return isinstance(v, str) and _label_field(_label(v)) is not None


def _read_forms(p: Path) -> ReadResult:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(p, data_only=True)
    except Exception:  # openpyxl raises many types on damaged files
        raise InputError(p, "无法作为 Excel 文件打开：文件已损坏或内容不完整（请在 Excel 中打开并另存为 .xlsx 后再提交）") from None
    tables, warnings = [], []
    for ws in wb.worksheets:
        grid = _sheet_grid(ws)
        if not grid:
            continue
        found = _find_header(grid)
        if found is None:
            found = _prose_block(grid)  # indicators written as text under a 绩效指标 label
            if found is None:
                continue
        tables.append(_form_table(p, ws.title, grid, *found))
    if not tables:
        if all(ws.max_row <= 1 and ws.max_column <= 1 for ws in wb.worksheets):
            raise InputError(p, "工作表为空")
        raise InputError(p, "未找到绩效指标表头（需要“一级指标”“三级指标/指标内容/指标名称”“指标值”列），"
                            "也不是批量长表格式（需要“项目名称”列）")
    return ReadResult(tables, warnings)


def _form_table(p: Path, sheet: str, grid, hr: int, cols: dict[str, int]) -> GoalTable:
    facts: dict[str, object] = {}
    title = ""
    for r in range(hr):
        row = grid[r]
        for c, cell in enumerate(row):
            if cell is None:
                continue
            text = _label(cell)
            if not title and r < 3 and "表" in text and len(text) < 60 and not _label_field(text):
                title = clean(cell)
            field = _label_field(text)
            if field and field not in facts:
                if field == "tasks":
                    facts[field] = _task_block(grid, r, c, hr)
                else:
                    v = _fact_value(grid, r, c, text)
                    if v is not None:
                        facts[field] = v
    amount = _to_amount(facts.get("amount"), False) if facts.get("amount") is not None else None
    if amount is None and (facts.get("basic") is not None or facts.get("project_spend") is not None):
        parts = [_to_amount(facts.get(k), False) for k in ("basic", "project_spend")]
        amount = round(sum(x for x in parts if x), 6) or None
    department = clean(facts.get("department"))
    name = clean(facts.get("name")) or department or title or Path(p).stem
    description = "；".join(x for x in (clean(facts.get("content")), clean(facts.get("tasks")),
                                        clean(facts.get("reason"))) if x)
    project = Project(name=name, project_id=clean(facts.get("project_id")), department=department,
                      amount=amount, description=description, goal=clean(facts.get("goal")),
                      title=title, category=clean(facts.get("category")), sector=clean(facts.get("sector")),
                      extra={"implementer": clean(facts.get("implementer")), "sheet": sheet})
    if clean(facts.get("long_goal")):
        project.extra["long_goal"] = clean(facts.get("long_goal"))
    settle_year(project, column=parse_year(facts.get("year")), title=year_in_title(title),
                name=year_in_name(clean(facts.get("name"))))
    if cols.get("prose") is not None:
        text = facts.get("prose")
        ind = Indicator("", "", clean(text), source_row=cols["prose"] + 1)
        return GoalTable(project, expand_prose(ind, raw=text, force=True) if clean(text) else [], source=str(p),
                         source_sheet=sheet)
    indicators = []
    l1 = l2 = ""
    for r in range(hr + 1, len(grid)):
        row = grid[r]

        def cell(field, _row=row):
            i = cols.get(field)
            return _row[i] if i is not None and i < len(_row) else None

        first = next((_label(v) for v in row if v is not None and str(v).strip()), "")
        if _STOP.match(first) and not clean(cell("indicator")):
            break
        if _STOP.match(first) and first == _label(cell("indicator")):
            break
        c1, c2 = clean(cell("level1")), clean(cell("level2"))
        if c1 and c1 != l1:
            l1, l2 = c1, ""
        if c2:
            l2 = c2
        name = clean(cell("indicator"))
        if not name or name in (l1, l2):
            continue
        cells = {f: cell(f) for f in cols}
        cells.update(level1=l1, level2=l2)
        indicators.extend(expand_prose(indicator_of(cells, r + 1), raw=cell("indicator")))
    return GoalTable(project, indicators, source=str(p), source_sheet=sheet)


def _prose_block(grid) -> tuple[int, dict[str, int]] | None:
    """A form with no indicator columns whose 绩效指标 label holds a list of indicators as text: every
    row is read for facts (the "header" is past the last row) and the prose label's row is kept."""
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is not None and _label_field(_label(cell)) == "prose":
                v = _fact_value(grid, r, c, _label(cell))
                if isinstance(v, str) and len(split_prose(v)) >= 2:
                    return len(grid), {"prose": r}
    return None


def _task_block(grid, r: int, c: int, stop: int) -> str:
    """The rows of a 年度重点工作任务 block: 'name：content' for each task below its header row."""
    label = _label(grid[r][c])
    out = []
    for rr in range(r + 1, stop):
        if _label(grid[rr][c]) != label:
            break
        cells = [clean(v) for v in grid[rr][c + 1:] if v is not None and clean(v)]
        if len(cells) >= 2:
            out.append(f"{cells[0]}：{cells[1]}")
    return "；".join(out)
