"""The target-value parser: every 指标值 cell becomes a typed Target.

Handles the forms of real tables: symbols and words for operators (≥ ≧ >= 不低于 不少于 至少 达到;
≤ ≦ <= 不高于 不超过 以内 控制在; ＝), percentages, ranges (80%-90%), money units, units written
as words ("≥190元每人每月"), deadlines ("12月底前"), Excel-stored fractions ("1" or "0.95" for a rate)
and units given in the indicator name ("城镇新增就业人数（人）"). Lexicons live in data/.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from functools import lru_cache

from engine.domain.resources import load_json, load_lines
from engine.domain.text import clean

QUANT, QUAL, YESNO, DATE, EMPTY = "quantitative", "qualitative", "yes_no", "date", "empty"
@dataclass(frozen=True)
class Target:
    raw: str
    kind: str
    op: str | None = None          # ≥ ≤ = > < range, or None when no operator is written
    numbers: tuple[float, ...] = ()
    unit: str = ""
    unit_source: str = ""          # value | column | name | rate
    vague: bool = False
    multiple: bool = False
    graded: bool = False           # a qualitative target graded against a baseline or a standard
    approx: bool = False           # 约 / 左右
    excel_fraction: bool = False   # 0.95 read as 95 % for a rate
    year: int | None = None
    month: int | None = None
    day: int | None = None
    parts: int = 1                 # how many values the cell holds

    @property
    def value(self) -> float | None:
        return self.numbers[0] if self.numbers else None

    @property
    def upper(self) -> float | None:
        return self.numbers[-1] if self.numbers else None

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    def display(self) -> str:
        if self.kind != QUANT:
            return self.raw
        op = "" if self.op in (None, "range") else self.op
        nums = "-".join(_fmt(n) for n in self.numbers)
        return f"{op}{nums}{self.unit}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# ---------------------------------------------------------------- lexicons (read once)
class _Lex:
    def __init__(self):
        ops = [line.split("\t") for line in load_lines("operators.txt")]
        self.prefix_ops = sorted([(w, o) for w, o, where in ops if where == "prefix"], key=lambda x: -len(x[0]))
        self.suffix_ops = sorted([(w, o) for w, o, where in ops if where == "suffix"], key=lambda x: -len(x[0]))
        self.vague = tuple(load_lines("vague_words.txt"))
        self.graded = re.compile("|".join(load_lines("graded_phrases.txt")))
        rules = load_json("rules.json")
        self.rate_suffixes = tuple(rules["rate_suffixes"])
        self.name_units = [(a, b) for a, b in rules["name_units"]]


@lru_cache(maxsize=1)
def lex() -> _Lex:
    return _Lex()


_SYMBOLS = [(">=", "≥"), ("≥=", "≥"), ("⩾", "≥"), ("≧", "≥"), ("=>", "≥"), ("<=", "≤"), ("⩽", "≤"),
            ("≦", "≤"), ("=<", "≤"), ("==", "="), ("≯", "≤"), ("≮", "≥")]
_NUM = re.compile(r"[-+]?\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SEP = re.compile(r"[、,;，；]|(?<=[^\d\s])\s+(?=\d)")
_RANGE = re.compile(r"^\s*(%|[^\d\-~至到—–]{0,6}?)\s*(?:-|~|—|–|至|到)\s*(\d+(?:\.\d+)?)(.*)$")
_DATE = re.compile(
    r"^(?:于|在)?(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?|(?P<ye>年)|第(?P<q>[一二三四1-4])季度)"
    r"(?:底|末|份|中旬|上旬|下旬|内|前)*(?:之前|以前|前|完成|内|止)?$")
_ISODATE = re.compile(r"^(?P<y>\d{4})[-./](?P<m>\d{1,2})(?:[-./](?P<d>\d{1,2}))?(?:日)?(?:前|之前)?$")
_YEAR_WORDS = re.compile(r"^(?:年底前|年内|年度内|当年|本年度内|本年度|当年内|年末前|年底)(?:完成)?$")
_UNIT_WORDS = [("每人每月", "/人·月"), ("每人每年", "/人·年"), ("每人每天", "/人·天"), ("每人次", "/人次"),
               ("每人", "/人"), ("每月", "/月"), ("每年", "/年"), ("每天", "/天"), ("每次", "/次")]
_TRAIL = re.compile(r"[\(（][^)）]*[\)）]$|左右$|（含）$|\(含\)$|含$")
_YESNO = {"是", "否", "有", "无", "已完成", "完成", "未发生", "不发生", "发生"}
_QUARTER = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
_UNIT_IN_NAME = re.compile(r"[\(（]([^()（）]{1,6})[\)）]\s*$")


def _symbols(s: str) -> str:
    for a, b in _SYMBOLS:
        if a in s:
            s = s.replace(a, b)
    return s


def _norm_unit(u: str) -> str:
    u = u.strip().replace(" ", "")
    for a, b in _UNIT_WORDS:
        if a in u:
            u = u.replace(a, b)
    u = u.replace(".", "·").replace("・", "·").replace("／", "/").replace("每", "/")
    if u.startswith("/") and len(u) > 1:
        u = u  # a bare rate like "/人·月" keeps its slash
    return u


def is_rate_name(name: str) -> bool:
    n = re.sub(r"[\(（][^)）]*[\)）]\s*$", "", name).strip()
    return n.endswith(lex().rate_suffixes) or "满意" in n


def unit_from_name(name: str) -> str:
    """The unit a name states in brackets ("城镇新增就业人数（人）") or by its ending (…人次, …率)."""
    m = _UNIT_IN_NAME.search(name or "")
    if m and not _NUM.search(m.group(1)):
        return _norm_unit(m.group(1))
    base = re.sub(r"[\(（][^)）]*[\)）]\s*$", "", name or "").strip()
    for suffix, unit in lex().name_units:
        if base.endswith(suffix):
            return unit
    return ""


def _date(s: str, op: str | None, raw: str) -> Target | None:
    m = _DATE.match(s) or _ISODATE.match(s)
    if m:
        g = m.groupdict()
        if g.get("q"):
            month = _QUARTER[g["q"]]
        elif g.get("ye"):
            month = 12
        else:
            month = int(g["m"]) if g.get("m") else 12
        if not 1 <= month <= 12:
            return None
        year = int(g["y"]) if g.get("y") else None
        day = int(g["d"]) if g.get("d") else None
        return Target(raw, DATE, op or "≤", unit="", year=year, month=month, day=day)
    if _YEAR_WORDS.match(s):
        return Target(raw, DATE, op or "≤", month=12)
    return None


def _prefix_op(prefix: str) -> str | None:
    for sym in ("≥", "≤", "=", ">", "<"):
        if sym in prefix:
            return sym
    for word, op in lex().prefix_ops:
        if word in prefix:
            return op
    return None


def _suffix_op(rest: str) -> tuple[str | None, str]:
    for word, op in lex().suffix_ops:
        if rest.endswith(word):
            return op, rest[: -len(word)]
        idx = rest.find(word)
        if word != "内" and idx >= 0:
            return op, rest[:idx] + rest[idx + len(word):]
    return None, rest


def operator_of(cell) -> str:
    """The operator a 计算符号 column names: ≥ ≤ = > < in any written form (>=, ≧, 大于等于, 不低于 …),
    or '' when the cell names none."""
    return _operator_of(str(cell)) if cell is not None else ""


@lru_cache(maxsize=4096)
def _operator_of(cell: str) -> str:
    s = _symbols(clean(cell))
    if not s or len(s) > 8:
        return ""
    for sym in ("≥", "≤", "=", ">", "<"):
        if s.startswith(sym):
            return sym
    for word, op in lex().prefix_ops + lex().suffix_ops:
        if s == word or s.startswith(word) and len(word) >= 2:
            return op
    return ""


def _qualitative(raw: str, s: str) -> Target:
    if s in _YESNO:
        return Target(raw, YESNO, "=")
    graded = bool(lex().graded.search(s))
    vague = not graded and any(w in s for w in lex().vague)
    return Target(raw, QUAL, vague=vague, graded=graded)


def parse_target(raw, name: str = "", unit_col: str = "", op_hint: str = "") -> Target:
    """Parse one target cell. `name` is the indicator name (units and rates are read from it),
    `unit_col` the 计量单位 column, `op_hint` an operator given in its own column (自评表)."""
    if raw is None:
        return Target("", EMPTY)
    if isinstance(raw, (_dt.datetime, _dt.date)):
        return Target(raw.strftime("%Y-%m-%d"), DATE, "≤", year=raw.year, month=raw.month, day=raw.day)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if not isinstance(raw, str):
        raw = str(raw)
    return _parse_raw(raw, name or "", unit_col or "", op_hint or "")


@lru_cache(maxsize=200_000)
def _parse_raw(raw: str, name: str, unit_col: str, op_hint: str) -> Target:
    return _parse(clean(raw), clean(name), clean(unit_col), clean(op_hint))


@lru_cache(maxsize=200_000)
def _parse(raw: str, name: str, unit_col: str, op_hint: str) -> Target:
    if not raw or raw in ("-", "—", "/", "无", "空"):
        return Target(raw, EMPTY) if raw in ("", "-", "—", "/", "空") else _qualitative(raw, raw)
    s = _symbols(raw).replace(" ", "")
    s = _THOUSANDS.sub("", s)
    hint = _symbols(op_hint) if op_hint in ("≥", "≤", "=", ">", "<", ">=", "<=", "≧", "≦") else ""

    # several values in one cell: "1600人、200人"
    segments = [p for p in _SEP.split(s) if p]
    numbered = [p for p in segments if _NUM.search(p)]
    multiple = len(numbered) >= 2
    body = numbered[0] if multiple else s

    lead = re.match(r"^[≥≤=<>]", body)
    op = lead.group(0) if lead else None
    date = _date(body[1:] if lead else body, op, raw)
    if date is not None:
        return date

    m = _NUM.search(body)
    if m is None:
        return _qualitative(raw, s)
    prefix, rest = body[: m.start()], body[m.end():]
    if prefix.endswith(("第", "前")) or re.search(r"[A-Za-z]$", prefix):
        return _qualitative(raw, s)  # "第3季度" handled above; "A级" and similar stay words
    number = float(m.group(0))
    approx = "约" in prefix or "左右" in rest
    op = op or _prefix_op(prefix) or hint or None
    numbers: tuple[float, ...] = (number,)
    rm = _RANGE.match(rest)
    if rm and not multiple and "/" not in rm.group(1):
        numbers = (number, float(rm.group(2)))
        unit = rm.group(3) or rm.group(1)
        op = "range"
    else:
        unit = rest
    sop, unit = _suffix_op(unit)
    if op is None:
        op = sop
    unit = _TRAIL.sub("", unit).strip()
    unit = _norm_unit(unit)
    if _NUM.search(unit) and not re.search(r"/\d", unit):
        unit = re.split(r"\d", unit)[0]  # trailing text with more numbers is not part of the unit
    source = "value" if unit else ""
    if not unit and unit_col and unit_col not in ("无", "/", "-", "是/否"):
        unit, source = _norm_unit(unit_col), "column"
        if unit.startswith(("≥", "≤")):
            unit = unit[1:]
    excel_fraction = False
    if not unit:
        named = unit_from_name(name)
        if named:
            unit, source = named, "name"
        elif is_rate_name(name):
            unit, source = "%", "rate"
    if unit == "%" and source in ("name", "rate", "column") and 0 < numbers[-1] <= 1 and all(n <= 1 for n in numbers):
        # Excel stores 100 % as 1 and 95 % as 0.95
        numbers = tuple(round(n * 100, 6) for n in numbers)
        excel_fraction = True
    return Target(raw, QUANT, op, numbers, unit, source, vague=False, multiple=multiple,
                  approx=approx, excel_fraction=excel_fraction, parts=max(1, len(numbered)))


def money_in_wan(t: Target) -> float | None:
    """A money target converted to 万元, or None when the unit is not plain money."""
    if t.kind != QUANT or t.value is None:
        return None
    f = load_json("thresholds.json")["money_factors_to_wan"].get(t.unit)
    return None if f is None else t.upper * f


def amount_band(amount: float | None) -> int:
    """The amount band of a project (data/thresholds.json amount_bands_wan): 0 small … 3 very large, -1 unknown."""
    if amount is None:
        return -1
    return sum(amount >= b for b in load_json("thresholds.json")["amount_bands_wan"])
