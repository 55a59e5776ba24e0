"""The texts retrieval reads: of a library entry (tokens for BM25, a short text to embed) and of a
project (what suggestion embeds, what the relevance check compares with)."""
from __future__ import annotations

from engine.domain.library import Entry


def entry_tokens_text(e: Entry) -> str:
    kinds_text = " ".join(k.replace("类", "") for k in e.kinds)
    return f"{e.name} {e.name} {' '.join(e.keywords)} {e.fund_use} {kinds_text} {e.sector}"


def entry_dense_text(e: Entry) -> str:
    return f"{e.name}（{'、'.join(e.keywords[:4])}）" if e.keywords else e.name


def project_query(name: str, description: str = "", goal: str = "") -> str:
    return "。".join(x for x in (name, description, goal) if x)


def query_text(p) -> str:
    """What suggestion embeds of a project: name, description and goal."""
    return project_query(p.name, p.description, p.goal)[:300]


def relevance_text(p) -> str:
    """What INDICATOR_IRRELEVANT compares indicator names with: the same text suggestion embeds (name,
    description and goal), so bulk review embeds one text per project, not two."""
    return query_text(p)
