"""Reading goal tables: the bulk long format (CSV/XLSX, Chinese or English headers), JSON, and the
real published single-table XLSX forms (merged cells, title rows, project facts above the indicator
block). Every user mistake becomes an InputError naming the file and, where it applies, the row."""
from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from engine.resources import load_json
from engine.table import GoalTable, Indicator, Project
from engine.text import clean, nfkc

SUPPORTED = (".csv", ".xlsx", ".xlsm", ".json")
DEFAULT_MAX_MB = float(os.environ.get("JIXIAO_MAX_MB", "100"))


class InputError(Exception):
    """A user's file cannot be read as goal tables. The message is Chinese and names file and row."""

    def __init__(self, path: str | os.PathLike, message: str, row: int | None = None):
        self.path, self.row, self.detail = str(path), row, message
        where = f"{self.path}" + (f" 第{row}行" if row else "")
        super().__init__(f"{where}：{message}")


@dataclass
class ReadResult:
    tables: list[GoalTable]
    warnings: list[str]


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
        s = clean(value).replace(",", "")
        m = re.search(r"-?\d+(?:\.\d+)?", s)
        if not m:
            return None
        x = float(m.group(0))
        if "亿" in s:
            x *= 1e4
        elif "万" not in s and ("元" in s and in_yuan is None):
            x /= 1e4
    return round(x / 1e4, 6) if in_yuan else x


# ------------------------------------------------------------------ entry points
def read_file(path: str | os.PathLike, max_mb: float = DEFAULT_MAX_MB) -> ReadResult:
    p = Path(path)
    if not p.exists():
        raise InputError(p, "文件不存在")
    if p.is_dir():
        raise InputError(p, "这是一个文件夹，请用 read_paths 展开")
    ext = p.suffix.lower()
    if ext == ".xls":
        raise InputError(p, "不支持旧版 Excel（.xls）格式，请在 Excel 中另存为 .xlsx 后再提交")
    if ext not in SUPPORTED:
        raise InputError(p, f"不支持的文件类型“{ext or '无扩展名'}”，请提交 CSV、XLSX 或 JSON 文件")
    size_mb = p.stat().st_size / 1e6
    if size_mb > max_mb:
        raise InputError(p, f"文件过大（{size_mb:.0f} MB，上限 {max_mb:.0f} MB），请拆分后分批提交")
    if p.stat().st_size == 0:
        raise InputError(p, "文件为空")
    if ext == ".json":
        return ReadResult(_read_json(p), [])
    if ext == ".csv":
        return _read_csv(p)
    return _read_xlsx(p)


