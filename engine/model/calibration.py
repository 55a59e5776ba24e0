"""Calibrating the review thresholds on the approved tables (taken as clean)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.domain.framework import framework
from engine.domain.row_text import row_text
from engine.model.classifier import LevelClassifier
from engine.model.component import Component
from engine.retrieval.texts import relevance_text
from engine.review.model_checks import NameIndex

if TYPE_CHECKING:
    from engine.model.engine import Engine


class Calibration(Component):
    """The review thresholds: `fit(engine)` learns `thresholds_` (see calibrate); kept unchanged when an
    engine is retrained, so what counts as a finding does not move from one version to the next."""

    _json_state = ("thresholds_",)

    def __init__(self, quantile: float = 0.985):
        self.quantile = quantile

    def fit(self, engine: Engine) -> "Calibration":
        self.thresholds_ = calibrate(engine, self.quantile)
        return self

    def _check_loaded(self, path) -> None:
        if not isinstance(self.thresholds_, dict):
            raise ValueError(f"{path}：评审阈值格式不符")


def calibrate(engine: Engine, quantile: float = 0.985) -> dict:
    """Thresholds chosen on the approved tables (taken as clean): the classifier margin above which a
    cross-level disagreement is reported (margins from group-held-out models, so the classifier has
    not seen the rows it judges), and the relevance gap above which an indicator from another sector
    is reported — each so that about 1.5 % of clean rows would be flagged."""
    hist = engine.history
    texts, filed, groups = [], [], []
    for t in hist:
        for r in t.rows:
            texts.append(row_text(r.name, "", r.value))
            filed.append(r.level2)
            groups.append(t.sector or t.category)
    if len(texts) < 50:
        return {}
    lib_X = [row_text(e.name, e.unit, e.target) for e in engine.entries]
    lib_y = [e.level2 for e in engine.entries]
    lib_g = [e.group for e in engine.entries]
    names = sorted(set(groups) | set(lib_g))
    fold_of = {n: i % 5 for i, n in enumerate(np.random.default_rng(0).permutation(names))}
    slot_level1 = {s.level2: s.level1 for s in framework().slots}
    margins = np.zeros(len(texts))
    for f in range(5):
        test = [i for i, g in enumerate(groups) if fold_of[g] == f]
        if not test:
            continue
        train_X = [x for x, g in zip(lib_X, lib_g) if fold_of[g] != f] + [texts[i] for i, g in enumerate(groups) if fold_of[g] != f]
        train_y = [y for y, g in zip(lib_y, lib_g) if fold_of[g] != f] + [filed[i] for i, g in enumerate(groups) if fold_of[g] != f]
        clf = LevelClassifier().fit(train_X, train_y)
        classes = list(clf.classes_)
        sc = clf.decision_function([texts[i] for i in test])
        for i, row in zip(test, sc):
            pred = classes[int(np.argmax(row))]
            if filed[i] in classes and slot_level1[pred] != slot_level1[filed[i]]:
                margins[i] = row.max() - row[classes.index(filed[i])]
    cal = {"misfiled_margin": round(max(0.3, float(np.quantile(margins, quantile))), 4)}
    if engine.encoder.dim:
        # relevance: the fit (best match in the project's sector or the common part + 0.5 × similarity to
        # the project text) of clean rows whose nearest library entry is in another sector; the line sits
        # where at most 0.5 % of all clean rows would be reported
        index = NameIndex(engine)
        index.ensure([r.name for t in hist for r in t.rows])
        qv = engine.encoder.encode([relevance_text(t) for t in hist])
        fits, n_rows = [], 0
        for t, v in zip(hist, qv):
            for r in t.rows:
                n_rows += 1
                best, sim, _ = index.info[r.name]
                home = engine.entries[best].sector
                if t.sector in engine.sector_names and home and home != t.sector and sim >= 0.85:
                    fits.append(index.fit_best(r.name, t.sector) + 0.5 * float(index.vec[r.name] @ v))
        fits.sort()
        k = int(0.005 * n_rows)
        cal["irrelevant_line"] = round(min(0.85, fits[k]) if len(fits) > k else 0.7, 4)
        cal["irrelevant_text_weight"] = 0.5
    cal["clean_rows"] = len(texts)
    return cal
