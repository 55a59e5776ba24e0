"""Learning the ranking weights from approved tables.

Each approved table is replayed as a drafting query (name + description + amount, kind and sector not
given, the table itself left out of every history signal). For every slot the table fills, the library
entries closest to each of its indicators (the highest bigram Dice, at least 0.5 — the evaluation's
rule) are positives; other entries that match as well (near-copies, mostly in other sectors: one of
them in the top 5 is enough) are left out of training, as neither a right nor a wrong choice. Taking
every match as a positive taught the model that sector evidence does not matter, because most matches
of a generic indicator live in the other 28 sectors. The negatives are the few non-matching entries
the text alone ranks highest plus a uniform sample of the slot (hard negatives chosen by the full
current ranking taught the model that the project's own sector counts against an entry; uniform ones
alone let BM25 by itself do better). A pairwise logistic
regression over the features of engine.retrieval.suggest gives one weight per feature and mode
(PairwiseRanker, a scikit-learn estimator saved as JSON + .npy)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.domain.resources import load_json
from engine.model.component import Component, even_sample
from engine.retrieval.suggest import MODE_FEATURES, Suggester
from engine.domain.table import Project
from engine.domain.text import BigramMatrix, bigrams

FOUND_DICE = load_json("thresholds.json")["match_dice"]


@dataclass
class Query:
    project: Project
    rows: list[tuple[str, str]]   # (level2, indicator name) the approved table chose
    exclude: set[str]


def history_queries(engine) -> list[Query]:
    out = []
    for t in even_sample(engine.history):
        rows = [(r.level2, r.name) for r in t.rows]
        if rows:
            out.append(Query(Project(name=t.name, description=t.description, amount=t.amount), rows,
                             {t.table_id, t.name}))
    return out


def collect(sg: Suggester, queries: list[Query], mode: str, negatives: int = 4, random_negatives: int = 40,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Feature rows X, labels y, query ids and (query, slot) group ids of the sampled pairs."""
    eng = sg.engine
    feats = MODE_FEATURES[mode]
    grams = BigramMatrix(eng.entry_grams)
    rng = np.random.default_rng(seed)
    X, y, qid, gid = [], [], [], []
    for q_i, q in enumerate(queries):
        a = sg.analyse(q.project, mode, q.exclude)
        F = np.stack([a.features[f] for f in feats], axis=1)
        # hard negatives are the entries the text alone ranks high: what the weights must learn to
        # push below the chosen ones (ranked by text only, so no prior is favoured by the sampling)
        hand = a.features["bm25"] + a.features["dense"]
        names = [bigrams(name) for _, name in q.rows]
        all_dice = grams.dice(names)  # every entry × every indicator of the table
        by_slot: dict[str, list[int]] = {}
        for j, (level2, _) in enumerate(q.rows):
            by_slot.setdefault(level2, []).append(j)
        for level2, cols in by_slot.items():
            pool = eng.slot_rows.get(level2)
            if pool is None or not len(pool):
                continue
            dice = all_dice[np.ix_(pool, cols)]  # pool × the slot's indicators
            match = (dice >= FOUND_DICE).any(axis=1)
            if not match.any():
                continue
            closest = dice.max(axis=0)
            pos = ((dice >= closest - 1e-9) & (dice >= FOUND_DICE)).any(axis=1)
            neg_pool = pool[~match]
            top = neg_pool[np.argsort(-hand[neg_pool], kind="stable")[:negatives]]
            rest = np.setdiff1d(neg_pool, top)
            extra = rng.choice(rest, size=min(random_negatives, len(rest)), replace=False) if len(rest) else rest
            chosen = np.concatenate([pool[pos], top, extra])
            X.append(F[chosen])
            y.append(np.concatenate([np.ones(pos.sum()), np.zeros(len(top) + len(extra))]))
            qid.append(np.full(len(chosen), q_i))
            gid.append(np.full(len(chosen), len(gid)))
    if not X:
        return np.zeros((0, len(feats))), np.zeros(0), np.zeros(0), np.zeros(0)
    return np.vstack(X), np.concatenate(y), np.concatenate(qid), np.concatenate(gid)


