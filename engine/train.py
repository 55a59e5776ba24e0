"""Retraining on newly approved goal tables (`jixiao train`): the approved tables join the history,
indicators the library lacks are proposed (data/proposals.csv), target statistics, the level
classifier, a query adapter for the sentence vectors and the ranking weights are refitted (the review
thresholds are kept), and the result is a new engine version under models/ — put in use only if its held-out recall does not fall (unless forced). Every
version is written to a temporary directory and renamed; the pointer to the version in use is
replaced atomically, so a crash leaves the previous version in use."""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

import engine.engine as _eng
from engine.engine import Engine, EngineError
from engine.history import EntryLinker, HistoryTable, history_from_tables
from engine.library import Library
import engine.proposals as _proposals
from engine.proposals import dump_proposals, load_proposals, merge
from engine.readers import InputError, expand_paths, read_file
from engine.resources import load_json
from engine.table import GoalTable, Project
from engine.text import bigrams, dice_sets
from engine.writers import atomic_write

MIN_ROWS = 3


@dataclass
class TrainReport:
    version: str
    path: str
    promoted: bool
    reason: str
    tables_read: int
    tables_used: int
    skipped: list[str] = field(default_factory=list)
    proposals_new: int = 0
    proposals_in_use: int = 0
    metrics: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- reading approved tables
def read_approved(paths: list[str]) -> tuple[list[GoalTable], list[str], list[dict]]:
    """Usable approved tables, the reasons for what was skipped, and the inputs with their hash."""
    tables, skipped, inputs = [], [], []
    files = expand_paths(paths)
    if not files:
        raise InputError(", ".join(paths) or "（无）", "没有找到批复表文件（支持 .csv .xlsx .json 或文件夹）")
    for f in files:
        try:
            res = read_file(f)
        except InputError as e:
            skipped.append(f"{e}（整个文件跳过）")
            continue
        inputs.append({"file": str(f), "sha256": hashlib.sha256(Path(f).read_bytes()).hexdigest()[:16],
                       "tables": len(res.tables)})
        for t in res.tables:
            keep = []
            for n, ind in enumerate(t.indicators, 1):
                where = f"{f}：{t.project.name} 第{n}个指标“{ind.name}”"
                if not ind.placement.is_goal:
                    skipped.append(f"{where}：不是绩效目标指标（{ind.placement.written}），跳过")
                elif not ind.placement.level2:
                    skipped.append(f"{where}：无法识别一级/二级指标“{ind.placement.written}”，跳过")
                elif ind.target.kind == "empty":
                    skipped.append(f"{where}：指标值为空，跳过")
                else:
                    keep.append(ind)
            if len(keep) < MIN_ROWS:
                skipped.append(f"{f}：{t.project.name}：可用指标不足{MIN_ROWS}个，整表跳过")
                continue
            t.indicators = keep
            tables.append(t)
    return tables, skipped, inputs


# ---------------------------------------------------------------- proposals
def propose(engine: Engine, approved: list[HistoryTable]) -> int:
    """Approved rows linked to no library entry and not close (by embedding) to one of the same slot
    become or strengthen proposals in data/proposals.csv. Returns how many proposals are new."""
    cfg = load_json("training.json")
    props = load_proposals()
    before = len(props)
    today = dt.date.today().isoformat()
    rows = [(t, r) for t in approved for r in t.rows if not r.entry_id]
    if not rows:
        return 0
    if engine.encoder.dim:
        V = engine.encoder.encode([r.name for _, r in rows])
        S = V @ engine.name_vectors.T
    else:
        S = np.zeros((len(rows), len(engine.entries)), np.float32)
    slot_of = np.array([e.level2 for e in engine.entries])
    for k, (t, r) in enumerate(rows):
        same = slot_of == r.level2
        if same.any() and float(S[k][same].max()) >= cfg["new_entry_cosine"]:
            continue  # the library already has it under another wording
        from engine.targets import parse_target

        unit = parse_target(r.value, r.name).unit
        merge(props, r.level1, r.level2, r.name, unit, r.value, t.name, today)
    atomic_write(_proposals.proposals_path(), dump_proposals(props))
    return len(props) - before


# ---------------------------------------------------------------- versions
def next_version(root: Path | None = None) -> str:
    root = root or _eng.MODELS_DIR
    nums = [int(p.name[1:]) for p in root.glob("v[0-9]*") if p.name[1:].isdigit()]
    return f"v{max(nums, default=0) + 1:03d}"


def use_version(name: str, root: Path | None = None) -> Path:
    root = root or _eng.MODELS_DIR
    path = root / name
    if not (path / "manifest.json").exists():
        raise EngineError(f"没有这个引擎版本：{name}（可用 jixiao models list 查看）")
    Engine.load(path, warm=False)  # never point at a version that does not load
    atomic_write(root / "CURRENT", (name + "\n").encode("utf-8"))
    return path


