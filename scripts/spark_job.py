"""A spark-submit job that scores goal tables where a platform keeps them: a Hive table or Parquet
files (HDFS, S3, shared storage) with the bulk long-format columns (contract §1a, Chinese or English
names), writing one Parquet/Hive table of tables and one of findings.

    spark-submit --master yarn scripts/spark_job.py --input ods.perf_goal_rows \\
        --engine /shared/jixiao/models/v3 --tables ads.perf_goal_review --findings ads.perf_goal_findings

--input: a Hive table name (db.table) or a Parquet path/URI; --tables/--findings: a Hive table name
or a Parquet path/URI. The engine directory must be readable by every executor at the same path
(shared storage), or shipped with `--archives engine.tar.gz#engine` and given as `--engine engine/v3`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _is_path(name: str) -> bool:
    return "/" in name or "://" in name or name.endswith(".parquet")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="在 Spark 集群上批量评审绩效目标表（Hive 表或 Parquet → 每表一行 + 每个问题一行）")
    ap.add_argument("--input", required=True, help="输入：Hive 表名（库.表）或 Parquet 路径")
    ap.add_argument("--engine", help="引擎目录（所有执行器可读的同一路径；默认当前在用的版本）")
    ap.add_argument("--tables", required=True, help="每表一行的输出：Hive 表名或 Parquet 路径")
    ap.add_argument("--findings", required=True, help="每个问题一行的输出：Hive 表名或 Parquet 路径")
    ap.add_argument("--rules-only", action="store_true", help="只做规则检查（不加载模型）")
    args = ap.parse_args(argv)

    from pyspark.sql import SparkSession

    from engine import spark as jx

    builder = SparkSession.builder.appName("jixiao score")
    if not all(map(_is_path, (args.input, args.tables, args.findings))):
        builder = builder.enableHiveSupport()  # Hive tables named: the cluster's metastore
    spark = builder.getOrCreate()
    df = spark.read.parquet(args.input) if _is_path(args.input) else spark.table(args.input)
    tables, findings, scored = jx.score(df, args.engine, rules_only=args.rules_only, with_reviews=True)
    for frame, target in ((tables.drop("load_s"), args.tables), (findings, args.findings)):
        writer = frame.write.mode("overwrite")
        writer.parquet(target) if _is_path(target) else writer.saveAsTable(target)
    n, bad = scored.count(), scored.where("error is not null").count()
    print(f"已评审 {n - bad} 张表；{bad} 张无法读取或评审（见输出的 error 列）", file=sys.stderr)
    scored.unpersist()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
