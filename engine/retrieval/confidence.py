"""How sure a suggestion is: a calibrated probability that a drafter keeps a candidate (logistic
regression over a few facts about it, fitted by scripts/fit_confidence.py on tables the library was not
written from and stored in data/confidence.json), `recommended` when it clears the bar, and for the
optional slots (社会/生态环境成本, 经济/生态效益) whether the project calls for them at all
(data/advice.json optional_slots)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from engine.domain.kinds import Kind
from engine.domain.resources import load_json

FEATURES = ("bias", "composed", "precedent", "approved", "inv_rank", "relevance", "required", "called")


@dataclass(frozen=True)
class Calibrated:
    coef: tuple[float, ...]
    bar: float

    def probability(self, x: dict[str, float]) -> float:
        z = sum(c * float(x.get(f, 0.0)) for f, c in zip(FEATURES, self.coef))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def calibrated() -> Calibrated:
    cfg = load_json("confidence.json")
    coef = tuple(float(cfg["coef"].get(f, 0.0)) for f in FEATURES)
    return Calibrated(coef, float(cfg["bar"]))


def candidate_features(source: str, strong: bool, rank: int, relevance: float, required: bool,
                       called: bool) -> dict[str, float]:
    return {"bias": 1.0, "composed": float(source == "composed"), "precedent": float(source == "approved" and strong),
            "approved": float(source == "approved" and not strong), "inv_rank": 1.0 / rank,
            "relevance": float(relevance), "required": float(required), "called": float(called)}


def slot_called(level2: str, text: str, kind: Kind | None, sector: str, has_own: bool) -> bool:
    """Whether an optional slot fits the project: its kind has negative externalities (cost slots), its
    sector or text names the effect, or the drafter's own goal text or an approved precedent fills it."""
    rule = load_json("advice.json")["optional_slots"].get(level2)
    if rule is None or has_own:
        return True
    if rule["negative_kind"] and kind is not None and kind.negative_externality:
        return True
    return sector in rule["sectors"] or any(w in text for w in rule["words"])


def slot_advice(level2: str) -> str:
    rule = load_json("advice.json")["optional_slots"].get(level2)
    return rule["advice"] if rule else load_json("advice.json")["weak_advice"]
