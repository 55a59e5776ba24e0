"""What the commands share: writing output, progress on stderr, opening the engine, reading the
project and tables named on the command line."""
from __future__ import annotations

import sys
from pathlib import Path

from engine.cli.parser import UsageError


# ------------------------------------------------------------------ output helpers
def emit(text: str | bytes, output: str | None) -> None:
    from engine.io.writers import atomic_write

    if output:
        atomic_write(output, text if isinstance(text, bytes) else text.encode("utf-8"))
        print(f"已写入 {output}", file=sys.stderr)
    elif isinstance(text, bytes):
        raise UsageError("xlsx 格式请用 -o 指定输出文件，例如 -o 评审报告.xlsx")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def progress_bar(total: int, label: str):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, transient=True, disable=total < 50 or not console.is_terminal)


def stage_progress():
    """A progress bar over the stages of an engine build (stderr)."""
    from rich.console import Console

    console = Console(stderr=True)

    def say(msg: str) -> None:
        console.print(f"[dim]·[/dim] {msg}", highlight=False)

    return say


def open_engine(args, auto_build: bool = True):
    """The engine a command works with: --model, else the version in use under args.paths.models."""
    from engine.model.versions import open_engine as open_version

    return open_version(args.paths, model=getattr(args, "model", None), auto_build=auto_build,
                        progress=stage_progress())


def project_from_args(args):
    import json

    from engine.io.readers import InputError, project_from_dict
    from engine.domain.table import Project

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
        project = project_from_dict(data, str(path), "项目")
        if not project.name:
            raise InputError(path, "缺少项目名称（name）")
        return project
    name = (args.name or "").strip()
    if not name:
        raise UsageError("请用 --name 给出项目名称（或用 --project 指定 JSON 文件）")
    known_sector(args.sector)
    known_category(args.category)
    from engine.domain.text import tidy

    return Project(name=tidy(name), description=tidy(args.description), goal=tidy(args.goal),
                   sector=tidy(args.sector), category=tidy(args.category), amount=args.amount,
                   department=tidy(args.department), year=args.year)


def known_sector(value: str, also=()) -> str:
    """A --sector option as given when it names a library sector (or one of `also`); otherwise a
    UsageError listing the sectors, instead of silently ignoring it."""
    from engine.domain.kinds import sector_by_name, sectors

    v = (value or "").strip()
    if not v or v in also or sector_by_name(v):
        return value
    names = [s.name for s in sectors()] + list(also)
    raise UsageError(f"未知的行业“{v}”。可选的行业：{'、'.join(names)}")


def known_category(value: str) -> str:
    """A --category option as given when it names one of the project kinds; otherwise a UsageError
    listing them."""
    from engine.domain.kinds import kind_by_name, kinds

    v = (value or "").strip()
    if not v or kind_by_name(v):
        return value
    raise UsageError(f"未知的项目类别“{v}”。可选的类别：{'、'.join(k.name for k in kinds())}")


def matching_engine(args):
    """The engine whose sentence vectors help match renamed indicators: the one named by --model, else
    the one in use if it is already built (never built just for matching); None means names only."""
    from engine.model.engine import EngineError

    if getattr(args, "model", None):
        return open_engine(args)
    try:
        return open_engine(args, auto_build=False)
    except EngineError:
        print("提示：尚未建立推荐引擎，指标仅按名称字面相似度对应（可用 --model 指定引擎目录）", file=sys.stderr)
        return None


def read_tables(paths: list[str]) -> list:
    from engine.io.readers import expand_paths, read_file

    tables = []
    for f in expand_paths(paths):
        res = read_file(f)
        for w in res.warnings:
            print(f"提示：{w}", file=sys.stderr)
        tables.extend(res.tables)
    return tables


def previous_checks(args) -> list:
    """`score --previous`: the year-over-year check built from last year's tables (none without the option)."""
    from engine.review.previous import PreviousYearCheck

    if not getattr(args, "previous", None):
        return []
    previous = read_tables(args.previous)
    if not previous:
        raise UsageError("--previous 没有读到任何上年度绩效目标表")
    return [PreviousYearCheck(previous, matching_engine(args))]
