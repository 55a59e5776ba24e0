"""What real tables do with their indicator columns, shared by the long-format and the form readers:
header cells to fields (with a 中长期 block beside the 年度 block), one row's cells to an Indicator
(a separate 计算符号 column, 正向/反向, weights, scores and actual values kept apart from the
target), and prose lists of indicators in one cell split into rows."""
from __future__ import annotations

import re
from functools import lru_cache

from engine.domain.framework import framework
from engine.domain.resources import load_json
from engine.domain.table import Indicator
from engine.domain.targets import lex, operator_of
from engine.domain.text import nfkc, tidy as clean  # cells keep the text as entered (see tidy)

# row fields kept in Indicator.extra: never a target
EXTRA_FIELDS = ("long_term", "long_indicator", "weight", "score", "deviation")
_LONG, _ANNUAL = ("长期", "远期", "实施期"), ("年度", "当年", "本年", "全年")
_LONG_HEADS = ("中长期目标", "长期目标", "中长期指标", "长期指标", "实施期目标")
_ANNUAL_HEADS = ("年度目标", "年度目标值", "年度指标", "当年目标", "本年度目标")


def hkey(text) -> str:
    s = nfkc(str(text or "")).lower()
    return re.sub(r"[\s\(\)（）\[\]【】:：*]", "", s)


def field_of(cell, table: dict[str, str]) -> str | None:
    """The field a header cell names; a note in brackets ("全年指标值（A）") is tried without it."""
    if cell is None:
        return None
    field = table.get(hkey(cell))
    if field is None:
        field = table.get(hkey(re.sub(r"[\(（][^)）]*[\)）]", "", nfkc(str(cell)))))
    return field


@lru_cache(maxsize=1)
def _directions() -> dict[str, str]:
    return load_json("columns.json")["direction_ops"]


def map_columns(header: list, table: dict[str, str], above: list[list] = ()) -> dict[str, int]:
    """Header cells to field → column. When the indicator columns repeat in a 中长期 and a 年度 block
    (labelled in the rows above), the 年度 block is the target and the long-term value is kept."""
    positions: dict[str, list[int]] = {}
    for c, cell in enumerate(header):
        field = field_of(cell, table)
        if field:
            positions.setdefault(field, []).append(c)
    cols = {f: ps[0] for f, ps in positions.items()}
    if any(len(positions.get(f, ())) > 1 for f in ("value", "indicator")):
        label = [" ".join(str(r[c]) for r in above if c < len(r) and r[c] is not None) for c in range(len(header))]

        def block(c: int) -> str:
            text = label[c]
            return "long" if any(w in text for w in _LONG) else "annual" if any(w in text for w in _ANNUAL) else ""

        # only a block labelled 长期 beside one that is not tells the two sets apart
        if any(block(c) == "long" for c in positions.get("value", ())) and \
                any(block(c) != "long" for c in positions.get("value", ())):
            for f, ps in positions.items():
                long = [c for c in ps if block(c) == "long"]
                annual = [c for c in ps if block(c) == "annual"] or [c for c in ps if c not in long]
                if annual:
                    cols[f] = annual[0]
                if long and f in ("value", "indicator"):
                    cols["long_term" if f == "value" else "long_indicator"] = long[0]
    if "value" not in cols and "indicator" in cols:
        # 中长期目标 | 年度目标 written as the value columns of the indicator block
        keys = {hkey(cell): c for c, cell in reversed(list(enumerate(header))) if cell is not None}
        long = next((keys[k] for k in _LONG_HEADS if k in keys), None)
        annual = next((keys[k] for k in _ANNUAL_HEADS if k in keys), None)
        if long is not None and annual is not None:
            cols["value"], cols["long_term"] = annual, long
            for f in ("goal", "long_goal"):
                if cols.get(f) in (annual, long):
                    del cols[f]
    return cols


def _cell(v):
    return clean(v) if isinstance(v, str) else v


def indicator_of(cells: dict, source_row: int | None) -> Indicator:
    """One indicator row. A 计算符号 cell (or 正向/反向 in 指标性质) gives the operator of a bare number;
    weights, scores, long-term values and deviation notes go to extra, the actual value to actual."""
    nature = clean(cells.get("nature"))
    written_op = clean(cells.get("op"))
    op = operator_of(written_op) or (operator_of(nature) if nature not in ("定量", "定性") else "")
    op = op or _directions().get(nature, "") or _directions().get(written_op, "")
    extra = {f: _cell(cells[f]) for f in EXTRA_FIELDS if cells.get(f) not in (None, "")}
    if written_op:
        extra["op"] = written_op
    return Indicator(clean(cells.get("level1")), clean(cells.get("level2")), clean(cells.get("indicator")),
                     _cell(cells.get("value", "")), clean(cells.get("unit")), nature, clean(cells.get("note")),
                     source_row=source_row, actual=_cell(cells.get("actual")) if cells.get("actual") not in (None, "") else None,
                     extra=extra, op=op)


