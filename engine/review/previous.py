"""Year-over-year review (`jixiao score --previous`): a check that compares each table with last
year's table of the same project and flags targets set below last year's (历史标准) — unless the
project's money fell at least as much as a quantity target did."""
from __future__ import annotations

from engine.review.diff import (LOOSENED, LOWERED, bare_name, compare_targets, fmt_amount, match_indicators, project_key,
                         shown)
from engine.domain.findings import WARNING, Finding
from engine.domain.framework import NON_GOAL
from engine.review.context import TableContext
from engine.domain.table import GoalTable, Indicator
from engine.domain.targets import QUANT, is_rate_name


class PreviousYearCheck:
    """A Reviewer check built from last year's tables: `check(ctx) -> list[Finding]`."""

    def __init__(self, previous: list[GoalTable], engine=None):
        self.engine = engine
        self._by_id: dict[str, GoalTable] = {}
        self._by_name: dict[str, GoalTable] = {}
        # when a file holds several years of one project, the latest one is "last year"
        for t in sorted(previous, key=lambda t: t.project.year or 0):
            if t.project.project_id:
                self._by_id[t.project.project_id] = t
            key = project_key(t.project.name)
            if key:
                self._by_name[key] = t

    def previous_of(self, table: GoalTable) -> GoalTable | None:
        p = table.project
        prev = self._by_id.get(p.project_id) if p.project_id else None
        if prev is None:
            prev = self._by_name.get(project_key(p.name))
        if prev is None or prev is table:
            return None
        if p.year and prev.project.year and prev.project.year >= p.year:
            return None  # not an earlier year
        return prev

    def __call__(self, ctx: TableContext) -> list[Finding]:
        table = ctx.table
        prev = self.previous_of(table)
        if prev is None:
            return []
        out = []
        for mt in match_indicators(prev.indicators, table.indicators, self.engine):
            old, new = prev.indicators[mt.old], table.indicators[mt.new]
            if new.placement.level1 in ("", NON_GOAL):
                continue
            tc = compare_targets(old, new, same_period=False)
            if tc.change not in (LOWERED, LOOSENED):
                continue
            if tc.change == LOWERED and excused_by_amount(old, new, prev, table):
                continue
            out.append(_finding(mt.new + 1, old, new, prev, table, tc.change, tc.note))
        return out


def is_quantity(ind: Indicator) -> bool:
    """A count or amount that scales with the money (人次, 个, 万元); rates, satisfaction and per-head
    standards (元/人·月) do not."""
    t = ind.target
    return (t.kind == QUANT and t.unit != "%" and "/" not in t.unit and not is_rate_name(ind.name)
            and "满意" not in ind.name)


def excused_by_amount(old: Indicator, new: Indicator, prev: GoalTable, table: GoalTable) -> bool:
    """A quantity floor cut no more than the project's money was cut (new/old amount ≤ new/old target)."""
    a_old, a_new = prev.project.amount, table.project.amount
    if not (a_old and a_new) or a_new >= a_old or not (is_quantity(old) and is_quantity(new)):
        return False
    if new.target.op in ("≤", "<") or old.target.op in ("≤", "<"):
        return False
    v_old, v_new = old.target.numbers[0], new.target.numbers[0]
    if v_old <= 0:
        return False
    return a_new / a_old <= v_new / v_old + 1e-9


def _finding(pos: int, old: Indicator, new: Indicator, prev: GoalTable, table: GoalTable, change: str,
             note: str) -> Finding:
    year = f"{prev.project.year}年" if prev.project.year else "上年"
    was = f"（上年名称为“{old.name}”）" if bare_name(old.name) != bare_name(new.name) else ""
    old_v, new_v = shown(old.target), shown(new.target)
    if change == LOWERED:
        msg = f"指标“{new.name}”{was}低于上年目标：{year}为“{old_v}”，本年为“{new_v}”" + (f"（{note}）。" if note else "。")
    else:
        msg = f"指标“{new.name}”{was}低于上年目标：{year}为“{old_v}”，本年改为“{new_v}”（{note}）。"
    a_old, a_new = prev.project.amount, table.project.amount
    if change == LOWERED and a_old and a_new and a_new < a_old and is_quantity(new):
        cut_money = (1 - a_new / a_old) * 100
        cut_target = (1 - new.target.numbers[0] / old.target.numbers[0]) * 100 if old.target.numbers[0] else 0.0
        msg += (f"项目金额由{fmt_amount(a_old)}万元降至{fmt_amount(a_new)}万元（降幅{cut_money:.1f}%），"
                f"小于目标降幅（{cut_target:.1f}%），不能据此下调。")
    advice = ("目标值一般不低于上年目标或上年实际完成值（历史标准）；确因资金减少、政策调整等原因下调的，"
              "请在指标值说明中写明依据，数量目标按资金变化同比例测算。")
    return Finding("TARGET_TOO_LOW", WARNING, pos, new.name, msg, advice, source_row=new.source_row)


