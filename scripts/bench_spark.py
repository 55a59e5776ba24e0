"""Bulk scoring on Spark beside the local process pool, in the same run.

For each size (default 10,000 and 100,000 tables of 15 rows, generated as scripts/bench_score.py does):
- local: the CLI's path — read the long CSV, review_all on every core (full scoring with the model
  unless --rules-only);
- Spark: the same rows as a Parquet file read by Spark, engine.spark.score on `--master` (default
  local[2]), tables and findings written as Parquet; the time splits into session start-up (once), the
  engine load of each Python worker (the `load_s` column) and the rest of the job.
Both results are then compared table by table (total, decision, grade and the findings by code and
row; tables matched by 项目编号). Prints a table (tables/s per core for both, Spark/local per-core
ratio) and writes JSON.

    python scripts/bench_spark.py [--sizes 10000 100000] [--rows 15] [--master local[2]] [--rules-only] [--model DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _report import write_json  # noqa: E402
from bench_score import generate  # noqa: E402


def _cores(master: str) -> int:
    """Cores of a local[N] / local[*] master (the figure per-core throughput divides by)."""
    if master.startswith("local["):
        n = master[6:-1]
        return (os.cpu_count() or 1) if n == "*" else int(n)
    return 1 if master == "local" else int(os.environ.get("JIXIAO_SPARK_CORES", "0")) or (os.cpu_count() or 1)


def _key(d: dict) -> tuple:
    return (d["total"], d["decision"], d["grade"], tuple(sorted((f["code"], f["row"] or 0) for f in d["findings"])))


def _warm_up(spark, cores: int) -> None:
    """Start the Python workers and warm the JVM with a trivial job (counted in start-up, as a long-lived
    session on a platform has it done already)."""
    import pandas as pd

    spark.range(cores * 4, numPartitions=cores).mapInPandas(lambda it: (pd.DataFrame({"id": b["id"]}) for b in it),
                                                            "id long").count()


def run_local(csv_path: Path, engine_dir: str, workers: int) -> tuple[dict, dict]:
    """The CLI's path, engine load included (as `jixiao score` pays it): read, then review_all on every core."""
    from engine.io.readers import read_file
    from engine.review.bulk import review_all
    from engine.review.reviewer import Reviewer

    t0 = time.perf_counter()
    if engine_dir:
        from engine.model.versions import open_engine
        from engine.review.model_checks import ModelChecks

        reviewer = Reviewer.with_model(ModelChecks(open_engine(model=engine_dir, auto_build=False)))
    else:
        reviewer = Reviewer()
    tables = read_file(csv_path, max_mb=1e6).tables
    t1 = time.perf_counter()
    reviews = review_all(tables, reviewer, workers=workers)
    t2 = time.perf_counter()
    out = {r.project_id: _key(r.to_dict()) for r in reviews}
    return {"tables": len(reviews), "read_s": round(t1 - t0, 2), "score_s": round(t2 - t1, 2),
            "wall_s": round(t2 - t0, 2)}, out


