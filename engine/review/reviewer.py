"""Reviewing goal tables: parse → checks (rules, plus model checks when an engine is loaded) → scores."""
from __future__ import annotations

from typing import Callable, Iterable

from engine.domain.findings import ERROR, Finding
from engine.review.rules import TableContext, run_rules
from engine.review.scoring import TableReview, score, sort_findings
from engine.domain.table import GoalTable

Check = Callable[[TableContext], list[Finding]]


class Reviewer:
    """Scores tables with the rule checks and any extra checks (the scoring model adds its own)."""

    def __init__(self, checks: Iterable[Check] = (), model=None):
        self.checks = list(checks)
        self.model = model  # engine.review.model_checks.ModelChecks, or None for rules only

    @classmethod
    def with_model(cls, model, checks: Iterable[Check] = ()) -> "Reviewer":
        return cls(checks, model=model)

    def review(self, table: GoalTable) -> TableReview:
        ctx = TableContext.of(table)
        findings = run_rules(ctx)
        if self.model is not None:
            findings.extend(self.model(ctx))
        for check in self.checks:
            findings.extend(check(ctx))
        findings = cohere(findings)
        if self.model is not None:
            self.model.attach_candidates(ctx, findings)
        findings = sort_findings(findings)
        dims, total, grade, decision = score(findings, ctx.coverage)
        p = table.project
        return TableReview(p.project_id, p.name, len(table.indicators), total, grade, decision, dims, findings,
                           source=table.source, kind=ctx.kind_guess.name, sector=ctx.sector_guess.name,
                           coverage=ctx.coverage)


# what one finding on a row makes the others on it pointless or contradictory
_ONLY = ("NAME_NOT_INDICATOR", "NAME_PLACEHOLDER")        # as errors: the row names no indicator at all
_DROP_WITH = {
    "NAME_NOT_INDICATOR": {"VALUE_MISSING", "MULTIPLE_VALUES"},   # the target is in the name (a warning)
    "INDICATOR_IRRELEVANT": {"LEVEL_MISFILED", "TARGET_TOO_LOW", "VALUE_NOT_QUANTIFIED", "UNIT_MISSING"},
    "INDICATOR_DUPLICATE": {"LEVEL_MISFILED"},
}


def cohere(findings: list[Finding]) -> list[Finding]:
    """One coherent piece of advice per row: two checks reporting the same code on a row make one
    finding (their reasons joined); a row that is no indicator gets only that finding; a row
    to delete (irrelevant, duplicate) is not also told to move or to raise its target; a name that
    carries its own target is not also told its value cell is empty."""
    by_row: dict[int, list[Finding]] = {}
    for f in findings:
        if f.row is not None:
            by_row.setdefault(f.row, []).append(f)
    drop: set[int] = set()
    for fs in by_row.values():
        first: dict[str, Finding] = {}
        for f in fs:   # one finding per code and row: two checks seeing it make one message
            kept = first.setdefault(f.code, f)
            if kept is not f:
                drop.add(id(f))
                if f.message not in kept.message:
                    kept.message = f"{kept.message}{f.message}"
                if f.suggestion not in kept.suggestion:
                    kept.suggestion = f"{kept.suggestion}{f.suggestion}"
        codes = {f.code for f in fs}
        blocking = [f for f in fs if f.code in _ONLY and f.severity == ERROR]
        if blocking:
            drop.update(id(f) for f in fs if f is not blocking[0])
            continue
        for code, dropped in _DROP_WITH.items():
            if code in codes:
                drop.update(id(f) for f in fs if f.code in dropped)
    return [f for f in findings if id(f) not in drop]
