"""Fits the calibrated confidence of suggestions (engine/retrieval/confidence.py) on tables the library
was not written from — the independent tables and the transcribed published tables of data/eval — and
writes data/confidence.json. A candidate is labelled kept when the table's own row of that slot is the
same indicator (eval_suggest's rule). The bar for `recommended` is the one with the best F1 among those
that keep optional-slot false alarms at or below --max-false-alarm.

Honesty: the reported calibration is cross-fitted — the tables of writer A (written_a, published_a)
are scored by a model fitted on writer B's and the other way round; the shipped coefficients are then
fitted on all of them.

    python scripts/fit_confidence.py [--out build/fit_confidence.json] [--write]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _report import write_json  # noqa: E402
from engine.domain.history import EntryLinker, history_from_tables  # noqa: E402
from engine.domain.library import Library  # noqa: E402
from engine.domain.resources import load_json  # noqa: E402
from engine.model.build import fit_engine  # noqa: E402
from engine.paths import Paths  # noqa: E402
from engine.domain.table import Project  # noqa: E402
from engine.domain.text import bigrams, dice_sets  # noqa: E402
from engine.io.readers import read_file  # noqa: E402
from engine.model.versions import open_engine  # noqa: E402
from engine.retrieval.confidence import FEATURES, candidate_features  # noqa: E402
from engine.retrieval.suggest import Suggester  # noqa: E402
from eval_suggest import FOUND_DICE, OPTIONAL, truth  # noqa: E402

EVAL = ROOT / "data" / "eval"


def rows_of(files) -> list[dict]:
    """One row per candidate: its features, whether the table kept it, and its slot's facts. The next-year
    editions and sister projects are suggested for by an engine whose history holds their predecessor
    (as after training on it), so approved precedents are calibrated too."""
    base = open_engine(progress=lambda m: print(m, file=sys.stderr))
    tables = []
    for f in files:
        raw = json.loads(f.read_text(encoding="utf-8"))
        tables += [(f, r["project"], t) for r, t in zip(raw, read_file(f).tables)]
    firsts = [t for _, r, t in tables if r.get("relation") == "base" and
              any(r2.get("family") == r.get("family") and r2.get("relation") != "base" for _, r2, _ in tables)]
    linker = EntryLinker(base.entries)
    informed = fit_engine(Paths.default(), base.manifest["encoder"]["spec"],
                          library=Library(list(base.entries), []),
                          history_tables=base.history + history_from_tables(firsts, linker, "approved"),
                          calibration=base.components.get("calibration"), parent=base, refit=False)
    plain, after = Suggester(base), Suggester(informed)
    out = []
    for f, raw, t in tables:
        p = t.project
        sg = after if raw.get("relation") in ("recurring", "sister") else plain
        res = sg.suggest(Project(name=p.name, description=p.description, goal=p.goal, amount=p.amount,
                                 department=p.department, year=p.year), k=5)
        true = {}
        for l2, name in truth(t):
            true.setdefault(l2, []).append(bigrams(name))
        for s in res.slots:
            called = s.called
            for n, c in enumerate(s.candidates, 1):
                g = bigrams(c.indicator)
                kept = any(dice_sets(g, h) >= FOUND_DICE for h in true.get(s.level2, []))
                x = candidate_features(c.source, c.strong, n, c.relevance, s.required, called)
                out.append({"x": [x[k] for k in FEATURES], "y": int(kept), "slot": s.level2,
                            "optional_empty": s.level2 in OPTIONAL and s.level2 not in true,
                            "table": f"{f.name}:{p.project_id or p.name}", "called": called})
    return out


def fit(rows) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    X = np.array([r["x"] for r in rows])[:, 1:]  # the bias is the intercept
    y = np.array([r["y"] for r in rows])
    m = LogisticRegression(C=1.0, max_iter=2000).fit(X, y)
    return np.concatenate([m.intercept_, m.coef_[0]])


def prob(coef, rows) -> np.ndarray:
    X = np.array([r["x"] for r in rows])
    return 1.0 / (1.0 + np.exp(-(X @ coef)))


def false_alarms(rows, p, bar) -> float:
    slots: dict[tuple, bool] = {}
    for r, q in zip(rows, p):
        if r["optional_empty"]:
            key = (r["table"], r["slot"])
            slots[key] = slots.get(key, False) or (r["called"] and q >= bar)
    return sum(slots.values()) / len(slots) if slots else 0.0


def choose_bar(rows, p, max_fa: float) -> float:
    y = np.array([r["y"] for r in rows])
    best, best_f1 = 0.5, -1.0
    for bar in np.arange(0.1, 0.9, 0.025):
        rec = p >= bar
        if false_alarms(rows, p, bar) > max_fa or not rec.any():
            continue
        precision = (y[rec] == 1).mean()
        recall = (y[rec] == 1).sum() / max(y.sum(), 1)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1:
            best, best_f1 = float(round(bar, 3)), f1
    return best


def reliability(y, p, bins: int = 5) -> list[dict]:
    edges = np.linspace(0, 1, bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (p >= lo) & (p < hi if hi < 1 else p <= hi)
        if m.any():
            out.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(m.sum()), "predicted": round(float(p[m].mean()), 3),
                        "observed": round(float(y[m].mean()), 3)})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="拟合推荐置信度（在不依指标库编写的表上校准）")
    ap.add_argument("--out", default="build/fit_confidence.json")
    ap.add_argument("--max-false-alarm", type=float, default=0.2)
    ap.add_argument("--write", action="store_true", help="把系数写入 data/confidence.json")
    args = ap.parse_args(argv)
    groups = {w: [f for f in sorted(EVAL.glob("*/*.json")) if f.stem.endswith(f"_{w}")] for w in ("a", "b")}
    rows = {w: rows_of(fs) for w, fs in groups.items()}
    report = {"rows": {w: len(r) for w, r in rows.items()}, "cross_fitted": {}}
    print(f"{'折':<6}{'Brier':>8}{'推荐门槛':>8}{'推荐精确率':>10}{'推荐召回':>8}{'可选误报':>8}")
    for test, train in (("a", "b"), ("b", "a")):
        coef = fit(rows[train])
        p_train = prob(coef, rows[train])
        bar = choose_bar(rows[train], p_train, args.max_false_alarm)
        p = prob(coef, rows[test])
        y = np.array([r["y"] for r in rows[test]])
        rec = p >= bar
        r = {"brier": round(float(((p - y) ** 2).mean()), 4), "bar": bar,
             "precision": round(float(y[rec].mean()), 4) if rec.any() else 0.0,
             "recall": round(float(y[rec].sum() / max(y.sum(), 1)), 4),
             "optional_false_alarms": round(false_alarms(rows[test], p, bar), 4),
             "reliability": reliability(y, p)}
        report["cross_fitted"][f"train {train} → test {test}"] = r
        print(f"{train}→{test:<3}{r['brier']:>8.3f}{bar:>8.2f}{r['precision']:>10.1%}{r['recall']:>8.1%}"
              f"{r['optional_false_alarms']:>8.1%}")
        for b in r["reliability"]:
            print(f"    置信度 {b['bin']}：{b['n']:>4} 个候选，预测 {b['predicted']:.2f}，实际 {b['observed']:.2f}")
    everything = rows["a"] + rows["b"]
    coef = fit(everything)
    bar = choose_bar(everything, prob(coef, everything), args.max_false_alarm)
    report["shipped"] = {"coef": dict(zip(FEATURES, [round(float(c), 4) for c in coef])), "bar": bar}
    print(f"全部表拟合：门槛 {bar}，系数 {report['shipped']['coef']}")
    if args.write:
        cfg = load_json("confidence.json")
        cfg.update(report["shipped"])
        (ROOT / "data" / "confidence.json").write_text(json.dumps(cfg, ensure_ascii=False, indent=2) + "\n",
                                                       encoding="utf-8")
        print("已写入 data/confidence.json")
    write_json(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
