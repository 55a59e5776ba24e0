"""Rule checks: what a reviewer sees without a model — completeness, quantification, and the parts of
matching and appropriateness that rules can decide (slot conflicts, duplicates, inputs stated as
goals, rates over 100 %, deadlines outside the period, targets below common practice)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from engine.findings import ERROR, WARNING, Finding
from engine.framework import framework
from engine.kinds import Guess, Kind, cost_required, infer_kind, infer_sector, kind_by_name
from engine.resources import load_json, load_lines
from engine.table import GoalTable, Indicator
from engine.targets import DATE, EMPTY, QUAL, QUANT, YESNO, is_rate_name, money_in_wan
from engine.text import bigrams, dice_sets, norm_key


@dataclass
class TableContext:
    """What the checks share about one table: recognised kind and sector, and its goal rows."""
    table: GoalTable
    kind_guess: Guess
    sector_guess: Guess
    kind: Kind | None
    rows: list[tuple[int, Indicator]]          # (1-based position, row) of goal indicator rows
    extra: dict = field(default_factory=dict)  # room for model-based checks

    @classmethod
    def of(cls, table: GoalTable) -> "TableContext":
        kg = infer_kind(table.project)
        sg = infer_sector(table.project)
        rows = [(i, ind) for i, ind in enumerate(table.indicators, 1) if ind.placement.is_goal]
        return cls(table, kg, sg, kind_by_name(kg.name) if kg.name else None, rows)

    def has_level1(self, level1: str) -> bool:
        return any(ind.placement.level1 == level1 for _, ind in self.rows)

    def has_level2(self, level2: str) -> bool:
        return any(ind.placement.level2 == level2 for _, ind in self.rows)


@lru_cache(maxsize=1)
def _rules() -> dict:
    return load_json("rules.json")


@lru_cache(maxsize=1)
def _input_patterns() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in load_lines("input_words.txt"))


_MEASURE_END = re.compile(r"(数|率|度|量|额|面|比例|占比|人次|次|天|时长|面积|长度|里程|成本|标准|(\(|（)[^)）]*(\)|）))$")
_VAGUE_NAME = re.compile(r"^(做好|加强|提高|提升|促进|推进|推动|确保|保障|让|努力|力争|切实|进一步|全面|不断)")


def _f(code, severity, pos, ind: Indicator | None, message, suggestion) -> Finding:
    return Finding(code, severity, pos, ind.name if ind else "", message, suggestion,
                   source_row=ind.source_row if ind else None)


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
    out = []
    if not ctx.rows:
        return [_f("LEVEL1_MISSING", ERROR, None, None, "表中没有任何绩效指标行。",
                   "请按“产出指标、效益指标、满意度指标（及成本指标）”设置三级指标并填写指标值。")]
    advice = {
        "产出指标": "请设置产出指标，至少包括数量指标、质量指标和时效指标，如“培训人次≥500人次”“验收合格率100%”“12月底前完成”。",
        "效益指标": "请设置效益指标，写明项目实施后的经济、社会或生态效益（而非重复产出），如“受益群众人数≥2000人”。",
        "满意度指标": "请设置服务对象满意度指标，通过问卷调查测算，目标一般不低于85%，如“服务对象满意度≥90%”。",
    }
    for level1 in fw.required_level1:
        if not ctx.has_level1(level1):
            out.append(_f("LEVEL1_MISSING", ERROR, None, None, f"缺少一级指标“{level1}”。", advice[level1]))
    if ctx.has_level1("产出指标"):
        examples = {"数量指标": "如“完成××数量≥N个”", "质量指标": "如“验收合格率≥95%”", "时效指标": "如“12月底前完成”“按期完成率100%”"}
        for level2 in fw.required_level2:
            if not ctx.has_level2(level2):
                out.append(_f("LEVEL2_MISSING", ERROR, None, None, f"产出指标下缺少二级指标“{level2}”。",
                              f"请补充{level2}（{examples[level2]}）。"))
    return out


def check_cost(ctx: TableContext) -> list[Finding]:
    p = ctx.table.project
    out = []
    if cost_required(p, ctx.kind) and not ctx.has_level1("成本指标"):
        why = "（由项目类别判断）" if ctx.kind_guess.source == "given" else "（由项目名称和内容推断）"
        out.append(_f("COST_REQUIRED_MISSING", ERROR, None, None,
                      f"本项目属于{ctx.kind.name}{why}，按规定必须设置成本指标，表中没有成本指标。",
                      "请设置经济成本指标，如“项目总成本≤预算金额”“单位造价≤N万元/平方米”“设备单价≤N万元/台”；"
                      "有支出定额标准的，以定额标准作为成本指标。"))
    words = side_effect_words(p.name, p.description)
    by_kind = ctx.kind is not None and ctx.kind.negative_externality
    if (by_kind or words) and ctx.rows:
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
    for _, ind in ctx.rows:
        t = ind.target
        if ind.placement.level1 == "产出指标" and t.kind == QUANT and t.value and t.unit:
            quantities.setdefault(t.unit, t.upper)
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
                out.append(_f("COST_BUDGET_MISMATCH", WARNING, pos, ind,
                              f"单位成本“{t.raw}”×数量{quantities[m.group(2)]:g}{m.group(2)}≈{total:.4g}万元，{rel}项目金额{amount:g}万元。",
                              "请核对单位成本、数量指标和项目金额是否一致（注意元与万元），使成本指标与预算相互印证。"))
    return out


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
                          "一个指标只对应一个目标值：请把该行拆成几个三级指标，每行一个值，例如分别设置“"
                          + "”“".join(_split_names(ind.name, t.parts)) + "”。"))
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


def _split_names(name: str, parts: int) -> list[str]:
    pieces = [p for p in re.split(r"及|和|与|、", name) if p]
    if len(pieces) >= parts:
        return pieces[:parts]
    return [f"{name}（{k}）" for k in range(1, parts + 1)]


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
    seen: list[tuple[int, frozenset, str]] = []
    limit = _rules()["duplicate_dice"]
    for pos, ind in ctx.rows:
        key = norm_key(ind.name)
        grams = bigrams(ind.name)
        for first, other, okey in seen:
            if key == okey or dice_sets(grams, other) >= limit:
                out.append(_f("INDICATOR_DUPLICATE", WARNING, pos, ind,
                              f"指标“{ind.name}”与第{first}行重复。",
                              "请删除重复的指标行，或把两行改为含义不同的指标。"))
                break
        else:
            seen.append((pos, grams, key))
    return out


def check_inputs(ctx: TableContext) -> list[Finding]:
    out = []
    for pos, ind in ctx.rows:
        if ind.placement.level1 == "成本指标":
            continue
        key = norm_key(ind.name)
        if any(p.search(key) for p in _input_patterns()):
            out.append(_f("INPUT_AS_GOAL", WARNING, pos, ind,
                          f"“{ind.name}”是资金、人员等投入，不是项目要达到的产出或效益。",
                          "绩效目标应写投入带来的产出和效果：请改为资金所形成的产出（如“补助发放人数”“建成面积”）或效益；"
                          "控制支出的要求可作为成本指标（如“项目总成本≤N万元”）。"))
    return out


# ---------------------------------------------------------------- appropriateness (rule-visible part)
def _growth(name: str) -> bool:
    return any(w in name for w in _rules()["max_over_rate_words"])


@lru_cache(maxsize=1)
def _floors() -> list[tuple[str, float]]:
    f = {k: v for k, v in _rules()["rate_floors"].items() if not k.startswith("_")}
    return sorted(f.items(), key=lambda kv: -len(kv[0]))


def rate_floor(name: str) -> tuple[str, float] | None:
    base = re.sub(r"[\(（][^)）]*[\)）]\s*$", "", name)
    for key, floor in _floors():
        if base.endswith(key) or (key == "满意度" and "满意" in base):
            return key, floor
    return None


def check_plausibility(ctx: TableContext) -> list[Finding]:
    out = []
    year = ctx.table.project.year
    for pos, ind in ctx.rows:
        t = ind.target
        if t.kind == QUANT and t.is_percent and is_rate_name(ind.name) and not _growth(ind.name):
            if max(t.numbers) > 100:
                out.append(_f("TARGET_IMPLAUSIBLE", ERROR, pos, ind,
                              f"指标“{ind.name}”是比率，目标值“{t.raw}”超过100%，不可能实现。",
                              "比率类指标的目标值应在0–100%之间，请核实后改正（如“≥95%”或“100%”）。"))
                continue
        if t.kind == DATE and year and t.year and t.year != year:
            out.append(_f("TARGET_IMPLAUSIBLE", ERROR, pos, ind,
                          f"指标“{ind.name}”的完成时限“{t.raw}”不在本表的预算年度（{year}年）内。",
                          f"年度绩效目标的时限应在{year}年内，请改为如“{year}年12月底前”；跨年度项目请分年度设置目标。"))
            continue
        floor = rate_floor(ind.name)
        if floor and t.kind == QUANT and t.is_percent and t.op in ("≥", ">", None, "=", "range"):
            key, minimum = floor
            if t.value is not None and 0 <= t.value < minimum:
                out.append(_f("TARGET_TOO_LOW", WARNING, pos, ind,
                              f"指标“{ind.name}”的目标值“{t.raw}”低于通常水平（{key}一般不低于{minimum:g}%）。",
                              f"请参照行业标准或历史水平提高目标值（如“≥{minimum:g}%”），"
                              "确因客观原因无法达到的，在指标值说明中写明依据。"))
    return out


RULES = (check_goal, check_levels, check_cost, check_cost_budget, check_values, check_placement, check_unknown_levels,
         check_duplicates, check_inputs, check_plausibility)


def run_rules(ctx: TableContext) -> list[Finding]:
    out: list[Finding] = []
    for rule in RULES:
        out.extend(rule(ctx))
    return out
