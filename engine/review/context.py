"""What every rule check shares: the TableContext of one table (recognised kind and sector, its goal
rows), the rule thresholds of data/rules.json and the finding helper."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from engine.domain.findings import Finding
from engine.domain.kinds import Guess, Kind, cost_required, infer_kind, infer_sector, kind_by_name
from engine.domain.names import TARGET_IN_NAME, classify_name, usable_name
from engine.domain.resources import load_json, load_lines
from engine.domain.table import GoalTable, Indicator
from engine.domain.targets import EMPTY
from engine.review.coverage import Coverage, required_parts


@dataclass
class TableContext:
    """What the checks share about one table: recognised kind and sector, and its goal rows."""
    table: GoalTable
    kind_guess: Guess
    sector_guess: Guess
    kind: Kind | None
    rows: list[tuple[int, Indicator]]          # (1-based position, row) of goal indicator rows
    coverage: Coverage | None = None           # the required parts the usable rows fill
    extra: dict = field(default_factory=dict)  # room for model-based checks

    @classmethod
    def of(cls, table: GoalTable) -> "TableContext":
        kg = infer_kind(table.project)
        sg = infer_sector(table.project)
        kind = kind_by_name(kg.name) if kg.name else None
        rows = [(i, ind) for i, ind in enumerate(table.indicators, 1) if ind.placement.is_goal]
        parts = required_parts(cost_required(table.project, kind))
        cov = Coverage.of(parts, [(i, ind.placement.level1, ind.placement.level2, usable_row(ind)) for i, ind in rows])
        return cls(table, kg, sg, kind, rows, cov)

    def has_level1(self, level1: str) -> bool:
        return any(ind.placement.level1 == level1 for _, ind in self.rows)

    def has_level2(self, level2: str) -> bool:
        return any(ind.placement.level2 == level2 for _, ind in self.rows)


def usable_row(ind: Indicator) -> bool:
    """A row that names an indicator and states a target (in its value cell or, debris aside, in its name)."""
    if not usable_name(ind.name):
        return False
    if ind.target.kind != EMPTY:
        return True
    issue = classify_name(ind.name)
    return issue is not None and issue.kind == TARGET_IN_NAME


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