# ------------------------------------------------------------------ prose lists
_NUMBERING = r"(?:[\(（](?:\d{1,2}|[一二三四五六七八九十]{1,2})[\)）]|\d{1,2}[\.、．](?!\d)|[一二三四五六七八九十]{1,2}、)"
_ITEM_SPLIT = re.compile(r"[；;\n。]+|\s+(?=" + _NUMBERING + r")|(?<=[^\d\s])(?=" + _NUMBERING + r"\s*[^\d\s])")
_LEAD_NUMBER = re.compile(r"^\s*" + _NUMBERING + r"\s*")
_LABEL = re.compile(r"^([^：:，,；;]{1,14})[：:]\s*(.*)$")
_PIECE_SPLIT = re.compile(r"[，,、]")
_DATE_IN = re.compile(r"(?:于|在)?((?:20\d{2}年)?(?:\d{1,2}月(?:\d{1,2}日)?(?:底|末|中旬|上旬|下旬)?|年底|年内)(?:前|之前|以前)?)")
_OP_IN = re.compile(r"[≥≤><=≧≦]\s*\d")


def level_label(text: str) -> tuple[str, str] | None:
    """(level1, level2) a prose label names ("数量指标", "效益指标"), or None when it names no level."""
    pl = framework().place("", text)
    if pl.level1 and pl.level2 and not pl.guessed:
        return pl.level1, pl.level2
    pl = framework().place(text, "")
    return (pl.level1, "") if pl.is_goal else None


def _items(text: str) -> list[str]:
    return [_LEAD_NUMBER.sub("", s).strip() for s in _ITEM_SPLIT.split(nfkc(text)) if s and s.strip()]


def is_prose(text) -> bool:
    """A cell listing indicators under level labels ("数量指标：…；质量指标：…")."""
    if not isinstance(text, str) or "：" not in text and ":" not in text:
        return False
    labels = [m for m in (_LABEL.match(i) for i in _items(text)) if m and level_label(m.group(1))]
    return bool(labels) and len(_items(text)) >= 2 or len(labels) >= 2


def _name_value(piece: str) -> tuple[str, str]:
    """Split "培训合格率≥95%" into name and target; a deadline becomes "…完成时间"."""
    m = _OP_IN.search(piece)
    if m is None:
        for word, _ in lex().prefix_ops:
            k = piece.find(word)
            if k > 0 and re.match(r"\s*\d", piece[k + len(word):]):
                m = re.search(re.escape(word), piece)
                break
    if m is not None and m.start() > 0:
        return piece[:m.start()].strip(" ：:"), piece[m.start():].strip()
    d = _DATE_IN.search(piece)
    if d is not None:
        rest = re.sub(r"^(于|在)?(完成)?|(完成|完毕)?$", "", (piece[:d.start()] + piece[d.end():]).strip()).strip()
        return (rest if rest.endswith(("时间", "时限")) else rest + "完成时间"), d.group(1)
    nums = [n for n in re.finditer(r"\d+(?:\.\d+)?", piece) if not re.match(r"\d{4}年", piece[n.start():])]
    if nums and nums[0].start() > 0:
        start = nums[0].start()
        while start > 0 and piece[start - 1] in "约.":
            start -= 1
        return piece[:start].strip(" ：:"), piece[start:].strip()
    for word in sorted(lex().vague, key=len, reverse=True):
        k = piece.find(word)
        if k > 1 and k + len(word) >= len(piece) - 1:
            return piece[:k].strip(), piece[k:].strip()
    return piece, ""


def split_prose(text: str, level1: str = "", level2: str = "") -> list[tuple[str, str, str, str, str]]:
    """(level1, level2, name, value, item) for each indicator a prose cell lists; a label such as
    "数量指标：" sets the levels of what follows it."""
    out: list[tuple[str, str, str, str, str]] = []
    for item in _items(text):
        while True:  # "产出指标：数量指标：…", or a label alone on its line
            m = _LABEL.match(item)
            levels = level_label(m.group(1)) if m else level_label(item) if len(item) <= 10 else None
            if not levels:
                break
            level1, level2 = levels if levels[1] or levels[0] != level1 else (level1, level2)
            item = m.group(2).strip() if m else ""
        if not item:
            continue
        pieces: list[str] = []
        for p in (x.strip() for x in _PIECE_SPLIT.split(item)):
            if not p:
                continue
            if pieces and (re.match(r"^[≥≤><=\d约]", p) or not re.search(r"\d", p) and re.search(r"\d", pieces[-1])
                           and len(p) <= 4):
                pieces[-1] += "、" + p  # a value without a name belongs to the indicator before it
            else:
                pieces.append(p)
        if len(pieces) > 1 and not all(re.search(r"\d", p) for p in pieces):
            pieces = [item]  # a sentence with commas, not a list
        for p in pieces:
            name, value = _name_value(p)
            if name:
                out.append((level1, level2, name, value, p))
    return out


def expand_prose(ind: Indicator, raw=None, force: bool = False) -> list[Indicator]:
    """The rows a prose cell holds (its levels and values read), or the row itself. `raw` is the
    cell as written (line breaks kept), when it is not the row's name."""
    raw = raw if isinstance(raw, str) else ind.name
    if not (force or is_prose(raw)):
        return [ind]
    rows = split_prose(raw, ind.level1, ind.level2)
    if not rows or (not force and len(rows) < 2 and clean(ind.value)):
        return [ind]
    return [Indicator(l1, l2, name, value, "", "", ind.note, source_row=ind.source_row,
                      extra={"prose": item}) for l1, l2, name, value, item in rows]
