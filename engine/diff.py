"""Comparing two versions of a goal table (goal adjustment 调整, and last year's table against this
year's): match the indicators of the old and new version, classify each target change, score the new
version with findings for the adjustment, and write the 调整说明 a reviewer can paste.

Matching: a name similarity (character-bigram Dice, plus the engine's sentence-vector cosine when an
engine is given), adjusted for the canonical slot and the unit of measure, solved as an optimal
assignment with a threshold. Weights, thresholds and word lists live in data/diff.json."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from engine.findings import ERROR, WARNING, Finding
from engine.framework import NON_GOAL, framework
from engine.kinds import cost_required
from engine.readers import InputError, tables_from_json
from engine.resources import load_json
from engine.review import Reviewer
from engine.rules import TableContext
from engine.scoring import TableReview, score, sort_findings
from engine.table import GoalTable, Indicator
from engine.targets import DATE, EMPTY, QUAL, QUANT, Target, unit_from_name
from engine.text import bigrams, dice_sets, nfkc, norm_key

RAISED, LOWERED, LOOSENED, TIGHTENED = "raised", "lowered", "loosened", "tightened"
UNCHANGED, CHANGED, ADDED, REMOVED = "unchanged", "changed", "added", "removed"
CHANGES = (RAISED, LOWERED, LOOSENED, TIGHTENED, UNCHANGED, CHANGED, ADDED, REMOVED)
CHANGE_ZH = {RAISED: "提高", LOWERED: "降低", LOOSENED: "放宽", TIGHTENED: "细化量化", UNCHANGED: "未变",
             CHANGED: "改变", ADDED: "新增", REMOVED: "删除"}
LESS_DEMANDING = (LOWERED, LOOSENED)


@lru_cache(maxsize=1)
def _params() -> dict:
    return load_json("diff.json")


# ------------------------------------------------------------------ names and units
_BRACKET_TAIL = re.compile(r"[\(（][^()（）]{1,6}[\)）]\s*$")
_YEAR = re.compile(r"20\d{2}\s*年度?")


def bare_name(name: str) -> str:
    """The name without a trailing bracketed unit: "培训人数（人次）" → "培训人数"."""
    s = _BRACKET_TAIL.sub("", name or "").strip()
    return s or (name or "")


def project_key(name: str) -> str:
    """A project name for matching tables of different versions or years ("2024年…项目" = "2023年…项目")."""
    return norm_key(_YEAR.sub("", name or ""))


def _base_unit(unit: str) -> tuple[str, float]:
    """A unit split into its base and scale: 万元 → (元, 1e4), 万人 → (人, 1e4), 元/人·月 → (元/人·月, 1)."""
    u = nfkc(unit or "").replace(" ", "").replace("・", "·")
    if not u:
        return "", 1.0
    if u == "‰":
        return "%", 0.1
    num, sep, den = u.partition("/")
    for prefix, factor in _params()["scale_prefixes"]:
        if num.startswith(prefix):
            rest = num[len(prefix):]
            return rest + sep + den, float(factor)
    return u, 1.0


def _measure(ind: Indicator) -> str:
    """The row's unit of measure for matching ('' when unknown): a date, or the base unit."""
    t = ind.target
    if t.kind == DATE:
        return "时间"
    unit = t.unit if t.kind == QUANT and t.unit else unit_from_name(ind.name)
    return _base_unit(unit)[0]


# ------------------------------------------------------------------ matching
@dataclass(frozen=True)
class Match:
    old: int          # 0-based index into the old table's indicators
    new: int          # 0-based index into the new table's indicators
    score: float


def _slot_adjust(a: Indicator, b: Indicator) -> float:
    s = _params()["slot"]
    pa, pb = a.placement, b.placement
    if pa.level1 == pb.level1 and pa.level2 == pb.level2:
        return s["same_slot"]
    if pa.level1 == pb.level1 or not pa.level1 or not pb.level1:
        return s["same_level1"]
    return s["other_level1"]


def _encoder(engine):
    enc = getattr(engine, "encoder", None) if engine is not None else None
    return enc if enc is not None and getattr(enc, "dim", 0) else None


