"""The indicator library (指标库): loading the per-category and per-sector CSV files, and the
library check (`jixiao library check`)."""
from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from engine.domain.framework import framework
from engine.domain.kinds import kinds, sectors
from engine.domain.resources import data_path, load_json
from engine.domain.targets import DATE, EMPTY, QUANT, YESNO, parse_target
from engine.domain.text import bigrams, dice_sets, norm_key

COLUMNS = ("id", "level1", "level2", "name", "nature", "unit", "direction", "target", "standard",
           "explanation", "keywords", "kinds", "sector", "func_class", "fund_use")
_RULES = load_json("thresholds.json")["library"]  # what the library check requires (data/thresholds.json)
STANDARDS = tuple(_RULES["standards"])
DIRECTIONS = tuple(_RULES["directions"])
NEAR_DUPLICATE = _RULES["near_duplicate_dice"]
COMMON_MIN_PER_CATEGORY = _RULES["common_min_per_category"]
COMMON_MIN_TOTAL = _RULES["common_min_total"]
SECTOR_MIN = _RULES["sector_min"]
SUBSIDY_STANDARD = re.compile(_RULES["subsidy_standard_name"])


@dataclass(frozen=True)
class Entry:
    id: str
    level1: str
    level2: str
    name: str
    nature: str
    unit: str
    direction: str
    target: str
    standard: str
    explanation: str
    keywords: tuple[str, ...]
    kinds: tuple[str, ...]
    sector: str
    func_class: str
    fund_use: str
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)
    origin: str = field(default="library", compare=False)  # library | approved (accepted from training)

    @property
    def slot_key(self) -> str:
        return f"{self.level1}/{self.level2}"

    @property
    def group(self) -> str:
        """The category (common) or sector the entry belongs to, for counts and duplicates."""
        return self.sector or (self.kinds[0] if self.kinds else "")

    @property
    def is_common(self) -> bool:
        return not self.sector

    def to_dict(self) -> dict:
        return {"indicator_id": self.id, "level1": self.level1, "level2": self.level2, "indicator": self.name,
                "nature": self.nature, "unit": self.unit, "direction": self.direction, "target": self.target,
                "standard": self.standard, "explanation": self.explanation, "keywords": list(self.keywords),
                "kinds": list(self.kinds), "sector": self.sector, "func_class": self.func_class,
                "fund_use": self.fund_use}


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in (cell or "").replace("；", ";").split(";") if x.strip())


def library_files(root: Path | None = None) -> list[Path]:
    root = root or data_path("library")
    return sorted(root.glob("common/*.csv")) + sorted(root.glob("sectors/*.csv"))


def read_entries(path: Path) -> tuple[list[Entry], list[str]]:
    """Entries of one library file and the problems met reading it."""
    problems: list[str] = []
    text = path.read_text(encoding="utf-8-sig")
    if not text.strip():
        return [], []  # an empty sector file waiting for its issue
    rows = list(csv.reader(text.splitlines()))
    header = tuple(h.strip() for h in rows[0])
    if header != COLUMNS:
        return [], [f"{path.name}: 表头应为 {','.join(COLUMNS)}"]
    out = []
    for n, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(COLUMNS):
            problems.append(f"{path.name}:{n}: 列数为 {len(row)}，应为 {len(COLUMNS)}")
            continue
        d = dict(zip(COLUMNS, (c.strip() for c in row)))
        out.append(Entry(d["id"], d["level1"], d["level2"], d["name"], d["nature"], d["unit"], d["direction"],
                         d["target"], d["standard"], d["explanation"], _split(d["keywords"]), _split(d["kinds"]),
                         d["sector"], d["func_class"], d["fund_use"], file=path.name, line=n))
    return out, problems


