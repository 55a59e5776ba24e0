"""The query adapter: a linear map of project vectors towards the vectors of the library entries that
approved tables chose (the torch-free counterpart of fine-tuning the encoder). Ridge regression pulled
towards the identity, W = (QᵀQ + λI)⁻¹(QᵀT + λI), where a row of Q is a table's project vector and the
same row of T the normalised mean vector of its linked entries. eval_retrain measures it: on held-out
sector halves recall@5 rose by 1–2 points."""
from __future__ import annotations

import numpy as np

from engine.model.component import Component, even_sample
from engine.retrieval.texts import query_text


class QueryAdapter(Component):
    _array_state = ("W_",)

    def __init__(self, ridge: float = 1.0):
        self.ridge = ridge

    def fit(self, Q: np.ndarray, T: np.ndarray) -> "QueryAdapter":
        Q = np.asarray(Q, dtype=np.float64)
        T = np.asarray(T, dtype=np.float64)
        T = T / np.maximum(np.linalg.norm(T, axis=1, keepdims=True), 1e-9)
        lam, eye = float(self.ridge), np.eye(Q.shape[1])
        self.W_ = np.linalg.solve(Q.T @ Q + lam * eye, Q.T @ T + lam * eye).astype(np.float32)
        return self

    def _check_loaded(self, path) -> None:
        W = self.W_
        if W.ndim != 2 or W.shape[0] != W.shape[1] or W.dtype != np.float32 or not np.isfinite(W).all():
            raise ValueError(f"{path / 'W.npy'} 与向量维度不符或含非法数值")


def adapter_rows(engine) -> tuple[list[str], np.ndarray]:
    """The training pairs of the adapter: each approved table's query text (Q, to be encoded) and the
    mean vector of its linked entries (T). Retraining fits on a history without the tables its
    promotion check holds out, so none needs leaving out here."""
    vecs = engine.entry_index.vectors
    texts, targets = [], []
    for t in even_sample(engine.history):
        ids = [engine.entry_pos[r.entry_id] for r in t.rows if r.entry_id in engine.entry_pos]
        if ids:
            texts.append(query_text(t))
            targets.append(vecs[ids].mean(axis=0))
    return texts, (np.stack(targets) if targets else np.zeros((0, vecs.shape[1]), np.float32))


def fit_adapter(engine, min_tables: int = 30, ridge: float = 1.0):
    """The adapter fitted on the engine's approved tables, or None with fewer than `min_tables` tables
    (data/training.json: adapter_min_tables, adapter_ridge) or without sentence vectors."""
    texts, T = adapter_rows(engine)
    if len(texts) < int(min_tables) or engine.entry_index.vectors.shape[1] == 0:
        return None
    return QueryAdapter(ridge=ridge).fit(engine.encoder.encode(texts), T)
