"""Building small goal tables for the rule tests (one test file per rule module)."""
from __future__ import annotations

from engine.io.readers import tables_from_json
from engine.review.context import TableContext

GOOD_ROWS = [
    ("产出指标", "数量指标", "培训教师人次", "≥3000人次"),
    ("产出指标", "质量指标", "培训考核合格率", "≥95%"),
    ("产出指标", "时效指标", "培训完成时间", "2026年12月31日前"),
    ("成本指标", "经济成本指标", "人均培训成本", "≤400元/人次"),
    ("效益指标", "社会效益指标", "教师信息技术应用能力提升率", "≥90%"),
    ("满意度指标", "服务对象满意度指标", "参训教师满意度", "≥90%"),
]
PROJECT = {"name": "2026年中小学教师信息技术应用能力提升培训", "category": "培训类", "sector": "教育", "amount": 120,
           "description": "面向全市中小学教师开展信息技术应用能力培训，计划培训3000人次。",
           "goal": "年内完成3000人次培训，参训教师考核合格率不低于95%。"}


def context(rows=GOOD_ROWS, **project) -> TableContext:
    data = {"project": {**PROJECT, **project},
            "indicators": [{"level1": a, "level2": b, "indicator": c, "value": d} for a, b, c, d in rows]}
    return TableContext.of(tables_from_json(data)[0])


def codes(check, ctx: TableContext) -> list[str]:
    return sorted(f.code for f in check(ctx))


def replace(rows, name, new_row):
    """The rows with the one named `name` replaced by `new_row` (or dropped when it is None)."""
    out = [r for r in rows if r[2] != name]
    return out + [new_row] if new_row else out
