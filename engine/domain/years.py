"""The budget year of a table: from a 年度 column (or a labelled 预算年度 field), the form's title
("2026年度项目支出绩效目标申报表") or a leading year in the project name ("2026年…").

Where each year came from is kept in Project.extra["years"] (only the sources found, e.g.
{"column": 2026, "title": 2025, "name": 2026}) so a reviewer can say that the header and the name
disagree; Project.year takes the first of column > title > name."""
from __future__ import annotations

import datetime as _dt
import re

from engine.domain.text import nfkc, year_of

SOURCES = ("column", "title", "name")
_FIRST, _LAST = 1990, 2100
_CELL = re.compile(r"^\s*((?:19|20)\d{2})\s*(?:\.0+)?\s*(?:年度?|年)?\s*$")
_LEADING = re.compile(r"^\s*[\(\[【]?\s*((?:19|20)\d{2})\s*年")


def _ok(y: int) -> int | None:
    return y if _FIRST <= y <= _LAST else None


def parse_year(value) -> int | None:
    """A year cell: 2026, 2026.0, "2026", "2026年", "2026年度" (an Excel date gives its year)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (_dt.date, _dt.datetime)):
        return _ok(value.year)
    if isinstance(value, (int, float)):
        return _ok(int(value)) if float(value).is_integer() else None
    m = _CELL.match(nfkc(str(value)))
    return _ok(int(m.group(1))) if m else None


def year_in_title(text: str) -> int | None:
    """The first "2026年" of a title, wherever it stands ("（2026年度）项目支出绩效目标表")."""
    return year_of(nfkc(text or ""))


def year_in_name(text: str) -> int | None:
    m = _LEADING.match(nfkc(text or ""))
    return _ok(int(m.group(1))) if m else None


def settle_year(project, column: int | None = None, title: int | None = None, name: int | None = None) -> None:
    """Set project.year (column > title > name) and record every source found in extra["years"]."""
    found = {k: v for k, v in zip(SOURCES, (column, title, name)) if v}
    if not found:
        return
    project.extra["years"] = found
    project.year = next(iter(found.values()))
