"""The bulk long format (one indicator per row, CSV or XLSX, Chinese or English headers; header
aliases in data/columns.json)."""
from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from pathlib import Path

from engine.domain.resources import load_json
from engine.domain.table import GoalTable, Indicator, Project
from engine.domain.text import nfkc, tidy as clean  # cells keep the text as entered (see tidy)
from engine.domain.years import parse_year, settle_year, year_in_name

from engine.io.errors import InputError, ReadResult
from engine.io.layouts import expand_prose, field_of, hkey, indicator_of, map_columns
from engine.io.row_notes import ROW_FIELDS, amount_note, indicator_note, short_row
from engine.io.safe_cells import csv_uncell


@lru_cache(maxsize=1)
def _aliases() -> tuple[dict[str, str], tuple[str, ...]]:
    spec = load_json("columns.json")
    table = {}
    for field, names in spec["columns"].items():
        for n in names:
            table.setdefault(hkey(n), field)
    return table, tuple(spec["required"])


def _to_amount(value, in_yuan: bool) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        x = float(value)
    else:
        s = nfkc(clean(value)).replace(",", "")
        m = re.search(r"-?\d+(?:\.\d+)?", s)
        if not m:
            return None
        x = float(m.group(0))
        if "亿" in s:
            x *= 1e4
        elif "万" not in s and ("元" in s and in_yuan is None):
            x /= 1e4
    return round(x / 1e4, 6) if in_yuan else x


# ------------------------------------------------------------------ long format
def _decode(p: Path) -> str:
    raw = p.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(p, "文件编码无法识别（既不是 UTF-8 也不是 GBK），请另存为 UTF-8 编码的 CSV")


def _read_csv(p: Path) -> ReadResult:
    header, body, first_line, above = csv_rows(p)
    return long_rows(p, header, body, first_line=first_line, above=above)


def csv_rows(p: Path) -> tuple[list, list[list], int, list[list]]:
    """The cells of a long-format CSV as the reader sees them: (header, body rows, file line of the
    first body row, label rows above the header). Spark jobs group these rows by table themselves."""
    text = _decode(p)
    first = text.split("\n", 1)[0]
    delim = "\t" if first.count("\t") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    if "'" in text:  # our own CSV writers' neutralised text
        rows = [[csv_uncell(c) for c in r] for r in rows]
    if not rows or not any(c.strip() for c in rows[0]):
        raise InputError(p, "文件没有表头行")
    # a row of block labels (中长期目标 … 年度目标 …) may stand above the header
    at = next((i for i in range(1, min(3, len(rows))) if not long_header(rows[0]) and long_header(rows[i])), 0)
    return rows[at], rows[at + 1:], at + 2, rows[:at]


def long_header(row, above=()) -> dict[str, int] | None:
    """The columns of a bulk long-format header row, or None when the row is not one: 项目名称 and
    either the indicator columns or a column of indicators written as prose."""
    cols = map_columns(list(row), _aliases()[0], _filled(above))
    if "name" not in cols:
        return None
    if {"indicator", "value", "level1"} <= set(cols):
        return cols
    cells = {clean(c) for c in row if c is not None and clean(c)}
    mapped = {clean(c) for c in row if field_of(c, _aliases()[0])}
    return cols if "prose" in cols and len(mapped) >= 0.6 * len(cells) else None


def column_fields(header: list, above=()) -> dict[str, int]:
    """Header cells → field (name, level1, …) → column, by the aliases of data/columns.json."""
    return map_columns(list(header), _aliases()[0], _filled(above))


def _filled(above) -> list[list]:
    """Label rows with blank (merged) cells carrying the label on their left."""
    out = []
    for r in above:
        row, last = [], None
        for c in r:
            last = c if c is not None and str(c).strip() else last
            row.append(last)
        out.append(row)
    return out


