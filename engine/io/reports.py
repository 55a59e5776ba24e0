"""Reviewer reports of `jixiao score`: JSON, a terminal table, CSV, XLSX and HTML. The XLSX and HTML
reports have a summary (one row per table) and a findings list a reviewer can filter."""
from __future__ import annotations

import html
import io
import json

from engine.domain.findings import SEVERITY_ZH
from engine.review.scoring import DIMENSIONS, TableReview, rubric
from engine.io.writers import csv_text

SUMMARY_HEADER = ["序号", "项目编号", "项目名称", "项目类别", "行业", "指标数", "总分", "等级", "审核结论",
                  "完整性", "细化量化", "相应匹配", "合理可行", "错误", "警告", "提示", "来源文件"]
FINDING_HEADER = ["序号", "项目编号", "项目名称", "行号", "文件行", "三级指标", "问题代码", "严重程度", "维度",
                  "问题描述", "修改建议", "推荐指标"]
# the files of a batch that could not be reviewed, and the reader's notes on rows it skipped: (file, text)
FILE_ERROR_SHEET, FILE_ERROR_HEADER = "无法评审的文件", ["序号", "文件", "原因"]
NOTE_SHEET, NOTE_HEADER = "读取提示", ["序号", "文件", "提示"]


def _dim_zh(d: str) -> str:
    return rubric()["dimensions"][d]["zh"]


def _candidates_text(cands: list) -> str:
    return "；".join(f"{c.get('indicator', '')}（{c.get('suggested_value', '')}）" if c.get("suggested_value")
                    else c.get("indicator", "") for c in cands)


def summary_rows(reviews: list[TableReview]) -> list[list]:
    rows = []
    for n, r in enumerate(reviews, 1):
        c = r.counts
        rows.append([n, r.project_id, r.name, r.kind, r.sector, r.indicator_count, r.total, r.grade, r.decision,
                     *[r.dimensions[d] for d in DIMENSIONS], c["error"], c["warning"], c["info"], r.source])
    return rows


def finding_rows(reviews: list[TableReview]) -> list[list]:
    rows = []
    for n, r in enumerate(reviews, 1):
        for f in r.findings:
            rows.append([n, r.project_id, r.name, f.row if f.row is not None else "", f.source_row or "",
                         f.indicator, f.code, SEVERITY_ZH.get(f.severity, f.severity), _dim_zh(f.dimension),
                         f.message, f.suggestion, _candidates_text(f.candidates)])
    return rows


def to_json(reviews: list[TableReview]) -> str:
    return json.dumps([r.to_dict() for r in reviews], ensure_ascii=False, indent=2)


def to_csv(reviews: list[TableReview]) -> str:
    """One row per finding, with the table's scores on every row (tables without findings get one row)."""
    def rows():
        for r in reviews:
            head = [r.project_id, r.name, r.total, r.grade, r.decision, *[r.dimensions[d] for d in DIMENSIONS]]
            if not r.findings:
                yield head + [""] * 8
            for f in r.findings:
                yield head + [f.row if f.row is not None else "", f.indicator, f.code,
                              SEVERITY_ZH.get(f.severity, f.severity), _dim_zh(f.dimension), f.message,
                              f.suggestion, _candidates_text(f.candidates)]

    return csv_text(["项目编号", "项目名称", "总分", "等级", "审核结论", "完整性", "细化量化", "相应匹配", "合理可行",
                     "行号", "三级指标", "问题代码", "严重程度", "维度", "问题描述", "修改建议", "推荐指标"], rows(), bom=True)


def to_table(reviews: list[TableReview]) -> str:
    """A plain-text report for people at a terminal."""
    out = []
    for r in reviews:
        c = r.counts
        dims = "  ".join(f"{_dim_zh(d)} {r.dimensions[d]:g}" for d in DIMENSIONS)
        out.append(f"■ {r.name}（{r.project_id or '无编号'}）  {r.kind or '类别未识别'} · {r.sector or '行业未识别'}")
        out.append(f"  指标 {r.indicator_count} 个  总分 {r.total:g}  等级 {r.grade}  结论 {r.decision}  "
                   f"错误 {c['error']}  警告 {c['warning']}")
        out.append(f"  {dims}")
        for f in r.findings:
            where = f"第{f.row}行" if f.row else "整表"
            out.append(f"  - [{SEVERITY_ZH.get(f.severity)}] {where} {f.code}：{f.message}")
            out.append(f"      建议：{f.suggestion}")
            if f.candidates:
                out.append(f"      推荐：{_candidates_text(f.candidates)}")
        out.append("")
    n = len(reviews)
    by = {d: sum(1 for r in reviews if r.decision == d) for d in ("通过", "修改后通过", "退回修改")}
    out.append(f"共 {n} 张表：通过 {by['通过']}，修改后通过 {by['修改后通过']}，退回修改 {by['退回修改']}")
    return "\n".join(out) + "\n"


def style_sheet(sheet, widths) -> None:
    """A report sheet a reviewer can filter: bold shaded header, frozen first row, autofilter, widths."""
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor="DCE6F1")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for i, w in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = w


