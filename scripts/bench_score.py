"""Throughput of reading and rule-checking goal tables.

Generates N tables of R rows in the bulk long CSV format (realistic forms and repetition of indicator
texts, some defects), then times: reading the CSV, parsing every target and running the rule checks
on one core (`rules`), and full scoring with the model checks on all cores (`full`: every distinct text
embedded once, level classifier, relevance, candidates), beside the bare encoder's time on the
distinct texts in the same run. Prints a table and writes JSON.

    python scripts/bench_score.py [--tables 10000] [--rows 15] [--model DIR] [--rules-only] [--baseline CHECKOUT]

With --baseline, another checkout (the commit before an optimisation) runs the same benchmark first, in
the same run, and both are printed side by side: absolute times on a shared machine are noisy, ratios
measured together are not.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.io.readers import read_file  # noqa: E402
from engine.review.reviewer import Reviewer  # noqa: E402
from engine.domain.targets import _parse  # noqa: E402
from _report import write_json  # noqa: E402

ROWS = [  # level1, level2, indicator, typical values (drafters write the same thing in many ways)
    ("产出指标", "数量指标", "培训人次", ["≥500人次", "不少于300人次", "1200人次", "≥800"]),
    ("产出指标", "数量指标", "举办培训班期数", ["≥6期", "=4期", "至少3期"]),
    ("产出指标", "数量指标", "购置设备数量", ["=16台", "20台套", "≥10台"]),
    ("产出指标", "数量指标", "受益人数", ["≥2000人", "5000人", "1600人、200人"]),
    ("产出指标", "数量指标", "巡查检查次数", ["≥24次", "每月不少于2次", "按要求开展"]),
    ("产出指标", "质量指标", "验收合格率", ["100%", "≥95%", "1", "0.98"]),
    ("产出指标", "质量指标", "培训考核合格率", ["≥95%", "≧90%", "不低于90%"]),
    ("产出指标", "质量指标", "补贴发放准确率", ["100%", "≥98%", "有效提升"]),
    ("产出指标", "时效指标", "项目完成时间", ["12月底前", "2026年11月30日前", "年底前"]),
    ("产出指标", "时效指标", "资金拨付及时率", ["≥95%", "100%", "0.95"]),
    ("成本指标", "经济成本指标", "人均培训成本", ["≤550元/人·天", "≤300元/人", "控制在400元以内"]),
    ("成本指标", "经济成本指标", "项目总成本", ["≤120万元", "≤80万元", "不超过200万元"]),
    ("效益指标", "社会效益指标", "群众知晓率", ["≥85%", "≥80%", "明显提升"]),
    ("效益指标", "社会效益指标", "服务覆盖率", ["≥90%", "较上年提高", "100%"]),
    ("效益指标", "经济效益指标", "带动就业人数", ["≥300人", "500人", "≥1000"]),
    ("效益指标", "生态效益指标", "垃圾减量率", ["≥10%", "≥5%"]),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", ["≥90%", "≥85%", "≥75%", "0.95"]),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", ["≥95%", "≥90%"]),
]
NAMES = ["社区", "乡镇", "全市", "县级", "城区", "农村"]
WORK = ["健康培训", "设备购置", "道路维修", "就业补助", "文化活动", "执法检查", "信息系统运维", "课题研究"]


def generate(path: Path, n_tables: int, n_rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目编号", "项目名称", "项目金额（万元）", "年度绩效目标", "一级指标", "二级指标", "三级指标", "指标值"])
        for t in range(n_tables):
            name = f"{rnd.choice(NAMES)}{rnd.choice(WORK)}项目{t % 500}"
            goal = "年内完成主要任务，服务对象满意度达到90%以上。" if rnd.random() > 0.1 else ""
            amount = rnd.choice([20, 50, 80, 120, 300, 1000])
            rows = rnd.sample(ROWS, k=min(n_rows, len(ROWS)))
            while len(rows) < n_rows:
                rows.append(rnd.choice(ROWS))
            for l1, l2, ind, values in rows:
                w.writerow([f"B{t:06d}", name, amount, goal, l1, l2, ind, rnd.choice(values)])


def measure(args) -> dict:
    """One run of this checkout's engine: reading, rules alone, and (unless rules_only) full scoring."""
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "bulk.csv"
        generate(src, args.tables, args.rows)
        _parse.cache_clear()
        t0, c0 = time.perf_counter(), time.process_time()
        tables = read_file(src, max_mb=1000).tables
        t1, c1 = time.perf_counter(), time.process_time()
        reviewer = Reviewer()
        reviews = [reviewer.review(t) for t in tables]
        t2, c2 = time.perf_counter(), time.process_time()
    n_rows = sum(r.indicator_count for r in reviews)
    result = {"tables": len(reviews), "rows": n_rows, "read_s": round(t1 - t0, 3), "rules_s": round(t2 - t1, 3),
              "rules_total_s": round(t2 - t0, 3), "rules_tables_per_s": round(len(reviews) / (t2 - t0), 1),
              "rules_only_tables_per_s": round(len(reviews) / (t2 - t1), 1),
              "rules_cpu_tables_per_s": round(len(reviews) / max(c2 - c1, 1e-6), 1),
              "read_cpu_s": round(c1 - c0, 3),
              "findings_rules": sum(len(r.findings) for r in reviews),
              "total_rules": round(sum(r.total for r in reviews), 1), "target_rules_s": 20.0}
    if args.rules_only:
        return result
    from engine.service.api import make_reviewer
    from engine.review.bulk import review_all
    from engine.model.versions import open_engine

    engine = open_engine(model=args.model, progress=lambda m: print(m, file=sys.stderr))
    reviewer = make_reviewer(engine)
    texts = reviewer.model.embed_texts(tables)  # exactly the distinct texts full scoring embeds
    inner = engine.encoder.inner if hasattr(engine.encoder, "inner") else engine.encoder
    t3 = time.perf_counter()
    inner.encode(texts)
    t4 = time.perf_counter()
    full = review_all(tables, reviewer)
    t5 = time.perf_counter()
    result.update({"full_s": round(t5 - t4, 3), "full_tables_per_s": round(len(full) / (t5 - t4), 1),
                   "distinct_texts": len(texts), "bare_encoder_s": round(t4 - t3, 3),
                   "full_over_encoder": round((t5 - t4) / max(t4 - t3, 1e-6), 2),
                   "findings_full": sum(len(r.findings) for r in full),
                   "total_full": round(sum(r.total for r in full), 1),
                   "with_candidates": sum(1 for r in full for f in r.findings if f.candidates),
                   "target_full_s": 60.0, "workers": os.cpu_count()})
    return result


