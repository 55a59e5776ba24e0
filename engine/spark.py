"""Scoring goal tables on Spark (contract §2 `score --spark`).

The long-format rows of a DataFrame are grouped by table (source file and 项目编号, else 项目名称),
sorted in their original order and turned into tables by the same reader code as a local run
(engine.io.longform.long_rows); each Python worker opens the engine once, from a directory path given
as a plain string (shared storage or shipped with --files), and reviews its tables with the same
Reviewer. Results are plain columns: one row per table, one per finding. A table that cannot be read
or reviewed becomes a row with the Chinese reason in `error`; it never fails the job."""
from __future__ import annotations

import json
import time
from pathlib import Path

# every output row of the scoring step; `file`/`seq` keep the local run's order, `review` is the table's
# contract §3 JSON object (the findings column of findings_df comes from it), `load_s` the engine load time
# of the worker that scored the table (on its first table only)
TABLE_COLUMNS = [("file", "int"), ("seq", "bigint"), ("source", "string"), ("project_id", "string"),
                 ("name", "string"), ("indicator_count", "int"), ("total", "double"), ("grade", "string"),
                 ("decision", "string"), ("completeness", "double"), ("quantification", "double"),
                 ("matching", "double"), ("appropriateness", "double"), ("category", "string"),
                 ("sector", "string"), ("errors", "int"), ("warnings", "int"), ("infos", "int"),
                 ("error", "string"), ("review", "string"), ("load_s", "double")]
FINDING_COLUMNS = ["code", "severity", "dimension", "row", "source_row", "indicator", "message", "suggestion",
                   "candidates"]
_DIMS = ("completeness", "quantification", "matching", "appropriateness")
_FINDING_DDL = ("array<struct<code:string,severity:string,dimension:string,row:int,source_row:int,"
                "indicator:string,message:string,suggestion:string,candidates:array<struct<indicator:string,"
                "suggested_value:string>>>>")

# ------------------------------------------------------------------ executor side
_REVIEWERS: dict[str, object] = {}   # engine directory ("" = rules only) → Reviewer, once per Python worker


def reviewer_for(engine_dir: str) -> tuple[object, float]:
    """The worker's Reviewer for an engine directory, opened on first use; (reviewer, seconds spent
    loading it now: 0.0 when it was already open)."""
    if engine_dir in _REVIEWERS:
        return _REVIEWERS[engine_dir], 0.0
    from engine.review.reviewer import Reviewer

    t0 = time.perf_counter()
    if engine_dir:
        from engine.model.versions import open_engine
        from engine.review.model_checks import ModelChecks

        reviewer = Reviewer.with_model(ModelChecks(open_engine(model=Path(engine_dir), auto_build=False)))
    else:
        reviewer = Reviewer()
    _REVIEWERS[engine_dir] = reviewer
    return reviewer, time.perf_counter() - t0


def _error_row(file: int, seq: int, source: str, pid: str, name: str, message: str) -> dict:
    row = {c: None for c, _ in TABLE_COLUMNS}
    row.update(file=file, seq=seq, source=source, project_id=pid, name=name, error=message, load_s=0.0)
    return row


def review_row(review, file: int, seq: int) -> dict:
    """A TableReview as one plain output row."""
    c = review.counts
    d = review.to_dict()
    return {"file": file, "seq": seq, "source": review.source, "project_id": review.project_id,
            "name": review.name, "indicator_count": review.indicator_count, "total": float(review.total),
            "grade": review.grade, "decision": review.decision,
            **{k: float(review.dimensions[k]) for k in _DIMS}, "category": review.kind, "sector": review.sector,
            "errors": c["error"], "warnings": c["warning"], "infos": c["info"], "error": None,
            "review": json.dumps(d, ensure_ascii=False), "load_s": 0.0}


def _tables_of_group(header: list, source: str, rows: list[list], lines: list[int] | None):
    """The table of one group of long-format rows, read exactly as the local reader reads a file: rows
    stand at their file lines (gaps are blank rows, which the reader skips)."""
    from engine.io.longform import long_rows

    if lines:
        first = min(lines)
        body: list[list] = [[]] * (max(lines) - first + 1)
        for line, r in zip(lines, rows):
            body[line - first] = r
        return long_rows(Path(source), header, body, first_line=first).tables
    return long_rows(Path(source), header, rows, first_line=1).tables


