"""Matching (相应匹配), the part rules can decide: slot conflicts, unknown levels, duplicate
indicators, inputs stated as goals."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache


from engine.domain.findings import WARNING, Finding
from engine.domain.text import bigrams, dice_sets, norm_key


from engine.review.context import TableContext, _f, _input_patterns, _rules


# ---------------------------------------------------------------- matching (rule-visible part)
def check_placement(ctx: TableContext) -> list[Finding]:
    out = []
    for pos, ind in ctx.rows:
        pl = ind.placement
        if pl.conflict:
            wrong = ind.level2
            out.append(_f("LEVEL_MISFILED", WARNING, pos, ind,
                          f"指标“{ind.name}”填在“{ind.level1}/{ind.level2}”下，但“{wrong}”不属于“{ind.level1}”。",
                          f"请按指标含义归入“{pl.level1}/{pl.level2}”，或检查是否应为产出指标下的{wrong}。"))
        elif "满意" in ind.name and pl.level1 != "满意度指标":
            out.append(_f("LEVEL_MISFILED", WARNING, pos, ind,
                          f"满意度类指标“{ind.name}”填在“{pl.level1}/{pl.level2}”下。",
                          "请归入“满意度指标/服务对象满意度指标”。"))
    return out


def check_unknown_levels(ctx: TableContext) -> list[Finding]:
    out = []
    for pos, ind in enumerate(ctx.table.indicators, 1):
        if ind.placement.level1 == "":
            out.append(_f("LEVEL_MISFILED", WARNING, pos, ind,
                          f"无法识别指标“{ind.name}”所在的一级/二级指标“{ind.level1}/{ind.level2}”。",
                          "请按“成本、产出、效益、满意度”四个一级指标及其二级指标填列。"))
    return out


def check_duplicates(ctx: TableContext) -> list[Finding]:
    out = []
    seen: list[tuple[int, str]] = []
    limit = _rules()["duplicate_dice"]
    for pos, ind in ctx.rows:
        for first, other in seen:
            if _same(ind.name, other, limit):
                f = _f("INDICATOR_DUPLICATE", WARNING, pos, ind, f"指标“{ind.name}”与第{first}行重复。",
                       "请删除重复的指标行，或把两行改为含义不同的指标。")
                out.append(replace(f, refs=(first,)))
                break
        else:
            seen.append((pos, ind.name))
    return out


def check_inputs(ctx: TableContext) -> list[Finding]:
    out = []
    for pos, ind in ctx.rows:
        if ind.placement.level1 == "成本指标":
            continue
        if _is_input(norm_key(ind.name)):
            out.append(_f("INPUT_AS_GOAL", WARNING, pos, ind,
                          f"“{ind.name}”是资金、人员等投入，不是项目要达到的产出或效益。",
                          "绩效目标应写投入带来的产出和效果：请改为资金所形成的产出（如“补助发放人数”“建成面积”）或效益；"
                          "控制支出的要求可作为成本指标（如“项目总成本≤N万元”）。"))
    return out


@lru_cache(maxsize=65536)
def _is_input(key: str) -> bool:
    return any(p.search(key) for p in _input_patterns())


@lru_cache(maxsize=1 << 17)
def _same(a: str, b: str, limit: float) -> bool:
    """Two indicator names that mean the same (equal keys, or bigram Dice at the duplicate limit)."""
    return norm_key(a) == norm_key(b) or dice_sets(bigrams(a), bigrams(b)) >= limit
