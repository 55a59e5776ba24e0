"""Appropriateness (合理可行), the part rules can decide: rates over 100 %, deadlines outside the
period, targets below common practice."""
from __future__ import annotations

import re
from functools import lru_cache

from engine.domain.findings import ERROR, WARNING, Finding
from engine.domain.targets import DATE, QUANT, is_rate_name


from engine.review.context import TableContext, _f, _rules


# ---------------------------------------------------------------- appropriateness (rule-visible part)
def _growth(name: str) -> bool:
    return any(w in name for w in _rules()["max_over_rate_words"])


@lru_cache(maxsize=1)
def _floors() -> list[tuple[str, float]]:
    f = {k: v for k, v in _rules()["rate_floors"].items() if not k.startswith("_")}
    return sorted(f.items(), key=lambda kv: -len(kv[0]))


@lru_cache(maxsize=65536)
def rate_floor(name: str) -> tuple[str, float] | None:
    base = re.sub(r"[\(（][^)）]*[\)）]\s*$", "", name)
    other = _rules()["rate_floor_other_families"]
    for key, floor in _floors():
        if base.endswith(key) or (key == "满意度" and "满意" in base):
            if any(w in base for w in other.get(key, ())):
                return None  # the norm was derived from another family of indicators
            return key, floor
    return None


_YEAR_SOURCES = {"column": "预算年度列", "title": "表头", "name": "项目名称", "json": "year 字段"}


def check_years(ctx: TableContext) -> list[Finding]:
    """The budget year as the table states it in several places (the readers record them in
    project.extra["years"]): places that disagree are a finding."""
    years = {k: v for k, v in (ctx.table.project.extra.get("years") or {}).items() if isinstance(v, int)}
    if len(set(years.values())) < 2:
        return []
    said = "，".join(f"{_YEAR_SOURCES.get(k, k)}为{v}年" for k, v in years.items())
    year = ctx.table.project.year
    return [_f("TARGET_IMPLAUSIBLE", WARNING, None, None,
               f"表中的预算年度不一致：{said}。",
               f"请核对本表的预算年度{f'（按{year}年审核）' if year else ''}，统一表头、项目名称和各指标时限中的年度；"
               "沿用上年表格的，请把年度和时限全部改为本年度。")]


def _crosses_on_purpose(ind, t, year: int) -> bool:
    """A deadline early next year that the row says is meant (行动期为当年11月至次年春节前), or the
    year-end reporting that always falls in next January (年度变更调查成果上报, 年终清算)."""
    if t.year != year + 1:
        return False
    r = _rules()["next_year_deadline"]
    if any(w in f"{ind.name}{ind.note}" for w in r["said_words"]):
        return True
    return (t.month or 12) <= r["year_end_months"] and any(w in ind.name for w in r["year_end_words"])


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
        if t.kind == DATE and year and t.year and t.year != year and not _crosses_on_purpose(ind, t, year):
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