def review_groups(groups, header: list, engine_dir: str) -> list[dict]:
    """Review a batch of groups: (file, seq, source, key, rows, lines). The engine embeds every distinct
    text of the batch at once (as review_all does), then each table is reviewed."""
    from engine.io.errors import InputError

    reviewer, load_s = reviewer_for(engine_dir)
    out: list[dict] = []
    ready = []
    for file, seq, source, key, rows, lines in groups:
        try:
            tables = _tables_of_group(header, source, rows, lines)
        except InputError as e:
            where = "" if lines else f"（项目“{key}”的第{e.row}条记录）" if e.row else f"（项目“{key}”）"
            out.append(_error_row(file, seq, source, key, key, f"{e}{where}"))
            continue
        except Exception as e:  # noqa: BLE001 - one bad table never fails the job
            out.append(_error_row(file, seq, source, key, key, f"{source}：无法读取项目“{key}”（{type(e).__name__}: {e}）"))
            continue
        ready.extend((file, seq + k, t) for k, t in enumerate(tables))
    out.extend(_review_tables(reviewer, ready))
    if out and load_s:
        out[0]["load_s"] = load_s
    return out


def _review_tables(reviewer, ready) -> list[dict]:
    out = []
    if reviewer.model is not None and ready:
        try:
            reviewer.model.prepare([t for _, _, t in ready])
        except Exception:  # noqa: BLE001 - each table is then embedded on its own and reports its own error
            pass
    for file, seq, t in ready:
        try:
            out.append(review_row(reviewer.review(t), file, seq))
        except Exception as e:  # noqa: BLE001
            p = t.project
            out.append(_error_row(file, seq, t.source, p.project_id, p.name,
                                  f"{t.source}：项目“{p.name}”评审出错（{type(e).__name__}: {e}）"))
    return out


def review_files(paths: list[tuple[int, str]], engine_dir: str) -> list[dict]:
    """Whole files (XLSX forms, JSON) read on the worker with the local reader: (file index, path)."""
    from engine.io.readers import InputError, read_file

    reviewer, load_s = reviewer_for(engine_dir)
    out, ready = [], []
    for file, path in paths:
        try:
            tables = read_file(path, max_mb=1e6).tables
        except InputError as e:
            out.append(_error_row(file, 0, path, "", "", str(e)))
            continue
        except Exception as e:  # noqa: BLE001
            out.append(_error_row(file, 0, path, "", "", f"{path}：无法读取（{type(e).__name__}: {e}）"))
            continue
        ready.extend((file, k, t) for k, t in enumerate(tables))
    out.extend(_review_tables(reviewer, ready))
    if out and load_s:
        out[0]["load_s"] = load_s
    return out


def _cell(v):
    if v is None:
        return None
    if isinstance(v, float) and v != v:  # NaN from pandas
        return None
    return v if isinstance(v, str) else str(v)


def _partition_scorer(header: list, engine_dir: str, n_cols: int, has_lines: bool):
    """The mapInPandas function: rows arrive sorted by (file, source, key, seq); a group may span two
    Arrow batches, so the last one of a batch waits for the next."""
    import pandas as pd

    cols = [f"c{i}" for i in range(n_cols)]

    def groups_of(pdf, carry):
        cur, done = carry, []
        data = [pdf[c].tolist() for c in cols]
        files, seqs, sources, keys = (pdf[c].tolist() for c in ("_file", "_seq", "_source", "_key"))
        lines = pdf["_line"].tolist() if has_lines else [0] * len(pdf)
        for i in range(len(pdf)):
            gid = (int(files[i]), sources[i], keys[i])
            cells = [_cell(col[i]) for col in data]
            while cells and cells[-1] is None:  # a CSV row shorter than the header stays short
                cells.pop()
            cells = ["" if c is None else c for c in cells]
            if cur is None or cur[0] != gid:
                if cur is not None:
                    done.append(cur)
                cur = [gid, int(seqs[i]), [], []]
            cur[2].append(cells)
            cur[3].append(int(lines[i]))
        return done, cur

    def fn(batches):
        carry = None
        names = [c for c, _ in TABLE_COLUMNS]
        for pdf in batches:
            done, carry = groups_of(pdf, carry)
            if done:
                yield pd.DataFrame(_run(done), columns=names)
        if carry is not None:
            yield pd.DataFrame(_run([carry]), columns=names)

    def _run(done):
        groups = [(g[0][0], g[1], g[0][1], g[0][2], g[2], g[3] if has_lines else None) for g in done]
        return review_groups(groups, header, engine_dir)

    return fn