def list_versions(root: Path | None = None) -> list[dict]:
    import json

    root = root or _eng.MODELS_DIR
    current = ""
    if (root / "CURRENT").exists():
        current = (root / "CURRENT").read_text(encoding="utf-8").strip()
    out = []
    for p in sorted(root.iterdir()) if root.exists() else []:
        if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").exists():
            m = json.loads((p / "manifest.json").read_text(encoding="utf-8"))
            out.append({"version": p.name, "created": m.get("created", ""), "in_use": p.name == (current or "base"),
                        "parent": m.get("parent", ""), "counts": m.get("counts", {}),
                        "metrics": m.get("metrics", {}), "promoted": m.get("promoted")})
    return out


# ---------------------------------------------------------------- held-out measurement
def holdout_recall(engine: Engine, tables: list[HistoryTable]) -> float:
    """recall@5 of the held-out approved tables' indicators (eval_suggest's rule), each table left out
    of the history signals."""
    from engine.suggest import Suggester

    sg = Suggester(engine)
    hits = total = 0
    for t in tables:
        res = sg.suggest(Project(name=t.name, description=t.description, amount=t.amount), k=5,
                         exclude={t.table_id, t.name})
        by_slot = {s.level2: [bigrams(c.indicator) for c in s.candidates] for s in res.slots}
        for r in t.rows:
            total += 1
            g = bigrams(r.name)
            hits += any(dice_sets(g, c) >= 0.5 for c in by_slot.get(r.level2, []))
    return round(hits / total, 4) if total else 0.0


# ---------------------------------------------------------------- the whole run
def train(paths: list[str], out: str | None = None, force: bool = False, progress=None,
          base: Engine | None = None, adapter: bool | None = None) -> TrainReport:
    """A new engine version from approved tables (see the module docstring); `adapter` overrides
    data/training.json's choice of learning a query adapter."""
    t0 = time.perf_counter()
    say = progress or (lambda m: None)
    cfg = load_json("training.json")
    old = base or Engine.open(progress=progress)
    say("读取批复表")
    tables, skipped, inputs = read_approved(paths)
    if not tables:
        raise InputError(", ".join(paths), "没有可用的批复表（见跳过原因）" + ("：" + skipped[0] if skipped else ""))
    linker = EntryLinker(old.entries)
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    approved = history_from_tables(tables, linker, "approved")
    for n, t in enumerate(approved):
        t.table_id = t.table_id if not t.table_id.startswith("approved-") else f"A{stamp}-{n}"
    say("比对指标库，生成新增指标建议")
    new_props = propose(old, approved)
    library = Library.load(extra=[e for e in old.entries if e.origin != "library"])
    keys = {(t.table_id, t.name) for t in approved}
    history = [t for t in old.history if (t.table_id, t.name) not in keys] + approved
    name = Path(out).name if out else next_version()
    path = Path(out) if out else _eng.MODELS_DIR / name
    say(f"训练新版本 {name}（批复表 {len(history)} 张）")
    manifest = {"trained": True, "parent": old.version, "inputs": inputs,
                "added": {"tables": len(approved), "rows": sum(len(t.rows) for t in approved),
                          "proposals_new": new_props}}
    # the review thresholds stay those of the version in use: they were calibrated on the clean example
    # tables, and recalibrating on a history that grows with every season would move what counts as a
    # finding (and the detection rates reviewers rely on) from one version to the next
    keep = {"calibration": old.params["calibration"]} if old.params.get("calibration") else {}
    held = approved[:: max(1, int(cfg["holdout_every"]))]
    use_adapter = cfg.get("adapter", False) if adapter is None else adapter
    new = Engine.build(path, old.manifest["encoder"]["spec"], library=library, history_tables=history,
                       progress=progress, extra_manifest=manifest, params=keep,
                       adapter_exclude={k for t in held for k in (t.table_id, t.name)} if use_adapter else None)
    new.manifest["adapter"] = new.entry_index.adapter is not None  # too few approved tables: none
    say("在留出的批复表上比较新旧版本")
    before, after = holdout_recall(old, held), holdout_recall(new, held)
    drop_ok = after >= before - float(cfg["max_drop"])
    promoted = drop_ok or force
    reason = ("留出集召回率未下降" if drop_ok else "留出集召回率下降，按要求强制启用" if force
              else f"留出集召回率由 {before} 降至 {after}，未启用（可用 --force 强制启用）")
    new.manifest.update({"metrics": {"holdout_tables": len(held), "recall@5_before": before, "recall@5_after": after,
                                     "query_adapter": new.manifest["adapter"]},
                         "promoted": promoted})
    new.save(path)
    if promoted and path.parent.resolve() == _eng.MODELS_DIR.resolve():
        use_version(path.name)
    in_use = sum(1 for e in new.entries if e.origin != "library")
    return TrainReport(name, str(path), promoted, reason, sum(i["tables"] for i in inputs), len(approved), skipped,
                       new_props, in_use, new.manifest["metrics"], round(time.perf_counter() - t0, 1))
