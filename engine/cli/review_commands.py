"""Commands for reviewers and drafters: score, suggest, search, diff."""
from __future__ import annotations

import sys

from engine.cli.common import (emit, known_sector, matching_engine, open_engine, previous_checks, progress_bar,
                               project_from_args, read_tables)
from engine.cli.parser import UsageError


def cmd_score(args) -> int:
    from engine.io import reports
    from engine.io.readers import DEFAULT_MAX_MB, InputError, expand_paths, read_file
    from engine.review.reviewer import Reviewer

    if args.spark:
        from engine.cli.spark_commands import cmd_score_spark

        return cmd_score_spark(args)
    if args.format == "parquet":
        raise UsageError("parquet 格式只用于 Spark 评审，请同时指定 --spark MASTER（如 --spark local[2]）")
    if args.format == "xlsx" and not args.output:
        raise UsageError("xlsx 格式请用 -o 指定输出文件，例如 -o 评审报告.xlsx")
    files = expand_paths(args.files)
    if not files:
        raise UsageError("没有找到可评审的文件（支持 .csv .xlsx .json，或包含这些文件的文件夹）")
    checks = previous_checks(args)
    if args.rules_only:
        reviewer = Reviewer(checks)
    else:
        from engine.review.model_checks import ModelChecks

        reviewer = Reviewer.with_model(ModelChecks(open_engine(args)), checks)
    tables, bad, notes = [], [], []
    for f in files:
        try:
            res = read_file(f, max_mb=args.max_mb or DEFAULT_MAX_MB)
        except InputError as e:
            print(f"输入错误：{e}", file=sys.stderr)
            bad.append((str(f), str(e)))
            continue
        for w in res.warnings:
            print(f"提示：{w}", file=sys.stderr)
            notes.append((str(f), w))
        tables.extend(res.tables)
    from engine.review.bulk import review_all

    with progress_bar(len(tables), "评审中") as prog:
        task = prog.add_task("score", total=len(tables))
        reviews = review_all(tables, reviewer, workers=args.workers, advance=lambda n: prog.advance(task, n))
    # the XLSX and HTML reports also name the files that could not be reviewed, and the rows skipped
    render = {"json": reports.to_json, "table": reports.to_table, "csv": reports.to_csv,
              "xlsx": lambda rv: reports.to_xlsx(rv, bad, notes),
              "html": lambda rv: reports.to_html(rv, file_errors=bad, notes=notes)}[args.format]
    if reviews or args.format == "json":
        emit(render(reviews), args.output)
    if bad:
        print(f"{len(bad)} 个文件无法读取（见上文），其余 {len(reviews)} 张表已评审。", file=sys.stderr)
        return 2
    return 0


def cmd_suggest(args) -> int:
    import json

    from engine.retrieval.suggest import Suggester

    project = project_from_args(args)
    if not 1 <= args.k <= 50:
        raise UsageError("-k 应在 1 到 50 之间")
    result = Suggester(open_engine(args)).suggest(project, k=args.k)
    if args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    pj = result.project
    print(f"项目：{pj['name']}  类别：{pj['category'] or '未识别'}（{_SRC.get(pj['category_source'], '')}）  "
          f"行业：{pj['sector'] or '未识别'}（{_SRC.get(pj['sector_source'], '')}）")
    if result.similar:
        print("相似批复项目：" + "、".join(f"{s.name}（{s.score:.2f}）" for s in result.similar[:3]))
    for note in result.notes:
        print(f"提示：{note}")
    if result.previous:
        print(f"上年批复表：{result.previous['why']}（可整表沿用，JSON 输出的 previous 字段）")
    print("（★ 为推荐的候选：置信度达到门槛；其余仅供参考）")
    for slot in result.slots:
        flag = "【必填】" if slot.required else ""
        print(f"\n{slot.level1} / {slot.level2} {flag}")
        if slot.advice:
            print(f"  说明：{slot.advice}")
        for n, c in enumerate(slot.candidates, 1):
            star = "★" if c.recommended else " "
            print(f"{star} {n}. {c.indicator:<24} 建议值 {c.suggested_value:<14} {c.why}")
    return 0


_SRC = {"given": "已填写", "inferred": "自动识别", "similar": "依相似项目", "none": ""}


def cmd_search(args) -> int:
    import json

    from engine.retrieval.search import search

    if not args.query.strip():
        raise UsageError("检索词不能为空")
    known_sector(args.sector, also=("共性", "通用"))
    hits = search(open_engine(args), args.query, level2=args.level2, sector=args.sector, k=args.k)
    if args.format == "json":
        print(json.dumps([h.entry.to_dict() | {"score": round(h.score, 4)} for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("没有找到匹配的指标。")
    for n, h in enumerate(hits, 1):
        e = h.entry
        where = e.sector or "、".join(e.kinds) or "通用"
        print(f"{n:>2}. [{e.id}] {e.name}  {e.level1}/{e.level2}  典型值 {e.target}  （{where}）")
        print(f"      {e.explanation}")
    return 0


def cmd_diff(args) -> int:
    from engine.io import diff_reports
    from engine.review.diff import diff_tables, pair_tables

    if args.format == "xlsx" and not args.output:
        raise UsageError("xlsx 格式请用 -o 指定输出文件，例如 -o 调整对比.xlsx")
    old, new = read_tables([args.old]), read_tables([args.new])
    pairs, left_old, left_new = pair_tables(old, new)
    if not pairs:
        raise UsageError(f"{args.old} 与 {args.new} 中没有可对应的项目（按项目编号、其次按项目名称对应），无法比较")
    for t in left_old:
        print(f"提示：项目“{t.project.name}”只在 {args.old} 中，未比较", file=sys.stderr)
    for t in left_new:
        print(f"提示：项目“{t.project.name}”只在 {args.new} 中，未比较", file=sys.stderr)
    engine = matching_engine(args)
    diffs = [diff_tables(o, n, engine) for o, n in pairs]
    render = {"json": diff_reports.to_json, "table": diff_reports.to_table, "csv": diff_reports.to_csv,
              "xlsx": diff_reports.to_xlsx, "html": diff_reports.to_html}[args.format]
    emit(render(diffs), args.output)
    return 0