# ------------------------------------------------------------------ driver side
def default_engine_dir() -> str:
    """The engine version in use (models/CURRENT), as an absolute path string."""
    from engine.model.versions import current_model_dir
    from engine.paths import Paths

    return str(current_model_dir(Paths.default()).resolve())


def _schema():
    return ", ".join(f"{c} {t}" for c, t in TABLE_COLUMNS)


def _split(scored):
    """(tables_df, findings_df) from the scored rows (persisted: both are usually written)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    scored = scored.persist(StorageLevel.MEMORY_AND_DISK)
    tables = scored.drop("review")
    f = F.explode(F.from_json(F.get_json_object("review", "$.findings"), _FINDING_DDL)).alias("f")
    findings = (scored.where(F.col("review").isNotNull())
                .select("file", "seq", "source", "project_id", "name", f)
                .select("file", "seq", "source", "project_id", "name",
                        *[F.col(f"f.{c}").alias(c) for c in FINDING_COLUMNS if c != "candidates"],
                        F.expr("array_join(transform(f.candidates, c -> c.indicator), '；')").alias("candidates")))
    return tables, findings, scored


def score(df, engine_dir: str | None = None, rules_only: bool = False, with_reviews: bool = False,
          header: list[str] | None = None):
    """Score the goal tables in `df` (contract §1a long-format columns, Chinese or English names; optional
    `_source` (file), `_file` (input order), `_seq` (row order) and `_line` (file line) columns) on the
    Spark cluster `df` lives on. `engine_dir`: the engine directory as every executor can read it (default:
    the version in use here). Returns (tables_df, findings_df); with `with_reviews`, also the persisted
    scored rows whose `review` column is each table's contract JSON object. `header`: the header cells
    when the columns are named c0, c1, … by position (a CSV's header may repeat or leave names empty)."""
    from pyspark.sql import functions as F

    from engine.io.errors import InputError
    from engine.io.longform import column_fields

    if header is None:
        header = [c for c in df.columns if not c.startswith("_")]
        names, k = [], 0
        for c in df.columns:
            names.append(c if c.startswith("_") else f"c{k}")
            k += not c.startswith("_")
        df = df.toDF(*names)
    n_cols = sum(1 for c in df.columns if not c.startswith("_"))
    fields = column_fields(header)
    if "name" not in fields and "project_id" not in fields:
        raise InputError("<DataFrame>", "缺少必需的列：项目名称（或项目编号）")
    engine_dir = "" if rules_only else str(engine_dir or default_engine_dir())
    cols = [F.col(f"c{i}").cast("string").alias(f"c{i}") for i in range(n_cols)]

    def blank_null(name):
        if name not in fields:
            return F.lit(None).cast("string")
        c = F.trim(F.col(f"c{fields[name]}").cast("string"))
        return F.when(c != "", c)

    meta = [(F.col("_file") if "_file" in df.columns else F.lit(0)).cast("int").alias("_file"),
            (F.col("_seq") if "_seq" in df.columns else F.monotonically_increasing_id()).cast("bigint").alias("_seq"),
            (F.col("_source") if "_source" in df.columns else F.input_file_name()).cast("string").alias("_source"),
            F.coalesce(blank_null("project_id"), blank_null("name"), F.lit("")).alias("_key")]
    has_lines = "_line" in df.columns
    if has_lines:
        meta.append(F.col("_line").cast("bigint").alias("_line"))
    rows = df.select(*cols, *meta)
    n_parts = max(rows.rdd.getNumPartitions(), df.sparkSession.sparkContext.defaultParallelism)
    rows = (rows.repartition(n_parts, "_file", "_source", "_key")
            .sortWithinPartitions("_file", "_source", "_key", "_seq"))
    fn = _partition_scorer(header, engine_dir, n_cols, has_lines)
    tables, findings, scored = _split(rows.mapInPandas(fn, _schema()))
    return (tables, findings, scored) if with_reviews else (tables, findings)


def score_files(spark, paths: list[tuple[int, str]], engine_dir: str, rules_only: bool = False):
    """Whole files (XLSX, JSON) as tasks, read on the executors: the same output as score(…, with_reviews)."""
    import pandas as pd

    engine_dir = "" if rules_only else engine_dir
    names = [c for c, _ in TABLE_COLUMNS]

    def fn(batches):
        for pdf in batches:
            out = review_files([(int(f), str(p)) for f, p in zip(pdf["file"], pdf["path"])], engine_dir)
            yield pd.DataFrame(out, columns=names)

    df = spark.createDataFrame(pd.DataFrame({"file": [f for f, _ in paths], "path": [p for _, p in paths]}))
    df = df.repartition(max(1, min(len(paths), spark.sparkContext.defaultParallelism)))
    return _split(df.mapInPandas(fn, _schema()))


# ------------------------------------------------------------------ back to contract objects
def review_from_dict(d: dict):
    """A TableReview rebuilt from its contract JSON object (so the local report writers render it)."""
    from engine.domain.findings import Finding
    from engine.review.scoring import TableReview

    base = {"project_id", "name", "indicator_count", "total", "grade", "decision", "dimensions", "findings",
            "category", "sector", "source"}
    fs = [Finding(f["code"], f["severity"], f["row"], f["indicator"], f["message"], f["suggestion"],
                  f.get("candidates", []), source_row=f.get("source_row")) for f in d["findings"]]
    return TableReview(d["project_id"], d["name"], d["indicator_count"], d["total"], d["grade"], d["decision"],
                       dict(d["dimensions"]), fs, source=d.get("source", ""), kind=d.get("category", ""),
                       sector=d.get("sector", ""), extra={k: v for k, v in d.items() if k not in base})


def compare(local: list[dict], spark: list[dict]) -> list[str]:
    """Differences between two runs' score JSON objects, table by table in order: total, decision and
    the findings by (code, row). [] when they agree."""
    diffs = []
    if len(local) != len(spark):
        diffs.append(f"表数不同：本地 {len(local)}，Spark {len(spark)}")
    for n, (a, b) in enumerate(zip(local, spark), 1):
        who = f"第{n}张表（{a.get('project_id') or a.get('name')}）"
        if (a.get("project_id"), a.get("name")) != (b.get("project_id"), b.get("name")):
            diffs.append(f"{who}：对应的表不同（Spark 为 {b.get('project_id') or b.get('name')}）")
            continue
        for k in ("total", "decision", "grade"):
            if a[k] != b[k]:
                diffs.append(f"{who}：{k} 本地 {a[k]}，Spark {b[k]}")
        fa = sorted((f["code"], f["row"] or 0) for f in a["findings"])
        fb = sorted((f["code"], f["row"] or 0) for f in b["findings"])
        if fa != fb:
            diffs.append(f"{who}：问题不同（本地 {fa}，Spark {fb}）")
    return diffs


def collect_results(tables, findings) -> list[dict]:
    """tables_df and findings_df back as score-like dicts in input order (for compare): project_id, name,
    total, grade, decision, error and findings with code and row."""
    by: dict[tuple, list] = {}
    for r in findings.select("file", "seq", "source", "code", "row").collect():
        by.setdefault((r["file"], r["seq"], r["source"]), []).append({"code": r["code"], "row": r["row"]})
    out = []
    for r in sorted(tables.collect(), key=lambda r: (r["file"], r["seq"] or 0)):
        d = r.asDict()
        d["findings"] = by.get((r["file"], r["seq"], r["source"]), [])
        out.append(d)
    return out
