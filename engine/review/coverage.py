"""Which required parts of the framework a table really fills (数量, 质量, 时效, 效益, 满意度, and 成本
where the kind requires it), counting only rows that name an indicator and carry a target. Scoring
reads it so that leaving a part out — or filling it with template rows — can never pay."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from engine.domain.resources import load_json


@dataclass(frozen=True)
class Part:
    key: str
    level1: str
    level2: str      # '' when any second level of level1 fills the part
    weight: float

    def holds(self, level1: str, level2: str) -> bool:
        return level1 == self.level1 and (not self.level2 or level2 == self.level2)


@lru_cache(maxsize=1)
def _spec() -> dict:
    return load_json("rubric.json")["parts"]


def required_parts(cost_required: bool) -> tuple[Part, ...]:
    s = _spec()
    items = list(s["items"]) + ([s["cost"]] if cost_required else [])
    return tuple(Part(i["key"], i["level1"], i.get("level2", ""), float(i["weight"])) for i in items)


@dataclass(frozen=True)
class Coverage:
    parts: tuple[Part, ...]
    rows: dict                 # part key -> positions (1-based) of every goal row in the part
    usable: frozenset          # keys of the parts with at least one usable row

    @classmethod
    def of(cls, parts: tuple[Part, ...], placed: list[tuple[int, str, str, bool]]) -> "Coverage":
        """`placed`: (position, level1, level2, usable) of every goal row."""
        rows: dict[str, list[int]] = {p.key: [] for p in parts}
        usable = set()
        for pos, level1, level2, ok in placed:
            for p in parts:
                if p.holds(level1, level2):
                    rows[p.key].append(pos)
                    if ok:
                        usable.add(p.key)
        return cls(parts, {k: tuple(v) for k, v in rows.items()}, frozenset(usable))

    @property
    def total_weight(self) -> float:
        return sum(p.weight for p in self.parts) or 1.0

    def missing(self, removed: frozenset = frozenset()) -> list[Part]:
        return [p for p in self.parts if p.key not in self.usable or p.key in removed]

    def has_usable(self, key: str) -> bool:
        return key in self.usable


def coverage_factor() -> float:
    return float(_spec()["coverage_factor"])


def full_coverage() -> Coverage:
    """For findings scored without a table (every part counted present)."""
    parts = required_parts(False)
    return Coverage(parts, {p.key: () for p in parts}, frozenset(p.key for p in parts))
