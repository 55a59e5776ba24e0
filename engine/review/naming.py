"""Names that are not (only) indicator names: template debris (NAME_PLACEHOLDER) and rows that name
no indicator — a value, a date, a filler row, a level heading, a sentence, a yes/no question
(NAME_NOT_INDICATOR). What the name is comes from engine.domain.names; this module says it."""
from __future__ import annotations

from engine.domain.commitments import decompose
from engine.domain.findings import ERROR, WARNING, Finding
from engine.domain.names import (FILLER, HEADING, PLACEHOLDER, QUESTION, SENTENCE, TARGET_IN_NAME, VALUE,
                                 classify_name)
from engine.domain.targets import EMPTY, parse_target
from engine.review.context import TableContext, _f


def check_names(ctx: TableContext) -> list[Finding]:
    out = []
    for pos, ind in ctx.rows:
        issue = classify_name(ind.name)
        if issue is None:
            continue
        label = f"“{ind.name}”"
        value = ind.target.raw
        slot = ind.placement.level2 or ind.placement.level1
        if issue.kind == PLACEHOLDER:
            if issue.cleaned:
                tail = "；目标值请填在指标值列" if "*" in issue.piece or "＊" in issue.piece else ""
                out.append(_f("NAME_PLACEHOLDER", WARNING, pos, ind,
                              f"指标名称{label}中留有模板占位内容“{issue.piece}”。",
                              f"请删除占位内容，把名称改为“{issue.cleaned}”{tail}。"))
            else:
                out.append(_f("NAME_PLACEHOLDER", ERROR, pos, ind,
                              f"指标名称{label}只有模板占位内容，没有写出指标。",
                              f"请在“{slot}”下写出本项目的具体指标名称（对象+计量口径），并填写指标值；不需要的行请删除。"))
        elif issue.kind == TARGET_IN_NAME:
            inner = parse_target(issue.piece, issue.cleaned)
            if ind.target.kind == EMPTY:
                msg = f"指标名称{label}把目标值“{issue.piece}”写进了名称，指标值列为空。"
                fix = f"请把名称改为“{issue.cleaned}”，指标值填“{inner.display()}”。"
            elif _same(inner, ind.target):
                msg = f"指标名称{label}中重复写了目标值“{issue.piece}”。"
                fix = f"请把名称改为“{issue.cleaned}”，目标值只保留在指标值列（“{value}”）。"
            else:
                msg = f"指标名称{label}中的目标“{issue.piece}”与指标值“{value}”不一致。"
                fix = (f"请把名称改为“{issue.cleaned}”，并在指标值列只填一个目标（“{inner.display()}”或“{value}”，"
                       "以测算依据为准）。")
            out.append(_f("NAME_NOT_INDICATOR", WARNING, pos, ind, msg, fix))
        elif issue.kind == FILLER:
            out.append(_f("NAME_NOT_INDICATOR", ERROR, pos, ind,
                          f"第{pos}行{label}（指标值“{value or '空'}”）不是绩效指标，是模板中的占位行。",
                          f"请删除该行；“{slot}”确不适用的可以不设，必设的（数量、质量、时效、效益、满意度）请改为反映本项目的具体指标。"))
        elif issue.kind == VALUE:
            out.append(_f("NAME_NOT_INDICATOR", ERROR, pos, ind,
                          f"指标名称{label}是一个数值或日期，不是指标名称。",
                          f"请在名称列写明衡量的对象和口径（如“…数量”“…完成时间”），把“{ind.name}”填入指标值列。"))
        elif issue.kind == HEADING:
            out.append(_f("NAME_NOT_INDICATOR", ERROR, pos, ind,
                          f"{label}是指标层级的名称，不是三级指标。",
                          f"请在“{slot}”下写出具体的三级指标（如“培训人次”“验收合格率”），并填写指标值。"))
        elif issue.kind == SENTENCE:
            short = _short_name(ind.name)
            out.append(_f("NAME_NOT_INDICATOR", WARNING, pos, ind,
                          f"指标名称{label}是一段描述，不是可考核的指标。",
                          "请提炼为“对象+计量口径”的短名称" + (f"（如“{short}”）" if short else "（如“××数量”“××完成率”）")
                          + "，具体内容写入指标值说明。"))
        elif issue.kind == QUESTION:
            out.append(_f("NAME_NOT_INDICATOR", WARNING, pos, ind,
                          f"指标{label}是一个是非问题，回答“{value or '是/否'}”无法衡量完成的程度。",
                          "请改为可衡量的指标（如“…完成率”“…数量”“带动增收金额”），写明数值目标；确只能判断完成与否的，写成“…完成情况”并写明验收标准。"))
    return out


def _same(a, b) -> bool:
    return a.kind == b.kind and a.numbers == b.numbers and (a.unit or "%") == (b.unit or "%")


def _short_name(name: str) -> str:
    for c in decompose(name):
        if c.value:
            return c.name
    return ""
