"""Evaluation of `jixiao suggest`.

Leave-one-out over the example approved tables: hide a table's indicators, suggest from its name +
description + amount (sector and category not given), with the table itself excluded from the
history signal. Also over the real tables in ../shared/data/raw (name and goal text as description).
A true indicator is found when a candidate in its slot's top 5 is the same indicator or a
near-equivalent (character-bigram Dice ≥ 0.5 after normalisation). Reports recall@5 per slot and
overall, and MRR, for bm25, dense, hybrid and hybrid+history in one run; writes JSON.

    python scripts/eval_suggest.py [--model DIR] [--out build/eval_suggest.json] [--folds 5]
"""
from __future__ import annotations

import argparse
import csv
import sys
import time

import numpy as np
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _report import write_json  # noqa: E402
from engine.model.versions import open_engine  # noqa: E402
from engine.domain.framework import framework  # noqa: E402
from engine.domain.resources import load_json  # noqa: E402
from engine.io.examples import load_example_tables  # noqa: E402
from engine.io.readers import read_file  # noqa: E402
from engine.model.ranker import Query, collect, fit_weights  # noqa: E402
from engine.retrieval.suggest import MODES, Suggester  # noqa: E402
from engine.domain.table import GoalTable, Indicator, Project  # noqa: E402
from engine.domain.text import bigrams, dice_sets  # noqa: E402

K = 5
FOUND_DICE = load_json("thresholds.json")["match_dice"]
RAW = ROOT.parent / "shared" / "data" / "raw"


def truth(table: GoalTable) -> list[tuple[str, str]]:
    return [(i.placement.level2, i.name) for i in table.indicators if i.placement.is_goal and i.placement.level2]


def _score(sg: Suggester, cases, mode: str, acc=None, composition: bool = True) -> dict:
    acc = acc or {"hits": defaultdict(int), "totals": defaultdict(int), "rr": []}
    for project, rows, exclude in cases:
        result = sg.suggest(project, k=K, mode=mode, exclude=exclude, composition=composition)
        by_slot = {s.level2: [bigrams(c.indicator) for c in s.candidates] for s in result.slots}
        for level2, name in rows:
            acc["totals"][level2] += 1
            g = bigrams(name)
            rank = next((n for n, c in enumerate(by_slot.get(level2, []), 1) if dice_sets(g, c) >= FOUND_DICE), 0)
            if rank:
                acc["hits"][level2] += 1
            acc["rr"].append(1.0 / rank if rank else 0.0)
    return acc


def _metrics(acc: dict, n_tables: int) -> dict:
    hits, totals, rr = acc["hits"], acc["totals"], acc["rr"]
    n = sum(totals.values())
    return {"recall@5": round(sum(hits.values()) / n, 4) if n else 0.0, "mrr": round(sum(rr) / len(rr), 4) if rr else 0.0,
            "rows": n, "tables": n_tables,
            "by_slot": {s.level2: round(hits[s.level2] / totals[s.level2], 4) if totals[s.level2] else None
                        for s in framework().slots}}


def evaluate(sg: Suggester, cases, mode: str, composition: bool = True) -> dict:
    """With the engine's weights (fitted on all example tables) — for tables outside them."""
    return _metrics(_score(sg, cases, mode, composition=composition), len(cases))


def with_and_without(sg: Suggester, cases) -> dict:
    """Every mode with goal decomposition, and hybrid+history without it."""
    out = {m: evaluate(sg, cases, m) for m in MODES}
    out["hybrid+history 不分解目标"] = evaluate(sg, cases, "hybrid+history", composition=False)
    return out