def similarity_matrix(old: list[Indicator], new: list[Indicator], engine=None) -> np.ndarray:
    """Similarity of every old row to every new row (rows × columns), before the threshold."""
    p = _params()
    n, m = len(old), len(new)
    sim = np.zeros((n, m), dtype=np.float64)
    if not n or not m:
        return sim
    enc = _encoder(engine)
    cos = None
    if enc is not None:
        vecs = enc.encode([bare_name(i.name) for i in old] + [bare_name(i.name) for i in new])
        cos = np.clip(vecs[:n] @ vecs[n:].T, 0.0, 1.0)
    w_d, w_e = p["weights"]["dice"], p["weights"]["embedding"]
    penalty = p["measure_mismatch"]["penalty"]
    keys_o = [norm_key(bare_name(i.name)) for i in old]
    keys_n = [norm_key(bare_name(i.name)) for i in new]
    grams_o = [(bigrams(i.name), bigrams(bare_name(i.name))) for i in old]
    grams_n = [(bigrams(i.name), bigrams(bare_name(i.name))) for i in new]
    meas_o = [_measure(i) for i in old]
    meas_n = [_measure(i) for i in new]
    for a in range(n):
        for b in range(m):
            if keys_o[a] and keys_o[a] == keys_n[b]:
                base = 1.0
            else:
                d = max(dice_sets(grams_o[a][0], grams_n[b][0]), dice_sets(grams_o[a][1], grams_n[b][1]))
                base = d if cos is None else (w_d * d + w_e * float(cos[a, b])) / (w_d + w_e)
            base += _slot_adjust(old[a], new[b])
            if meas_o[a] and meas_n[b] and meas_o[a] != meas_n[b]:
                base -= penalty
            sim[a, b] = base
    return sim


def match_threshold(engine=None) -> float:
    t = _params()["threshold"]
    return t["with_embedding"] if _encoder(engine) is not None else t["dice_only"]


def match_indicators(old: list[Indicator], new: list[Indicator], engine=None) -> list[Match]:
    """Pairs of the same indicator in two versions: the assignment with the largest total similarity
    among pairs at or above the threshold (so a weak pair never displaces a strong one)."""
    from scipy.optimize import linear_sum_assignment

    sim = similarity_matrix(old, new, engine)
    if sim.size == 0:
        return []
    thr = match_threshold(engine)
    gain = np.where(sim >= thr, sim, 0.0)
    rows, cols = linear_sum_assignment(gain, maximize=True)
    out = [Match(int(a), int(b), round(float(sim[a, b]), 4)) for a, b in zip(rows, cols) if sim[a, b] >= thr]
    return sorted(out, key=lambda mt: mt.new)


# ------------------------------------------------------------------ comparing targets
@dataclass(frozen=True)
class TargetChange:
    change: str      # one of CHANGES except added/removed
    note: str = ""   # why, in Chinese (不可比 reasons, 由定量改为定性 …)


def shown(t: Target) -> str:
    """A target as a reviewer reads it: as written, with the unit added when it came from elsewhere."""
    if t.kind == QUANT and (t.excel_fraction or (t.unit and t.unit_source in ("name", "rate", "column")
                                                 and not t.multiple)):
        return t.display()
    return t.raw or "（空）"


def _level(t: Target) -> int:
    """How checkable a target is: empty < vague words < qualitative / yes-no < number or date."""
    if t.kind == EMPTY:
        return 0
    if t.kind in (QUANT, DATE):
        return 3
    if t.kind == QUAL and t.vague:
        return 1
    return 2


def _canon(raw: str) -> str:
    s = nfkc(raw or "").replace(" ", "")
    for a, b in (("≧", "≥"), ("≦", "≤"), (">=", "≥"), ("<=", "≤")):
        s = s.replace(a, b)
    return s


def _direction(op: str | None) -> str:
    if op in ("≥", ">"):
        return "floor"
    if op in ("≤", "<"):
        return "ceiling"
    return ""


def is_ceiling_name(ind: Indicator) -> bool:
    if ind.placement.level1 == "成本指标":
        return True
    return any(w in ind.name for w in _params()["ceiling_words"]["words"])


def _date_key(t: Target, with_year: bool) -> tuple:
    day = t.day if t.day else 31  # "12月底前" means the end of the month
    return ((t.year or 0) if with_year else 0, t.month or 12, day)


