"""The parts of comparing two versions of a goal table that look at single indicators: change kinds,
bare names and units, matching old and new indicators (bigram Dice plus the engine's sentence-vector
cosine when one is given, adjusted for slot and unit, solved as an optimal assignment with a
threshold), and classifying how a target changed. Weights, thresholds and word lists live in
data/diff.json."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.domain.resources import load_json
from engine.domain.table import Indicator
from engine.domain.targets import DATE, EMPTY, QUAL, QUANT, Target, unit_from_name
from engine.domain.text import bigrams, dice_sets, nfkc, norm_key

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


def bare_name(name: str) -> str:
    """The name without a trailing bracketed unit: "培训人数（人次）" → "培训人数"."""
    s = _BRACKET_TAIL.sub("", name or "").strip()
    return s or (name or "")


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
