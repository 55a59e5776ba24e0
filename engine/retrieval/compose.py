"""Project-specific candidates from the drafter's own words: each commitment of the goal text and the
description (domain.commitments) becomes a candidate of its slot with the drafter's number as the
target, named like the library entry (character-bigram Dice ≥ NAME_DICE, compatible unit) or approved
indicator (≥ PRECEDENT_DICE) that means the same thing when there is one, otherwise with the name
composed from the phrase (source "composed")."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.domain.commitments import Commitment
from engine.domain.text import bigrams, dice_sets
from engine.retrieval.approved import Precedent

if TYPE_CHECKING:
    from engine.model.engine import Engine

NAME_DICE = 0.8          # named like a library entry only when the wording is nearly the same
PRECEDENT_DICE = 0.7     # an approved table of the same project: its wording is preferred more readily


@dataclass
class Composed:
    commitment: Commitment
    entry: int | None = None             # position of the library entry it is named after
    precedent: Precedent | None = None   # or the approved indicator it is named after

    @property
    def grams(self) -> frozenset:
        return bigrams(self.name)

    @property
    def name(self) -> str:
        return self.precedent.best.name if self.precedent else self.commitment.name


def _units_fit(a: str, b: str) -> bool:
    return not a or not b or a == b or a in b or b in a


def compose(engine: "Engine", commitments: list[Commitment], level2: str,
            precedents: list[Precedent]) -> list[Composed]:
    """The slot's commitments, each matched to the approved indicator or library entry it names."""
    out = []
    rows = engine.slot_rows.get(level2, np.zeros(0, dtype=np.int64))
    mine = [c for c in commitments if c.level2 == level2]
    if not mine:
        return out
    dice = engine.slot_grams[level2].dice([bigrams(c.name) for c in mine]) if len(rows) else None
    for j, c in enumerate(mine):
        g = bigrams(c.name)
        prec = max(precedents, key=lambda p: dice_sets(g, p.grams), default=None)
        if prec is not None and dice_sets(g, prec.grams) >= PRECEDENT_DICE:
            out.append(Composed(c, precedent=prec))
            continue
        entry = None
        if dice is not None:
            order = np.argsort(-dice[:, j], kind="stable")[:5]
            for i in order:
                if dice[i, j] < NAME_DICE:
                    break
                if _units_fit(c.unit, engine.entries[rows[i]].unit):
                    entry = int(rows[i])
                    break
        out.append(Composed(c, entry=entry))
    return out
