"""Retraining on newly approved goal tables (`jixiao train`): the approved tables join the history,
indicators the library lacks are proposed (proposals.csv of the new version), target statistics, the
level classifier, a query adapter for the sentence vectors and the ranking weights are refitted (the
review thresholds are kept), and the result is a new engine version — put in use only if its held-out
recall does not fall (unless forced). Training writes nothing but the new version's directory (and,
when the version is under paths.models and promoted, the CURRENT pointer). Every version is written to
a temporary directory and renamed; the pointer is replaced atomically, so a crash leaves the previous
version in use."""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from engine.domain.history import EntryLinker, HistoryTable, history_from_tables
from engine.domain.library import Library
from engine.model.build import fit_engine
from engine.model.component import even_sample
from engine.model.engine import Engine
from engine.model.proposals import PROPOSALS_FILE, Proposal, active_entries, dump_proposals, load_proposals, merge
from engine.model.store import save_engine
from engine.model.versions import next_version, open_engine, use_version
from engine.paths import Paths
from engine.io.readers import InputError, expand_paths, read_file
from engine.domain.resources import load_json
from engine.domain.table import GoalTable, Project
from engine.domain.targets import parse_target
from engine.domain.text import bigrams, dice_sets

MIN_ROWS = 3
MAX_CHECK = 300   # held-out tables the promotion check measures at most


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
    switched: bool = False     # the CURRENT pointer now names this version
    weights: str = ""          # 重新学习 | 沿用 <parent>

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
        skipped.extend(res.warnings)  # rows the reader itself skipped (no 三级指标, cut off) are named too
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
def propose(engine: Engine, approved: list[HistoryTable], props: list[Proposal]) -> int:
    """Approved rows linked to no library entry and not close (by embedding) to one of the same slot
    become or strengthen proposals in `props` (changed in place), clustered by meaning
    (proposals.merge). Returns how many are new."""
    cfg = load_json("training.json")
    before = len(props)
    today = dt.date.today().isoformat()
    groups: dict[tuple[str, str], list] = {}
    for t in approved:
        for r in t.rows:
            if not r.entry_id:
                groups.setdefault((r.level2, r.name), []).append((t, r))
    if not groups:
        return 0
    names = list(dict.fromkeys([name for _, name in groups] + [p.name for p in props]))
    vec = dict(zip(names, engine.encoder.encode(names))) if engine.encoder.dim else {}
    slot_of = np.array([e.level2 for e in engine.entries])
    similar = (lambda a, b: float(vec[a] @ vec[b]) if a in vec and b in vec else 0.0) if vec else None
    for (level2, name), uses in groups.items():
        same = slot_of == level2
        if vec and same.any() and float((engine.name_vectors[same] @ vec[name]).max()) >= cfg["new_entry_cosine"]:
            continue  # the library already has it under another wording
        t, r = uses[0]
        origin = "；".join(dict.fromkeys(u.name for u, _ in uses[:5]))
        merge(props, r.level1, level2, name, parse_target(r.value, name).unit, r.value, origin, today,
              similar, n=len(uses))
    return len(props) - before


# ---------------------------------------------------------------- held-out measurement
def holdout_recall(engine: Engine, tables: list[HistoryTable], leave_out: bool = True) -> float:
    """recall@5 of the held-out approved tables' indicators (eval_suggest's rule), each table left out
    of the history signals (unless `leave_out` is False: suggesting for a project already approved)."""
    from engine.retrieval.suggest import Suggester

    sg = Suggester(engine)
    found = load_json("thresholds.json")["match_dice"]
    hits = total = 0
    for t in tables:
        res = sg.suggest(Project(name=t.name, description=t.description, goal=t.goal, amount=t.amount,
                                 department=t.department, year=t.year), k=5,
                         exclude={t.table_id, t.name} if leave_out else set())
        by_slot = {s.level2: [bigrams(c.indicator) for c in s.candidates] for s in res.slots}
        for r in t.rows:
            total += 1
            g = bigrams(r.name)
            hits += any(dice_sets(g, c) >= found for c in by_slot.get(r.level2, []))
    return round(hits / total, 4) if total else 0.0


# ---------------------------------------------------------------- the whole run
def _library(old: Engine, props: list[Proposal]) -> Library:
    """The parent's library entries plus the proposals suggestion may use (accepted, or approved often
    enough), the parent's earlier approved entries where no proposal replaces them."""
    active = active_entries(props)
    taken = {e.id for e in active}
    extra = active + [e for e in old.entries if e.origin != "library" and e.id not in taken]
    return Library([e for e in old.entries if e.origin == "library"] + extra, [])


