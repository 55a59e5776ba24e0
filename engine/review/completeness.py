"""Completeness (完整性): the goal text, the first and second levels, the cost indicators a kind or an
amount requires, and cost indicators against the budget."""
from __future__ import annotations

import re
from dataclasses import replace

from engine.domain.findings import ERROR, WARNING, Finding
from engine.domain.framework import framework
from engine.domain.kinds import cost_required
from engine.domain.resources import load_lines
from engine.domain.targets import QUANT, money_in_wan
from engine.domain.text import norm_key


from engine.review.context import TableContext, _f, _rules, usable_row


# ---------------------------------------------------------------- completeness
def check_goal(ctx: TableContext) -> list[Finding]:
    goal = ctx.table.project.goal.strip()
    r = _rules()
    if len(norm_key(goal)) < r["goal_min_chars"]:
        return [_f("GOAL_TEXT_MISSING", ERROR, None, None,
                   "未填写总体/年度绩效目标，或目标过短无法审核" + (f"（现为“{goal}”）" if goal else "") + "。",
                   "请用一两句话写明本年度要完成的主要产出（数量、质量、时限）和预期效益，并与下列指标对应，"
                   "例如“年内完成××培训500人次，考核合格率≥95%，参训人员满意度≥90%”。")]
    stripped = re.sub(r"20\d{2}\s*年度?", "", goal)
    generic = any(re.search(p, goal) for p in r["goal_generic_patterns"])
    if generic and not re.search(r"\d", stripped):
        return [_f("GOAL_TEXT_MISSING", WARNING, None, None,
                   f"总体目标“{goal[:40]}”过于笼统，没有写明具体产出和效益，无法与绩效指标对应。",
                   "请把目标细化为可检验的产出和效益（写明数量、质量要求、完成时限和受益对象），避免只写“完成上级下达的各项任务”。")]
    return []


def check_levels(ctx: TableContext) -> list[Finding]:
    fw = framework()
    cov = ctx.coverage
    usable = [pos for pos, ind in ctx.rows if usable_row(ind)]
    if not usable:
        return [_f("LEVEL1_MISSING", ERROR, None, None, _no_rows_message(ctx),
                   "请按“产出指标、效益指标、满意度指标（及成本指标）”设置三级指标并填写指标值。")]
    out = []
    advice = {
        "产出指标": "请设置产出指标，至少包括数量指标、质量指标和时效指标，如“培训人次≥500人次”“验收合格率100%”“12月底前完成”。",
        "效益指标": "请设置效益指标，写明项目实施后的经济、社会或生态效益（而非重复产出），如“受益群众人数≥2000人”。",
        "满意度指标": "请设置服务对象满意度指标，通过问卷调查测算，目标一般不低于85%，如“服务对象满意度≥90%”。",
    }
    for level1 in fw.required_level1:
        parts = [p for p in cov.parts if p.level1 == level1]
        if any(cov.has_usable(p.key) for p in parts):
            continue
        written = [pos for p in parts for pos in cov.rows[p.key]]
        if written:
            out.append(_f("LEVEL1_MISSING", ERROR, None, None,
                          f"一级指标“{level1}”下没有有效的指标行（第{_rows(written)}行不是指标或未填写指标值）。", advice[level1]))
        else:
            out.append(_f("LEVEL1_MISSING", ERROR, None, None, f"缺少一级指标“{level1}”。", advice[level1]))
    if any(cov.has_usable(p.key) for p in cov.parts if p.level1 == "产出指标"):
        examples = {"数量指标": "如“完成××数量≥N个”", "质量指标": "如“验收合格率≥95%”", "时效指标": "如“12月底前完成”“按期完成率100%”"}
        for level2 in fw.required_level2:
            if cov.has_usable(level2):
                continue
            written = cov.rows.get(level2, ())
            what = (f"产出指标下的二级指标“{level2}”没有有效的指标行（第{_rows(written)}行不是指标或未填写指标值）。" if written
                    else f"产出指标下缺少二级指标“{level2}”。")
            out.append(_f("LEVEL2_MISSING", ERROR, None, None, what, f"请补充{level2}（{examples[level2]}）。"))
    return out


def _rows(positions) -> str:
    return "、".join(str(p) for p in list(positions)[:5]) + ("等" if len(positions) > 5 else "")


