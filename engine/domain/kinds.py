"""Recognising a project's kind (the 15 common categories) and sector from its facts, by the rules
in data/project_kinds.json and data/sectors.json."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from engine.domain.resources import load_json
from engine.domain.table import Project
from engine.domain.text import norm_key


@dataclass(frozen=True)
class Kind:
    name: str
    code: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]
    negative: tuple[str, ...]
    requires_cost: bool
    negative_externality: bool
    cost_amount_threshold: float | None = None


@dataclass(frozen=True)
class Sector:
    name: str
    code: str
    classes: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Guess:
    name: str          # '' when nothing was recognised
    source: str        # given | inferred | none
    score: float = 0.0


@lru_cache(maxsize=1)
def kinds() -> tuple[Kind, ...]:
    return tuple(Kind(k["name"], k["code"], tuple(k["aliases"]), tuple(k["keywords"]), tuple(k["negative"]),
                      k["requires_cost"], k["negative_externality"], k.get("cost_amount_threshold"))
                 for k in load_json("project_kinds.json")["kinds"])


@lru_cache(maxsize=1)
def sectors() -> tuple[Sector, ...]:
    return tuple(Sector(s["name"], s["code"], tuple(s["classes"]), tuple(s["keywords"]))
                 for s in load_json("sectors.json")["sectors"])


def kind_by_name(name: str) -> Kind | None:
    key = norm_key(name)
    if not key:
        return None
    for k in kinds():
        if key == norm_key(k.name) or key in (norm_key(a) for a in k.aliases):
            return k
    return None


def sector_by_name(name: str) -> Sector | None:
    key = norm_key(name)
    if not key:
        return None
    for s in sectors():
        if key == norm_key(s.name):
            return s
    for s in sectors():  # "卫生健康委" / "教育局" style free text
        if norm_key(s.name) in key or key in norm_key(s.name):
            return s
    return None


_KEYWORD_INDEX: dict[int, tuple] = {}


def _keyword_index(items) -> tuple[dict[str, list[str]], dict[str, list[int]]]:
    """Every keyword of `items` under its first two characters (one-character keywords under that
    character), so a text is only checked against keywords whose start it contains; and the items
    (positions) each keyword belongs to, once per time it is listed."""
    hit = _KEYWORD_INDEX.get(id(items))
    if hit is None or hit[0] is not items:
        starts: dict[str, list[str]] = {}
        owners: dict[str, list[int]] = {}
        for pos, it in enumerate(items):
            for w in it.keywords:
                if w:
                    owners.setdefault(w, []).append(pos)
        for w in owners:
            starts.setdefault(w[:2], []).append(w)
        hit = _KEYWORD_INDEX[id(items)] = (items, starts, owners)
    return hit[1], hit[2]


def _present(starts: dict[str, list[str]], text: str) -> set[str]:
    heads = {text[i:i + 2] for i in range(len(text) - 1)} | set(text)
    return {w for h in heads if h in starts for w in starts[h] if w in text}


def _keyword_scores(items, name: str, text: str) -> list[tuple[float, object]]:
    """Keyword evidence per item (a keyword in `name` weighs 3, in `text` 1), best first; items whose
    negative words the name contains are left out."""
    starts, owners = _keyword_index(items)
    score: dict[int, float] = {}
    for words, weight in ((_present(starts, name), 3.0), (_present(starts, text), 1.0)):
        for w in words:
            for pos in owners[w]:
                score[pos] = score.get(pos, 0.0) + weight
    out = []
    for pos in sorted(score, key=lambda i: (-score[i], i)):
        it = items[pos]
        if not any(n and n in name for n in getattr(it, "negative", ())):
            out.append((score[pos], it))
    return out


def kind_scores(p: Project) -> dict[str, float]:
    """Rule evidence for every kind (keyword hits; name words weigh 3, description words 1)."""
    return {k.name: s for s, k in _keyword_scores(kinds(), p.name, f"{p.description} {p.goal}")}


def sector_scores(p: Project) -> dict[str, float]:
    return {s.name: sc for sc, s in _keyword_scores(sectors(), f"{p.department} {p.name}", f"{p.description} {p.goal}")}


@lru_cache(maxsize=65536)
def _infer_kind(category: str, name: str, text: str) -> Guess:
    given = kind_by_name(category)
    if given:
        return Guess(given.name, "given", 1.0)
    scored = _keyword_scores(kinds(), name, text)
    if scored and scored[0][0] >= 2:
        return Guess(scored[0][1].name, "inferred", scored[0][0])
    return Guess("", "none")


def infer_kind(p: Project) -> Guess:
    return _infer_kind(p.category, p.name, f"{p.description} {p.goal}")


@lru_cache(maxsize=65536)
def _infer_sector(sector: str, department: str, name: str, text: str) -> Guess:
    given = sector_by_name(sector)
    if given:
        return Guess(given.name, "given", 1.0)
    scored = _keyword_scores(sectors(), f"{department} {name}", text)
    if scored and scored[0][0] >= 2:
        return Guess(scored[0][1].name, "inferred", scored[0][0])
    return Guess("", "none")


def infer_sector(p: Project) -> Guess:
    return _infer_sector(p.sector, p.department, p.name, f"{p.description} {p.goal}")


def cost_required(p: Project, kind: Kind | None) -> bool:
    """Domain rule: 工程基建类 and large repair and purchase projects must set cost indicators."""
    if kind is None or not kind.requires_cost:
        return False
    if kind.cost_amount_threshold is not None and p.amount is not None:
        return p.amount >= kind.cost_amount_threshold or "大型" in p.name
    return True
