"""Reports of `jixiao diff`: the two versions side by side (序号, 一级/二级, 原指标, 原指标值, 新指标,
新指标值, 变化), the findings of the adjusted version and the 调整说明 — as JSON, a terminal table,
CSV, XLSX (sheets 调整对比, 问题清单, 调整说明) and HTML."""
from __future__ import annotations

import html
import io
import unicodedata

from engine.review.diff import ADDED, CHANGED, LOOSENED, LOWERED, RAISED, REMOVED, TIGHTENED, TableDiff, shown
from engine.domain.findings import SEVERITY_ZH
from engine.io.reports import BASE_CSS, FINDING_HEADER, finding_rows, style_sheet
from engine.io.writers import csv_text, one_or_list_json

COMPARE_HEADER = ["序号", "一级/二级", "原指标", "原指标值", "新指标", "新指标值", "变化", "项目名称"]
_BAD, _GOOD = (LOWERED, LOOSENED, REMOVED), (RAISED, TIGHTENED, ADDED)


def compare_rows(diffs: list[TableDiff]) -> list[list]:
    rows = []
    for d in diffs:
        for n, r in enumerate(d.rows, 1):
            rows.append([n, r.slot, r.old.name if r.old else "", shown(r.old.target) if r.old else "",
                         r.new.name if r.new else "", shown(r.new.target) if r.new else "", r.label,
                         d.new.project.name])
    return rows


def to_json(diffs: list[TableDiff]) -> str:
    return one_or_list_json([d.to_dict() for d in diffs])


def to_csv(diffs: list[TableDiff]) -> str:
    return csv_text(COMPARE_HEADER, compare_rows(diffs), bom=True)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def to_table(diffs: list[TableDiff]) -> str:
    out = []
    for d in diffs:
        out.append(f"■ 调整对比：{d.new.project.name}（原表 {d.old.source or '—'} → 新表 {d.new.source or '—'}）")
        rows = [COMPARE_HEADER[:7]] + [[str(c) for c in row[:7]] for row in compare_rows([d])]
        # the last column (变化) is free text: only the others are padded
        widths = [min(30, max(_width(r[k]) for r in rows)) for k in range(6)]
        for r in rows:
            out.append("  ".join(_pad(r[k], widths[k]) for k in range(6)) + "  " + r[6])
        out.append("")
        out.extend(d.summary.splitlines())
        rv = d.review
        c = rv.counts
        out.append("")
        out.append(f"问题清单（调整后）：总分 {rv.total:g}  等级 {rv.grade}  结论 {rv.decision}  "
                   f"错误 {c['error']}  警告 {c['warning']}")
        for f in rv.findings:
            where = f"第{f.row}行" if f.row else "整表"
            out.append(f"  - [{SEVERITY_ZH.get(f.severity)}] {where} {f.code}：{f.message}")
            out.append(f"      建议：{f.suggestion}")
        out.append("")
    return "\n".join(out) + "\n"


def to_xlsx(diffs: list[TableDiff]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, PatternFill

    from engine.io.safe_cells import put_row

    wb = Workbook()
    ws = wb.active
    ws.title = "调整对比"
    ws.append(COMPARE_HEADER)
    for row in compare_rows(diffs):
        put_row(ws, row)
    fs = wb.create_sheet("问题清单")
    fs.append(FINDING_HEADER)
    for row in finding_rows([d.review for d in diffs]):
        put_row(fs, row)
    ss = wb.create_sheet("调整说明")
    ss.append(["项目名称", "调整说明"])
    for d in diffs:
        put_row(ss, [d.new.project.name, d.summary])
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet, widths in ((ws, (6, 22, 30, 18, 30, 18, 36, 30)),
                          (fs, (6, 12, 30, 6, 8, 28, 24, 8, 10, 60, 60, 40)),
                          (ss, (30, 100))):
        style_sheet(sheet, widths)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap
    changes = [r.change for d in diffs for r in d.rows]
    for row, change in zip(ws.iter_rows(min_row=2), changes):
        colour = "FFC7CE" if change in _BAD else "C6EFCE" if change in _GOOD else "FFEB9C" if change == CHANGED else None
        if colour:
            row[6].fill = PatternFill("solid", fgColor=colour)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_CSS = BASE_CSS + """
td.bad{background:#ffc7ce}td.good{background:#c6efce}td.changed{background:#ffeb9c}
pre{white-space:pre-wrap;background:#f7f7f7;padding:10px;border:1px solid #ddd}"""


def to_html(diffs: list[TableDiff], title: str = "绩效目标调整对比") -> str:
    e = html.escape
    parts = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>"]
    for d in diffs:
        parts.append(f"<h2>{e(d.new.project.name)}</h2><h3>调整说明</h3><pre>{e(d.summary)}</pre>")
        parts.append("<h3>调整对比</h3><table><thead><tr>"
                     + "".join(f"<th>{e(h)}</th>" for h in COMPARE_HEADER[:7]) + "</tr></thead><tbody>")
        for row, r in zip(compare_rows([d]), d.rows):
            cls = "bad" if r.change in _BAD else "good" if r.change in _GOOD else "changed" if r.change == CHANGED else ""
            cells = "".join(f"<td class='{cls}'>{e(str(v))}</td>" if k == 6 else f"<td>{e(str(v))}</td>"
                            for k, v in enumerate(row[:7]))
            parts.append(f"<tr>{cells}</tr>")
        rv = d.review
        parts.append(f"</tbody></table><h3>问题清单（调整后：总分 {rv.total:g}，等级 {e(rv.grade)}，结论 {e(rv.decision)}）</h3>"
                     "<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in ("行号", "三级指标", "问题代码", "严重程度",
                                                                                  "问题描述", "修改建议"))
                     + "</tr></thead><tbody>")
        for f in rv.findings:
            sev = SEVERITY_ZH.get(f.severity, f.severity)
            parts.append(f"<tr><td>{'' if f.row is None else f.row}</td><td>{e(f.indicator)}</td><td>{e(f.code)}</td>"
                         f"<td class='{e(f.severity)}'>{e(sev)}</td><td>{e(f.message)}</td><td>{e(f.suggestion)}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)
