"""Command line `jixiao` (contract §2). Messages and help are Chinese; stdout carries only the
requested output, logs and progress go to stderr. Exit 0 ok, 2 bad input, 1 internal error."""
from __future__ import annotations

import os
import sys

from engine.cli.model_commands import (cmd_build, cmd_library_check, cmd_library_proposals, cmd_library_status, cmd_models,
                                       cmd_serve, cmd_train)
from engine.cli.parser import UsageError, build_parser
from engine.cli.review_commands import cmd_diff, cmd_score, cmd_search, cmd_suggest


def main(argv: list[str] | None = None) -> int:
    from engine.model.engine import EngineError
    from engine.io.readers import InputError

    from engine.paths import Paths

    args = build_parser().parse_args(argv)
    args.paths = Paths.default()  # the one place that decides where data and engine versions live
    try:
        if args.command == "score":
            return cmd_score(args)
        if args.command == "library" and args.library_command == "check":
            return cmd_library_check(args)
        if args.command == "library" and args.library_command == "proposals":
            return cmd_library_proposals(args)
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