def compare_targets(old: Indicator, new: Indicator, same_period: bool = True) -> TargetChange:
    """How the new target differs from the old one. `same_period` compares deadlines with their years
    (an adjustment within one budget year); across years only the month and day count."""
    to, tn = old.target, new.target
    lo, ln = _level(to), _level(tn)
    if lo != ln:
        if ln < lo:
            what = {0: "目标值被清空", 1: "改为模糊表述", 2: "由定量改为定性"}[ln]
            return TargetChange(LOOSENED, what)
        what = {1: "补填了目标（仍为模糊表述）", 2: "补填定性目标" if lo == 0 else "由模糊表述改为可检验的定性目标",
                3: "由定性改为定量" if lo else "补填定量目标"}[ln]
        return TargetChange(TIGHTENED, what)
    if _canon(to.raw) == _canon(tn.raw):
        return TargetChange(UNCHANGED)
    if lo < 3:
        return TargetChange(CHANGED, "定性表述改变") if lo else TargetChange(UNCHANGED)
    if to.kind != tn.kind:
        return TargetChange(CHANGED, "目标类型不同（时间节点与数值），不可比")
    if to.multiple or tn.multiple:
        return TargetChange(CHANGED, "一格多值，不可比")
    if to.kind == DATE:
        with_year = same_period and bool(to.year) and bool(tn.year)
        ko, kn = _date_key(to, with_year), _date_key(tn, with_year)
        if ko == kn:
            return TargetChange(UNCHANGED)
        return TargetChange(RAISED, "完成时限提前") if kn < ko else TargetChange(LOWERED, "完成时限推后")
    return _compare_numbers(old, new)


def _compare_numbers(old: Indicator, new: Indicator) -> TargetChange:
    to, tn = old.target, new.target
    bo, fo = _base_unit(to.unit)
    bn, fn = _base_unit(tn.unit)
    no, nn = list(to.numbers), list(tn.numbers)
    # a bare fraction against a percentage: Excel keeps 95 % as 0.95
    if bo == "%" and not bn and all(0 < x <= 1 for x in nn):
        nn, bn = [x * 100 for x in nn], "%"
    elif bn == "%" and not bo and all(0 < x <= 1 for x in no):
        no, bo = [x * 100 for x in no], "%"
    if bo and bn and bo != bn:
        return TargetChange(CHANGED, f"计量单位不同（{to.unit} → {tn.unit}），不可比")
    if not bo:
        fo = fn if bn else fo   # a missing unit is read as the other version's unit
    if not bn:
        fn = fo if bo else fn
    do, dn = _direction(to.op), _direction(tn.op)
    if do and dn and do != dn:
        return TargetChange(CHANGED, f"运算符方向改变（{to.op} → {tn.op}），不可比")
    direction = do or dn or ("ceiling" if is_ceiling_name(new) or is_ceiling_name(old) else "floor")
    if direction == "floor":
        vo, vn = no[0] * fo, nn[0] * fn
    else:
        vo, vn = no[-1] * fo, nn[-1] * fn
    if abs(vo - vn) <= 1e-9 * max(1.0, abs(vo), abs(vn)):
        return TargetChange(UNCHANGED, "写法不同，数值相同" if to.unit != tn.unit else "")
    more_demanding = vn > vo if direction == "floor" else vn < vo
    return TargetChange(RAISED if more_demanding else LOWERED)


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
    dims, total, grade, decision = score(findings)
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


def _one_table(data, what: str) -> GoalTable:
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if isinstance(data, list):
        raise InputError(what, f"应为一张表（contract §1b 的对象），收到 {len(data)} 张")
    tables = tables_from_json(data, what)
    return tables[0]


def diff_json(old, new, engine=None) -> dict:
    """Contract §1b JSON tables in, the diff as a dict out (for POST /v1/diff). Bad input raises
    InputError with a Chinese message."""
    if not isinstance(old, (dict, list)) or not isinstance(new, (dict, list)):
        raise InputError("请求", "old 和 new 都应为绩效目标表对象 {\"project\": …, \"indicators\": […]}")
    return diff_tables(_one_table(old, "原表（old）"), _one_table(new, "新表（new）"), engine).to_dict()