def _no_rows_message(ctx: TableContext) -> str:
    inds = ctx.table.indicators
    if not inds:
        return "表中没有任何绩效指标行。"
    if not ctx.rows:
        first = inds[0]
        return (f"表中有{len(inds)}行指标，但都无法识别其一级/二级指标（如第1行“{first.name}”填在“{first.level1}/{first.level2}”下），"
                "没有可审核的绩效指标。")
    return (f"表中{len(ctx.rows)}行指标都不是有效的绩效指标（模板空行、占位内容或未填写指标值，如第{ctx.rows[0][0]}行“{ctx.rows[0][1].name}”），"
            "没有可审核的绩效指标。")


def check_cost(ctx: TableContext) -> list[Finding]:
    p = ctx.table.project
    out = []
    if cost_required(p, ctx.kind) and not ctx.coverage.has_usable("成本指标"):
        why = "（由项目类别判断）" if ctx.kind_guess.source == "given" else "（由项目名称和内容推断）"
        out.append(_f("COST_REQUIRED_MISSING", ERROR, None, None,
                      f"本项目属于{ctx.kind.name}{why}，按规定必须设置成本指标，表中没有成本指标。",
                      "请设置经济成本指标，如“项目总成本≤预算金额”“单位造价≤N万元/平方米”“设备单价≤N万元/台”；"
                      "有支出定额标准的，以定额标准作为成本指标。"))
    words = side_effect_words(p.name, p.description)
    by_kind = ctx.kind is not None and ctx.kind.negative_externality
    if by_kind or words:
        has_negative = ctx.has_level2("社会成本指标") or ctx.has_level2("生态环境成本指标")
        if not has_negative:
            why = f"{ctx.kind.name}项目" if by_kind else f"项目内容涉及“{'、'.join(words[:3])}”"
            out.append(_f("NEGATIVE_COST_MISSING", WARNING, None, None,
                          f"{why}，通常带来施工扬尘、噪声、交通影响或污染等负外部性，表中没有社会成本或生态环境成本指标。",
                          "请设置负作用成本指标，如“施工扬尘噪声投诉次数≤N次”“临时占地面积≤N平方米”“植被破坏面积≤N平方米”。"))
    return out


def side_effect_words(name: str, description: str) -> list[str]:
    """Side-effect words of a project: any in its name, or at least two in its description."""
    lex = load_lines("side_effect_words.txt")
    in_name = [w for w in lex if w in name]
    in_text = [w for w in lex if w in description]
    return in_name or (in_text if len(in_text) >= 2 else [])


_PER_UNIT = re.compile(r"^(万元|元)/([^/·]+)$")


def check_cost_budget(ctx: TableContext) -> list[Finding]:
    """Cost targets against the project amount (万元): a total above the amount, or a unit cost times
    the matching quantity far from it. Units 元 and 万元 are converted."""
    amount = ctx.table.project.amount
    if not amount or amount <= 0:
        return []
    out = []
    quantities: dict[str, float] = {}
    source: dict[str, int] = {}   # the row each quantity comes from: the finding goes with it
    for qpos, ind in ctx.rows:
        t = ind.target
        if ind.placement.level1 == "产出指标" and t.kind == QUANT and t.value and t.unit and t.unit not in quantities:
            quantities[t.unit], source[t.unit] = t.upper, qpos
    for pos, ind in ctx.rows:
        if ind.placement.level1 != "成本指标":
            continue
        t = ind.target
        wan = money_in_wan(t)
        if wan is not None and t.op in ("≤", "<", "=", None) and wan > amount * 1.05:
            out.append(_f("COST_BUDGET_MISMATCH", ERROR, pos, ind,
                          f"成本指标“{ind.name}”的目标值“{t.raw}”（{wan:g}万元）超过项目金额{amount:g}万元。",
                          f"成本控制目标不应超过项目预算，请核实金额和单位（元/万元），一般应≤{amount:g}万元。"))
            continue
        m = _PER_UNIT.match(t.unit) if t.kind == QUANT and t.value else None
        if m and m.group(2) in quantities:
            per = t.upper * (1.0 if m.group(1) == "万元" else 1e-4)
            total = per * quantities[m.group(2)]
            if total > amount * 1.5 or total < amount * 0.1:
                rel = "明显超过" if total > amount else "远低于"
                f = _f("COST_BUDGET_MISMATCH", WARNING, pos, ind,
                       f"单位成本“{t.raw}”×数量{quantities[m.group(2)]:g}{m.group(2)}≈{total:.4g}万元，{rel}项目金额{amount:g}万元。",
                       "请核对单位成本、数量指标和项目金额是否一致（注意元与万元），使成本指标与预算相互印证。")
                out.append(replace(f, refs=(source[m.group(2)],)))
    return out