ROWS_SHOWN = (("读取（单核）", "read_s", None), ("规则检查（单核，不含读取）", "rules_s", "rules_only_tables_per_s"),
              ("读取+规则（单核）", "rules_total_s", "rules_tables_per_s"),
              ("完整评审（模型，全部核）", "full_s", "full_tables_per_s"), ("裸编码器（不同文本，单线程）", "bare_encoder_s", None))


def _baseline(args, checkout: Path) -> dict:
    """The same benchmark run by another checkout (e.g. the commit before an optimisation), in this run."""
    out = Path(tempfile.mkdtemp()) / "baseline.json"
    cmd = [sys.executable, str(checkout / "scripts" / "bench_score.py"), "--tables", str(args.tables),
           "--rows", str(args.rows), "--out", str(out)] + (["--rules-only"] if args.rules_only else []) \
        + (["--model", args.model] if args.model else [])
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    subprocess.run(cmd, cwd=checkout, env=env, check=True, stdout=subprocess.DEVNULL)
    r = json.loads(out.read_text(encoding="utf-8"))
    r.setdefault("rules_only_tables_per_s", round(r["tables"] / max(r["rules_s"], 1e-6), 1))  # older checkouts
    return r


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="评审吞吐基准（读取 + 指标值解析 + 规则检查；完整评审与裸编码器之比）")
    ap.add_argument("--tables", type=int, default=10000)
    ap.add_argument("--rows", type=int, default=15)
    ap.add_argument("--out", default="build/bench_score.json")
    ap.add_argument("--model", help="引擎目录（默认：当前在用的版本）")
    ap.add_argument("--rules-only", action="store_true", help="只测规则检查")
    ap.add_argument("--baseline", help="另一份检出（如优化前的提交）的目录：在同一次运行中先测它，再测本检出，并列对比")
    args = ap.parse_args(argv)
    runs = {}
    if args.baseline:
        runs["基线"] = _baseline(args, Path(args.baseline).resolve())
    runs["本版"] = measure(args)
    print(f"{'阶段':<22}" + "".join(f"{k + '(s)':>10}{k + '表/秒':>12}" for k in runs))
    for label, t_key, r_key in ROWS_SHOWN:
        if t_key not in runs["本版"]:
            continue
        cells = "".join(f"{r.get(t_key, ''):>12}{(r.get(r_key, '') if r_key else ''):>14}" for r in runs.values())
        print(f"{label:<20}{cells}")
    for k, r in runs.items():
        cpu = f"规则检查单核 CPU 吞吐 {r.get('rules_cpu_tables_per_s', '—')} 表/秒"
        ratio = f"；完整评审 / 裸编码器 = {r['full_over_encoder']}（{r['distinct_texts']} 条不同文本）" if "full_s" in r else ""
        print(f"{k}：{cpu}{ratio}")
    result = dict(runs["本版"])
    if args.baseline:
        result["baseline"] = runs["基线"]
        result["baseline_checkout"] = str(Path(args.baseline).resolve())
    write_json(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
