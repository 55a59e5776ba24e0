"""Approved goal tables as history: the example tables in data/examples (and, after training, newly
approved tables). Each row is linked to the library entry it uses, so similar projects can vote for
indicators and lend their targets (历史标准)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from engine.domain.kinds import infer_kind, infer_sector
from engine.domain.library import Entry
from engine.domain.table import GoalTable
from engine.domain.text import bigrams, dice_sets, norm_key, year_of

LINK_DICE = 0.8  # a table row uses a library entry when their names are this close (same slot)


@dataclass
class HistoryRow:
    level1: str
    level2: str
    name: str
    value: str
    entry_id: str = ""


@dataclass
class HistoryTable:
    table_id: str
    name: str
    sector: str
    category: str
    amount: float | None
    description: str
    goal: str
    origin: str = "example"   # example | approved
    rows: list[HistoryRow] = field(default_factory=list)
    department: str = ""
    year: int | None = None   # budget year: stated, or read from the name ("2024年…")

    @property
    def text(self) -> str:
        return f"{self.name}。{self.description}"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "HistoryTable":
        rows = [HistoryRow(**r) for r in d.pop("rows", [])]
        return cls(**d, rows=rows)


def files_hash(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


class EntryLinker:
    """Finds the library entry a table row uses: same slot, names' bigram Dice ≥ LINK_DICE."""

    def __init__(self, entries: list[Entry]):
        self.by_slot: dict[str, list[tuple[Entry, frozenset]]] = {}
        self.exact: dict[tuple[str, str], str] = {}
        for e in entries:
            self.by_slot.setdefault(e.level2, []).append((e, bigrams(e.name)))
            self.exact.setdefault((e.level2, norm_key(e.name)), e.id)
        self._seen: dict[tuple[str, str], str] = {}  # thousands of approved tables repeat their names

    def link(self, level2: str, name: str) -> str:
        key = (level2, norm_key(name))
        hit = self.exact.get(key) or self._seen.get(key)
        if hit is not None:
            return hit
        grams = bigrams(name)
        best, best_d = "", LINK_DICE
        for e, g in self.by_slot.get(level2, ()):
            d = dice_sets(grams, g)
            if d >= best_d:
                best, best_d = e.id, d
        self._seen[key] = best
        return best


def history_from_tables(tables: list[GoalTable], linker: EntryLinker, origin: str) -> list[HistoryTable]:
    out = []
    for n, t in enumerate(tables):
        p = t.project
        rows = []
        for ind in t.indicators:
            pl = ind.placement
            if not pl.is_goal or not pl.level2:
                continue
            rows.append(HistoryRow(pl.level1, pl.level2, ind.name, ind.target.raw, linker.link(pl.level2, ind.name)))
        sector = infer_sector(p).name
        category = infer_kind(p).name
        out.append(HistoryTable(p.project_id or f"{origin}-{n}", p.name, sector, category, p.amount,
                                p.description, p.goal, origin, rows, p.department, p.year or year_of(p.name)))
    return out


def save_history(path: Path, tables: list[HistoryTable]) -> None:
    path.write_text(json.dumps([t.to_dict() for t in tables], ensure_ascii=False), encoding="utf-8")


def load_history(path: Path) -> list[HistoryTable]:
    return [HistoryTable.from_dict(d) for d in json.loads(path.read_text(encoding="utf-8"))]
