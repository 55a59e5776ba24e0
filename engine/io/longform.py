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

from engine.io.errors import InputError, ReadResult
from engine.io.row_notes import ROW_FIELDS, amount_note, indicator_note, short_row
from engine.io.safe_cells import csv_uncell


def _hkey(text) -> str:
    s = nfkc(str(text or "")).lower()
    return re.sub(r"[\s\(\)（）\[\]【】:：*]", "", s)


@lru_cache(maxsize=1)
def _aliases() -> tuple[dict[str, str], tuple[str, ...]]:
    spec = load_json("columns.json")
    table = {}
    for field, names in spec["columns"].items():
        for n in names:
            table.setdefault(_hkey(n), field)
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
    text = _decode(p)
    first = text.split("\n", 1)[0]
    delim = "\t" if first.count("\t") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    rows = [[csv_uncell(c) for c in r] for r in rows]  # our own CSV writers' neutralised text
    if not rows or not any(c.strip() for c in rows[0]):
        raise InputError(p, "文件没有表头行")
    return _long_rows(p, rows[0], rows[1:], first_line=2)


def _map_header(p: Path, header: list) -> dict[str, int]:
    table, required = _aliases()
    cols: dict[str, int] = {}
    in_yuan = False
    for i, h in enumerate(header):
        key = _hkey(h)
        field = table.get(key)
        if field and field not in cols:
            cols[field] = i
            if field == "amount" and key.endswith("元") and not key.endswith("万元"):
                in_yuan = True
    missing = [f for f in required if f not in cols]
    if missing:
        zh = {"name": "项目名称", "level1": "一级指标", "level2": "二级指标", "indicator": "三级指标", "value": "指标值"}
        raise InputError(p, "缺少必需的列：" + "、".join(zh[m] for m in missing)
                         + "（表头应包含 项目名称、一级指标、二级指标、三级指标、指标值，中英文均可）", row=1)
    cols["_in_yuan"] = in_yuan  # type: ignore[assignment]
    return cols


def _long_rows(p: Path, header: list, body, first_line: int) -> ReadResult:
    cols = _map_header(p, header)
    in_yuan = cols.pop("_in_yuan")
    get = {f: i for f, i in cols.items()}
    groups: dict[str, tuple[Project, list[Indicator]]] = {}
    warnings: list[str] = []
    prev_name, prev_id = "", ""
    n_data = 0
    for offset, row in enumerate(body):
        line = first_line + offset
        if not any(c is not None and str(c).strip() for c in row):
            continue
        n_data += 1

        def cell(field, _row=row):
            i = get.get(field)
            if i is None or i >= len(_row):
                return ""
            return _row[i]

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
            groups[key] = (project, [])
        project, inds = groups[key]
        iname = clean(cell("indicator"))
        note = indicator_note(where, short_row(row, len(header), get), any(clean(cell(f)) for f in ROW_FIELDS),
                              bool(iname))
        if note:
            warnings.append(note)
        if not iname:
            continue
        value = cell("value")
        inds.append(Indicator(clean(cell("level1")), clean(cell("level2")), iname,
                              value if not isinstance(value, str) else clean(value),
                              clean(cell("unit")), clean(cell("nature")), clean(cell("note")), source_row=line))
    if n_data == 0:
        raise InputError(p, "表中没有数据行（只有表头）")
    tables = [GoalTable(proj, inds, source=str(p)) for proj, inds in groups.values()]
    return ReadResult(tables, warnings)
