"""Goal–indicator consistency (相应匹配): the annual goal's quantified commitments (the same parser the
suggestions decompose goals with) against the rows. A row that promises less than the goal says for
the same thing is GOAL_VALUE_MISMATCH; a commitment no row carries is GOAL_NOT_COVERED. Wording may
differ (bigram Dice on the names, shared measure words) and units convert (万人次 ↔ 人次, 千米 ↔ 公里)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from engine.domain.commitments import (COST, DEADLINE, EFFECT, LIMIT, QUANTITY, RATE, SATISFACTION, Commitment,
                                       decompose)
from engine.domain.findings import WARNING, Finding
from engine.domain.resources import load_json
from engine.domain.table import Indicator
from engine.domain.targets import DATE, QUANT, Target, parse_target
from engine.domain.text import bigrams, dice_sets, nfkc
from engine.review.context import TableContext, _f

CHECKED = (QUANTITY, RATE, SATISFACTION, DEADLINE, LIMIT, COST, EFFECT)


@lru_cache(maxsize=1)
def _cfg() -> dict:
    return load_json("rules.json")["goal_match"]


def base_unit(unit: str) -> tuple[str, float]:
    """A unit and the factor to its base: 万人次 → (人次, 10000)."""
    u = (unit or "").strip()
    if u.startswith("个") and len(u) > 1:
        u = u[1:]                     # 个工作日 = 工作日, 个月 = 月
    scale = _cfg()["unit_scale"]
    if u in scale:
        return scale[u][0], float(scale[u][1])
    for prefix, factor in (("亿", 1e8), ("万", 1e4)):
        if u.startswith(prefix) and len(u) > 1:
            return u[1:], factor      # 万吨标准煤 = 10000 吨标准煤
    return u, 1.0


@dataclass(frozen=True)
class _Row:
    pos: int
    ind: Indicator
    target: Target
    grams: frozenset


def check_goal_match(ctx: TableContext) -> list[Finding]:
    goal = ctx.table.project.goal
    commitments = [c for c in decompose(goal) if c.kind in CHECKED and c.value] if goal else []
    if not commitments:
        return []
    rows = [_Row(pos, ind, ind.target, bigrams(ind.name)) for pos, ind in ctx.rows]
    cfg = _cfg()
    out = []
    for c in commitments:
        promised = parse_target(c.value, c.name, c.unit)
        comparable = [r for r in rows if _comparable(c, promised, r)]
        sims = {r.pos: _similarity(c, r, comparable) for r in comparable}
        if any(_equal(c, promised, r.target) and _enough(c, promised, sims[r.pos]) for r in comparable) \
                or _carried(c, promised, rows):
            continue
        if c.kind == SATISFACTION and any("满意" in r.ind.name and not _weaker(c, promised, r.target) for r in comparable):
            continue  # a survey of the same people under another name (使用者 / 健身群众) at no lower a target
        # the row meant for the commitment: the most similar comparable one, preferring its own slot
        scored = sorted(((sims[r.pos] + (cfg["slot_bonus"] if r.ind.placement.level2 == c.level2 else 0.0), r)
                         for r in comparable if _same_direction(promised, r.target)), key=lambda x: -x[0])
        best_sim, best = scored[0] if scored else (0.0, None)
        # a unit says what is counted; a bare % does not, so a lone rate row is no evidence
        alone = c.kind not in (RATE, SATISFACTION) and sum(1 for r in comparable if r.ind.placement.level2 == c.level2) == 1
        if best is not None and (best_sim >= cfg["same_thing"] or (alone and best_sim >= cfg["same_thing_alone"])):
            if _weaker(c, promised, best.target):
                out.append(_mismatch(c, best, goal))
                continue
            if best_sim >= cfg["same_name"]:
                continue  # the same indicator with a stricter target than the goal states
            # a merely similar row promising something else: the commitment may still have no row
        if any(dice_sets(bigrams(c.name), r.grams) >= cfg["same_name"] for r in rows if r.pos not in sims):
            continue  # the same thing in another unit or form: nothing to compare
        if c.kind in (QUANTITY, EFFECT) and promised.value is not None and promised.value <= 1:
            continue  # "举办1场", "购置1台": one item is usually carried by its completion and time rows
        out.append(_not_covered(c, goal))
    return out


def _family(unit: str) -> str:
    if "/" in (unit or ""):
        return "per:" + base_unit(unit.split("/")[0])[0]   # 元/月 and 元/户·月 both state money per period
    base = base_unit(unit)[0]
    for family, members in _cfg()["unit_families"].items():
        if base in members:
            return family
    return base


def _carried(c: Commitment, promised: Target, rows: list[_Row]) -> bool:
    """The goal's number is in the table in a looser form: the same amount in a unit of the same family
    (800人 as 800人次, 2500名 as 2500人, 元/平方米 as 元/平方米·年), or split over two or three rows of
    one unit (雨污管网30公里 = 污水管网18公里 + 雨水管网12公里)."""
    if promised.kind != QUANT or promised.value is None:
        return False
    want = _amount(promised)
    fam = _family(promised.unit)
    slack = _cfg()["approx_slack"] if re.search(r"约|左右|近|余", c.phrase) else 1e-6
    same = [r for r in rows if r.target.kind == QUANT and r.target.value is not None and r.target.unit
            and (_family(r.target.unit) == fam or r.target.unit.startswith(promised.unit or "\0"))]
    amounts = [_amount(r.target) for r in same]
    close = lambda x: abs(x - want) <= slack * max(abs(want), 1.0)  # noqa: E731
    if any(close(a) and _enough(c, promised, _similarity(c, r, same)) for r, a in zip(same, amounts)):
        return True
    by_slot: dict[str, list[float]] = {}
    for r, a in zip(same, amounts):
        if a < want and _similarity(c, r, same) >= _cfg()["equal_min_similarity"]:
            by_slot.setdefault(r.ind.placement.level2, []).append(a)
    for values in by_slot.values():
        for n in (2, 3):
            if len(values) >= n and any(close(sum(v)) for v in combinations(values[:8], n)):
                return True
    return False


def _enough(c: Commitment, promised: Target, sim: float) -> bool:
    """Whether an equal amount is evidence enough that a row carries the commitment: always for a
    distinctive unit (12公里, 8座) or a large amount; for a common unit (个, 人次, %) with some likeness
    of the names, as equal small numbers often coincide."""
    cfg = _cfg()
    if promised.is_percent:
        return sim >= cfg["equal_min_similarity_rate"]
    if _family(promised.unit) not in cfg["common_unit_families"] and base_unit(promised.unit)[0] not in cfg["common_units"]:
        return True
    return sim >= cfg["equal_min_similarity"] or _amount(promised) >= 100


def _same_direction(promised: Target, t: Target) -> bool:
    """Whether a row can be the one meant for a commitment: a ceiling and a floor are different promises
    (水土流失≤100亩 / 造林面积≥8000亩, 复发率≤10% / 处理率=100%), and a zero target (=0起) is never the
    row for a positive floor."""
    if t.kind != QUANT:
        return True
    if promised.op in ("≤", "<") or t.op in ("≤", "<"):
        return promised.op in ("≤", "<") and (t.op in ("≤", "<") or (t.op == "=" and not t.is_percent))
    return not (t.value == 0 and promised.value)


def _comparable(c: Commitment, promised: Target, r: _Row) -> bool:
    t = r.target
    if c.kind == DEADLINE:
        return t.kind == DATE
    if t.kind != QUANT or t.value is None or promised.kind != QUANT:
        return False
    if c.kind in (RATE, SATISFACTION):
        return t.is_percent and promised.is_percent
    return base_unit(t.unit)[0] == base_unit(promised.unit)[0] and bool(t.unit)


def _amount(t: Target) -> float:
    unit = (t.unit or "").split("/")[0]
    return (t.upper if t.op in ("≤", "<") else t.value) * base_unit(unit)[1]


def _equal(c: Commitment, promised: Target, t: Target) -> bool:
    if c.kind == DEADLINE:
        return t.month == promised.month and (not t.year or not promised.year or t.year == promised.year)
    a, b = _amount(promised), _amount(t)
    slack = _cfg()["approx_slack"] if re.search(r"约|左右|近|余", c.phrase) else 1e-6
    return abs(a - b) <= slack * max(abs(a), abs(b), 1.0)


def _weaker(c: Commitment, promised: Target, t: Target) -> bool:
    """The row promises less than the goal: a smaller number where the goal sets a floor, a larger one
    where it sets a ceiling, a later deadline."""
    if c.kind == DEADLINE:
        if t.year and promised.year and t.year != promised.year:
            return t.year > promised.year
        return (t.month or 12) > (promised.month or 12)
    a, b = _amount(promised), _amount(t)
    if promised.op in ("≤", "<") or c.kind in (COST, LIMIT):
        return b > a * (1 + 1e-6)
    return b < a * (1 - 1e-6)


_MEASURE = re.compile(r"(满意度|满意率|[\u4e00-\u9fff]{2}率)$")


def _similarity(c: Commitment, r: _Row, comparable: list[_Row]) -> float:
    name = r.ind.name
    if c.kind == SATISFACTION:
        sat = [x for x in comparable if "满意" in x.ind.name]
        if "满意" not in name:
            return 0.0
        a, b = _subject(c.name), _subject(name)
        if a and b and dice_sets(bigrams(a), bigrams(b)) < 0.3:
            return dice_sets(bigrams(c.name), r.grams)  # 参赛选手 and 沿线市民 are different people
        return 1.0 if len(sat) == 1 else dice_sets(bigrams(c.name), r.grams)
    if c.kind == DEADLINE:
        dates = [x for x in comparable if x.ind.placement.level2 == "时效指标"]
        return 1.0 if len(dates) == 1 and r in dates else dice_sets(bigrams(c.name), r.grams)
    sim = max(dice_sets(bigrams(c.name), r.grams), dice_sets(bigrams(c.phrase), r.grams),
              _cfg()["char_weight"] * _chars_in(c.name, name))
    if c.kind == RATE:
        a, b = _MEASURE.search(c.name), _MEASURE.search(name)
        if a and b and a.group(1) == b.group(1):
            sim = max(sim, 0.5 + sim / 2)
    return sim


_CLAUSE = re.compile(r"[，,。；;！!？?\n]+")


def quote(goal: str, phrase: str) -> str:
    """The goal's own clause around a commitment's phrase, for the message (the phrase alone may be
    clipped: "查人次达到8000人次" of "年检查人次达到8000人次")."""
    for clause in _CLAUSE.split(nfkc(goal or "")):
        if phrase and phrase in clause:
            clause = re.sub(r"^\s*(\d+[、.．)）]|[（(]\d+[)）])\s*", "", clause.strip())
            return clause if len(clause) <= 40 else phrase
    return phrase


_GENERIC_SUBJECTS = ("服务对象", "群众", "受益群众", "社会公众", "公众", "使用单位", "受益对象", "服务单位")


def _subject(name: str) -> str:
    """Who a satisfaction indicator asks (参赛选手 of 参赛选手满意度); '' when generic."""
    who = re.sub(r"(的)?(满意度|满意率|综合满意度)$", "", name)
    return "" if not who or any(who.endswith(g) for g in _GENERIC_SUBJECTS) else who


_MEASURE_WORDS = re.compile(r"(数量|人数|次数|个数|项数|户数|人次|长度|面积|规模|总数|数|完成|开展|实现)")


def _chars_in(commitment: str, name: str) -> float:
    """The share of the commitment's object characters (measure words aside) found in a row name:
    word order and joining words do not matter (系统上云数量 / 迁移上云部门业务系统数)."""
    core = [ch for ch in _MEASURE_WORDS.sub("", commitment) if "\u4e00" <= ch <= "\u9fff"]
    if len(core) < 2:
        return 0.0
    return sum(ch in name for ch in core) / len(core)


def _mismatch(c: Commitment, r: _Row, goal: str) -> Finding:
    ind = r.ind
    f = _f("GOAL_VALUE_MISMATCH", WARNING, r.pos, ind,
           f"指标“{ind.name}”的目标值“{r.target.raw}”与绩效目标“{quote(goal, c.phrase)}”不一致（目标为{c.value}）。",
           f"请把第{r.pos}行的目标值改为“{c.value}”，与绩效目标一致；如绩效目标的表述有误，请同时修改绩效目标。")
    f.candidates = [{"indicator_id": "", "indicator": ind.name, "level2": ind.placement.level2,
                     "suggested_value": c.value, "unit": c.unit}]
    return f


def _not_covered(c: Commitment, goal: str) -> Finding:
    f = Finding("GOAL_NOT_COVERED", WARNING, None, "",
                f"绩效目标提出“{quote(goal, c.phrase)}”，但没有对应的绩效指标。",
                f"请在“{c.level1}/{c.level2}”下增加指标“{c.name}”，指标值“{c.value}”，使绩效目标有指标可考核。")
    f.candidates = [{"indicator_id": "", "indicator": c.name, "level2": c.level2, "suggested_value": c.value,
                     "unit": c.unit}]
    return f
