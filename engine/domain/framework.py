"""The indicator framework (4 first-level, 10 second-level slots) and the normalisation of what
real tables write in their 一级指标 / 二级指标 columns."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from engine.domain.resources import load_json
from engine.domain.text import nfkc

NON_GOAL = "管理类指标"  # evaluation-table rows (预算执行率 …) that are not goal indicators


@dataclass(frozen=True)
class Slot:
    level1: str
    level2: str

    @property
    def key(self) -> str:
        return f"{self.level1}/{self.level2}"


@dataclass(frozen=True)
class Placement:
    """Where a row sits: the canonical slot (level2 may be '' when unknown) and how it was read."""
    level1: str            # canonical first level, NON_GOAL, or '' when unreadable
    level2: str            # canonical second level or ''
    written: str           # what the table wrote, "一级/二级"
    legacy: bool = False   # an accepted older layout (成本 under 产出, 可持续影响 …)
    conflict: bool = False  # the written second level belongs to another first level
    guessed: bool = False  # level2 guessed from the indicator name

    @property
    def slot(self) -> Slot | None:
        return Slot(self.level1, self.level2) if self.level2 else None

    @property
    def is_goal(self) -> bool:
        return self.level1 not in ("", NON_GOAL)


_BRACKETS = re.compile(r"[\(\[【][^)\]】]*[\)\]】]")
_SCORE = re.compile(r"(?:\d+(?:\.\d+)?(?:[-~]\d+(?:\.\d+)?)?分|(?<=指标)分|[:：])$")


def _key(text: str) -> str:
    """What a level cell names, without numbering, spaces, the form's notes and scores in brackets
    ("产出指标(50分)", "成本指标(0-20)分", "数量指标(必填硬性指标)") or a trailing 指标/目标."""
    s = nfkc(text).strip()
    s = re.sub(r"^[\(（]?[0-9一二三四五六七八九十①-⑩]+[\)）\.、．]?\s*", "", s)
    s = re.sub(r"\s+", "", s)
    s = _SCORE.sub("", _BRACKETS.sub("", s))
    s = re.sub(r"(类)?(指标|目标)$", "", s)
    return s


class Framework:
    """Canonical slots and alias tables, read from data/framework.json."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.slots: list[Slot] = [Slot(s["level1"], s["level2"]) for s in spec["slots"]]
        self.level1_names: list[str] = [l["name"] for l in spec["level1"]]
        self._l1: dict[str, str] = {}
        for l in spec["level1"]:
            for a in [l["name"], *l["aliases"]]:
                self._l1[_key(a)] = l["name"]
        self._l2: dict[str, Slot] = {}
        self._legacy_l2: set[str] = set()
        for s, slot in zip(spec["slots"], self.slots):
            for a in [s["level2"], *s["aliases"]]:
                self._l2.setdefault(_key(a), slot)
            self._legacy_l2.update(_key(a) for a in s.get("legacy_aliases", []))
        self._ng1 = {_key(a) for a in spec["non_goal"]["level1_aliases"]}
        self._ng2 = {_key(a) for a in spec["non_goal"]["level2_aliases"]}
        self.required_level1 = spec["required_level1"]
        self.required_level2 = spec["required_level2"]
        self._guess = spec["level2_guess"]
        self._placed: dict[tuple, Placement] = {}   # bulk tables repeat the same level cells

    def guess_level2(self, level1: str, name: str) -> str:
        rule = self._guess.get(level1)
        if not rule:
            return ""
        for level2, words in rule["groups"]:
            if any(w in name for w in words):
                return level2
        return rule["default"]

    def place(self, level1: str, level2: str, name: str = "") -> Placement:
        key = (level1, level2, name)
        hit = self._placed.get(key)
        if hit is None:
            if len(self._placed) > 100_000:
                self._placed.clear()
            hit = self._placed[key] = self._place(level1, level2, name)
        return hit

    def _place(self, level1: str, level2: str, name: str = "") -> Placement:
        written = f"{(level1 or '').strip()}/{(level2 or '').strip()}"
        k1, k2 = _key(level1 or ""), _key(level2 or "")
        l1 = self._l1.get(k1, "")
        if k1 in self._ng1 or k2 in self._ng2:
            return Placement(NON_GOAL, "", written)
        if not l1 and k2 not in self._l2 and k2 in self._l1:
            # a first level written in the second column under a heading such as 绩效指标
            # (绩效指标/项目完成指标): the row's second level is guessed from its name
            l1, k2 = self._l1[k2], ""
        slot = self._l2.get(k2)
        if slot is None and not l1:
            # single-column layouts (指标类型) put a second-level name in the first column
            slot = self._l2.get(k1)
        if slot is not None:
            if not l1 or l1 == slot.level1:
                return Placement(slot.level1, slot.level2, written, legacy=k2 in self._legacy_l2)
            if slot.level1 == "成本指标" and l1 == "产出指标":
                return Placement(slot.level1, slot.level2, written, legacy=True)
            if slot.level1 == "满意度指标" and l1 == "效益指标":
                return Placement(slot.level1, slot.level2, written, legacy=True)
            # 质量指标 under 效益指标: the first level says what the row is meant to be; its second
            # level is guessed from the name and the row is flagged for the reviewer
            return Placement(l1, self.guess_level2(l1, name), written, conflict=True, guessed=True)
        if l1:
            guessed = self.guess_level2(l1, name)
            return Placement(l1, guessed, written, guessed=bool(guessed))
        return Placement("", "", written)


@lru_cache(maxsize=1)
def framework() -> Framework:
    return Framework(load_json("framework.json"))
