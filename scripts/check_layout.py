"""Checks the package layout: the import graph among engine modules (every import, including those
inside functions, except under `if TYPE_CHECKING:`) has no cycle, neither between modules nor between
the sub-packages, and no module is longer than the limit. Prints a table and writes JSON.

    python scripts/check_layout.py [--max-lines 450] [--out build/check_layout.json]
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The engine modules a file imports (a `from pkg import name` of a sub-module counts as that module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    out: set[str] = set()

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for sub in child.orelse:
                    visit_stmt(sub)
                continue
            visit_stmt(child)

    def visit_stmt(child):
        if isinstance(child, ast.Import):
            for a in child.names:
                if a.name in modules:
                    out.add(a.name)
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (child.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for a in child.names:
                if f"{base}.{a.name}" in modules:
                    out.add(f"{base}.{a.name}")
                elif base in modules:
                    out.add(base)
        visit(child)

    visit(tree)
    out.discard(me)
    return out


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the directed graph (as a path that returns to its start), or []."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {n: WHITE for n in graph}
    stack: list[str] = []

    def dfs(n):
        colour[n] = GREY
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if colour.get(m, BLACK) == GREY:
                return stack[stack.index(m):] + [m]
            if colour.get(m) == WHITE:
                found = dfs(m)
                if found:
                    return found
        stack.pop()
        colour[n] = BLACK
        return []

    for n in sorted(graph):
        if colour[n] == WHITE:
            found = dfs(n)
            if found:
                return found
    return []


def analyse(max_lines: int = 450) -> dict:
    files = sorted((ROOT / "engine").rglob("*.py"))
    modules = {module_name(f) for f in files}
    graph = {module_name(f): imports_of(f, modules) for f in files}
    # the package __init__ files import nothing of the engine, so a sub-package's edges are its modules'
    packages = {m: ".".join(m.split(".")[:2]) for m in modules}
    pgraph: dict[str, set[str]] = {}
    for m, deps in graph.items():
        if m == "engine":
            continue
        pgraph.setdefault(packages[m], set()).update(packages[d] for d in deps if packages[d] != packages[m]
                                                     and d != "engine")
    lines = {module_name(f): sum(1 for _ in f.open(encoding="utf-8")) for f in files}
    longest = max(lines, key=lines.get)
    return {"modules": len(modules), "module_cycle": find_cycle(graph), "package_cycle": find_cycle(pgraph),
            "package_graph": {p: sorted(d) for p, d in sorted(pgraph.items())},
            "longest_module": longest, "longest_lines": lines[longest], "max_lines": max_lines,
            "over_limit": sorted(m for m, n in lines.items() if n > max_lines)}


def main() -> int:
    ap = argparse.ArgumentParser(description="检查包结构：无循环导入、模块行数上限")
    ap.add_argument("--max-lines", type=int, default=450)
    ap.add_argument("--out", default="build/check_layout.json")
    args = ap.parse_args()
    res = analyse(args.max_lines)
    from _report import write_json

    print(f"模块数 {res['modules']}；最长模块 {res['longest_module']}（{res['longest_lines']} 行，上限 {res['max_lines']}）")
    print("模块循环导入：" + (" → ".join(res["module_cycle"]) or "无"))
    print("子包循环依赖：" + (" → ".join(res["package_cycle"]) or "无"))
    for p, deps in res["package_graph"].items():
        print(f"  {p:<20} → {', '.join(deps) or '（无）'}")
    if res["over_limit"]:
        print("超过行数上限：" + "、".join(res["over_limit"]))
    write_json(args.out, res)
    return 0 if not (res["module_cycle"] or res["package_cycle"] or res["over_limit"]) else 1


if __name__ == "__main__":
    sys.exit(main())
