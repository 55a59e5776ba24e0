"""What the level classifier reads of an indicator row: its name, plus unit and target kind as marker words."""
from __future__ import annotations

import re

from engine.domain.targets import parse_target
from engine.domain.text import nfkc


def row_text(name: str, unit: str = "", value: str = "") -> str:
    """What the classifier reads: the name, plus unit and target kind as marker words (a rate, a
    deadline, money and yes/no targets say much about the slot)."""
    t = parse_target(value, name, unit) if value or unit else None
    marks = []
    if t is not None:
        marks.append(f"K{t.kind[:4]}")
        u = t.unit or unit
        if u:
            marks.append(f"U{u}")
        if t.op:
            marks.append(f"O{t.op}")
    name = re.sub(r"\s+", "", nfkc(name))
    return f"{name} {' '.join(marks)}"
