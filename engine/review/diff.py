"""Comparing two versions of a goal table (goal adjustment 调整, and last year's table against this
year's): the indicators are matched and their target changes classified (engine.review.changes); here
the new version is scored with findings for the adjustment, and the 调整说明 a reviewer can paste is
written."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from engine.domain.findings import ERROR, WARNING, Finding
from engine.domain.framework import NON_GOAL, framework
from engine.domain.kinds import cost_required
from engine.review.reviewer import Reviewer
from engine.review.context import TableContext
from engine.review.scoring import TableReview, score, sort_findings
from engine.domain.table import GoalTable, Indicator
from engine.domain.targets import EMPTY
from engine.domain.text import norm_key, project_key

# the change kinds and matching are re-exported: callers see one diff API
from engine.review.changes import (ADDED, CHANGE_ZH, CHANGED, CHANGES, LESS_DEMANDING, LOOSENED, LOWERED, RAISED,  # noqa: F401
                                   REMOVED, TIGHTENED, UNCHANGED, _encoder, bare_name, compare_targets,
                                   match_indicators, shown)


# ------------------------------------------------------------------ the result
@dataclass
class RowChange:
    change: str
    old: Indicator | None
    new: Indicator | None
    old_row: int | None = None     # 1-based position in the old table
    new_row: int | None = None     # 1-based position in the new table
    similarity: float | None = None
    renamed: bool = False
    moved: bool = False
    note: str = ""

    @property
    def slot(self) -> str:
        ind = self.new or self.old
        p = ind.placement
        if p.level1 == NON_GOAL:
            return NON_GOAL
        return f"{p.level1 or ind.level1}/{p.level2 or ind.level2}"

    @property
    def label(self) -> str:
        """The 变化 column: change, then flags and the reason."""
        parts = [CHANGE_ZH[self.change]]
        if self.renamed:
            parts.append("更名")
        if self.moved:
            old_slot = f"{self.old.placement.level1}/{self.old.placement.level2}"
            parts.append(f"调整层级（原{old_slot}）")
        text = "；".join(parts)
        return f"{text}（{self.note}）" if self.note else text

    def to_dict(self) -> dict:
        def side(ind: Indicator | None, pos: int | None):
            if ind is None:
                return None
            return ind.to_dict() | {"row": pos, "shown": shown(ind.target)}

        return {"change": self.change, "change_zh": CHANGE_ZH[self.change], "label": self.label,
                "slot": self.slot, "old": side(self.old, self.old_row), "new": side(self.new, self.new_row),
                "similarity": self.similarity, "renamed": self.renamed, "moved": self.moved, "note": self.note}


@dataclass
class TableDiff:
    old: GoalTable
    new: GoalTable
    rows: list[RowChange]
    review: TableReview            # the new version scored, with the adjustment findings
    summary: str = ""              # 调整说明
    matcher: str = "dice"          # dice | dice+<encoder spec>
    extra: dict = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        c = {k: 0 for k in CHANGES}
        for r in self.rows:
            c[r.change] += 1
        c["renamed"] = sum(1 for r in self.rows if r.renamed)
        c["moved"] = sum(1 for r in self.rows if r.moved)
        return c

    def of(self, change: str) -> list[RowChange]:
        return [r for r in self.rows if r.change == change]

    @property
    def amount(self) -> dict:
        a, b = self.old.project.amount, self.new.project.amount
        d = {"old": a, "new": b, "change": None, "ratio": None}
        if a is not None and b is not None:
            d["change"] = round(b - a, 6)
            d["ratio"] = round(b / a, 6) if a else None
        return d

    def to_dict(self) -> dict:
        return {"project": {"old": self.old.project.to_dict(), "new": self.new.project.to_dict()},
                "source": {"old": self.old.source, "new": self.new.source},
                "amount": self.amount, "counts": self.counts, "matcher": self.matcher,
                "rows": [r.to_dict() for r in self.rows], "summary": self.summary,
                "review": self.review.to_dict()} | self.extra


# ------------------------------------------------------------------ building the diff
def _slot_order(ind: Indicator) -> int:
    p = ind.placement
    for k, s in enumerate(framework().slots):
        if s.level1 == p.level1 and s.level2 == p.level2:
            return k
    names = framework().level1_names
    if p.level1 in names:
        return len(framework().slots) + names.index(p.level1)
    return 100


def diff_tables(old: GoalTable, new: GoalTable, engine=None, reviewer: Reviewer | None = None,
                same_period: bool = True) -> TableDiff:
    """Compare two versions of one project's table; the new version is reviewed as usual plus the
    adjustment findings."""
    matches = match_indicators(old.indicators, new.indicators, engine)
    by_old = {mt.old: mt for mt in matches}
    rows: list[tuple[tuple, RowChange]] = []
    for mt in matches:
        o, n = old.indicators[mt.old], new.indicators[mt.new]
        tc = compare_targets(o, n, same_period)
        po, pn = o.placement, n.placement
        rc = RowChange(tc.change, o, n, mt.old + 1, mt.new + 1, mt.score,
                       renamed=norm_key(bare_name(o.name)) != norm_key(bare_name(n.name)),
                       moved=(po.level1, po.level2) != (pn.level1, pn.level2) and bool(po.level1 and pn.level1),
                       note=tc.note)
        rows.append(((_slot_order(n), mt.new, 0), rc))
    matched_new = {mt.new for mt in matches}
    for j, n in enumerate(new.indicators):
        if j not in matched_new:
            rows.append(((_slot_order(n), j, 0), RowChange(ADDED, None, n, None, j + 1)))
    for i, o in enumerate(old.indicators):
        if i in by_old:
            continue
        # place a removed row after the nearest earlier old row that survived, else first in its slot
        prev = max((k for k in by_old if k < i), default=None)
        after = by_old[prev].new if prev is not None and _slot_order(new.indicators[by_old[prev].new]) == _slot_order(o) else -1
        rows.append(((_slot_order(o), after, 1 + i), RowChange(REMOVED, o, None, i + 1, None)))
    ordered = [rc for _, rc in sorted(rows, key=lambda x: x[0])]
    base = (reviewer or Reviewer()).review(new)
    diff = TableDiff(old, new, ordered, base)
    enc = _encoder(engine)
    diff.matcher = f"dice+{enc.spec}" if enc is not None else "dice"
    findings = merge_findings(base.findings, adjustment_findings(diff))
    dims, total, grade, decision = score(findings, base.coverage)
    diff.review = replace(base, findings=findings, dimensions=dims, total=total, grade=grade, decision=decision)
    diff.summary = summary_text(diff)
    return diff


# ------------------------------------------------------------------ adjustment findings
def adjustment_findings(diff: TableDiff) -> list[Finding]:
    """TARGET_TOO_LOW for lowered or loosened targets; the completeness code for a required slot that
    the adjustment emptied (merged into the usual finding when the review already gives it)."""
    out: list[Finding] = []
    for r in diff.rows:
        if r.change not in LESS_DEMANDING or r.new.placement.level1 in ("", NON_GOAL):
            continue
        old_v, new_v = shown(r.old.target), shown(r.new.target)
        was = f"（调整前名称为“{r.old.name}”）" if r.renamed else ""
        if r.change == LOWERED:
            msg = f"指标“{r.new.name}”{was}的目标值较调整前降低：由“{old_v}”调整为“{new_v}”"
            msg += f"（{r.note}）。" if r.note else "。"
            advice = (f"目标调整须有充分理由：请写明调整原因（机构改革、政策变化、突发事件或自然灾害等）并附测算依据；"
                      f"理由不充分的，请恢复为调整前的“{old_v}”。")
        else:
            now = "空白" if r.new.target.kind == EMPTY else f"“{new_v}”"
            msg = f"指标“{r.new.name}”{was}的目标值较调整前降低：由“{old_v}”改为{now}（{r.note}），可考核性下降。"
            advice = (f"请保留可考核的目标值（如调整前的“{old_v}”）；确需调整的，填写新的数值和单位并写明调整依据。")
        out.append(Finding("TARGET_TOO_LOW", WARNING, r.new_row, r.new.name, msg, advice,
                           source_row=r.new.source_row))
    out.extend(_emptied_slots(diff))
    return out


def _emptied_slots(diff: TableDiff) -> list[Finding]:
    fw = framework()
    ctx_new = TableContext.of(diff.new)
    ctx_old = TableContext.of(diff.old)
    groups: dict[tuple[str, str], list[RowChange]] = {}
    for r in diff.rows:
        if r.change != REMOVED:
            continue
        p = r.old.placement
        if p.level1 in fw.required_level1 and not ctx_new.has_level1(p.level1):
            groups.setdefault(("LEVEL1_MISSING", p.level1), []).append(r)
        elif p.level1 == "产出指标" and p.level2 in fw.required_level2 and not ctx_new.has_level2(p.level2):
            groups.setdefault(("LEVEL2_MISSING", p.level2), []).append(r)
        elif p.level1 == "成本指标" and not ctx_new.has_level1("成本指标"):
            kind = ctx_new.kind if cost_required(diff.new.project, ctx_new.kind) else (
                ctx_old.kind if cost_required(diff.old.project, ctx_old.kind) else None)
            if kind is not None:
                groups.setdefault(("COST_REQUIRED_MISSING", kind.name), []).append(r)
    out = []
    for (code, what), removed in groups.items():
        listed = "、".join(f"“{r.old.name}”（{shown(r.old.target)}）" for r in removed[:4])
        more = f"等{len(removed)}项" if len(removed) > 4 else ""
        gone = f"调整前设有{listed}{more}，调整后已删除"
        if code == "LEVEL1_MISSING":
            msg = f"缺少一级指标“{what}”：{gone}。"
            advice = f"请恢复被删除的{what}，或设置新的{what}替代（写明运算符、数值和单位）。"
        elif code == "LEVEL2_MISSING":
            msg = f"产出指标下缺少二级指标“{what}”：{gone}。"
            advice = f"请恢复被删除的{what}，或设置新的{what}替代。"
        else:
            msg = f"本项目属于{what}，按规定必须设置成本指标：{gone}，表中已没有成本指标。"
            advice = "请恢复成本指标，或按调整后的预算重新设置经济成本指标（如“项目总成本≤N万元”）。"
        out.append(Finding(code, ERROR, None, "", msg, advice))
    return out


def merge_findings(base: list[Finding], extra: list[Finding]) -> list[Finding]:
    """Add `extra` to `base` without saying one thing twice: a finding of the same code on the same row
    (or, for table-level findings, about the same slot) gets the extra text appended instead."""
    merged = list(base)
    for f in extra:
        same = None
        for k, b in enumerate(merged):
            if b.code != f.code or b.row != f.row:
                continue
            if f.row is None and not _same_subject(b, f):
                continue
            same = k
            break
        if same is None:
            merged.append(f)
            continue
        b = merged[same]
        extra_text = f.message
        if f.row is None:  # "缺少一级指标“X”：调整前设有…" → keep only the part after the colon
            extra_text = f.message.split("：", 1)[-1]
        merged[same] = replace(b, message=f"{b.message.rstrip('。')}；{extra_text}",
                               suggestion=f"{b.suggestion}{f.suggestion}" if f.suggestion not in b.suggestion else b.suggestion,
                               severity=ERROR if ERROR in (b.severity, f.severity) else b.severity)
    return sort_findings(merged)


def _same_subject(a: Finding, b: Finding) -> bool:
    if a.code == "COST_REQUIRED_MISSING":
        return True
    named = re.findall(r"“([^”]+)”", b.message)
    return bool(named) and f"“{named[0]}”" in a.message


# ------------------------------------------------------------------ 调整说明
def fmt_amount(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _amount_line(diff: TableDiff) -> str:
    a = diff.amount
    if a["old"] is None or a["new"] is None or abs(a["old"] - a["new"]) < 0.005:
        return ""
    delta = a["new"] - a["old"]
    pct = f"，{delta / a['old'] * 100:+.1f}%" if a["old"] else ""
    return (f"项目金额由{fmt_amount(a['old'])}万元调整为{fmt_amount(a['new'])}万元"
            f"（{'增加' if delta > 0 else '减少'}{fmt_amount(abs(delta))}万元{pct}）。")


def summary_text(diff: TableDiff) -> str:
    c = diff.counts
    po, pn = diff.old.project, diff.new.project
    title = pn.name if po.name == pn.name else f"{po.name} → {pn.name}"
    years = f"（{po.year}年 → {pn.year}年）" if po.year and pn.year and po.year != pn.year else ""
    lines = [f"调整说明：{title}{years}"]
    compared = len(diff.old.indicators)
    line = (f"调整前{compared}项指标、调整后{len(diff.new.indicators)}项：新增{c[ADDED]}项，删除{c[REMOVED]}项，"
            f"提高{c[RAISED]}项，降低{c[LOWERED]}项，放宽（改为定性或清空）{c[LOOSENED]}项，细化量化{c[TIGHTENED]}项，"
            f"未变{c[UNCHANGED]}项")
    if c[CHANGED]:
        line += f"，其他改变{c[CHANGED]}项"
    if c["renamed"]:
        line += f"（其中更名{c['renamed']}项）"
    lines.append(line + "。")
    amount = _amount_line(diff)
    if amount:
        lines.append(amount)

    def listing(title: str, items: list[RowChange], fmt) -> None:
        if items:
            lines.append(f"{title}：")
            lines.extend(f"  {k}. {fmt(r)}" for k, r in enumerate(items, 1))

    def pair(r: RowChange) -> str:
        name = r.new.name if not r.renamed else f"{r.old.name} → {r.new.name}"
        note = f"（{r.note}）" if r.note else ""
        return f"{name}：{shown(r.old.target)} → {shown(r.new.target)}{note}"

    listing("降低的指标", diff.of(LOWERED), pair)
    listing("改为定性或清空的指标", diff.of(LOOSENED), pair)
    listing("提高的指标", diff.of(RAISED), pair)
    listing("细化量化的指标", diff.of(TIGHTENED), pair)
    listing("单位或写法不同、不可比的指标", diff.of(CHANGED), pair)
    listing("删除的指标", diff.of(REMOVED), lambda r: f"{r.old.name}（{shown(r.old.target)}，{r.slot}）")
    listing("新增的指标", diff.of(ADDED), lambda r: f"{r.new.name}（{shown(r.new.target)}，{r.slot}）")
    rv = diff.review
    lines.append(f"调整后评审：总分{rv.total:g}，等级{rv.grade}，结论{rv.decision}。")
    return "\n".join(lines)


# ------------------------------------------------------------------ pairing tables of two files
def pair_tables(old: list[GoalTable], new: list[GoalTable]) -> tuple[list[tuple[GoalTable, GoalTable]],
                                                                      list[GoalTable], list[GoalTable]]:
    """Pairs of versions of the same project: one table each is a pair whatever the names; otherwise
    by project id, then by the normalised name. Returns (pairs, old left over, new left over)."""
    if len(old) == 1 and len(new) == 1:
        return [(old[0], new[0])], [], []
    pairs, used = [], set()
    left_new = list(new)
    for o in old:
        hit = None
        for n in left_new:
            if o.project.project_id and o.project.project_id == n.project.project_id:
                hit = n
                break
        if hit is None:
            key = project_key(o.project.name)
            hit = next((n for n in left_new if key and project_key(n.project.name) == key), None)
        if hit is not None:
            pairs.append((o, hit))
            used.add(id(o))
            left_new.remove(hit)
    return pairs, [o for o in old if id(o) not in used], left_new
