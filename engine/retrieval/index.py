"""Hybrid retrieval over a fixed set of documents: BM25 over jieba tokens (bm25s) plus dense cosine
similarity, each scaled to [0, 1] per query (the ranker weighs them, see engine/model/ranker.py). Saved as
arrays and JSON only (no pickle)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

@dataclass(frozen=True)
class Signals:
    """Per-document relevance of one query, each in [0, 1]."""
    bm25: np.ndarray
    dense: np.ndarray

    def fused(self, mode: str, alpha: float = 0.5) -> np.ndarray:
        """One signal, or their weighted sum ('linear'); a missing signal leaves the other alone."""
        if mode == "bm25":
            return self.bm25
        if mode == "dense":
            return self.dense
        if not self.dense.any():
            return self.bm25
        if not self.bm25.any():
            return self.dense
        return alpha * self.bm25 + (1 - alpha) * self.dense


def adapt(qvec: np.ndarray, W: np.ndarray) -> np.ndarray:
    """A query vector mapped by the query adapter's matrix (model.adapter), normalised again."""
    z = qvec @ W
    return z / max(float(np.linalg.norm(z)), 1e-9)


class HybridIndex:
    def __init__(self, tokenizer, encoder):
        self.tokenizer, self.encoder = tokenizer, encoder
        self.bm25 = None
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self.n = 0
        self.adapter: np.ndarray | None = None  # the query adapter's matrix, set by the engine (model.adapter)

    # -------------------------------------------------------------- build / save / load
    def fit(self, token_lists: list[list[str]], dense_texts: list[str], vectors: np.ndarray | None = None) -> "HybridIndex":
        import bm25s

        self.n = len(token_lists)
        self.bm25 = bm25s.BM25()
        corpus = [t if t else ["<空>"] for t in token_lists]
        self.bm25.index(corpus, show_progress=False)
        if vectors is None:
            vectors = self.encoder.encode(dense_texts) if self.encoder.dim else np.zeros((self.n, 0), np.float32)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        return self

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(path / "bm25"), allow_pickle=False)
        np.save(path / "vectors.npy", self.vectors, allow_pickle=False)
        (path / "index.json").write_text(json.dumps({"n": self.n, "dim": int(self.vectors.shape[1])}), encoding="utf-8")

    @classmethod
    def load(cls, path: Path, tokenizer, encoder) -> "HybridIndex":
        import bm25s

        self = cls(tokenizer, encoder)
        meta = json.loads((path / "index.json").read_text(encoding="utf-8"))
        self.n = meta["n"]
        self.bm25 = bm25s.BM25.load(str(path / "bm25"), allow_pickle=False)
        self.vectors = np.load(path / "vectors.npy", allow_pickle=False)
        return self

    # -------------------------------------------------------------- query
    def bm25_scores(self, tokens: list[str]) -> np.ndarray:
        vocab = self.bm25.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known or self.n == 0:
            return np.zeros(self.n, dtype=np.float32)
        s = np.asarray(self.bm25.get_scores(known), dtype=np.float32)
        m = s.max()
        return s / m if m > 0 else s

    def dense_scores(self, qvec: np.ndarray | None) -> np.ndarray:
        if qvec is None or self.vectors.shape[1] == 0 or self.n == 0:
            return np.zeros(self.n, dtype=np.float32)
        if self.adapter is not None:
            qvec = adapt(qvec, self.adapter)
        cos = self.vectors @ qvec
        lo = float(np.median(cos))
        hi = float(cos.max())
        if hi - lo < 1e-6:
            return np.zeros(self.n, dtype=np.float32)
        return np.clip((cos - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)

    def signals(self, tokens: list[str], qvec: np.ndarray | None) -> Signals:
        return Signals(self.bm25_scores(tokens), self.dense_scores(qvec))

    def absolute_signals(self, tokens: list[str], qvec: np.ndarray | None, floor: float = 0.3,
                         span: float = 0.6) -> Signals:
        """Signals on an absolute scale, for deciding whether documents are similar at all: raw BM25
        divided by the query's self-match bound, cosine mapped from [floor, floor+span] to [0, 1]."""
        vocab = self.bm25.vocab_dict
        known = [t for t in tokens if t in vocab]
        if known and self.n:
            raw = np.asarray(self.bm25.get_scores(known), dtype=np.float32)
            bound = max(float(raw.max()), 1e-6)
            coverage = len(set(known)) / max(len(set(tokens)), 1)
            bm = raw / bound * min(1.0, coverage * 1.5)
        else:
            bm = np.zeros(self.n, dtype=np.float32)
        if qvec is None or self.vectors.shape[1] == 0 or self.n == 0:
            dn = np.zeros(self.n, dtype=np.float32)
        else:
            dn = np.clip((self.vectors @ qvec - floor) / span, 0.0, 1.0).astype(np.float32)
        return Signals(bm, dn)