def expand_paths(paths: list[str]) -> list[Path]:
    """Files named, and every supported file inside a folder named (sorted, not recursive into hidden)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED + (".xls",)
                              and not any(part.startswith(".") for part in f.parts)))
        else:
            out.append(p)
    return out


def read_bytes(data: bytes, filename: str, max_mb: float = DEFAULT_MAX_MB) -> ReadResult:
    """Read an uploaded file (HTTP) through the same code path, via a temporary file."""
    import tempfile

    ext = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d) / (Path(filename).name or f"upload{ext}")
        tmp.write_bytes(data)
        try:
            return read_file(tmp, max_mb=max_mb)
        except InputError as e:
            raise InputError(filename, e.detail, e.row) from None


# ------------------------------------------------------------------ JSON
def _read_json(p: Path) -> list[GoalTable]:
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError(p, "文件编码无法识别，请使用 UTF-8 编码") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(p, f"不是有效的 JSON（第{e.lineno}行第{e.colno}列附近：{e.msg}）") from None
    return tables_from_json(data, str(p))


def tables_from_json(data, source: str = "<json>") -> list[GoalTable]:
    if isinstance(data, dict) and "tables" in data and isinstance(data["tables"], list):
        data = data["tables"]
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InputError(source, "JSON 中没有任何绩效目标表")
    tables = []
    for n, item in enumerate(items, 1):
        where = f"第{n}个表" if isinstance(data, list) else "表"
        if not isinstance(item, dict):
            raise InputError(source, f"{where}不是对象（应为 {{\"project\": …, \"indicators\": […]}}）")
        proj = item.get("project", {})
        inds = item.get("indicators", [])
        if not isinstance(proj, dict):
            raise InputError(source, f"{where}的 project 应为对象")
        if not isinstance(inds, list):
            raise InputError(source, f"{where}的 indicators 应为列表")
        name = clean(proj.get("name"))
        if not name:
            raise InputError(source, f"{where}缺少项目名称（project.name）")
        project = project_from_dict(proj)
        rows = []
        for k, ind in enumerate(inds, 1):
            if not isinstance(ind, dict):
                raise InputError(source, f"{where}的第{k}个指标不是对象")
            iname = clean(ind.get("indicator") or ind.get("name"))
            if not iname:
                continue
            rows.append(Indicator(clean(ind.get("level1")), clean(ind.get("level2")), iname,
                                  ind.get("value", ""), clean(ind.get("unit")), clean(ind.get("nature")),
                                  clean(ind.get("note")), source_row=k))
        tables.append(GoalTable(project, rows, source=source))
    return tables


def project_from_dict(proj: dict) -> Project:
    amount = proj.get("amount")
    try:
        amount = None if amount in (None, "") else float(amount)
    except (TypeError, ValueError):
        amount = _to_amount(amount, None)
    return Project(name=clean(proj.get("name")), project_id=clean(proj.get("project_id")),
                   department=clean(proj.get("department")), sector=clean(proj.get("sector")),
                   category=clean(proj.get("category")), amount=amount,
                   description=clean(proj.get("description")), goal=clean(proj.get("goal")),
                   year=proj.get("year") if isinstance(proj.get("year"), int) else None)


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
    rows = [r for r in rows]
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
        if key not in groups:
            amount = _to_amount(cell("amount"), in_yuan)
            project = Project(name=name or pid, project_id=pid, department=clean(cell("department")),
                              sector=clean(cell("sector")), category=clean(cell("category")), amount=amount,
                              description=clean(cell("description")), goal=clean(cell("goal")))
            groups[key] = (project, [])
        project, inds = groups[key]
        iname = clean(cell("indicator"))
        if not iname:
            if clean(cell("value")):
                warnings.append(f"{p} 第{line}行：有指标值但三级指标为空，已跳过")
            continue
        value = cell("value")
        inds.append(Indicator(clean(cell("level1")), clean(cell("level2")), iname,
                              value if not isinstance(value, str) else clean(value),
                              clean(cell("unit")), clean(cell("nature")), clean(cell("note")), source_row=line))
    if n_data == 0:
        raise InputError(p, "表中没有数据行（只有表头）")
    tables = [GoalTable(proj, inds, source=str(p)) for proj, inds in groups.values()]
    return ReadResult(tables, warnings)


# ------------------------------------------------------------------ XLSX
def _read_xlsx(p: Path) -> ReadResult:
    import zipfile

    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover - dependency is pinned
        raise InputError(p, f"缺少 openpyxl：{e}") from None
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise InputError(p, f"无法作为 Excel 文件打开（文件损坏或不是 .xlsx）：{type(e).__name__}") from None
    try:
        sheets = wb.worksheets
        if not sheets:
            raise InputError(p, "工作簿中没有工作表")
        # the bulk long format: a header row with 项目名称 and the indicator columns
        for ws in sheets:
            head = []
            for r, row in enumerate(ws.iter_rows(max_row=5, values_only=True), 1):
                keys = {_aliases()[0].get(_hkey(c)) for c in row if c is not None}
                if {"name", "indicator", "value", "level1"} <= keys:
                    head = [r, list(row)]
                    break
            if head:
                body = ws.iter_rows(min_row=head[0] + 1, values_only=True)
                return _long_rows(p, head[1], body, first_line=head[0] + 1)
    finally:
        wb.close()
    return _read_forms(p)


_HEAD = {
    "level1": ("一级指标", "指标类型", "一级指标名称"),
    "level2": ("二级指标", "二级指标名称"),
    "indicator": ("三级指标", "指标内容", "指标名称", "三级指标名称", "绩效指标名称"),
    "value": ("指标值", "目标值", "年度指标值", "指标值（目标值）", "目标值（标准）", "预期指标值", "年度目标值"),
    "unit": ("计量单位", "单位"),
    "nature": ("指标性质",),
    "note": ("备注", "指标值说明", "指标解释", "指标说明"),
    "actual": ("全年完成值", "实际完成值", "完成值", "全年实际完成值"),
    "weight": ("指标权重", "权重", "分值"),
}
_FACTS = [
    ("name", ("项目名称",)),
    ("department", ("项目主管部门", "主管部门", "部门名称", "单位名称", "预算单位", "申报单位")),
    ("implementer", ("项目实施单位", "项目执行单位", "实施单位")),
    ("project_id", ("项目代码", "项目编号")),
    ("amount", ("项目当年预算", "当年预算", "全年预算数", "年度预算", "项目总预算", "项目金额", "预算金额", "资金总额", "年度资金总额")),
    ("goal", ("总体绩效目标", "项目绩效总目标", "全年绩效目标", "年度绩效目标", "年度总体目标", "总体目标", "绩效目标", "当年绩效目标")),
    ("content", ("项目主要内容", "主要内容", "实施内容", "项目概述", "项目内容")),
    ("reason", ("项目申请理由", "立项依据", "申请理由")),
    ("category", ("项目类别",)),
    ("sector", ("行业领域", "所属行业")),
    ("basic", ("基本支出",)),
    ("project_spend", ("项目支出",)),
    ("tasks", ("年度重点工作任务", "年度主要任务", "重点工作任务")),
    ("executed", ("全年执行数", "执行数", "预算执行数")),
    ("actual_goal", ("全年目标实际完成情况", "实际完成情况", "目标完成情况")),
]
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


def _find_header(grid) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(grid):
        cols: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = _hkey(cell)
            for field, names in _HEAD.items():
                if field not in cols and any(key == _hkey(n) for n in names):
                    cols[field] = c
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
    except Exception as e:  # openpyxl raises many types on damaged files
        raise InputError(p, f"无法作为 Excel 文件打开：{type(e).__name__}") from None
    tables, warnings = [], []
    for ws in wb.worksheets:
        grid = _sheet_grid(ws)
        if not grid:
            continue
        found = _find_header(grid)
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
    year = None
    m = re.search(r"(20\d{2})\s*年", title)
    if m:
        year = int(m.group(1))
    amount = _to_amount(facts.get("amount"), False) if facts.get("amount") is not None else None
    if amount is None and (facts.get("basic") is not None or facts.get("project_spend") is not None):
        parts = [_to_amount(facts.get(k), False) for k in ("basic", "project_spend")]
        amount = round(sum(x for x in parts if x), 6) or None
    department = clean(facts.get("department"))
    name = clean(facts.get("name")) or department or title or Path(p).stem
    description = "；".join(x for x in (clean(facts.get("content")), clean(facts.get("tasks")),
                                        clean(facts.get("reason"))) if x)
    project = Project(name=name, project_id=clean(facts.get("project_id")), department=department,
                      amount=amount, description=description, goal=clean(facts.get("goal")), year=year,
                      title=title, category=clean(facts.get("category")), sector=clean(facts.get("sector")),
                      extra={"implementer": clean(facts.get("implementer")), "sheet": sheet})
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
        indicators.append(Indicator(l1, l2, name, cell("value"), clean(cell("unit")), clean(cell("nature")),
                                    clean(cell("note")), source_row=r + 1, actual=cell("actual")))
    return GoalTable(project, indicators, source=str(p), source_sheet=sheet)


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
