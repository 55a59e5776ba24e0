"""The level classifier: predicts the canonical slot (one of the ten second-level indicators) of a
third-level indicator from its name, unit and target. A scikit-learn estimator (stateless character
n-gram hashing + a linear SVM); fitted state is saved as arrays and JSON, never pickled."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.svm import LinearSVC

from engine.domain.row_text import row_text


class LevelClassifier(BaseEstimator, ClassifierMixin):
    def __init__(self, n_features: int = 2 ** 16, C: float = 2.0, ngram_max: int = 3):
        self.n_features = n_features
        self.C = C
        self.ngram_max = ngram_max

    def _vectorizer(self) -> HashingVectorizer:
        return HashingVectorizer(analyzer="char_wb", ngram_range=(1, self.ngram_max), n_features=self.n_features,
                                 alternate_sign=False, norm="l2")

    def fit(self, X: list[str], y: list[str]) -> "LevelClassifier":
        lr = LinearSVC(C=self.C)
        lr.fit(self._vectorizer().transform(X), y)
        self.classes_ = np.asarray(lr.classes_)
        self.coef_ = lr.coef_.astype(np.float32)
        self.intercept_ = lr.intercept_.astype(np.float32)
        return self

    def decision_function(self, X: list[str]) -> np.ndarray:
        V = self._vectorizer().transform(X)
        return np.asarray(V @ self.coef_.T) + self.intercept_

    def predict(self, X: list[str]) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    # ---------------------------------------------------------------- arrays + JSON
    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path / "classifier.npz", coef=self.coef_, intercept=self.intercept_)
        (path / "classifier.json").write_text(json.dumps(
            {"params": self.get_params(), "classes": [str(c) for c in self.classes_]}, ensure_ascii=False),
            encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "LevelClassifier":
        meta = json.loads((path / "classifier.json").read_text(encoding="utf-8"))
        self = cls(**meta["params"])
        with np.load(path / "classifier.npz", allow_pickle=False) as z:
            self.coef_, self.intercept_ = z["coef"], z["intercept"]
        self.classes_ = np.asarray(meta["classes"])
        return self


def training_rows(entries, history) -> tuple[list[str], list[str], list[str]]:
    """(text, slot, group) from library entries and approved tables' rows; group is the sector or
    category, used to hold out whole groups when measuring."""
    X, y, g = [], [], []
    for e in entries:
        X.append(row_text(e.name, e.unit, e.target))
        y.append(e.level2)
        g.append(e.group)
    seen: set[tuple[str, str]] = set()  # thousands of approved tables repeat the same rows
    for t in history:
        for r in t.rows:
            text = row_text(r.name, "", r.value)
            if (text, r.level2) in seen:
                continue
            seen.add((text, r.level2))
            X.append(text)
            y.append(r.level2)
            g.append(t.sector or t.category)
    return X, y, g


def held_out_accuracy(X, y, groups, folds: int = 5, seed: int = 0) -> dict:
    """Accuracy by slot with whole groups (sectors, categories) held out per fold."""
    names = sorted(set(groups))
    rng = np.random.default_rng(seed)
    fold_of_group = {n: i % folds for i, n in enumerate(rng.permutation(names))}
    X, y = np.asarray(X, dtype=object), np.asarray(y)
    fold = np.array([fold_of_group[g] for g in groups])
    pred = np.empty(len(y), dtype=object)
    for f in range(folds):
        test = fold == f
        model = LevelClassifier().fit(list(X[~test]), list(y[~test]))
        pred[test] = model.predict(list(X[test]))
    out = {"overall": round(float((pred == y).mean()), 4), "n": int(len(y)), "by_slot": {}}
    for slot in sorted(set(y)):
        m = y == slot
        out["by_slot"][slot] = {"accuracy": round(float((pred[m] == y[m]).mean()), 4), "n": int(m.sum())}
    # first-level accuracy: the mistakes a reviewer cares most about
    from engine.domain.framework import framework

    l1 = {s.level2: s.level1 for s in framework().slots}
    out["level1"] = round(float(np.mean([l1[a] == l1[b] for a, b in zip(pred, y)])), 4)
    return out