def _map_header(p: Path, header: list, above=(), line: int = 1) -> dict[str, int]:
    try:
        cols, missing = _header_fields(tuple(header), tuple(tuple(r) for r in above))
    except TypeError:  # an unhashable cell: map it uncached
        cols, missing = _header_fields.__wrapped__(tuple(header), tuple(tuple(r) for r in above))
    cols = dict(cols)
    if missing:
        zh = {"name": "项目名称", "level1": "一级指标", "level2": "二级指标", "indicator": "三级指标", "value": "指标值"}
        raise InputError(p, "缺少必需的列：" + "、".join(zh[m] for m in missing)
                         + "（表头应包含 项目名称、一级指标、二级指标、三级指标、指标值，中英文均可）", row=line)
    return cols


@lru_cache(maxsize=64)
def _header_fields(header: tuple, above: tuple) -> tuple[dict, tuple[str, ...]]:
    """Field → column of a header (and `_in_yuan`: amounts in 元), and the required fields it lacks.
    Cached: a Spark job reads every table of a file with the same header."""
    table, required = _aliases()
    cols = map_columns(list(header), table, _filled(above))
    key = hkey(header[cols["amount"]]) if "amount" in cols else ""
    cols["_in_yuan"] = key.endswith("元") and not key.endswith("万元")
    if "prose" in cols:
        required = tuple(f for f in required if f == "name")  # indicators written as text in one column
    return cols, tuple(f for f in required if f not in cols)


def long_rows(p: Path, header: list, body, first_line: int, above=()) -> ReadResult:
    """Rows of the long format grouped into tables (by 项目编号, else 项目名称)."""
    cols = _map_header(p, header, above, line=first_line - 1)
    in_yuan = cols.pop("_in_yuan")
    get = {f: i for f, i in cols.items()}
    fields = tuple(get.items())
    groups: dict[str, tuple[Project, list[Indicator]]] = {}
    warnings: list[str] = []
    prev_name, prev_id = "", ""
    n_data = 0
    for offset, row in enumerate(body):
        line = first_line + offset
        if not any(c is not None and str(c).strip() for c in row):
            continue
        n_data += 1

        width = len(row)
        vals = {f: (row[i] if i < width else "") for f, i in fields}

        def cell(field, _vals=vals):
            return _vals.get(field, "")

        name, pid = clean(cell("name")), clean(cell("project_id"))
        if not name and not pid:
            if not prev_name and not prev_id:
                raise InputError(p, "缺少项目名称（项目名称与项目编号均为空）", row=line)
            name, pid = prev_name, prev_id  # merged or blank project cells continue the project above
        prev_name, prev_id = name, pid
        key = pid or name
        where = f"{p} 第{line}行"
        if key not in groups:
            amount = _to_amount(cell("amount"), in_yuan)
            if amount is None and clean(cell("amount")):
                warnings.append(amount_note(where, clean(cell("amount"))))
            project = Project(name=name or pid, project_id=pid, department=clean(cell("department")),
                              sector=clean(cell("sector")), category=clean(cell("category")), amount=amount,
                              description=clean(cell("description")), goal=clean(cell("goal")))
            if clean(cell("long_goal")):
                project.extra["long_goal"] = clean(cell("long_goal"))
            year = parse_year(cell("year"))
            if clean(cell("year")) and year is None:
                warnings.append(f"{p} 第{line}行：年度“{clean(cell('year'))}”无法识别，已忽略")
            settle_year(project, column=year, name=year_in_name(project.name))
            groups[key] = (project, [])
        project, inds = groups[key]
        prose = cell("prose")
        if isinstance(prose, str) and prose.strip() and not clean(cell("indicator")):
            # the indicators of this row are a text list in one cell
            ind = Indicator(clean(cell("level1")), clean(cell("level2")), clean(prose), source_row=line)
            inds.extend(expand_prose(ind, raw=prose, force=True))
            continue
        ind = indicator_of(vals, line)
        note = indicator_note(where, short_row(row, len(header), get), any(clean(cell(f)) for f in ROW_FIELDS),
                              bool(ind.name))
        if note:
            warnings.append(note)
        if not ind.name:
            continue
        inds.extend(expand_prose(ind, raw=cell("indicator")))
    if n_data == 0:
        raise InputError(p, "表中没有数据行（只有表头）")
    tables = [GoalTable(proj, inds, source=str(p)) for proj, inds in groups.values()]
    return ReadResult(tables, warnings)
