"""Rule checks: what a reviewer sees without a model, one module per review dimension —
completeness, quantification, and the parts of matching and appropriateness that rules can decide.
This module only lists them in the order they run."""
from __future__ import annotations

from engine.domain.findings import Finding
from engine.review.appropriateness import check_plausibility, check_years
from engine.review.completeness import check_cost, check_cost_budget, check_goal, check_levels
from engine.review.context import TableContext
from engine.review.goal_match import check_goal_match
from engine.review.naming import check_names
from engine.review.relevance import check_relevance
from engine.review.matching import check_duplicates, check_inputs, check_placement, check_unknown_levels
from engine.review.quantification import check_values

RULES = (check_goal, check_names, check_levels, check_cost, check_cost_budget, check_values, check_placement, check_unknown_levels,
         check_duplicates, check_inputs, check_plausibility, check_years, check_goal_match,
         check_relevance)


def run_rules(ctx: TableContext) -> list[Finding]:
    out: list[Finding] = []
    for rule in RULES:
        out.extend(rule(ctx))
    return out
