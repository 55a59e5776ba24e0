"""Relevance for any indicator, in the library or not: a row that names another sector's objects
(生猪出栏头数, 森林覆盖率, 培训教师人次) in a project whose name, description and goal never mention
them is INDICATOR_IRRELEVANT. The sector words are data/lexicon/sector_marks.json; generic indicators
(construction, procurement, training, satisfaction) carry no sector word and are never attributed."""
from __future__ import annotations

from functools import lru_cache

from engine.domain.findings import ERROR, Finding
from engine.domain.resources import load_json, load_lines
from engine.review.context import TableContext, _f, _rules


@lru_cache(maxsize=1)
def _marks() -> tuple[tuple[str, frozenset], ...]:
    marks = load_json("lexicon/sector_marks.json")["marks"]
    return tuple((s, frozenset(ws)) for s, ws in marks.items())


@lru_cache(maxsize=1)
def _related() -> dict[str, frozenset]:
    cfg = _rules()["relevance"]
    out: dict[str, set] = {}
    for group in cfg["related"]:
        for s in group:
            out.setdefault(s, set()).update(group)
    return {s: frozenset(g) for s, g in out.items()}


@lru_cache(maxsize=1)
def _generic() -> tuple[str, ...]:
    return tuple(sorted(load_lines("generic_words.txt"), key=len, reverse=True))


def is_generic(name: str) -> bool:
    """A name made only of words every sector uses (项目验收完成时间, 数据使用部门满意度): no sector
    to blame it on, whichever library file holds it."""
    rest = name
    for w in _generic():
        rest = rest.replace(w, "")
    return "满意" in name or sum("\u4e00" <= ch <= "\u9fff" for ch in rest) < 2


def related(a: str, b: str) -> bool:
    """Whether two sectors are one (related group, or a sector that serves every field)."""
    serve_all = set(_rules()["relevance"]["serve_all"])
    return a == b or a in serve_all or b in serve_all or b in _related().get(a, frozenset())


@lru_cache(maxsize=65536)
def sector_words(text: str) -> dict[str, list[str]]:
    """The sector words in a text, by sector (longest first, so 农村公路 is reported, not 公路)."""
    out = {}
    for sector, words in _marks():
        hit = sorted((w for w in words if w in text), key=len, reverse=True)
        if hit:
            out[sector] = hit
    return out


@lru_cache(maxsize=65536)
def foreign_words(name: str, project_text: str, project_sector: str) -> tuple[str, list[str]] | None:
    """The other sector a row's name belongs to and the words that say so, or None when the row fits
    the project (its words are in the project's text, or belong to the project's or a related sector)."""
    found = sector_words(name)
    if not found:
        return None
    serve_all = set(_rules()["relevance"]["serve_all"])
    own = set(sector_words(project_text)) | ({project_sector} if project_sector else set())
    near = set().union(*(_related().get(s, {s}) for s in own)) | own if own else set()
    if not own or serve_all & set(found):
        return None
    if any(w in project_text for ws in found.values() for w in ws):
        return None
    if set(found) & near:
        return None
    sector = max(found, key=lambda s: len(found[s]))
    return sector, found[sector]


def check_relevance(ctx: TableContext) -> list[Finding]:
    p = ctx.table.project
    text = " ".join((p.name, p.department, p.description, p.goal))
    sector = ctx.sector_guess.name
    out = []
    for pos, ind in ctx.rows:
        hit = foreign_words(ind.name, text, sector)
        if hit is None:
            continue
        other, words = hit
        about = f"（{sector}，“{p.name}”）" if sector else f"（“{p.name}”）"
        out.append(_f("INDICATOR_IRRELEVANT", ERROR, pos, ind,
                      f"指标“{ind.name}”是{other}领域的指标（“{'”“'.join(words[:2])}”），项目名称、概述和绩效目标都没有涉及，"
                      f"与本项目{about}无关。",
                      "请删除该行，改为反映本项目产出和效果的指标（见推荐指标）；确与本项目相关的，请在项目概述中写明。"))
    return out
