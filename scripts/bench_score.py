"""Throughput of reading and rule-checking goal tables.

Generates N tables of R rows in the bulk long CSV format (realistic forms and repetition of indicator
texts, some defects), then times: reading the CSV, parsing every target and running the rule checks
on one core (`rules`), and full scoring with the model checks on all cores (`full`: every distinct text
embedded once, level classifier, relevance, candidates), beside the bare encoder's time on the
distinct texts in the same run. Prints a table and writes JSON.

    python scripts/bench_score.py [--tables 10000] [--rows 15] [--model DIR] [--rules-only]
"""
from __future__ import annotations

import argparse
import os
import csv
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.io.readers import read_file  # noqa: E402
from engine.review.reviewer import Reviewer  # noqa: E402
from engine.domain.targets import _parse  # noqa: E402

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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="评审吞吐基准（读取 + 指标值解析 + 规则检查）")
    ap.add_argument("--tables", type=int, default=10000)
    ap.add_argument("--rows", type=int, default=15)
    ap.add_argument("--out", default="build/bench_score.json")
    ap.add_argument("--model", help="引擎目录（默认：当前在用的版本）")
    ap.add_argument("--rules-only", action="store_true", help="只测规则检查")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "bulk.csv"
        generate(src, args.tables, args.rows)
        _parse.cache_clear()
        t0 = time.perf_counter()
        tables = read_file(src, max_mb=1000).tables
        t1 = time.perf_counter()
        reviewer = Reviewer()
        reviews = [reviewer.review(t) for t in tables]
        t2 = time.perf_counter()
    n_rows = sum(r.indicator_count for r in reviews)
    result = {"tables": len(reviews), "rows": n_rows, "read_s": round(t1 - t0, 3), "rules_s": round(t2 - t1, 3),
              "rules_total_s": round(t2 - t0, 3), "rules_tables_per_s": round(len(reviews) / (t2 - t0), 1),
              "findings_rules": sum(len(r.findings) for r in reviews), "target_rules_s": 20.0}
    print(f"{'阶段':<26}{'用时(s)':>10}{'表/秒':>10}")
    print(f"{'读取+解析+规则（单核）':<24}{result['rules_total_s']:>10}{result['rules_tables_per_s']:>10}")
    if not args.rules_only:
        from engine.service.api import make_reviewer
        from engine.review.bulk import review_all
        from engine.model.versions import open_engine
        from engine.retrieval.texts import project_query

        engine = open_engine(model=args.model, progress=lambda m: print(m, file=sys.stderr))
        reviewer = make_reviewer(engine)
        texts = sorted({i.name for t in tables for i in t.indicators}
                       | {project_query(t.project.name, t.project.description)[:300] for t in tables})
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
                       "with_candidates": sum(1 for r in full for f in r.findings if f.candidates),
                       "target_full_s": 60.0, "workers": os.cpu_count()})
        print(f"{'完整评审（模型，全部核）':<22}{result['full_s']:>10}{result['full_tables_per_s']:>10}")
        print(f"{'裸编码器（不同文本）':<23}{result['bare_encoder_s']:>10}{'':>10}  {len(texts)} 条不同文本")
        print(f"完整评审 / 裸编码器 = {result['full_over_encoder']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