POSITIVE = ("bm25", "dense", "kind", "any_kind", "same_sector", "hist", "pop_sector", "pop_kind")  # evidence for
NEGATIVE = ("other_sector",)  # evidence against an entry


class PairwiseRanker(Component):
    """Pairwise logistic regression (a linear RankNet) over the features of one suggestion mode: within
    each (query, slot) group every positive is paired with every sampled negative, and the weights learn
    which of the two should rank higher. Features that are evidence for an entry may not count against
    it: one that gets a negative weight is dropped (weight 0) and the rest refitted, so the ranking stays
    explainable ("相似项目采用" never pushes a candidate down). Learned: `coef_`, one weight per feature
    (rounded to 5 decimals, as stored)."""

    _array_state = ("coef_",)

    def __init__(self, mode: str = "hybrid+history", C: float = 1.0, seed: int = 0):
        self.mode = mode
        self.C = C
        self.seed = seed

    @property
    def features(self) -> tuple[str, ...]:
        return MODE_FEATURES[self.mode]

    def fit(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> "PairwiseRanker":
        from sklearn.linear_model import LogisticRegression

        feats = list(self.features)
        diffs = []
        order = np.argsort(groups, kind="stable")
        bounds = np.flatnonzero(np.diff(groups[order])) + 1
        for rows in np.split(order, bounds):  # one (query, slot) group at a time, in one pass
            pos, neg = X[rows[y[rows] == 1]], X[rows[y[rows] == 0]]
            if len(pos) and len(neg):
                diffs.append((pos[:, None, :] - neg[None, :, :]).reshape(-1, X.shape[1]))
        if not diffs:
            raise ValueError("没有可用于学习排序权重的正负样本对")
        D = np.vstack(diffs)
        rng = np.random.default_rng(self.seed)
        flip = rng.random(len(D)) < 0.5
        D[flip] *= -1
        labels = (~flip).astype(int)
        active = list(range(len(feats)))
        while True:
            model = LogisticRegression(C=self.C, fit_intercept=False, max_iter=2000).fit(D[:, active], labels)
            w = dict(zip((feats[i] for i in active), model.coef_[0]))
            bad = [f for f, v in w.items() if (f in POSITIVE and v < 0) or (f in NEGATIVE and v > 0)]
            if not bad:
                break
            worst = max(bad, key=lambda f: abs(w[f]))
            active.remove(feats.index(worst))
        self.coef_ = np.array([round(float(w.get(f, 0.0)), 5) for f in feats], dtype=np.float64)
        return self

    @property
    def weights_(self) -> dict[str, float]:
        return {f: float(c) for f, c in zip(self.features, self.coef_)}

    def _check_loaded(self, path) -> None:
        if self.mode not in MODE_FEATURES or self.coef_.shape != (len(self.features),) or not np.isfinite(self.coef_).all():
            raise ValueError(f"{path}：排序权重与特征数不符或含非法数值")


def fit_weights(X: np.ndarray, y: np.ndarray, gid: np.ndarray, mode: str, seed: int = 0) -> dict[str, float]:
    """The weights a PairwiseRanker learns from these pairs ({} when there is no pair to learn from)."""
    try:
        return PairwiseRanker(mode, seed=seed).fit(X, y, gid).weights_
    except ValueError:
        return {}


def fit_rankers(engine, modes=("hybrid", "hybrid+history"), progress=None) -> dict[str, PairwiseRanker]:
    """A fitted ranker per mode on the engine's approved tables. The two hybrid modes analyse a project
    alike (hybrid simply has no history features), so their training pairs are collected once."""
    sg = Suggester(engine)
    queries = history_queries(engine)
    full = "hybrid+history"
    if progress:
        progress(f"学习排序权重（{len(queries)} 张批复表）")
    shared = collect(sg, queries, full) if any(m in ("hybrid", full) for m in modes) else None
    rankers = {}
    for mode in modes:
        if mode in ("hybrid", full):
            X, y, _, gid = shared
            X = X[:, [MODE_FEATURES[full].index(f) for f in MODE_FEATURES[mode]]]
        else:
            X, y, _, gid = collect(sg, queries, mode)
        try:
            rankers[mode] = PairwiseRanker(mode).fit(X, y, gid)
        except ValueError:
            continue
    return rankers
