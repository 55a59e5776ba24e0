"""Indicators that approved tables use but the library lacks: proposed as new entries in a reviewable
file (data/proposals.csv). A keeper accepts or rejects them (`jixiao library accept|reject`); an entry
is used for suggestion once accepted, or once approved by at least `min_approved` tables."""
from __future__ import annotations

import csv
from dataclasses import dataclass, fields

from engine.library import Entry
from engine.resources import data_path, load_json
from engine.text import bigrams, dice_sets, norm_key
from engine.writers import csv_text

PENDING, ACCEPTED, REJECTED = "待审核", "已采纳", "已拒绝"
MERGE_DICE = 0.8


@dataclass
class Proposal:
    id: str
    status: str
    level1: str
    level2: str
    name: str
    unit: str
    target: str
    count: int
    origin: str       # the approved tables (project names) it came from, first few
    first_seen: str

    def entry(self) -> Entry:
        direction = next((op for op in ("≥", "≤", "=") if self.target.startswith(op)), "定性")
        return Entry(self.id, self.level1, self.level2, self.name, "定量" if self.unit else "定性", self.unit,
                     direction, self.target, "历史标准", f"由批复绩效目标表纳入（{self.count}张表采用）",
                     tuple(k for k in (self.name,) if k), (), "", "", "", file="proposals.csv", origin="approved")


def min_approved() -> int:
    return int(load_json("training.json")["min_approved"])


def proposals_path():
    return data_path("proposals.csv")


def load_proposals(path=None) -> list[Proposal]:
    path = path or proposals_path()
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        out.append(Proposal(r["id"], r["status"], r["level1"], r["level2"], r["name"], r["unit"], r["target"],
                            int(r["count"] or 0), r["origin"], r["first_seen"]))
    return out


def dump_proposals(props: list[Proposal]) -> bytes:
    names = [f.name for f in fields(Proposal)]
    return csv_text(names, ([getattr(p, n) for n in names] for p in props)).encode("utf-8")


def active_entries(props: list[Proposal] | None = None) -> list[Entry]:
    """Proposals that suggestion may use: accepted, or pending and approved often enough."""
    props = load_proposals() if props is None else props
    n = min_approved()
    return [p.entry() for p in props if p.status == ACCEPTED or (p.status == PENDING and p.count >= n)]


def merge(props: list[Proposal], level1: str, level2: str, name: str, unit: str, target: str, origin: str,
          today: str) -> Proposal:
    """Count one more approval of an indicator: into a close existing proposal of the same slot, or new."""
    g = bigrams(name)
    for p in props:
        if p.level2 == level2 and (norm_key(p.name) == norm_key(name) or dice_sets(g, bigrams(p.name)) >= MERGE_DICE):
            p.count += 1
            if origin and origin not in p.origin and p.origin.count("；") < 4:
                p.origin = f"{p.origin}；{origin}" if p.origin else origin
            return p
    next_id = 1 + max((int(p.id.split("-")[1]) for p in props if p.id.startswith("A-")), default=0)
    p = Proposal(f"A-{next_id:05d}", PENDING, level1, level2, name, unit, target, 1, origin, today)
    props.append(p)
    return p


def set_status(ids: list[str], status: str) -> tuple[list[str], list[str]]:
    """Change the status of the named proposals; returns (changed ids, unknown ids)."""
    from engine.writers import atomic_write

    props = load_proposals()
    by_id = {p.id: p for p in props}
    unknown = [i for i in ids if i not in by_id]
    changed = []
    for i in ids:
        if i in by_id:
            by_id[i].status = status
            changed.append(i)
    if changed:
        atomic_write(proposals_path(), dump_proposals(props))
    return changed, unknown