def run_spark(spark, parquet: Path, engine_dir: str, rules_only: bool, out_dir: Path) -> tuple[dict, dict, int]:
    from pyspark.sql import functions as F

    from engine import spark as sp

    t0 = time.perf_counter()
    tables, findings, scored = sp.score(spark.read.parquet(str(parquet)), engine_dir, rules_only=rules_only,
                                        with_reviews=True)
    tables.drop("load_s").write.mode("overwrite").parquet(str(out_dir / "tables"))
    findings.write.mode("overwrite").parquet(str(out_dir / "findings"))
    t1 = time.perf_counter()
    loads = [r["load_s"] for r in tables.where(F.col("load_s") > 0).select("load_s").collect()]
    rows = sp.collect_results(tables, findings)
    errors = sum(1 for r in rows if r["error"])
    got = {r["project_id"]: _key(r) for r in rows if not r["error"]}
    scored.unpersist()
    return {"tables": len(rows), "wall_s": round(t1 - t0, 2), "engine_loads": len(loads),
            "engine_load_s_each": round(sum(loads) / len(loads), 2) if loads else 0.0,
            "engine_load_s_max": round(max(loads), 2) if loads else 0.0,
            "score_s": round(t1 - t0 - (max(loads) if loads else 0.0), 2)}, got, errors


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Spark 评审基准：与本机进程池在同一次运行中对比每核吞吐，并逐表核对结果")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000], help="表数（默认 10000 100000）")
    ap.add_argument("--rows", type=int, default=15)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--rules-only", action="store_true", help="只做规则检查（不加载模型）")
    ap.add_argument("--model", help="引擎目录（默认：当前在用的版本）")
    ap.add_argument("--out", default="build/bench_spark.json")
    args = ap.parse_args(argv)

    import pandas as pd

    from engine.cli.spark_commands import start_session
    from engine.model.versions import open_engine

    engine_dir = "" if args.rules_only else str(open_engine(model=args.model, progress=lambda m: print(
        m, file=sys.stderr)).path.resolve())
    workers = os.cpu_count() or 1
    cores = _cores(args.master)
    results = []
    work = Path(tempfile.mkdtemp(prefix="bench_spark_"))
    try:
        for n in args.sizes:
            csv_path, parquet = work / f"bulk_{n}.csv", work / f"bulk_{n}.parquet"
            generate(csv_path, n, args.rows)
            pd.read_csv(csv_path, dtype=str, keep_default_na=False).to_parquet(parquet, index=False)
            print(f"{n} 张表：本机进程池评审中…", file=sys.stderr)
            local, want = run_local(csv_path, engine_dir, workers)
            print(f"{n} 张表：Spark（{args.master}）评审中…", file=sys.stderr)
            t0 = time.perf_counter()
            spark = start_session(args.master)
            _warm_up(spark, cores)
            startup_s = round(time.perf_counter() - t0, 2)
            try:
                remote, got, errors = run_spark(spark, parquet, engine_dir, args.rules_only, work / f"out_{n}")
            finally:
                spark.stop()
            remote["startup_s"] = startup_s
            differ = sum(1 for k, v in want.items() if got.get(k) != v) + sum(1 for k in got if k not in want)
            local_pc = local["tables"] / local["wall_s"] / workers
            spark_pc = remote["tables"] / remote["wall_s"] / cores
            results.append({"tables": n, "rows_per_table": args.rows, "local": local, "spark": remote,
                            "local_tables_per_s_per_core": round(local_pc, 1),
                            "spark_tables_per_s_per_core": round(spark_pc, 1),
                            "spark_over_local_per_core": round(spark_pc / local_pc, 2),
                            "tables_differing": differ, "spark_error_rows": errors})
            shutil.rmtree(work / f"out_{n}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    mode = "仅规则" if args.rules_only else "完整评审（含模型）"
    print(f"\n{mode}；本机进程池 {workers} 进程（含引擎加载），Spark {args.master}（{cores} 核，会话启动另计）")
    print(f"{'表数':>8}{'本机(s)':>10}{'本机 表/秒/核':>14}{'启动(s)':>9}{'Spark(s)':>10}{'Spark 表/秒/核':>15}"
          f"{'比值':>7}{'引擎加载(次×秒)':>16}{'结果不同':>9}")
    for r in results:
        s = r["spark"]
        print(f"{r['tables']:>8}{r['local']['wall_s']:>10}{r['local_tables_per_s_per_core']:>14}{s['startup_s']:>9}"
              f"{s['wall_s']:>10}"
              f"{r['spark_tables_per_s_per_core']:>15}{r['spark_over_local_per_core']:>7}"
              f"{str(s['engine_loads']) + '×' + str(s['engine_load_s_each']):>16}{r['tables_differing']:>9}")
    write_json(args.out, {"master": args.master, "cores": cores, "local_workers": workers, "rules_only": args.rules_only,
                          "sizes": results})
    return 0 if all(r["tables_differing"] == 0 and r["spark_error_rows"] == 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