def evaluate_cv(sg: Suggester, cases, mode: str, folds: int = 5, seed: int = 0) -> dict:
    """Ranking weights learned on the other folds' tables, measured on each fold's tables."""
    queries = [Query(p, rows, exclude) for p, rows, exclude in cases]
    X, y, qid, gid = collect(sg, queries, mode)
    fold_of = np.random.default_rng(seed).permutation(len(cases)) % folds
    saved = dict(sg.engine.params.get("weights", {}))
    acc = None
    try:
        for f in range(folds):
            train = ~np.isin(qid, np.flatnonzero(fold_of == f))
            w = fit_weights(X[train], y[train], gid[train], mode)
            sg.engine.params["weights"] = {**saved, mode: w}
            acc = _score(sg, [c for c, fo in zip(cases, fold_of) if fo == f], mode, acc)
    finally:
        sg.engine.params["weights"] = saved
    return _metrics(acc, len(cases))


def example_cases() -> list:
    cases = []
    for t in load_example_tables():
        p = t.project
        project = Project(name=p.name, description=p.description, amount=p.amount)
        cases.append((project, truth(t), {p.project_id or p.name, p.name}))
    return cases


EVAL = ROOT / "data" / "eval"
OPTIONAL = ("社会成本指标", "生态环境成本指标", "经济效益指标", "生态效益指标")


def independent_cases(given: bool) -> list:
    """The independent tables of data/eval/independent (not written from the library); with `given`
    the drafter states sector and category, as the page lets them."""
    cases = []
    for f in sorted((EVAL / "independent").glob("*.json")):
        for t in read_file(f).tables:
            p = t.project
            project = Project(name=p.name, description=p.description, goal=p.goal, amount=p.amount,
                              department=p.department, sector=p.sector if given else "",
                              category=p.category if given else "")
            cases.append((project, truth(t), {p.project_id or p.name, p.name}))
    return cases


DEVSET = ROOT / "tests" / "data" / "real"


def published_cases(folder: Path = EVAL / "published", pattern: str = "*.json") -> list:
    """The real published tables transcribed into data/eval/published (name, unit, goal as published);
    with `folder` and `pattern`, those of another transcribed set (the dev set: tests/data/real, CSV)."""
    cases = []
    for f in sorted(folder.glob(pattern)):
        for t in read_file(f).tables:
            p = t.project
            cases.append((Project(name=p.name, description=p.description, goal=p.goal, amount=p.amount,
                                  department=p.department), truth(t), set()))
    return cases


def false_alarms(sg: Suggester, cases) -> dict:
    """Optional slots (社会/生态环境成本, 经济/生态效益) the true table leaves empty in which a candidate
    is recommended, as a share of such slots."""
    empty = alarms = 0
    for project, rows, exclude in cases:
        used = {l2 for l2, _ in rows}
        res = sg.suggest(project, k=K, exclude=exclude)
        for s in res.slots:
            if s.level2 in OPTIONAL and s.level2 not in used:
                empty += 1
                alarms += any(getattr(c, "recommended", True) for c in s.candidates)
    return {"empty_optional_slots": empty, "with_recommended": alarms,
            "false_alarm_rate": round(alarms / empty, 4) if empty else 0.0}


