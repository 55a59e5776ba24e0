"""`jixiao score INPUT… --spark MASTER`: the same review on a Spark cluster (engine.spark). Long-format
CSV files are split into rows here and grouped by table on the cluster; Parquet inputs are read by
Spark; XLSX and JSON files are read whole by an executor. Output: JSON or CSV exactly as the local
command writes them, or a Parquet folder with tables/ and findings/."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from engine.cli.common import emit, open_engine
from engine.cli.parser import UsageError

SPARK_FORMATS = ("json", "csv", "parquet")


def _parquet_input(raw: str) -> bool:
    """A Parquet file or folder here, or any URI Spark reads (hdfs://, s3a://, file://)."""
    if "://" in raw:
        return True
    p = Path(raw)
    if p.is_file():
        return p.suffix.lower() == ".parquet"
    return p.is_dir() and any(f.suffix.lower() == ".parquet" for f in p.rglob("*.parquet"))


def start_session(master: str):
    """A SparkSession on `master`, or a UsageError saying what is missing (pyspark, Java)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("未安装 pyspark：请运行 make setup-spark（或 pip install -e '.[spark]'）后再使用 --spark") from None
    if not shutil.which("java") and not _java_home():
        raise UsageError("未找到 Java（Spark 需要 Java 17）：请安装 openjdk-17-jre-headless 或设置 JAVA_HOME")
    import os

    # local workers run this interpreter (its packages); a cluster's are set by spark-submit or PYSPARK_PYTHON
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName("jixiao score")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.ui.showConsoleProgress", "false"))
    if master.startswith("local"):
        # in local mode the driver JVM is the executor too: the scored rows it keeps between writing the
        # tables and the findings need more than Spark's 1 GB default (JIXIAO_SPARK_MEMORY to change it)
        builder = builder.config("spark.driver.memory", os.environ.get("JIXIAO_SPARK_MEMORY", "4g"))
    try:
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        return spark
    except Exception as e:  # noqa: BLE001 - a wrong master URL, an unreachable cluster
        raise UsageError(f"无法连接 Spark（--spark {master}）：{type(e).__name__}: {str(e)[:300]}") from None


def _java_home() -> bool:
    import os

    home = os.environ.get("JAVA_HOME")
    return bool(home and (Path(home) / "bin" / "java").exists())


def csv_frame(path: Path, file: int):
    """The rows of a long-format CSV as a pandas DataFrame for Spark: the header's cells as columns
    c0…, the file line in _line (also the row order), blank project cells filled from the row above
    (as the reader continues a project); None when the file needs whole-file reading (label rows)."""
    import pandas as pd

    from engine.io.longform import _map_header, csv_rows

    header, body, first_line, above = csv_rows(path)
    if above:
        return None, header
    cols = _map_header(path, header, above, line=first_line - 1)
    width = max([len(header)] + [len(r) for r in body])
    keep, lines = [], []
    prev = {}
    for off, r in enumerate(body):
        if not any(str(c).strip() for c in r):
            continue
        r = list(r)
        key_cells = [cols[f] for f in ("name", "project_id") if f in cols]
        if all(i >= len(r) or not str(r[i]).strip() for i in key_cells) and prev:
            r += [""] * (max(key_cells) + 1 - len(r))
            for i in key_cells:
                r[i] = prev[i]
        elif any(i < len(r) and str(r[i]).strip() for i in key_cells):
            prev = {i: (r[i] if i < len(r) else "") for i in key_cells}
        keep.append(r + [None] * (width - len(r)))
        lines.append(first_line + off)
    names = [f"c{i}" for i in range(width)]
    pdf = pd.DataFrame(keep, columns=names, dtype=object) if keep else pd.DataFrame(columns=names, dtype=object)
    pdf["_line"] = lines
    pdf["_seq"] = lines
    pdf["_file"] = file
    pdf["_source"] = str(path)
    return pdf, list(header)


def cmd_score_spark(args) -> int:
    from engine import spark as sp
    from engine.io.readers import DEFAULT_MAX_MB, InputError, check_file, expand_paths

    if args.format not in SPARK_FORMATS:
        raise UsageError(f"--spark 时输出格式只支持 {'、'.join(SPARK_FORMATS)}（收到 {args.format}）")
    if args.format == "parquet" and not args.output:
        raise UsageError("parquet 格式请用 -o 指定输出文件夹，例如 -o 评审结果/")
    if args.previous:
        raise UsageError("--spark 暂不支持 --previous，请在本机评审时使用")
    parquet, csvs, whole, bad = [], [], [], []
    n = 0  # every file (a Parquet input: every input) in the order the local run reads them
    for raw in args.files:
        if _parquet_input(raw):
            parquet.append((n, raw))
            n += 1
            continue
        files = expand_paths([raw])
        if not files:
            bad.append((raw, f"{raw}：没有找到可评审的文件（支持 .csv .xlsx .json .parquet）"))
        for f in files:
            n += 1
            try:
                check_file(f, args.max_mb or DEFAULT_MAX_MB)
            except InputError as e:
                bad.append((str(f), str(e)))
                continue
            (csvs if f.suffix.lower() == ".csv" else whole).append((n, f))
    engine_dir = "" if args.rules_only else str(open_engine(args).path.resolve())
    spark = start_session(args.spark)
    parts = []
    for n, f in csvs:
        try:
            pdf, header = csv_frame(f, n)
        except InputError as e:
            bad.append((str(f), str(e)))
            continue
        if pdf is None:
            whole.append((n, f))
            continue
        parts.append(sp.score(spark.createDataFrame(pdf), engine_dir, rules_only=args.rules_only,
                              with_reviews=True, header=header))
    for n, raw in parquet:
        try:
            df = spark.read.parquet(raw).withColumn("_file", _lit(n))
        except Exception as e:  # noqa: BLE001 - not Parquet, unreadable
            bad.append((raw, f"{raw}：无法读取 Parquet（{type(e).__name__}）"))
            continue
        try:
            parts.append(sp.score(df, engine_dir, rules_only=args.rules_only, with_reviews=True))
        except InputError as e:
            bad.append((raw, f"{raw}：{e.detail}"))
    if whole:
        parts.append(sp.score_files(spark, [(n, str(f)) for n, f in whole], engine_dir, args.rules_only))
    for msg in (m for _, m in bad):
        print(f"输入错误：{msg}", file=sys.stderr)
    rows = _collect(parts)
    errors = [r for r in rows if r["error"]]
    for r in errors:
        print(f"输入错误：{r['error']}", file=sys.stderr)
    n_ok = len(rows) - len(errors)
    if args.format == "parquet":
        _write_parquet(parts, args.output)
    else:
        from engine.io import reports

        reviews = [sp.review_from_dict(json.loads(r["review"])) for r in rows if not r["error"]]
        render = reports.to_json if args.format == "json" else reports.to_csv
        if reviews or args.format == "json":
            emit(render(reviews), args.output)
    for _, _, scored in parts:
        scored.unpersist()
    if bad or errors:
        print(f"{len(bad) + len(errors)} 个文件或表无法评审（见上文），其余 {n_ok} 张表已评审。", file=sys.stderr)
        return 2
    return 0


def _lit(v):
    from pyspark.sql import functions as F

    return F.lit(v)


def _collect(parts) -> list[dict]:
    """Every scored table, in the local run's order: input argument, then first row in the file."""
    rows = []
    for _, _, scored in parts:
        rows.extend(r.asDict() for r in scored.select("file", "seq", "source", "error", "review").collect())
    rows.sort(key=lambda r: (r["file"], r["seq"] or 0))
    return rows


def _write_parquet(parts, out: str) -> None:
    tables = findings = None
    for t, f, _ in parts:
        tables = t if tables is None else tables.unionByName(t)
        findings = f if findings is None else findings.unionByName(f)
    if tables is None:
        raise UsageError("没有可评审的表")
    tables.orderBy("file", "seq").drop("load_s").write.mode("overwrite").parquet(str(Path(out) / "tables"))
    findings.orderBy("file", "seq", "row").write.mode("overwrite").parquet(str(Path(out) / "findings"))
    print(f"已写入 {out}（tables/ 每表一行，findings/ 每个问题一行）", file=sys.stderr)
