"""Approved tables as a source of suggestions: the indicators similar approved tables used, offered as
they were approved (source "approved", target adapted to this project's amount), and for a recurring
project last year's approved table as a starting point (the `previous` block of suggest).

A table counts as a precedent — the same project of another year, or a sister project written from
the same template — when its similarity to the project reaches `precedent_similarity`
(data/ranking.json) or when it is recognised as last year's table of the project (same name without
the year, same department or project code). A precedent's rows are ranked above library entries of
their slot; rows of merely similar tables compete with library entries by their similarity vote."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.domain.history import HistoryTable
from engine.domain.table import Project
from engine.domain.targets import QUANT, parse_target
from engine.domain.text import bigrams, code_key, dice_sets, norm_key, project_key, year_of

_MERGE_DICE = 0.8        # two approved names this close (same slot) are one candidate
_RATE_UNITS = ("%", "‰", "分", "星", "级")
_RECENCY_DECAY = 0.2     # each year older weighs 1 / (1 + 0.2·years)


@dataclass
class Use:
    table: HistoryTable
    sim: float
    value: str
    name: str


@dataclass
class Precedent:
    """One indicator as similar approved tables used it; `uses` best first."""
    level1: str
    level2: str
    entry_id: str
    uses: list[Use] = field(default_factory=list)
    grams: frozenset = frozenset()
    vote: float = 0.0        # share of the similar tables' similarity that uses it
    strength: float = 0.0    # best use's similarity × recency
    strong: bool = False     # used by a precedent table
    same_project: bool = False  # used by last year's table or a near-identical one (same_project_similarity)

    @property
    def best(self) -> Use:
        return self.uses[0]


def recency(year: int | None, latest: int | None) -> float:
    if not year or not latest or year >= latest:
        return 1.0
    return 1.0 / (1.0 + _RECENCY_DECAY * (latest - year))


def gather(similar: list[tuple[HistoryTable, float]], strong_sim: float,
           recognised: set[int] = frozenset(), same_sim: float = 0.95) -> dict[str, list[Precedent]]:
    """The indicators of `similar` (tables with their similarity) grouped per slot: rows linked to one
    library entry, or with near-identical names, are one precedent. Tables whose id() is in
    `recognised` (last year's table of this project) count as precedents whatever their similarity."""
    if not similar:
        return {}
    total = sum(s for _, s in similar) or 1.0
    latest = max((t.year for t, _ in similar if t.year), default=None)
    slots: dict[str, list[Precedent]] = {}
    for t, s in similar:
        w = s * recency(t.year, latest)
        strong = s >= strong_sim or id(t) in recognised
        same = s >= same_sim or id(t) in recognised
        seen: set[int] = set()
        for r in t.rows:
            group = slots.setdefault(r.level2, [])
            g = bigrams(r.name)
            p = next((p for p in group if (r.entry_id and p.entry_id == r.entry_id)
                      or dice_sets(g, p.grams) >= _MERGE_DICE), None)
            if p is None:
                p = Precedent(r.level1, r.level2, r.entry_id, grams=g)
                group.append(p)
            p.entry_id = p.entry_id or r.entry_id
            p.uses.append(Use(t, w, r.value, r.name))
            if id(p) not in seen:  # a table votes once per indicator
                seen.add(id(p))
                p.vote += s / total
            p.strength = max(p.strength, w)
            p.strong = p.strong or strong
            p.same_project = p.same_project or same
    for group in slots.values():
        for p in group:
            p.uses.sort(key=lambda u: -u.sim)
            p.vote = min(p.vote, 1.0)
    return slots


def recurring_keys(t: HistoryTable) -> list[str]:
    """The keys under which a table is found as last year's table of a project (find_previous)."""
    keys = [f"n:{project_key(t.name)}"]
    if code_key(t.table_id):
        keys.append(f"c:{code_key(t.table_id)}")
    return keys


def find_previous(history: list[HistoryTable], project: Project, exclude: set[str],
                  index: dict[str, list[int]] | None = None) -> HistoryTable | None:
    """Last year's approved table of the same project: the same name once the year is stripped (or the
    same project code without its year), the same department when both state one, an earlier year.
    `index` (recurring_keys → positions in history) avoids a scan of a large history."""
    key = project_key(project.name)
    code = code_key(project.project_id)
    year = project.year or year_of(project.name)
    dept = norm_key(project.department)
    best, best_year = None, -1
    if index is not None:
        pos = sorted(set(index.get(f"n:{key}", [])) | set(index.get(f"c:{code}", []) if code else set()))
        history = [history[i] for i in pos]
    for t in history:
        if t.table_id in exclude or t.name in exclude:
            continue
        same_code = bool(code) and code_key(t.table_id) == code
        if not same_code and (not key or project_key(t.name) != key):
            continue
        if dept and t.department and norm_key(t.department) != dept and not same_code:
            continue
        if year and t.year and t.year >= year:
            continue
        if norm_key(t.name) == norm_key(project.name) and not (year and t.year):
            continue  # the very same table (no year to tell them apart)
        if (t.year or 0) >= best_year:
            best, best_year = t, t.year or 0
    return best


# ------------------------------------------------------------------ targets moved to this project's money
def fmt_number(x: float) -> str:
    """A number as a target writes it: 12, 4.9, 0.25; large ones whole (12346)."""
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.4g}" if abs(x) < 1000 else str(int(round(x)))


