"""`jixiao score --spark` and engine.spark.score on local[2]: the same results as the local run, table by
table; a table that cannot be read is an error row and the job completes; Parquet in and out."""
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark", reason="未安装 pyspark（make setup-spark）：跳过 Spark 测试")
pytest.importorskip("pyarrow", reason="未安装 pyarrow（make setup-spark）：跳过 Spark 测试")
if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
    pytest.skip("未找到 Java（Spark 需要 Java 17，.ci/run 以 root 运行时会安装 openjdk-17-jre-headless）",
                allow_module_level=True)

from engine import spark as sp  # noqa: E402
from engine.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo" / "待评审申报表.csv"
EXAMPLES = ROOT / "data" / "examples"  # every example table (JSON files, read whole by an executor)
ENGLISH = {"项目编号": "project_id", "项目名称": "name", "主管部门": "department", "项目金额（万元）": "amount",
           "项目概述": "description", "年度绩效目标": "goal", "一级指标": "level1", "二级指标": "level2",
           "三级指标": "indicator", "指标值": "value", "计量单位": "unit"}


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("jixiao-test")
               .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def engine_dir(session_engine):
    return str(session_engine.path)


def run_json(capsys, *argv):
    code = main(["score", *map(str, argv), "--format", "json"])
    cap = capsys.readouterr()
    return code, json.loads(cap.out), cap.err


def test_cli_spark_matches_local(spark, capsys):
    files = [DEMO, EXAMPLES]
    code, local, _ = run_json(capsys, *files)
    assert code == 0
    code, remote, _ = run_json(capsys, *files, "--spark", "local[2]")
    assert code == 0
    assert sp.compare(local, remote) == []
    assert remote == local  # the JSON itself, messages, candidates and order included


def test_cli_csv_output_identical(spark, capsys, tmp_path):
    a, b = tmp_path / "local.csv", tmp_path / "spark.csv"
    assert main(["score", str(DEMO), "--format", "csv", "-o", str(a)]) == 0
    assert main(["score", str(DEMO), "--format", "csv", "-o", str(b), "--spark", "local[2]"]) == 0
    assert a.read_bytes() == b.read_bytes()


def _demo_parquet(tmp_path, rename=False, extra_rows=()):
    import pandas as pd

    df = pd.read_csv(DEMO, dtype=str, keep_default_na=False)
    if extra_rows:
        df = pd.concat([df, pd.DataFrame(list(extra_rows), columns=df.columns)], ignore_index=True)
    if rename:
        df = df.rename(columns=ENGLISH)
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    df.to_parquet(folder / "part-0.parquet", index=False)
    return folder


def test_score_api_on_parquet_with_english_columns(spark, engine_dir, capsys, tmp_path):
    _, local, _ = run_json(capsys, DEMO)
    df = spark.read.parquet(str(_demo_parquet(tmp_path, rename=True)))
    tables, findings = sp.score(df, engine_dir)
    got = sp.collect_results(tables, findings)
    assert sp.compare(local, got) == []
    assert {"project_id", "name", "total", "grade", "decision", "completeness", "source", "error"} <= set(tables.columns)
    assert {"project_id", "code", "severity", "row", "message", "suggestion"} <= set(findings.columns)


def test_bad_table_is_an_error_row_and_the_job_completes(spark, engine_dir, capsys, tmp_path):
    _, local, _ = run_json(capsys, DEMO)
    # a row naming no project (项目名称 and 项目编号 empty) cannot be read as any table
    bad = ["", "", "某部门", "10", "", "", "产出指标", "数量指标", "培训人次", "≥100", "人次"]
    folder = _demo_parquet(tmp_path, extra_rows=[bad])
    tables, findings = sp.score(spark.read.parquet(str(folder)), engine_dir)
    rows = sp.collect_results(tables, findings)
    errors = [r for r in rows if r["error"]]
    assert len(errors) == 1 and "缺少项目名称" in errors[0]["error"] and "part-0.parquet" in errors[0]["error"]
    assert sp.compare(local, [r for r in rows if not r["error"]]) == []
    # the command line reports it in Chinese, scores the rest and exits 2, with no traceback
    code, remote, err = run_json(capsys, folder, "--spark", "local[2]")
    assert code == 2 and "缺少项目名称" in err and "Traceback" not in err
    assert sp.compare(local, remote) == []


def test_parquet_out_round_trip(spark, capsys, tmp_path):
    import pandas as pd

    _, local, _ = run_json(capsys, DEMO)
    out = tmp_path / "out"
    assert main(["score", str(_demo_parquet(tmp_path)), "--spark", "local[2]", "--format", "parquet",
                 "-o", str(out)]) == 0
    tables = pd.read_parquet(out / "tables").sort_values(["file", "seq"])
    findings = pd.read_parquet(out / "findings")
    assert list(tables["project_id"]) == [r["project_id"] for r in local]
    assert list(tables["total"]) == [r["total"] for r in local]
    assert list(tables["decision"]) == [r["decision"] for r in local]
    for r in local:
        mine = findings[findings["project_id"] == r["project_id"]]
        want = sorted((f["code"], f["row"] or 0) for f in r["findings"])
        assert sorted((c, int(x) if x == x else 0) for c, x in zip(mine["code"], mine["row"])) == want
    # the Parquet results read back by Spark as an input of another job
    again = spark.read.parquet(str(out / "tables"))
    assert again.count() == len(local)


def test_bad_input_is_exit_2_naming_the_file(spark, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("项目名称,一级指标,三级指标\nX,产出指标,Y\n", encoding="utf-8")
    code = main(["score", str(bad), str(DEMO), "--spark", "local[2]", "--format", "json"])
    cap = capsys.readouterr()
    assert code == 2 and "bad.csv" in cap.err and "缺少必需的列" in cap.err and "Traceback" not in cap.err
    assert len(json.loads(cap.out)) == 2
    assert main(["score", str(DEMO), "--spark", "local[2]", "--format", "xlsx", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "只支持" in capsys.readouterr().err


def test_spark_submit_job_on_parquet(spark, engine_dir, capsys, tmp_path):
    """scripts/spark_job.py (what the README has spark-submit run on a cluster), on Parquet in and out."""
    import pandas as pd

    sys.path.insert(0, str(ROOT / "scripts"))
    import spark_job

    _, local, _ = run_json(capsys, DEMO)
    out = tmp_path / "job"
    assert spark_job.main(["--input", str(_demo_parquet(tmp_path)), "--engine", engine_dir,
                           "--tables", str(out / "tables"), "--findings", str(out / "findings")]) == 0
    assert f"已评审 {len(local)} 张表；0 张" in capsys.readouterr().err
    tables = pd.read_parquet(out / "tables").sort_values(["file", "seq"])
    assert list(tables["total"]) == [r["total"] for r in local]
    assert len(pd.read_parquet(out / "findings")) == sum(len(r["findings"]) for r in local)
