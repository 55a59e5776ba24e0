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
    common(s)

    lib = sub.add_parser("library", help="指标库维护", formatter_class=_formatter)
    lsub = lib.add_subparsers(dest="library_command", metavar="子命令", parser_class=_Parser)
    lsub.required = True
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
    reviewer = Reviewer()
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
    reviews = []
    with _progress(len(tables), "评审中") as prog:
        task = prog.add_task("score", total=len(tables))
        for t in tables:
            reviews.append(reviewer.review(t))
            prog.advance(task)
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


def main(argv: list[str] | None = None) -> int:
    from engine.readers import InputError

    args = build_parser().parse_args(argv)
    try:
        if args.command == "score":
            return cmd_score(args)
        if args.command == "library" and args.library_command == "check":
            return cmd_library_check(args)
    except (UsageError, InputError) as e:
        print(f"jixiao：{e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except Exception as e:  # an internal error: say so plainly, traceback only when debugging
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        print(f"jixiao：内部错误（{type(e).__name__}: {e}）。设置环境变量 JIXIAO_DEBUG=1 可查看详细信息。", file=sys.stderr)
        return 1
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
