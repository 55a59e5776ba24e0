"""How much the example approved tables (data/examples) copy the indicator library.

Prints and writes (JSON, build/check_examples.json by default):
- the share of indicator rows whose name equals a library entry name after the library's name
  normalisation (engine.domain.text.norm_key), and of those the share that also carry that entry's
  target (the target compared the same way);
- the share of tables whose amount equals a unit cost times a quantity of the same table exactly
  (a cost row in 元/X or 万元/X times an output row in X, to 0.01 万元);
- the tables whose department or project name is a placeholder (XX, 某, ××, 某某).

    python scripts/check_examples.py [--examples DIR] [--out build/check_examples.json]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _report import write_json  # noqa: E402
from engine.domain.library import Library  # noqa: E402
from engine.domain.targets import QUANT, money_in_wan, parse_target  # noqa: E402
from engine.domain.text import norm_key  # noqa: E402
from engine.io.examples import example_files  # noqa: E402

PLACEHOLDER = re.compile(r"XX|xx|××|某")
PER_UNIT = re.compile(r"^(万元|元)/([^/·]+)$")


def exact_product(table: dict) -> bool:
    """Some unit cost × some quantity of the table is the project amount, to 0.01 万元."""
    amount = table["project"].get("amount")
    if not amount:
        return False
    quantities, unit_costs = [], []
    for i in table["indicators"]:
        t = parse_target(i.get("value", ""), i.get("indicator", ""), i.get("unit", ""))
        if t.kind != QUANT or not t.numbers:
            continue
        if i.get("level1") == "成本指标":
            m = PER_UNIT.match(t.unit or "")
            if m:
                unit_costs.append((t.upper * (1.0 if m.group(1) == "万元" else 1e-4), m.group(2)))
        elif i.get("level1") == "产出指标" and i.get("level2") == "数量指标":
            quantities.append((t.upper, t.unit))
    return any(abs(per * q - amount) < 0.005 for per, _ in unit_costs for q, _ in quantities)


def total_is_amount(table: dict) -> bool:
    """A cost row's total in 万元 is exactly the project amount (the cap copied from the budget)."""
    amount = table["project"].get("amount")
    for i in table["indicators"]:
        if i.get("level1") == "成本指标" and amount:
            wan = money_in_wan(parse_target(i.get("value", ""), i.get("indicator", ""), i.get("unit", "")))
            if wan is not None and abs(wan - amount) < 0.005:
                return True
    return False


def measure(files: list[Path], lib: Library) -> dict:
    by_name: dict[str, list] = {}
    for e in lib.entries:
        by_name.setdefault(norm_key(e.name), []).append(e)
    rows = verbatim = with_target = tables = exact = total_eq = 0
    placeholders, departments, copied = [], Counter(), Counter()
    for f in files:
        for t in json.loads(f.read_text(encoding="utf-8")):
            tables += 1
            p = t["project"]
            departments[p.get("department", "")] += 1
            if PLACEHOLDER.search(p.get("department", "") + p.get("name", "")):
                placeholders.append(f"{p.get('department', '')}：{p.get('name', '')}")
            exact += exact_product(t)
            total_eq += total_is_amount(t)
            for i in t["indicators"]:
                rows += 1
                entries = by_name.get(norm_key(i.get("indicator", "")))
                if entries:
                    verbatim += 1
                    copied[i["indicator"]] += 1
                    if any(norm_key(e.target) == norm_key(i.get("value", "")) for e in entries):
                        with_target += 1
    return {"files": len(files), "tables": tables, "rows": rows,
            "verbatim_names": verbatim, "verbatim_share": round(verbatim / rows, 4) if rows else 0.0,
            "verbatim_with_library_target": with_target,
            "verbatim_with_library_target_share_of_rows": round(with_target / rows, 4) if rows else 0.0,
            "verbatim_with_library_target_share_of_verbatim": round(with_target / verbatim, 4) if verbatim else 0.0,
            "amount_exact_product": exact, "amount_exact_product_share": round(exact / tables, 4) if tables else 0.0,
            "cost_total_equals_amount": total_eq,
            "cost_total_equals_amount_share": round(total_eq / tables, 4) if tables else 0.0,
            "placeholder_tables": len(placeholders), "placeholders": placeholders,
            "distinct_departments": len(departments),
            "most_copied": copied.most_common(15)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="示例批复表与指标库的重合度检查")
    ap.add_argument("--examples", help="示例表目录（默认 data/examples）")
    ap.add_argument("--out", default="build/check_examples.json")
    args = ap.parse_args(argv)
    files = example_files(Path(args.examples)) if args.examples else example_files()
    r = measure(files, Library.load())
    print(f"示例表：{r['files']} 个文件，{r['tables']} 张表，{r['rows']} 个指标")
    print(f"指标名称与指标库条目完全相同（规范化后）：{r['verbatim_names']} = {r['verbatim_share']:.1%}")
    print(f"  其中目标值也与该条目相同：{r['verbatim_with_library_target']} = "
          f"占全部指标 {r['verbatim_with_library_target_share_of_rows']:.1%}，"
          f"占照抄名称的 {r['verbatim_with_library_target_share_of_verbatim']:.1%}")
    print(f"项目金额恰好等于单位成本×数量：{r['amount_exact_product']} 张 = {r['amount_exact_product_share']:.1%}")
    print(f"成本总额指标恰好等于项目金额：{r['cost_total_equals_amount']} 张 = {r['cost_total_equals_amount_share']:.1%}")
    print(f"占位部门或项目名称（XX、某）：{r['placeholder_tables']} 张；不同部门 {r['distinct_departments']} 个")
    print("照抄最多的名称：" + "、".join(f"{n}×{c}" for n, c in r["most_copied"][:8]))
    write_json(args.out, r)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
