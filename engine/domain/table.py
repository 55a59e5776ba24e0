"""The goal table as typed values: project facts and indicator rows."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.domain.framework import Placement, framework
from engine.domain.targets import QUANT, Target, operator_of, parse_target


@dataclass
class Project:
    name: str
    project_id: str = ""
    department: str = ""
    sector: str = ""
    category: str = ""
    amount: float | None = None      # 万元
    description: str = ""
    goal: str = ""
    year: int | None = None          # budget year, when the table states it
    title: str = ""                  # the table's title row, for real published forms
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {"project_id": self.project_id, "name": self.name, "department": self.department,
             "sector": self.sector, "category": self.category, "amount": self.amount,
             "description": self.description, "goal": self.goal}
        if self.year:
            d["year"] = self.year
        return d


@dataclass
class Indicator:
    level1: str          # as written
    level2: str          # as written
    name: str
    value: object = ""   # the cell as read (str, number or date)
    unit: str = ""
    nature: str = ""
    note: str = ""
    source_row: int | None = None   # row in the source file, for messages
    actual: object = None           # 全年完成值 of self-evaluation tables
    extra: dict = field(default_factory=dict)  # what else the row wrote: long_term, weight, score …
    op: str = ""                    # ≥ ≤ = > < from a 计算符号 column (or 正向/反向), for a bare number
    _placement: Placement | None = field(default=None, repr=False)
    _target: Target | None = field(default=None, repr=False)

    @property
    def placement(self) -> Placement:
        if self._placement is None:
            self._placement = framework().place(self.level1, self.level2, self.name)
        return self._placement

    @property
    def op_hint(self) -> str:
        if self.op:
            return self.op
        return self.nature if self.nature in ("≥", "≤", "=", ">", "<", ">=", "<=", "≧", "≦") else ""

    @property
    def target(self) -> Target:
        if self._target is None:
            self._target = parse_target(self.value, self.name, self.unit, self.op_hint)
        return self._target

    @property
    def value_text(self) -> str:
        """The target as written, with the operator of a separate 计算符号 column in front ("≥500")."""
        t, sym = self.target, operator_of(self.op_hint)
        if sym and t.kind == QUANT and t.op == sym and parse_target(self.value, self.name, self.unit).op is None:
            return sym + t.raw
        return t.raw

    def to_dict(self) -> dict:
        p = self.placement
        return {"level1": p.level1 or self.level1, "level2": p.level2 or self.level2,
                "indicator": self.name, "value": self.value_text, "unit": self.unit or self.target.unit,
                "nature": self.nature if self.nature in ("定量", "定性") else
                ("定量" if self.target.kind in ("quantitative", "date") else "定性"),
                "note": self.note}


@dataclass
class GoalTable:
    project: Project
    indicators: list[Indicator]
    source: str = ""       # file the table came from
    source_sheet: str = ""

    @property
    def key(self) -> str:
        return self.project.project_id or self.project.name

    def to_dict(self) -> dict:
        return {"project": self.project.to_dict(), "indicators": [i.to_dict() for i in self.indicators]}