class Library:
    def __init__(self, entries: list[Entry], files: list[Path], problems: list[str] | None = None):
        self.entries = entries
        self.files = files
        self.read_problems = problems or []
        self.by_id = {e.id: e for e in entries}

    @classmethod
    def load(cls, root: Path | None = None, extra: list[Entry] | None = None) -> "Library":
        """The library files under `root` (default data/library), plus `extra` entries (those an engine
        version took from approved tables). Reads files only: nothing else is merged in."""
        files = library_files(root)
        entries, problems = [], []
        for f in files:
            es, ps = read_entries(f)
            entries.extend(es)
            problems.extend(ps)
        seen = {e.id for e in entries}
        return cls(entries + [e for e in extra or [] if e.id not in seen], files, problems)

    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for f in self.files:
            h.update(f.name.encode())
            h.update(f.read_bytes())
        for e in self.entries:
            if e.origin != "library":
                h.update(repr(e.to_dict()).encode())
        return h.hexdigest()[:16]

    def __len__(self) -> int:
        return len(self.entries)


# ---------------------------------------------------------------- the library check
@dataclass
class CheckReport:
    ok: bool
    total: int
    common_total: int
    by_category: dict[str, int]
    by_sector: dict[str, int]
    by_slot: dict[str, int]
    problems: list[str]
    by_group_slot: dict[str, dict[str, int]]

    def to_dict(self) -> dict:
        return {"ok": self.ok, "total": self.total, "common_total": self.common_total,
                "by_category": self.by_category, "by_sector": self.by_sector, "by_slot": self.by_slot,
                "problems": self.problems, "by_group_slot": self.by_group_slot}


def _where(e: Entry) -> str:
    return f"{e.file}:{e.line} {e.id}"


def _overlap_problems(entries: list[Entry]) -> list[str]:
    """Problems between files: a name (compared by norm_key) copied into several sector files or from
    the common part into a sector file, and one name filed under different slots. Generic construction,
    procurement, training and meeting indicators belong once in the common part, with their kinds; a
    copy in every sector file crowds out the sector's own indicators and drifts apart from the original."""
    by_key: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.name:
            by_key[norm_key(e.name)].append(e)
    problems = []
    for same in by_key.values():
        common = [e for e in same if e.is_common]
        sector = [e for e in same if not e.is_common]
        if common:
            for e in sector:
                problems.append(f"{_where(e)}“{e.name}”：与共性指标 {common[0].id}（{common[0].file}）同名；"
                                f"行业文件不应复制共性指标，请删除或改写为本行业特有的指标")
        elif len({e.file for e in sector}) > 1:
            listed = "、".join(_where(e) for e in sector)
            problems.append(f"“{sector[0].name}”在多个行业文件中重复：{listed}；通用指标应只在共性部分保留一条"
                            f"（注明适用项目类别），行业文件只保留本行业特有的指标")
        slots = {e.slot_key for e in same}
        if len(slots) > 1:
            listed = "、".join(f"{_where(e)}（{e.slot_key}）" for e in same)
            problems.append(f"“{same[0].name}”归入了不同的指标层级：{listed}；同一指标应只归一个层级")
    return problems


