"""Target statistics (历史标准): per library entry, the numeric targets approved tables set, overall and
by amount band. Suggested targets and TARGET_TOO_LOW follow them; retraining refits them."""
from __future__ import annotations

import numpy as np

from engine.domain.targets import QUANT, amount_band, parse_target
from engine.model.component import Component


class TargetStats(Component):
    """`fit(history, entries)` learns `stats_`: entry id → {n, median, p25, bands: {band: {n, median}}},
    counting only targets in the unit of the entry's typical target."""

    _json_state = ("stats_",)

    def __init__(self, p_low: float = 0.25):
        self.p_low = p_low

    def fit(self, history, entries) -> "TargetStats":
        by_id = {e.id: e for e in entries}
        values: dict[str, list[tuple[float, int]]] = {}
        for t in history:
            band = amount_band(t.amount)
            for r in t.rows:
                e = by_id.get(r.entry_id)
                if e is None:
                    continue
                v = parse_target(r.value, e.name, e.unit)
                if v.kind == QUANT and v.value is not None and v.unit == parse_target(e.target, e.name, e.unit).unit:
                    values.setdefault(e.id, []).append((float(v.value), band))
        stats = {}
        for eid, vals in values.items():
            arr = np.array([v for v, _ in vals])
            entry = {"n": len(arr), "median": float(np.median(arr)), "p25": float(np.quantile(arr, self.p_low)),
                     "bands": {}}
            for band in sorted({b for _, b in vals}):
                sub = np.array([v for v, b in vals if b == band])
                entry["bands"][str(band)] = {"n": len(sub), "median": float(np.median(sub))}
            stats[eid] = entry
        self.stats_ = stats
        return self

    def _check_loaded(self, path) -> None:
        if not isinstance(self.stats_, dict):
            raise ValueError(f"{path}：目标值统计格式不符")
