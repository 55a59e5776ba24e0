"""Reviewing goal tables: parse → checks (rules, plus model checks when an engine is loaded) → scores."""
from __future__ import annotations

from typing import Callable, Iterable

from engine.domain.findings import Finding
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
        if self.model is not None:
            self.model.attach_candidates(ctx, findings)
        findings = sort_findings(findings)
        dims, total, grade, decision = score(findings)
        p = table.project
        return TableReview(p.project_id, p.name, len(table.indicators), total, grade, decision, dims, findings,
                           source=table.source, kind=ctx.kind_guess.name, sector=ctx.sector_guess.name)
