"""Commands that build, serve, retrain and switch engine versions, and keep the library: build,
serve, train, models, library."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from engine.cli.common import open_engine, stage_progress
from engine.cli.parser import UsageError


def cmd_library_check(args) -> int:
    import json

    from engine.domain.library import Library, check_library

    report = check_library(Library.load(args.paths.library))
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


def cmd_build(args) -> int:
    from engine.model.build import build_engine
    from engine.model.engine import DEFAULT_VERSION

    out = Path(args.output or args.model or args.paths.models / DEFAULT_VERSION)
    engine = build_engine(out, args.paths, args.encoder, progress=stage_progress())
    c = engine.manifest["counts"]
    print(f"引擎已建立：{out}（指标 {c['entries']} 条，批复表 {c['history_tables']} 张，"
          f"句向量 {engine.manifest['encoder']['spec']}，用时 {engine.manifest['build_seconds']} 秒）", file=sys.stderr)
    return 0


def cmd_serve(args) -> int:
    import socket

    import uvicorn

    from engine.service.api import Service
    from engine.service.app import create_app, tune_for_serving

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
    uvicorn.run("engine.service.app:app_from_env", factory=True, workers=args.workers, host=args.host, port=args.port,
                log_level="warning")
    return 0


def cmd_train(args) -> int:
    import json

    from engine.model.train import train

    base = open_engine(args) if args.model else None
    report = train(args.paths, args.approved, out=args.output, force=args.force, progress=stage_progress(), base=base,
                   full=args.full)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        m = report.metrics
        state = ("已启用" if report.switched else "通过检验（目录不在 models/ 下，在用版本未切换；用 --model 指定使用）"
                 if report.promoted else "未启用")
        print(f"新版本：{report.version}（{report.path}）{state}：{report.reason}")
        print(f"读取批复表 {report.tables_read} 张，采用 {report.tables_used} 张；新增指标建议 {report.proposals_new} 条"
              f"（{Path(report.path) / 'proposals.csv'}），参与推荐的批复指标 {report.proposals_in_use} 条；用时 {report.seconds} 秒")
        print(f"留出 {m.get('holdout_tables')} 张批复表的 recall@5：{m.get('recall@5_before')} → {m.get('recall@5_after')}；"
              + ("已学习查询向量适配矩阵" if m.get("query_adapter") else "批复表不足，未学习查询向量适配矩阵")
              + f"；排序权重{report.weights}")
    for line in report.skipped[:50]:
        print(f"跳过：{line}", file=sys.stderr)
    if len(report.skipped) > 50:
        print(f"……另有 {len(report.skipped) - 50} 条跳过记录", file=sys.stderr)
    return 0


def cmd_models(args) -> int:
    import json

    from engine.model.versions import list_versions, use_version

    if args.models_command == "use":
        path = use_version(args.paths, args.version)
        print(f"已启用引擎版本 {args.version}（{path}）")
        return 0
    versions = list_versions(args.paths)
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


def cmd_library_proposals(args) -> int:
    import json

    from engine.model.proposals import PROPOSALS_FILE, load_proposals, min_approved
    from engine.model.versions import current_model_dir

    path = (Path(args.model) if args.model else current_model_dir(args.paths)) / PROPOSALS_FILE
    props = [p for p in load_proposals(path) if args.status == "全部" or p.status == args.status]
    props.sort(key=lambda p: (-p.count, p.level2, p.id))
    n = min_approved()
    rows = [{"id": p.id, "status": p.status, "level1": p.level1, "level2": p.level2, "name": p.name, "unit": p.unit,
             "target": p.target, "count": p.count, "variants": p.variant_counts(), "sources": p.origin,
             "in_use": p.status == "已采纳" or (p.status == "待审核" and p.count >= n)} for p in props]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"没有新增指标建议（{path}；由 jixiao train 生成）")
        return 0
    print(f"新增指标建议 {len(rows)} 组（{path}）；待审核的建议被 {n} 张及以上批复表采用后参与推荐")
    for r in rows:
        variants = "、".join(f"{v}（{c}）" for v, c in r["variants"].items())
        print(f"{r['id']}  [{r['status']}{'·参与推荐' if r['in_use'] else ''}]  {r['level2']}  建议名称：{r['name']}"
              f"  {r['count']}张表采用  指标值 {r['target'] or '—'}")
        print(f"    用过的写法：{variants}")
        print(f"    来源：{r['sources']}")
    return 0


def cmd_library_status(args) -> int:
    from engine.model.proposals import ACCEPTED, PROPOSALS_FILE, REJECTED, set_status
    from engine.model.versions import current_model_dir

    # the proposals belong to the engine version whose training made them: --model, else the one in use
    path = (Path(args.model) if args.model else current_model_dir(args.paths)) / PROPOSALS_FILE
    if not path.exists():
        raise UsageError(f"{path} 不存在：当前引擎版本没有新增指标建议（由 jixiao train 生成）")
    changed, unknown = set_status(path, args.ids, ACCEPTED if args.library_command == "accept" else REJECTED)
    if changed:
        print(f"已{'采纳' if args.library_command == 'accept' else '拒绝'}：{'、'.join(changed)}（下次训练引擎时生效）")
    if unknown:
        raise UsageError(f"{path} 中没有这些编号：{'、'.join(unknown)}")
    return 0
