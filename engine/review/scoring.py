"""From findings to the reviewer's numbers: dimension scores, total, grade and decision (contract §3),
by the rubric in data/rubric.json."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from engine.domain.findings import ERROR, WARNING, Finding
from engine.domain.resources import load_json
from engine.review.coverage import Coverage, coverage_factor, full_coverage

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
    coverage: Coverage | None = field(default=None, repr=False, compare=False)

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


def _dimensions(findings: list[Finding], coverage: Coverage, removed: frozenset) -> tuple[dict[str, float], float]:
    r = rubric()
    lost: dict[str, dict[str, float]] = {d: {} for d in DIMENSIONS}
    for f in findings:
        spec = r["codes"][f.code]
        by_code = lost[spec["dimension"]]
        by_code[f.code] = min(spec["cap"], by_code.get(f.code, 0.0) + spec["penalty"][f.severity])
    # a missing required part costs its share of completeness, and the other dimensions are judged
    # on that much less of a table
    share = sum(p.weight for p in coverage.missing(removed)) / coverage.total_weight
    factor = 1.0 - coverage_factor() * share
    dims = {}
    for d in DIMENSIONS:
        kept = max(0.0, 100.0 - sum(lost[d].values()))
        dims[d] = round(max(0.0, kept - 100.0 * share) if d == "completeness" else kept * factor, 1)
    weights = {d: r["dimensions"][d]["weight"] for d in DIMENSIONS}
    return dims, round(sum(dims[d] * weights[d] for d in DIMENSIONS) / sum(weights.values()), 1)


def score(findings: list[Finding], coverage: Coverage | None = None) -> tuple[dict[str, float], float, str, str]:
    """Dimension scores, total, grade and decision. The total is never below what the table would get
    with any of its required parts left out: rows so bad that leaving their part out would score better
    count as that part missing, so removing a required part can never raise a score."""
    coverage = coverage or full_coverage()
    dims, total = _dimensions(findings, coverage, frozenset())
    penalised = {f.row for f in findings if f.row is not None} | {r for f in findings for r in f.refs}
    parts = [p.key for p in coverage.parts if penalised.intersection(coverage.rows.get(p.key, ()))]
    for n in range(1, len(parts) + 1):
        for removed in combinations(parts, n):
            rows = {r for k in removed for r in coverage.rows[k]}
            kept = [f for f in findings if f.row not in rows and not rows.intersection(f.refs)]
            alt_dims, alt_total = _dimensions(kept, coverage, frozenset(removed))
            if alt_total > total:
                dims, total = alt_dims, alt_total
    r = rubric()
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
