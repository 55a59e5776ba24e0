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
regression over the features of engine.suggest gives one weight per feature and mode (scikit-learn;
stored as plain numbers)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.suggest import MODE_FEATURES, Suggester
from engine.table import Project
from engine.text import BigramMatrix, bigrams

FOUND_DICE = 0.5


@dataclass
class Query:
    project: Project
    rows: list[tuple[str, str]]   # (level2, indicator name) the approved table chose
    exclude: set[str]


def history_queries(engine) -> list[Query]:
    out = []
    for t in engine.history:
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


def fit_weights(X: np.ndarray, y: np.ndarray, gid: np.ndarray, mode: str, seed: int = 0) -> dict[str, float]:
    """Pairwise logistic regression (a linear RankNet): within each (query, slot) group, every positive
    is paired with every sampled negative and the weights learn which of the two should rank higher.
    Features that are evidence for an entry may not count against it: one that gets a negative weight
    is dropped (weight 0) and the rest refitted, so the ranking stays explainable ("相似项目采用" never
    pushes a candidate down)."""
    from sklearn.linear_model import LogisticRegression

    feats = list(MODE_FEATURES[mode])
    diffs = []
    for g in np.unique(gid):
        rows = gid == g
        pos, neg = X[rows & (y == 1)], X[rows & (y == 0)]
        if len(pos) and len(neg):
            diffs.append((pos[:, None, :] - neg[None, :, :]).reshape(-1, X.shape[1]))
    if not diffs:
        return {}
    D = np.vstack(diffs)
    rng = np.random.default_rng(seed)
    flip = rng.random(len(D)) < 0.5
    D[flip] *= -1
    labels = (~flip).astype(int)
    active = list(range(len(feats)))
    while True:
        model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=2000).fit(D[:, active], labels)
        w = dict(zip((feats[i] for i in active), model.coef_[0]))
        bad = [f for f, v in w.items() if (f in POSITIVE and v < 0) or (f in NEGATIVE and v > 0)]
        if not bad:
            break
        worst = max(bad, key=lambda f: abs(w[f]))
        active.remove(feats.index(worst))
    return {f: round(float(w.get(f, 0.0)), 5) for f in feats}


def fit_engine(engine, modes=("hybrid", "hybrid+history"), progress=None) -> dict[str, dict]:
    """Fitted weights for every mode on the engine's approved tables (stored in engine.params). The two
    hybrid modes analyse a project alike (hybrid simply has no history features), so their training
    pairs are collected once."""
    sg = Suggester(engine)
    queries = history_queries(engine)
    full = "hybrid+history"
    if progress:
        progress(f"学习排序权重（{len(queries)} 张批复表）")
    shared = collect(sg, queries, full) if any(m in ("hybrid", full) for m in modes) else None
    weights = {}
    for mode in modes:
        if mode in ("hybrid", full):
            X, y, _, gid = shared
            X = X[:, [MODE_FEATURES[full].index(f) for f in MODE_FEATURES[mode]]]
        else:
            X, y, _, gid = collect(sg, queries, mode)
        w = fit_weights(X, y, gid, mode)
        if w:
            weights[mode] = w
    return weights


def fit_adapter(engine, exclude: set[str] = frozenset()) -> np.ndarray | None:
    """A linear map of project vectors towards the vectors of the library entries approved tables chose
    (the torch-free counterpart of fine-tuning the encoder): ridge regression pulled towards the
    identity, W = (QᵀQ + λI)⁻¹(QᵀT + λI), where a row of Q is a table's project vector and the same row
    of T the normalised mean vector of its linked entries. Only with enough tables (data/training.json:
    adapter_min_tables, adapter_ridge); tables in `exclude` (the promotion check's) are not used.
    eval_retrain measures it: on held-out sector halves recall@5 rose by 1–2 points."""
    from engine.engine import query_text
    from engine.resources import load_json

    cfg = load_json("training.json")
    vecs = engine.entry_index.vectors
    rows = []
    for t in engine.history:
        if t.table_id in exclude or t.name in exclude:
            continue
        ids = [engine.entry_pos[r.entry_id] for r in t.rows if r.entry_id in engine.entry_pos]
        if ids:
            rows.append((query_text(t), ids))
    if len(rows) < int(cfg["adapter_min_tables"]) or vecs.shape[1] == 0:
        return None
    Q = engine.encoder.encode([q for q, _ in rows]).astype(np.float64)
    T = np.stack([vecs[ids].mean(axis=0) for _, ids in rows]).astype(np.float64)
    T /= np.maximum(np.linalg.norm(T, axis=1, keepdims=True), 1e-9)
    lam, eye = float(cfg["adapter_ridge"]), np.eye(Q.shape[1])
    return np.linalg.solve(Q.T @ Q + lam * eye, Q.T @ T + lam * eye).astype(np.float32)
