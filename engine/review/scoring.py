"""From findings to the reviewer's numbers: dimension scores, total, grade and decision (contract §3),
by the rubric in data/rubric.json."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from engine.domain.findings import ERROR, WARNING, Finding
from engine.domain.resources import load_json

DIMENSIONS = ("completeness", "quantification", "matching", "appropriateness")


@dataclass
class TableReview:
    project_id: str
    name: str
    indicator_count: int
    total: float
    grade: str
    decision: str
    dimensions: dict[str, float]
    findings: list[Finding]
    source: str = ""
    kind: str = ""
    sector: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        c = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            c[f.severity] = c.get(f.severity, 0) + 1
        return c

    def to_dict(self) -> dict:
        d = {"project_id": self.project_id, "name": self.name, "indicator_count": self.indicator_count,
             "total": self.total, "grade": self.grade, "decision": self.decision,
             "dimensions": dict(self.dimensions), "findings": [f.to_dict() for f in self.findings]}
        d.update({"category": self.kind, "sector": self.sector, "source": self.source})
        d.update(self.extra)
        return d


@lru_cache(maxsize=1)
def rubric() -> dict:
    return load_json("rubric.json")


def grade_of(total: float) -> str:
    for floor, grade in rubric()["grades"]:
        if total >= floor:
            return grade
    return rubric()["grades"][-1][1]


def score(findings: list[Finding]) -> tuple[dict[str, float], float, str, str]:
    r = rubric()
    lost: dict[str, dict[str, float]] = {d: {} for d in DIMENSIONS}
    for f in findings:
        spec = r["codes"][f.code]
        by_code = lost[spec["dimension"]]
        by_code[f.code] = min(spec["cap"], by_code.get(f.code, 0.0) + spec["penalty"][f.severity])
    dims = {d: round(max(0.0, 100.0 - sum(lost[d].values())), 1) for d in DIMENSIONS}
    weights = {d: r["dimensions"][d]["weight"] for d in DIMENSIONS}
    total = round(sum(dims[d] * weights[d] for d in DIMENSIONS) / sum(weights.values()), 1)
    errors = sum(1 for f in findings if f.severity == ERROR)
    rule = r["decision"]
    if total < rule["return_below_total"] or errors >= rule["return_min_errors"]:
        decision = "退回修改"
    elif total >= rule["pass_min_total"] and errors == 0:
        decision = "通过"
    else:
        decision = "修改后通过"
    return dims, total, grade_of(total), decision


SEVERITY_ORDER = {ERROR: 0, WARNING: 1}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.row is not None, f.row or 0, SEVERITY_ORDER.get(f.severity, 2)))
