"""Quantification (细化量化): vague, qualitative or multiple targets where a number is expected."""
from __future__ import annotations

import re

from engine.domain.findings import ERROR, WARNING, Finding
from engine.domain.table import Indicator
from engine.domain.targets import DATE, EMPTY, QUAL, QUANT, YESNO, is_rate_name


from engine.review.context import TableContext, _f, _MEASURE_END, _rules, _VAGUE_NAME


# ---------------------------------------------------------------- quantification
def _measurable(ind: Indicator) -> bool:
    if ind.nature == "定量":
        return True
    if ind.unit and ind.unit not in ("无", "/", "-", "是/否", "定性"):
        return True  # a unit column says the row was meant to carry a number
    name = ind.name
    if name.startswith("是否"):
        return False
    return any(w in name for w in _rules()["measurable_words"])


def check_values(ctx: TableContext) -> list[Finding]:
    out = []
    for pos, ind in ctx.rows:
        t = ind.target
        label = f"“{ind.name}”"
        if t.kind == EMPTY:
            out.append(_f("VALUE_MISSING", ERROR, pos, ind, f"指标{label}未填写指标值。",
                          "请填写带运算符和计量单位的目标值，如“≥95%”“≥500人次”“≤30万元”；确实无法量化的，写明可检验的定性标准。"))
            continue
        if t.multiple:
            out.append(_f("MULTIPLE_VALUES", ERROR, pos, ind,
                          f"指标{label}的一个单元格里填了{t.parts}个目标值（“{t.raw}”）。",
                          "一个指标只对应一个目标值：" + _split_advice(ind.name, t.raw, t.parts)))
            continue
        if t.kind == QUAL and t.vague:
            out.append(_f("VALUE_VAGUE", ERROR, pos, ind, f"指标{label}的目标值“{t.raw}”表述模糊，无法考核。",
                          "请改为可衡量的目标值：能量化的写明运算符、数值和单位（如“≥95%”“≥3000人”），"
                          "任务数由上级下达的请填写下达的具体数；不能量化的写明对比基准或标准（如“较上年提高”“达到××标准”）。"))
            continue
        if _VAGUE_NAME.match(ind.name) and not _MEASURE_END.search(ind.name):
            severity = WARNING if t.kind in (QUANT, DATE, YESNO) else ERROR
            slot = ind.placement.level2
            better = "服务对象满意度" if slot == "服务对象满意度指标" or "满意" in ind.name else "可测量的结果（如“××覆盖率”“××人数”）"
            out.append(_f("VALUE_VAGUE", severity, pos, ind,
                          f"指标{label}写的是工作要求而不是可测量的指标，目标“{t.raw}”无法据此考核。",
                          f"请把指标名称改为{better}，并填写对应的量化目标值。"))
            continue
        if t.kind in (QUAL, YESNO) and _measurable(ind) and not ind.name.startswith("是否"):
            out.append(_f("VALUE_NOT_QUANTIFIED", WARNING, pos, ind,
                          f"指标{label}可以量化，但目标值“{t.raw}”是定性表述。",
                          "请填写具体数值和单位" + ("（如“≥95%”）" if is_rate_name(ind.name) else "（如“≥N人”“≥N个”）")
                          + "；以上年为基准的，写明上年数值，如“≥上年实际值12000人”。"))
            continue
        if t.kind == QUANT and not t.unit:
            out.append(_f("UNIT_MISSING", WARNING, pos, ind, f"指标{label}的目标值“{t.raw}”没有计量单位。",
                          "请补充计量单位（如 人、人次、个、万元、%），或在“计量单位”列中填写。"))
    return out


def _split_advice(name: str, raw: str, parts: int) -> str:
    """Split advice that names the real parts: the name's own parts when it lists them (A及B), else
    the values the cell holds, each to get a row of its own."""
    pieces = [p for p in re.split(r"及|和|与|、", name) if p]
    if len(pieces) >= parts:
        pairs = "”“".join(pieces[:parts])
        return f"请把该行拆成{parts}个三级指标，每行一个值，分别设置“{pairs}”。"
    values = [v.strip() for v in re.split(r"[、，,；;/]|和|及", raw) if re.search(r"\d", v)]
    if len(values) >= 2:
        shown = "”“".join(values[:parts])
        return (f"请把该行拆成{len(values[:parts])}行，分别填写“{shown}”，并在各行名称中写明各自衡量的对象"
                f"（如“{name}”按对象或类别分列）。")
    return f"请把该行按对象或类别拆成{parts}行，每行一个目标值，并在各行名称中写明各自衡量的对象。"