def to_xlsx(reviews: list[TableReview], file_errors=(), notes=()) -> bytes:
    """The 汇总 and 问题清单 sheets; with `file_errors` ((file, reason) of files that could not be
    reviewed) a sheet naming them, with `notes` ((file, text) of rows the readers skipped) another."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, PatternFill

    from engine.io.safe_cells import put_row

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(SUMMARY_HEADER)
    for row in summary_rows(reviews):
        put_row(ws, row)
    fs = wb.create_sheet("问题清单")
    fs.append(FINDING_HEADER)
    for row in finding_rows(reviews):
        put_row(fs, row)
    style_sheet(ws, (6, 12, 36, 14, 14, 8, 8, 6, 12, 8, 8, 8, 8, 6, 6, 6, 30))
    style_sheet(fs, (6, 12, 30, 6, 8, 28, 24, 8, 10, 60, 60, 40))
    for row in fs.iter_rows(min_row=2):
        for cell in row[9:12]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    colours = {"通过": "C6EFCE", "修改后通过": "FFEB9C", "退回修改": "FFC7CE"}
    for row in ws.iter_rows(min_row=2):
        fill = colours.get(row[8].value)
        if fill:
            row[8].fill = PatternFill("solid", fgColor=fill)
    for title, header, items in ((FILE_ERROR_SHEET, FILE_ERROR_HEADER, file_errors), (NOTE_SHEET, NOTE_HEADER, notes)):
        if items:
            sheet = wb.create_sheet(title)
            sheet.append(header)
            for n, (file, text) in enumerate(items, 1):
                put_row(sheet, [n, file, text])
            style_sheet(sheet, (6, 30, 100))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# the look shared by every HTML report (score, diff)
BASE_CSS = """body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top}th{background:#e8eef7}
.error{color:#b00020;font-weight:bold}.warning{color:#a15c00}"""
_CSS = BASE_CSS + """
th{cursor:pointer;position:sticky;top:0}
tr.通过 td.d{background:#c6efce}tr.修改后通过 td.d{background:#ffeb9c}tr.退回修改 td.d{background:#ffc7ce}
input{margin:8px 0;padding:4px;width:320px}"""
_JS = """function sortBy(t,c){const b=t.tBodies[0],r=[...b.rows],d=t.dataset.dir==c?-1:1;t.dataset.dir=d==1?c:'';
r.sort((x,y)=>{const a=x.cells[c].innerText,z=y.cells[c].innerText,n=parseFloat(a)-parseFloat(z);
return (isNaN(n)?a.localeCompare(z,'zh'):n)*d});r.forEach(e=>b.appendChild(e))}
document.querySelectorAll('table').forEach(t=>t.tHead.querySelectorAll('th').forEach((h,i)=>h.onclick=()=>sortBy(t,i)));
const q=document.getElementById('q');q&&(q.oninput=()=>{const v=q.value.trim();
document.querySelectorAll('#findings tbody tr').forEach(r=>r.style.display=!v||r.innerText.includes(v)?'':'none')})"""


def to_html(reviews: list[TableReview], title: str = "绩效目标评审报告", file_errors=(), notes=()) -> str:
    e = html.escape
    parts = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>"]
    for heading, items in ((FILE_ERROR_SHEET, file_errors), (NOTE_SHEET, notes)):
        if items:
            parts.append(f"<h2>{heading}</h2><ul class='files'>"
                         + "".join(f"<li>{e(file)}：{e(text)}</li>" for file, text in items) + "</ul>")
    by = {d: sum(1 for r in reviews if r.decision == d) for d in ("通过", "修改后通过", "退回修改")}
    parts.append(f"<p>共 {len(reviews)} 张表：通过 {by['通过']}，修改后通过 {by['修改后通过']}，退回修改 {by['退回修改']}。"
                 "点击表头可排序。</p><h2>汇总</h2><table id='summary'><thead><tr>")
    parts.append("".join(f"<th>{e(h)}</th>" for h in SUMMARY_HEADER) + "</tr></thead><tbody>")
    for row in summary_rows(reviews):
        cells = "".join(f"<td class='d'>{e(str(v))}</td>" if i == 8 else f"<td>{e(str(v))}</td>"
                        for i, v in enumerate(row))
        parts.append(f"<tr class='{e(str(row[8]))}'>{cells}</tr>")
    parts.append("</tbody></table><h2>问题清单</h2><input id='q' placeholder='筛选：输入项目名称、问题代码或关键词'>"
                 "<table id='findings'><thead><tr>")
    parts.append("".join(f"<th>{e(h)}</th>" for h in FINDING_HEADER) + "</tr></thead><tbody>")
    for row in finding_rows(reviews):
        sev = "error" if row[7] == SEVERITY_ZH["error"] else "warning" if row[7] == SEVERITY_ZH["warning"] else ""
        cells = "".join(f"<td class='{sev}'>{e(str(v))}</td>" if i == 7 else f"<td>{e(str(v))}</td>"
                        for i, v in enumerate(row))
        parts.append(f"<tr>{cells}</tr>")
    parts.append(f"</tbody></table><script>{_JS}</script></body></html>")
    return "".join(parts)