def adapt_value(raw: str, name: str, from_amount: float | None, to_amount: float | None) -> tuple[str, bool]:
    """An approved target moved to this project's amount: a quantity (people, devices, kilometres …) or
    a total in money scales with the money; rates, unit prices, dates and qualitative targets stay.
    Returns the value and whether it changed."""
    raw = str(raw or "")
    if not from_amount or not to_amount or from_amount <= 0 or to_amount <= 0:
        return raw, False
    ratio = to_amount / from_amount
    if abs(ratio - 1.0) < 0.05 or not 0.2 <= ratio <= 5.0:
        return raw, False
    t = parse_target(raw, name)
    if t.kind != QUANT or t.value is None or not t.unit or "/" in t.unit or "每" in t.unit:
        return raw, False
    if any(u in t.unit for u in _RATE_UNITS) or "率" in name or "满意" in name:
        return raw, False
    if t.unit in ("万元", "元"):
        total = from_amount if t.unit == "万元" else from_amount * 1e4
        new = (to_amount if t.unit == "万元" else to_amount * 1e4) if abs(t.value - total) / total < 0.02 \
            else t.value * ratio
    else:
        new = t.value * ratio
        if t.value >= 1 and abs(t.value - round(t.value)) < 1e-9:
            new = max(1.0, round(new))
    op = t.op if t.op in ("≥", "≤", "=", ">", "<") else ""
    return f"{op}{fmt_number(new)}{t.unit}", True


def shift_year(raw: str, from_year: int | None, to_year: int | None) -> str:
    """A deadline written for last year's table moved to this year's: "2024年9月底前" → "2025年9月底前"."""
    raw = str(raw or "")
    if not from_year or not to_year or from_year == to_year:
        return raw
    return raw.replace(f"{from_year}年", f"{to_year}年")


def previous_block(t: HistoryTable, project: Project) -> dict:
    """Last year's approved table as a starting point: every row with its value, moved where the
    amount changed (additive `previous` field of suggest)."""
    changed = bool(t.amount and project.amount and abs(project.amount - t.amount) / t.amount >= 0.05)
    rows = []
    year_now = project.year or year_of(project.name)
    for r in t.rows:
        value, adjusted = adapt_value(r.value, r.name, t.amount, project.amount)
        moved = shift_year(value, t.year, year_now)
        adjusted, value = adjusted or moved != value, moved
        rows.append({"level1": r.level1, "level2": r.level2, "indicator": r.name, "value": r.value,
                     "suggested_value": value, "adjusted": adjusted})
    year = f"{t.year}年" if t.year else "上年"
    note = f"{year}已批复“{t.name}”，共{len(rows)}个指标"
    if changed:
        note += (f"；项目金额由{fmt_number(t.amount)}万元变为{fmt_number(project.amount)}万元，"
                 f"{sum(r['adjusted'] for r in rows)}个数量或金额指标已按金额调整，请核对")
    return {"table_id": t.table_id, "name": t.name, "year": t.year, "department": t.department,
            "amount": t.amount, "amount_changed": changed, "rows": rows, "why": note}