def train(paths: Paths, inputs: list[str], out: str | None = None, force: bool = False, progress=None,
          base: Engine | None = None, adapter: bool | None = None, full: bool = False) -> TrainReport:
    """A new engine version from the approved tables in `inputs` (see the module docstring); `adapter`
    overrides data/training.json's choice of learning a query adapter; `full` refits the learned
    components whatever the history's growth."""
    t0 = time.perf_counter()
    say = progress or (lambda m: None)
    cfg = load_json("training.json")
    old = base or open_engine(paths, progress=progress)
    say("读取批复表")
    tables, skipped, read_inputs = read_approved(inputs)
    if not tables:
        more = f"；另有{len(skipped) - 20}条" if len(skipped) > 20 else ""
        raise InputError(", ".join(inputs), "没有可用的批复表，什么也没有改动" +
                         ("。跳过原因：" + "；".join(skipped[:20]) + more if skipped else ""))
    linker = EntryLinker(old.entries)
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    approved = history_from_tables(tables, linker, "approved")
    for n, t in enumerate(approved):
        t.table_id = t.table_id if not t.table_id.startswith("approved-") else f"A{stamp}-{n}"
    keys = {(t.table_id, t.name) for t in approved}
    kept = [t for t in old.history if (t.table_id, t.name) not in keys]
    name = Path(out).name if out else next_version(paths)
    path = Path(out) if out else paths.models / name
    # every n-th approved table is held out: the candidate version learns nothing from it (history,
    # statistics, proposals, weights), so the promotion check measures it on tables it has never seen
    held = approved[:: max(1, int(cfg["holdout_every"]))]
    held_ids = {id(t) for t in held}
    learned = [t for t in approved if id(t) not in held_ids]
    say("比对指标库，生成新增指标建议")
    props = load_proposals(old.path / PROPOSALS_FILE) if old.path else []
    new_props = propose(old, learned, props)
    library = _library(old, props)
    say(f"训练新版本 {name}（批复表 {len(kept) + len(learned)} 张，另留出 {len(held)} 张用于检验）")
    use_adapter = cfg.get("adapter", False) if adapter is None else adapter
    # the review thresholds stay those of the version in use: they were calibrated on the clean example
    # tables, and recalibrating on a history that grows with every season would move what counts as a
    # finding (and the detection rates reviewers rely on) from one version to the next
    common = dict(library=library, calibration=old.components.get("calibration"), progress=progress)
    candidate = fit_engine(paths, old.manifest["encoder"]["spec"], history_tables=kept + learned,
                           learn_adapter=use_adapter, parent=old,
                           refit=True if full else None, **common)
    say("在留出的批复表上比较新旧版本")
    check = even_sample(held, MAX_CHECK)
    before, after = holdout_recall(old, check), holdout_recall(candidate, check)
    choice = {}
    if candidate.manifest["refitted"] and not full:
        # relearned weights must earn their place: the same history with the parent's weights is
        # measured on the same held-out tables, and the better of the two is kept
        plain = fit_engine(paths, old.manifest["encoder"]["spec"], history_tables=kept + learned, parent=old,
                           refit=False, **common)
        plain_after = holdout_recall(plain, check)
        choice = {"recall@5_relearned": after, "recall@5_parent_weights": plain_after}
        if plain_after >= after:  # a tie keeps the parent's weights
            candidate, after = plain, plain_after
    drop_ok = after >= before - float(cfg["max_drop"])
    promoted = drop_ok or force
    reason = ("留出集召回率未下降" if drop_ok else "留出集召回率下降，按要求强制启用" if force
              else f"留出集召回率由 {before} 降至 {after}，未启用（可用 --force 强制启用）")
    say(f"留出的 {len(check)} 张批复表：recall@5 {before} → {after}（{reason}）")
    # once checked, the held-out tables join the history and the proposals too (their rows are suggested
    # from now on); the learned weights stay those the check measured
    new = candidate
    if held:
        new_props += propose(old, held, props)
        common["library"] = _library(old, props)
        new = fit_engine(paths, old.manifest["encoder"]["spec"], history_tables=kept + approved, parent=candidate,
                         refit=False, **common)
    new.manifest.update({
        "trained": True, "parent": old.version, "inputs": read_inputs,
        "fitted_tables": candidate.manifest["fitted_tables"], "refitted": candidate.manifest["refitted"],
        "added": {"tables": len(approved), "rows": sum(len(t.rows) for t in approved),
                  "replaced": len(old.history) - len(kept), "proposals_new": new_props},
        "changes": {"tables_added": len(approved), "tables_held_out": len(held), "proposals_new": new_props,
                    "weights": "重新学习" if candidate.manifest["refitted"] else f"沿用 {old.version}",
                    "entries_from_proposals": sum(1 for e in new.entries if e.origin != "library")},
        "adapter": "adapter" in new.components,
        "metrics": {"holdout_tables": len(check), "recall@5_before": before, "recall@5_after": after,
                    "query_adapter": "adapter" in new.components, "holdout_excluded_from_training": True,
                    **choice},
        "promoted": promoted})
    save_engine(new, path, proposals=dump_proposals(props) if props else b"")
    switched = promoted and path.parent.resolve() == paths.models.resolve()
    if switched:
        use_version(paths, path.name, check=False)
    in_use = sum(1 for e in new.entries if e.origin != "library")
    return TrainReport(name, str(path), promoted, reason, sum(i["tables"] for i in read_inputs), len(approved), skipped,
                       new_props, in_use, new.manifest["metrics"], round(time.perf_counter() - t0, 1), switched,
                       new.manifest["changes"]["weights"])