def check_library(lib: Library) -> CheckReport:
    fw = framework()
    slots = {s.key for s in fw.slots}
    kind_names = {k.name for k in kinds()}
    sector_names = [s.name for s in sectors()]
    problems = list(lib.read_problems)
    ids = Counter(e.id for e in lib.entries)
    problems += [f"编号重复：{i}（{n}次）" for i, n in ids.items() if n > 1]
    groups: dict[str, list[Entry]] = defaultdict(list)
    for e in lib.entries:
        if e.origin != "library":
            continue  # proposals from approved tables are checked by their keeper, not by this check
        where = f"{e.file}:{e.line} {e.id}“{e.name}”"
        if e.slot_key not in slots:
            problems.append(f"{where}：一级/二级指标“{e.slot_key}”不是规范名称")
        if not e.name:
            problems.append(f"{where}：缺少三级指标名称")
        if e.nature not in ("定量", "定性"):
            problems.append(f"{where}：指标性质应为 定量 或 定性")
        if e.nature == "定量" and not e.unit:
            problems.append(f"{where}：定量指标缺少计量单位")
        if e.direction not in DIRECTIONS:
            problems.append(f"{where}：方向应为 ≥ ≤ = 或 定性")
        if e.standard not in STANDARDS:
            problems.append(f"{where}：标准来源应为 {'/'.join(STANDARDS)}")
        if len(e.explanation) < 6:
            problems.append(f"{where}：缺少指标解释")
        if not e.keywords:
            problems.append(f"{where}：缺少检索关键词")
        unknown = [k for k in e.kinds if k not in kind_names]
        if unknown:
            problems.append(f"{where}：未知项目类别 {'、'.join(unknown)}")
        if e.sector and e.sector not in sector_names:
            problems.append(f"{where}：未知行业“{e.sector}”")
        t = parse_target(e.target, e.name, e.unit)
        if t.kind == EMPTY:
            problems.append(f"{where}：缺少典型目标值")
        elif e.nature == "定量" and t.kind not in (QUANT, DATE, YESNO):
            problems.append(f"{where}：典型目标值“{e.target}”无法解析为定量值")
        elif t.vague or t.multiple:
            problems.append(f"{where}：典型目标值“{e.target}”模糊或含多个值")
        if SUBSIDY_STANDARD.search(e.name) and (e.direction == "≤" or e.target.startswith(("≤", "<", "不超过", "不高于"))):
            problems.append(f"{where}：补助/补贴标准写成了上限“{e.target}”；发放标准按政策执行，"
                            f"应写作 = 或 ≥（如 ≥190元/人·月），方向与目标值一并修改")
        groups[e.group].append(e)
    problems += _overlap_problems([e for g in groups.values() for e in g])
    for group, entries in groups.items():
        grams = [bigrams(e.name) for e in entries]
        for i in range(len(entries)):
            for j in range(i + 1, len(entries)):
                if dice_sets(grams[i], grams[j]) >= NEAR_DUPLICATE:
                    problems.append(f"{group}：近似重复 {entries[i].id}“{entries[i].name}” / {entries[j].id}“{entries[j].name}”")
    by_category = {k.name: 0 for k in kinds()}
    by_sector = {s: 0 for s in sector_names}
    by_group_slot: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in (e for e in lib.entries if e.origin == "library"):
        if e.is_common:
            for k in e.kinds[:1]:
                by_category[k] = by_category.get(k, 0) + 1
        else:
            by_sector[e.sector] = by_sector.get(e.sector, 0) + 1
        by_group_slot[e.group][e.level2] += 1
        by_group_slot[e.group][e.level1] += 1
    common_total = sum(1 for e in lib.entries if e.is_common and e.origin == "library")
    # thresholds: the common part (issue 3) and every sector file that has been written (issues 4–6)
    if common_total and common_total < COMMON_MIN_TOTAL:
        problems.append(f"共性指标共 {common_total} 条，少于 {COMMON_MIN_TOTAL} 条")
    for k, n in by_category.items():
        if common_total and n < COMMON_MIN_PER_CATEGORY:
            problems.append(f"共性类别“{k}”只有 {n} 条，少于 {COMMON_MIN_PER_CATEGORY} 条")
        if n:
            gs = by_group_slot[k]
            for need in _RULES["common_required_slots"]:
                if not gs.get(need):
                    problems.append(f"共性类别“{k}”缺少{need}")
    for s, n in by_sector.items():
        if not n:
            continue
        gs = by_group_slot[s]
        for need, minimum in SECTOR_MIN.items():
            have = n if need == "total" else gs.get(need, 0)
            if have < minimum:
                label = "指标总数" if need == "total" else need
                problems.append(f"行业“{s}”{label} {have} 条，少于 {minimum} 条")
    by_slot = {s.key: 0 for s in fw.slots}
    for e in (e for e in lib.entries if e.origin == "library"):
        if e.slot_key in by_slot:
            by_slot[e.slot_key] += 1
    return CheckReport(not problems, sum(1 for e in lib.entries if e.origin == "library"), common_total, by_category, by_sector, by_slot, problems,
                       {g: dict(v) for g, v in by_group_slot.items()})
