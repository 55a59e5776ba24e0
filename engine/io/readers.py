"""Reading goal tables: the bulk long format (CSV/XLSX, Chinese or English headers), JSON, and the
real published single-table XLSX forms (merged cells, title rows, project facts above the indicator
block). Every user mistake becomes an InputError naming the file and, where it applies, the row."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from engine.domain.table import GoalTable, Project
from engine.domain.text import tidy
from engine.domain.years import parse_year, settle_year, year_in_name

from engine.io.errors import DEFAULT_MAX_MB, SUPPORTED, InputError, ReadResult
from engine.io.forms import _read_xlsx
from engine.io.formulas import check_formulas
from engine.io.layouts import expand_prose, indicator_of
from engine.io.longform import _read_csv, _to_amount


# ------------------------------------------------------------------ entry points
def read_file(path: str | os.PathLike, max_mb: float = DEFAULT_MAX_MB) -> ReadResult:
    p = check_file(path, max_mb)
    ext = p.suffix.lower()
    if ext == ".json":
        return ReadResult(_read_json(p), [])
    if ext == ".csv":
        return _read_csv(p)
    res = _read_xlsx(p)
    check_formulas(p, res)
    return res


def check_file(path: str | os.PathLike, max_mb: float = DEFAULT_MAX_MB) -> Path:
    """The path, when it names a readable goal-table file of a supported type and size; else an InputError."""
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
    return p


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
            res = read_file(tmp, max_mb=max_mb)
        except InputError as e:
            raise InputError(filename, e.detail, e.row) from None
    # results and messages name the file as uploaded, never the server's temporary path
    for t in res.tables:
        t.source = filename
    return ReadResult(res.tables, [w.replace(str(tmp), filename) for w in res.warnings])


# ------------------------------------------------------------------ JSON
def _json_amount(value, source: str, where: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    amount = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = float(value)
    elif isinstance(value, str):
        amount = _to_amount(value, None)  # "120万元", "1,200"
    shown = json.dumps(value, ensure_ascii=False)
    if amount is None or not math.isfinite(amount):
        raise InputError(source, f"{where}的项目金额（project.amount）{shown} 不是数字：请填写以万元为单位的金额，如 120")
    if amount < 0:
        raise InputError(source, f"{where}的项目金额（project.amount）{shown} 为负数：请填写以万元为单位的金额")
    return amount



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
        name = tidy(proj.get("name"))
        if not name:
            raise InputError(source, f"{where}缺少项目名称（project.name）")
        project = project_from_dict(proj, source, where)
        rows = []
        for k, ind in enumerate(inds, 1):
            if not isinstance(ind, dict):
                raise InputError(source, f"{where}的第{k}个指标不是对象")
            raw_name = ind.get("indicator") or ind.get("name")
            if not tidy(raw_name):
                raise InputError(source, f"{where}的第{k}个指标缺少三级指标名称（indicator 为空）："
                                         "请填写指标名称，或删除这一行")
            row = indicator_of(dict(ind, indicator=raw_name), k)
            rows.extend(expand_prose(row, raw=raw_name))
        tables.append(GoalTable(project, rows, source=source))
    return tables


def project_from_dict(proj: dict, source: str = "<json>", where: str = "表") -> Project:
    """A Project from the contract §1b project object; an amount that is not a number of 万元 ("很多",
    true, negative) is an InputError, not a silently missing amount. The year field ("2026", 2026 or
    "2026年"), else a leading year in the name, is the budget year."""
    amount = _json_amount(proj.get("amount"), source, where)
    project = Project(name=tidy(proj.get("name")), project_id=tidy(proj.get("project_id")),
                      department=tidy(proj.get("department")), sector=tidy(proj.get("sector")),
                      category=tidy(proj.get("category")), amount=amount,
                      description=tidy(proj.get("description")), goal=tidy(proj.get("goal")))
    settle_year(project, column=parse_year(proj.get("year")), name=year_in_name(project.name))
    return project
