"""Reading goal tables: the bulk long format (CSV/XLSX, Chinese or English headers), JSON, and the
real published single-table XLSX forms (merged cells, title rows, project facts above the indicator
block). Every user mistake becomes an InputError naming the file and, where it applies, the row."""
from __future__ import annotations

import json
import os
from pathlib import Path

from engine.domain.table import GoalTable, Project
from engine.domain.text import clean
from engine.domain.years import parse_year, settle_year, year_in_name

from engine.io.errors import DEFAULT_MAX_MB, SUPPORTED, InputError, ReadResult
from engine.io.forms import _read_xlsx
from engine.io.layouts import expand_prose, indicator_of
from engine.io.longform import _read_csv, _to_amount


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
            raw_name = ind.get("indicator") or ind.get("name")
            if not clean(raw_name):
                continue
            row = indicator_of(dict(ind, indicator=raw_name), k)
            rows.extend(expand_prose(row, raw=raw_name))
        tables.append(GoalTable(project, rows, source=source))
    return tables


def project_from_dict(proj: dict) -> Project:
    amount = proj.get("amount")
    try:
        amount = None if amount in (None, "") else float(amount)
    except (TypeError, ValueError):
        amount = _to_amount(amount, None)
    project = Project(name=clean(proj.get("name")), project_id=clean(proj.get("project_id")),
                      department=clean(proj.get("department")), sector=clean(proj.get("sector")),
                      category=clean(proj.get("category")), amount=amount,
                      description=clean(proj.get("description")), goal=clean(proj.get("goal")))
    # the year field ("2026", 2026 or "2026年"), else a leading year in the name
    settle_year(project, column=parse_year(proj.get("year")), name=year_in_name(project.name))
    return project
