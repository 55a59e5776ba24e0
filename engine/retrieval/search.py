"""Searching the indicator library (jixiao search, GET /v1/indicators)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass

import numpy as np

from engine.domain.framework import framework
from engine.domain.kinds import sector_by_name
from engine.domain.library import Entry
from engine.retrieval.suggest import Suggester

if TYPE_CHECKING:
    from engine.model.engine import Engine


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float


def resolve_level2(text: str) -> str:
    """A second level as the user wrote it ("质量", "产出质量", "质量指标") in canonical form."""
    if not text:
        return ""
    fw = framework()
    for s in fw.slots:
        if text == s.level2:
            return s.level2
    placed = fw.place("", text)
    return placed.level2


def search(engine: Engine, query: str, level2: str = "", sector: str = "", k: int = 10) -> list[Hit]:
    tokens = engine.tokenizer.tokens(query)
    qvec = engine.encoder.encode([query])[0] if engine.encoder.dim else None
    sig = engine.entry_index.signals(tokens, qvec)
    w = Suggester(engine).weights("hybrid")
    w_bm25, w_dense = max(w.get("bm25", 0.5), 0.0), max(w.get("dense", 0.5), 0.0)
    score = (w_bm25 * sig.bm25 + w_dense * sig.dense) / max(w_bm25 + w_dense, 1e-6)
    mask = np.ones(len(engine.entries), dtype=bool)
    l2 = resolve_level2(level2)
    if level2 and not l2:
        return []
    if l2:
        mask &= np.array([e.level2 == l2 for e in engine.entries])
    if sector:
        s = sector_by_name(sector)
        name = s.name if s else sector
        mask &= np.array([e.sector == name or (name in ("共性", "通用") and e.is_common) for e in engine.entries])
    idx = np.flatnonzero(mask & (score > 0))
    order = idx[np.argsort(-score[idx], kind="stable")][:k]
    return [Hit(engine.entries[i], float(score[i])) for i in order]