def real_cases() -> list:
    cases = []
    raptor = RAW / "weAIDB__ST-Raptor"
    for f in ("1.xlsx", "40.xlsx", "17.xlsx", "72.xlsx"):
        if (raptor / f).exists():
            for t in read_file(raptor / f).tables:
                cases.append((Project(name=t.project.name, description=t.project.goal, amount=t.project.amount),
                              truth(t), set()))
    kpi = RAW / "hktianyi__Meeting" / "task_kpi_jsp_tables__extracted.csv"
    if kpi.exists():
        groups: dict[str, list[Indicator]] = defaultdict(list)
        with open(kpi, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                groups[row["项目支出绩效评价表名称"]].append(
                    Indicator(row["一级指标"], row["二级指标"], row["三级指标"], row["目标值(标准)"], row["计量单位"]))
        for name, inds in groups.items():
            title = name.replace("支出绩效评价表", "").replace("绩效评价表", "")
            cases.append((Project(name=title), truth(GoalTable(Project(name=title), inds)), set()))
    return cases


def table(results: dict, label: str) -> str:
    slots = [s.level2.replace("指标", "") for s in framework().slots]
    lines = [f"\n{label}", f"{'方法':<16}{'recall@5':>9}{'MRR':>8}  " + " ".join(f"{s[:4]:>6}" for s in slots)]
    for mode, r in results.items():
        per = " ".join(f"{'' if v is None else format(v, '.2f'):>6}" for v in r["by_slot"].values())
        lines.append(f"{mode:<16}{r['recall@5']:>9.3f}{r['mrr']:>8.3f}  {per}".replace("hybrid+history 不分解目标", "不分解目标     "))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="推荐效果评估（留一法）")
    ap.add_argument("--model", help="引擎目录（默认：当前在用的版本）")
    ap.add_argument("--out", default="build/eval_suggest.json")
    ap.add_argument("--folds", type=int, default=5, help="学习排序权重的交叉验证折数（默认 5）")
    ap.add_argument("--sets", default="examples,independent,real,devset",
                    help="评估哪些表：examples（示例表留一法）、independent（独立表）、real（真实表）、"
                         "devset（真实表开发集 tests/data/real），逗号分隔")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    engine = open_engine(model=args.model, progress=lambda m: print(m, file=sys.stderr))
    sg = Suggester(engine)
    cases = example_cases()
    out = {"rule": f"top-{K} per slot, found when bigram Dice >= {FOUND_DICE}", "model": engine.version,
           "encoder": engine.manifest["encoder"]["spec"], "params": engine.params}
    if "examples" in args.sets:
        out["examples"] = {m: evaluate_cv(sg, cases, m, args.folds) for m in MODES}
        out["examples_hand_weights"] = {}
        saved = dict(engine.params.get("weights", {}))
        engine.params["weights"] = {}
        out["examples_hand_weights"]["hybrid+history"] = evaluate(sg, cases, "hybrid+history")
        engine.params["weights"] = saved
        print(table(out["examples"], f"示例批复表留一法（{len(cases)} 张表，{out['examples']['hybrid']['rows']} 个指标；"
                                     f"排序权重{args.folds}折交叉学习）"))
        print(table(out["examples_hand_weights"], "对照：手工权重（data/ranking.json）"))
    if "independent" in args.sets:
        for given in (True, False):
            ic = independent_cases(given)
            if not ic:
                break
            key = "independent_given" if given else "independent_blind"
            out[key] = with_and_without(sg, ic)
            out[key + "_false_alarms"] = false_alarms(sg, ic)
            print(table(out[key], f"独立表（data/eval/independent，{len(ic)} 张表，{out[key]['hybrid']['rows']} 个指标；"
                                  + ("行业和类别已给出）" if given else "行业和类别不给出）")))
            fa = out[key + "_false_alarms"]
            print(f"可选二级指标误报：{fa['with_recommended']}/{fa['empty_optional_slots']} = {fa['false_alarm_rate']:.1%}")
    if "real" in args.sets:
        pc = published_cases()
        if pc:
            out["published"] = with_and_without(sg, pc)
            out["published_false_alarms"] = false_alarms(sg, pc)
            print(table(out["published"], f"转录的真实公开表（data/eval/published，{len(pc)} 张表，"
                                          f"{out['published']['hybrid']['rows']} 个指标）"))
    dc = published_cases(DEVSET, "*.csv") if "devset" in args.sets else []
    if dc:
        out["real_devset"] = with_and_without(sg, dc)
        out["real_devset_false_alarms"] = false_alarms(sg, dc)
        print(table(out["real_devset"], f"真实表开发集（tests/data/real，{len(dc)} 张表，"
                                        f"{out['real_devset']['hybrid']['rows']} 个指标）"))
    rc = real_cases() if "real" in args.sets else []
    if rc:
        out["real"] = with_and_without(sg, rc)
        print(table(out["real"], f"真实表（shared/data/raw，{len(rc)} 张表，{out['real']['hybrid']['rows']} 个指标）"))
    elif "real" in args.sets:
        print("\n真实表：未找到 ../shared/data/raw，跳过。")
    out["seconds"] = round(time.perf_counter() - t0, 1)
    write_json(args.out, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
