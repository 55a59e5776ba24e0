"""Indicators that approved tables use but the library lacks: proposed as new entries in a reviewable
file, proposals.csv in the engine version that training made (never in data/: the base library stays
exactly what its files say). A keeper accepts or rejects them (`jixiao library accept|reject`, on the
version in use); an entry is used for suggestion, from the next training on, once accepted or once
approved by at least `min_approved` tables.

Approved names that mean the same thing are one proposal (a cluster): the same slot and either close
wording (character-bigram Dice ≥ cluster_dice) or related wording whose sentence vectors agree
(Dice ≥ cluster_dice_with_embedding and cosine ≥ cluster_cosine; data/training.json). A proposal
counts every table of the cluster, lists the wordings used (`variants`, with counts) and proposes the
most used one as its canonical name."""
from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from pathlib import Path

from engine.domain.library import Entry
from engine.domain.resources import load_json
from engine.domain.text import bigrams, dice_sets, norm_key
from engine.io.safe_cells import csv_uncell
from engine.io.writers import atomic_write, csv_text

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
    variants: str = ""  # the wordings approved tables used, with counts: "名称A×3；名称B×1"

    def variant_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for part in filter(None, self.variants.split("；")):
            name, _, n = part.rpartition("×")
            if name:
                out[name] = out.get(name, 0) + int(n or 1)
        return out or {self.name: self.count}

    def entry(self) -> Entry:
        direction = next((op for op in ("≥", "≤", "=") if self.target.startswith(op)), "定性")
        return Entry(self.id, self.level1, self.level2, self.name, "定量" if self.unit else "定性", self.unit,
                     direction, self.target, "历史标准", f"由批复绩效目标表纳入（{self.count}张表采用）",
                     tuple(k for k in (self.name,) if k), (), "", "", "", file="proposals.csv", origin="approved")


def min_approved() -> int:
    return int(load_json("training.json")["min_approved"])


PROPOSALS_FILE = "proposals.csv"


def load_proposals(path) -> list[Proposal]:
    """The proposals of a file (an engine version's proposals.csv); none when it does not exist."""
    path = Path(path)
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [{k: csv_uncell(v) for k, v in r.items()} for r in csv.DictReader(fh)]
    out = []
    for r in rows:
        out.append(Proposal(r["id"], r["status"], r["level1"], r["level2"], r["name"], r["unit"], r["target"],
                            int(r["count"] or 0), r["origin"], r["first_seen"], r.get("variants") or ""))
    return out


def dump_proposals(props: list[Proposal]) -> bytes:
    names = [f.name for f in fields(Proposal)]
    return csv_text(names, ([getattr(p, n) for n in names] for p in props)).encode("utf-8")


def active_entries(props: list[Proposal]) -> list[Entry]:
    """Proposals that suggestion may use: accepted, or pending and approved often enough."""
    n = min_approved()
    return [p.entry() for p in props if p.status == ACCEPTED or (p.status == PENDING and p.count >= n)]


def merge(props: list[Proposal], level1: str, level2: str, name: str, unit: str, target: str, origin: str,
          today: str, similar=None, n: int = 1) -> Proposal:
    """Count `n` more approvals of an indicator: into the proposal of its cluster, or a new one.
    `similar(a, b)` is the cosine of two names' sentence vectors (None: wording only)."""
    cfg = load_json("training.json")
    g = bigrams(name)
    best, best_d = None, -1.0
    for p in props:
        if p.level2 != level2:
            continue
        d = 1.0 if norm_key(p.name) == norm_key(name) else max(dice_sets(g, bigrams(v)) for v in p.variant_counts())
        same = d >= cfg["cluster_dice"] or (
            similar is not None and d >= cfg["cluster_dice_with_embedding"] and similar(name, p.name) >= cfg["cluster_cosine"])
        if same and d > best_d:
            best, best_d = p, d
    if best is not None:
        p = best
        p.count += n
        counts = p.variant_counts()
        counts[name] = counts.get(name, 0) + n
        p.variants = "；".join(f"{v}×{n}" for v, n in sorted(counts.items(), key=lambda x: -x[1]))
        canonical = max(counts, key=counts.get)
        if canonical != p.name and counts[canonical] > counts.get(p.name, 0):
            p.name = canonical
            p.unit, p.target = unit or p.unit, target or p.target
        if origin and origin not in p.origin and p.origin.count("；") < 4:
            p.origin = f"{p.origin}；{origin}" if p.origin else origin
        return p
    next_id = 1 + max((int(p.id.split("-")[1]) for p in props if p.id.startswith("A-")), default=0)
    p = Proposal(f"A-{next_id:05d}", PENDING, level1, level2, name, unit, target, n, origin, today, f"{name}×{n}")
    props.append(p)
    return p


def set_status(path, ids: list[str], status: str) -> tuple[list[str], list[str]]:
    """Change the status of the named proposals in a proposals file; returns (changed ids, unknown ids)."""
    props = load_proposals(path)
    by_id = {p.id: p for p in props}
    unknown = [i for i in ids if i not in by_id]
    changed = []
    for i in ids:
        if i in by_id:
            by_id[i].status = status
            changed.append(i)
    if changed:
        atomic_write(path, dump_proposals(props))
    return changed, unknown
