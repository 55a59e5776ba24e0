"""Suggested targets for library entries: the library's typical target, moved to what similar approved
tables used (历史标准) or to the median of approved tables of the same amount band, and for total-cost
indicators the project amount (预算支出标准)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from engine.domain.library import Entry
from engine.domain.table import Project
from engine.domain.targets import QUANT, amount_band, parse_target

if TYPE_CHECKING:
    from engine.model.engine import Engine

_TOTAL_COST = re.compile(r"(总成本|总投资|总费用|总额|成本控制数|费用控制数|控制数|项目成本|总造价|总支出)")


def _weighted_median(values: list[float], weights: list[float]) -> float:
    order = np.argsort(values)
    v = np.asarray(values)[order]
    w = np.asarray(weights)[order]
    cum = np.cumsum(w)
    return float(v[np.searchsorted(cum, cum[-1] / 2.0)])


def _fmt(x: float) -> str:
    return str(int(round(x))) if abs(x - round(x)) < 1e-9 else f"{x:.4g}"


def suggest_value(engine: Engine, e: Entry, used: list[tuple[str, float, str]], project: Project) -> tuple[str, str]:
    """The library's typical target, moved to what similar approved tables used (历史标准), and for
    total-cost indicators the project amount (预算支出标准)."""
    base = parse_target(e.target, e.name, e.unit)
    if e.level2 == "经济成本指标" and project.amount and _TOTAL_COST.search(e.name) and e.unit in ("万元", "元"):
        amount = project.amount if e.unit == "万元" else project.amount * 1e4
        return f"≤{_fmt(amount)}{e.unit}", "按项目金额测算"
    if used and base.kind == QUANT:
        nums, ws = [], []
        for raw, w, _ in used:
            t = parse_target(raw, e.name, e.unit)
            if t.kind == QUANT and t.unit == base.unit and t.value is not None:
                nums.append(t.value)
                ws.append(w)
        if nums:
            v = _weighted_median(nums, ws)
            if abs(v - (base.value or 0)) > 1e-9:
                return _format(base, v), f"目标值参照相似批复项目（{len(nums)}个）"
    stats = engine.target_stats.get(e.id)
    if stats and base.kind == QUANT:
        band = stats["bands"].get(str(amount_band(project.amount)))
        pick = band if band and band["n"] >= 3 else (stats if stats["n"] >= 3 else None)
        if pick and abs(pick["median"] - (base.value or 0)) > 1e-9:
            return _format(base, pick["median"]), f"目标值取{pick['n']}张同类批复表的中位数（历史标准）"
    return e.target, ""

def _format(base, v: float) -> str:
    op = base.op if base.op in ("≥", "≤", "=", ">", "<") else ("" if base.unit == "%" and v == 100 else "≥")
    return f"{op}{_fmt(v)}{base.unit}"
