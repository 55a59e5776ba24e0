"""How much of real tables the indicator library can name.

For every indicator row of a set, is there a library entry (data/library) whose name has
character-bigram Dice >= 0.5 with the row's name, in any slot, and in the row's own slot (first and
second level as the reader places them)? Sets: the real-table development set (tests/data/real), the
independent tables (data/eval/independent) and the transcribed published tables (data/eval/published).
Prints a table and writes JSON; `--missing` lists the uncovered rows of the development set by sector
guess and name (also written to build/uncovered_real_rows.txt) so library authors see which families
are missing.

    python scripts/eval_library_coverage.py [--out build/eval_library_coverage.json] [--missing]
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _report import write_json  # noqa: E402
from engine.domain.kinds import infer_sector  # noqa: E402
from engine.domain.library import Library  # noqa: E402
from engine.domain.text import bigrams, dice_sets  # noqa: E402
from engine.io.readers import expand_paths, read_file  # noqa: E402

DICE = 0.5
SETS = {"real": ROOT / "tests" / "data" / "real",
        "independent": ROOT / "data" / "eval" / "independent",
        "published": ROOT / "data" / "eval" / "published"}
MISSING_TXT = ROOT / "build" / "uncovered_real_rows.txt"


def tables_of(folder: Path) -> list:
    if not folder.is_dir():
        return []
    return [t for f in expand_paths([str(folder)]) for t in read_file(f).tables]


def best_match(name: str, entries: list[tuple[frozenset, object]]) -> tuple[float, object]:
    grams = bigrams(name)
    best, hit = 0.0, None
    for eg, e in entries:
        d = dice_sets(grams, eg)
        if d > best:
            best, hit = d, e
    return best, hit


def coverage(tables: list, lib: Library) -> tuple[dict, list[dict]]:
    """Counts for one set, and one record per row (name, slot, best match anywhere and in the slot)."""
    everywhere = [(bigrams(e.name), e) for e in lib.entries]
    by_slot: dict[str, list] = defaultdict(list)
    for g, e in everywhere:
        by_slot[e.slot_key].append((g, e))
    rows = []
    for t in tables:
        sector = infer_sector(t.project).name
        for ind in t.indicators:
            slot = f"{ind.placement.level1}/{ind.placement.level2}"
            any_d, any_e = best_match(ind.name, everywhere)
            same_d, _ = best_match(ind.name, by_slot.get(slot, []))
            rows.append({"project_id": t.project.project_id, "project": t.project.name, "sector": sector,
                         "slot": slot, "indicator": ind.name, "best_any": round(any_d, 3),
                         "best_entry": any_e.name if any_e else "", "best_slot": any_e.slot_key if any_e else "",
                         "best_same_slot": round(same_d, 3)})
    n = len(rows)
    covered_any = sum(r["best_any"] >= DICE for r in rows)
    covered_same = sum(r["best_same_slot"] >= DICE for r in rows)
    return {"tables": len(tables), "rows": n, "any_slot": round(covered_any / n, 4) if n else None,
            "same_slot": round(covered_same / n, 4) if n else None,
            "covered_any": covered_any, "covered_same": covered_same}, rows


def missing_report(rows: list[dict]) -> str:
    """Uncovered rows grouped by the project's sector guess, then by name (with how often it occurs)."""
    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["best_any"] < DICE:
            groups[r["sector"] or "（行业未识别）"][r["indicator"]].append(r)
    lines = [f"真实表开发集中库内无近似名称（Dice < {DICE}）的指标，按行业猜测与名称分组", ""]
    for sector in sorted(groups, key=lambda s: -sum(len(v) for v in groups[s].values())):
        names = groups[sector]
        lines.append(f"## {sector}（{sum(len(v) for v in names.values())} 行）")
        for name in sorted(names):
            rs = names[name]
            r = rs[0]
            lines.append(f"- {name}　[{r['slot']}]　×{len(rs)}　项目：{r['project']}"
                         f"　最接近：{r['best_entry'] or '—'}（{r['best_any']:.2f}）")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="指标库对真实表的覆盖率（名称字二元组 Dice ≥ 0.5）")
    ap.add_argument("--out", default="build/eval_library_coverage.json")
    ap.add_argument("--missing", action="store_true", help=f"列出开发集中未覆盖的指标（并写入 {MISSING_TXT}）")
    args = ap.parse_args(argv)
    lib = Library.load()
    out = {"rule": f"covered when a library entry's name has bigram Dice >= {DICE}", "library_entries": len(lib),
           "sets": {}}
    per_row = {}
    print(f"{'集合':<14}{'表':>5}{'指标':>7}{'任意槽覆盖':>12}{'同槽覆盖':>10}")
    for key, folder in SETS.items():
        stats, rows = coverage(tables_of(folder), lib)
        out["sets"][key] = stats
        per_row[key] = rows
        fmt = lambda v: "—" if v is None else f"{v:.1%}"  # noqa: E731
        print(f"{key:<14}{stats['tables']:>5}{stats['rows']:>7}{fmt(stats['any_slot']):>12}{fmt(stats['same_slot']):>10}")
    out["real_rows"] = per_row["real"]
    if args.missing:
        text = missing_report(per_row["real"])
        MISSING_TXT.parent.mkdir(parents=True, exist_ok=True)
        MISSING_TXT.write_text(text + "\n", encoding="utf-8")
        print("\n" + text)
        print(f"已写入 {MISSING_TXT}")
    write_json(args.out, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
