"""The fitted engine in memory: the library entries it ranks, the tokenizer and sentence encoder, the
hybrid indexes of entries and approved tables, the approved tables themselves (history) and the learned
components (model.component). Built by model.build, saved and loaded by model.store, opened by
model.versions; this module only holds them and derives the arrays ranking needs."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.domain.history import HistoryTable
from engine.domain.kinds import kinds, sectors
from engine.domain.library import Entry
from engine.domain.resources import load_json
from engine.domain.text import BigramMatrix, bigrams
from engine.retrieval.approved import recurring_keys
from engine.retrieval.encoders import CachedEncoder
from engine.retrieval.index import HybridIndex
from engine.retrieval.tokenize import Tokenizer

DEFAULT_VERSION = "base"
DEFAULT_PARAMS = {k: v for k, v in load_json("ranking.json").items() if not k.startswith("_")}
RANKER_MODES = ("hybrid", "hybrid+history")


class EngineError(Exception):
    """The engine cannot be loaded or built (a Chinese message for the user)."""


class Engine:
    """`config`: the ranking configuration the version was fitted with (data/ranking.json at the time);
    `components`: the learned parts by name — classifier, ranker.<mode>, adapter, target_stats,
    calibration (any may be absent). `params` is the view suggestion and review read: the configuration
    plus the rankers' weights and the calibrated thresholds."""

    def __init__(self, path: Path | None, manifest: dict, entries: list[Entry], tokenizer: Tokenizer, encoder,
                 entry_index: HybridIndex, history: list[HistoryTable], history_index: HybridIndex,
                 config: dict | None = None, components: dict | None = None, name_vectors: np.ndarray | None = None):
        self.path, self.manifest = path, manifest
        self.entries, self.tokenizer, self.encoder = entries, tokenizer, encoder
        self.entry_index, self.history, self.history_index = entry_index, history, history_index
        self.config = {**DEFAULT_PARAMS, **(config or {})}
        self.components = dict(components or {})
        self.name_vectors = name_vectors if name_vectors is not None else np.zeros((len(entries), 0), np.float32)
        self.entry_pos = {e.id: i for i, e in enumerate(entries)}
        self.history_tokens: dict[str, list[str]] = {}  # set by model.build while fitting; never saved
        if isinstance(encoder, CachedEncoder):  # a scored row named like a library entry is not encoded again
            encoder.seed([e.name for e in entries], self.name_vectors)
        self.sync()
        self._prepare()

    def sync(self) -> None:
        """Derive what suggestion and review read from the components (after any of them changes)."""
        c = self.components
        self.classifier = c.get("classifier")
        self.target_stats = c["target_stats"].stats_ if "target_stats" in c else {}
        self.entry_index.adapter = c["adapter"].W_ if "adapter" in c else None
        self.params = dict(self.config)
        self.params["weights"] = {m: c[f"ranker.{m}"].weights_ for m in RANKER_MODES if f"ranker.{m}" in c}
        self.params["calibration"] = c["calibration"].thresholds_ if "calibration" in c else {}

    # ---------------------------------------------------------------- derived arrays (not stored)
    def _prepare(self) -> None:
        kind_names = [k.name for k in kinds()]
        sector_names = [s.name for s in sectors()]
        n = len(self.entries)
        self.kind_names, self.sector_names = kind_names, sector_names
        self.kind_mask = np.zeros((n, len(kind_names)), dtype=np.float32)
        self.any_kind = np.zeros(n, dtype=np.float32)
        self.sector_idx = np.full(n, -1, dtype=np.int32)
        self.slot_rows: dict[str, np.ndarray] = {}
        for i, e in enumerate(self.entries):
            if e.is_common:
                if e.kinds:
                    for k in e.kinds:
                        if k in kind_names:
                            self.kind_mask[i, kind_names.index(k)] = 1.0
                else:
                    self.any_kind[i] = 1.0
            elif e.sector in sector_names:
                self.sector_idx[i] = sector_names.index(e.sector)
                for k in e.kinds:
                    if k in kind_names:
                        self.kind_mask[i, kind_names.index(k)] = 0.5
        # which entries each approved table uses, and how many tables of a sector / kind use each entry
        self.hist_entries = [np.array(sorted({self.entry_pos[r.entry_id] for r in t.rows if r.entry_id in self.entry_pos}),
                                      dtype=np.int64) for t in self.history]
        self.hist_by_key: dict[str, list[int]] = {}
        self.recurring: dict[str, list[int]] = {}  # last year's table of a project (retrieval.approved)
        self._pop: dict[tuple[str, str], tuple[np.ndarray, int]] = {}
        for i, t in enumerate(self.history):
            for key in {t.table_id, t.name}:
                self.hist_by_key.setdefault(key, []).append(i)
            for key in recurring_keys(t):
                self.recurring.setdefault(key, []).append(i)
            for field, value in (("sector", t.sector), ("kind", t.category)):
                if not value:
                    continue
                counts, n_tables = self._pop.get((field, value), (np.zeros(n, dtype=np.float32), 0))
                counts[self.hist_entries[i]] += 1.0
                self._pop[(field, value)] = (counts, n_tables + 1)
        self.entry_grams = [bigrams(e.name) for e in self.entries]
        self.slot_grams: dict[str, BigramMatrix] = {}
        for level2 in {e.level2 for e in self.entries}:
            self.slot_rows[level2] = np.array([i for i, e in enumerate(self.entries) if e.level2 == level2], dtype=np.int64)
            self.slot_grams[level2] = BigramMatrix([self.entry_grams[i] for i in self.slot_rows[level2]])

    def popularity(self, field: str, value: str, exclude: set[str] = frozenset()) -> np.ndarray:
        """Share of the approved tables of a sector (field='sector') or kind (field='kind') that use each
        entry, leaving out the excluded tables (a table never votes for itself)."""
        counts, n_tables = self._pop.get((field, value), (None, 0))
        if counts is None:
            return np.zeros(len(self.entries), dtype=np.float32)
        counts = counts.copy()
        for i in {i for key in exclude for i in self.hist_by_key.get(key, ())}:
            t = self.history[i]
            if (t.sector if field == "sector" else t.category) == value:
                counts[self.hist_entries[i]] -= 1.0
                n_tables -= 1
        if n_tables <= 0:
            return np.zeros(len(self.entries), dtype=np.float32)
        return np.clip(counts / n_tables, 0.0, 1.0)

    @property
    def version(self) -> str:
        return self.manifest.get("version", self.path.name if self.path else "")
