"""Load test of the HTTP service on this machine.

Starts `jixiao serve` in a subprocess on 127.0.0.1 and a free port, waits for /healthz, then runs
concurrent clients (threads, one httpx client each) that alternate POST /v1/suggest and POST /v1/score
with projects and tables varied from data/examples, checking that every answer is 200 and well formed.
Prints requests, errors, throughput and latency percentiles per endpoint, writes JSON, stops the server.

    python scripts/bench_service.py [--clients 8] [--seconds 30] [--baseline 10] [--workers 1] [--model DIR] [--out build/bench_service.json]

Target: no errors, p95 of /v1/suggest ≤ 150 ms.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_SUGGEST_MS = 150.0
MAX_CLIENTS, MAX_SECONDS = 64, 600
VAGUE = ["有效提升", "明显改善", "按要求完成", "进一步提高", ""]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def example_tables() -> list[dict]:
    tables = []
    for f in sorted((ROOT / "data" / "examples").rglob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        tables.extend(data if isinstance(data, list) else [data])
    if not tables:
        raise SystemExit("data/examples 中没有示例表，无法生成请求")
    return tables


def vary_project(rnd: random.Random, t: dict) -> dict:
    """A project like a drafter's: sometimes only the name, sometimes no category, another amount."""
    p = {k: v for k, v in t["project"].items() if v not in (None, "")}
    out = {"name": p["name"]}
    for key in ("description", "goal", "department", "sector", "category"):
        if key in p and rnd.random() < 0.6:
            out[key] = p[key]
    if "amount" in p and rnd.random() < 0.8:
        out["amount"] = round(float(p["amount"]) * rnd.choice([0.5, 1, 1, 2]), 2)
    return out


def vary_table(rnd: random.Random, t: dict) -> dict:
    """A submitted table: a subset of the rows, some targets made vague, in shuffled order."""
    t = copy.deepcopy(t)
    rows = t.get("indicators", [])
    keep = max(1, int(len(rows) * rnd.uniform(0.5, 1.0)))
    rows = rnd.sample(rows, keep)
    for r in rows:
        if rnd.random() < 0.15:
            r["value"] = rnd.choice(VAGUE)
    t["indicators"] = rows
    t["project"] = vary_project(rnd, t)
    return t


def well_formed(endpoint: str, body) -> bool:
    if endpoint == "suggest":
        return (isinstance(body, dict) and len(body.get("slots", [])) == 10
                and all(isinstance(s.get("candidates"), list) for s in body["slots"]))
    return (isinstance(body, list) and len(body) == 1 and 0 <= body[0].get("total", -1) <= 100
            and body[0].get("grade") in ("优", "良", "中", "差") and isinstance(body[0].get("findings"), list))


class Client(threading.Thread):
    def __init__(self, n: int, base: str, tables: list[dict], deadline: float, budget: "Budget", seed: int):
        super().__init__(daemon=True)
        self.n, self.base, self.tables, self.deadline, self.budget = n, base, tables, deadline, budget
        self.rnd = random.Random(seed * 1000 + n)
        self.samples: list[tuple[str, float, bool, str]] = []   # endpoint, seconds, ok, why

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as http:
            i = self.n  # clients start on different endpoints so both are always in flight
            while time.monotonic() < self.deadline and self.budget.take():
                t = self.rnd.choice(self.tables)
                if i % 2 == 0:
                    endpoint, path, body = "suggest", f"/v1/suggest?k={self.rnd.choice([3, 5, 8])}", vary_project(self.rnd, t)
                else:
                    endpoint, path, body = "score", "/v1/score", vary_table(self.rnd, t)
                i += 1
                t0 = time.perf_counter()
                try:
                    r = http.post(path, json=body)
                    elapsed = time.perf_counter() - t0
                    ok = r.status_code == 200 and well_formed(endpoint, r.json())
                    why = "" if ok else f"HTTP {r.status_code}: {r.text[:200]}"
                except (httpx.HTTPError, ValueError) as e:
                    elapsed, ok, why = time.perf_counter() - t0, False, f"{type(e).__name__}: {e}"
                self.samples.append((endpoint, elapsed, ok, why))


class Budget:
    """A shared cap on the total number of requests (the run is bounded in count as well as time)."""

    def __init__(self, n: int):
        self.left, self.lock = n, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def start_server(port: int, model: str | None, workers: int, log_path: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "engine", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if model:
        cmd += ["--model", model]
    log = open(log_path, "wb")
    return subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"服务进程已退出（退出码 {proc.returncode}）")
        try:
            r = httpx.get(base + "/healthz", timeout=2)
            if r.status_code == 200:
                return r.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"服务在 {timeout:.0f} 秒内未就绪")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # uvicorn shuts down cleanly on Ctrl+C
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def summarise(samples, elapsed: float) -> dict:
    out = {}
    for endpoint in ("suggest", "score", "all"):
        rows = [s for s in samples if endpoint == "all" or s[0] == endpoint]
        lat = np.array([s[1] for s in rows]) * 1000.0
        out[endpoint] = {
            "requests": len(rows), "errors": sum(1 for s in rows if not s[2]),
            "throughput_rps": round(len(rows) / elapsed, 1) if elapsed else 0.0,
            **({f"p{q}_ms": round(float(np.percentile(lat, q)), 1) for q in (50, 95, 99)} if len(rows) else {}),
            "max_ms": round(float(lat.max()), 1) if len(rows) else None,
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="HTTP 服务压力测试：并发调用 /v1/suggest 与 /v1/score，统计吞吐量和延迟。")
    ap.add_argument("--clients", type=int, default=8, help=f"并发客户端数（默认 8，最多 {MAX_CLIENTS}）")
    ap.add_argument("--seconds", type=float, default=30, help=f"持续时间（秒，默认 30，最多 {MAX_SECONDS}）")
    ap.add_argument("--max-requests", type=int, default=200_000, help="请求总数上限（默认 200000）")
    ap.add_argument("--workers", type=int, default=1, help="服务的工作进程数（jixiao serve --workers，默认 1）")
    ap.add_argument("--model", metavar="DIR", help="引擎目录（默认：models/ 下当前在用的版本）")
    ap.add_argument("--startup-timeout", type=float, default=900, help="等待服务就绪的时间（秒，首次使用需建立引擎）")
    ap.add_argument("--warmup", type=float, default=5, help="预热时间（秒，不计入结果，默认 5）")
    ap.add_argument("--baseline", type=float, default=10, help="单客户端基线时长（秒，同一次运行中测量，0 为不测，默认 10）")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=str(ROOT / "build" / "bench_service.json"))
    args = ap.parse_args(argv)
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.seconds <= MAX_SECONDS or args.max_requests < 1:
        ap.error(f"--clients 应在 1–{MAX_CLIENTS}，--seconds 应在 0–{MAX_SECONDS}，--max-requests 应 ≥ 1")

    tables = example_tables()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.gettempdir()) / f"jixiao-bench-{port}.log"
    proc = start_server(port, args.model, args.workers, log_path)
    try:
        t0 = time.monotonic()
        health = wait_healthy(base, proc, args.startup_timeout)
        print(f"服务就绪（{time.monotonic() - t0:.1f} 秒，引擎 {health['model']}，{args.workers} 个工作进程），"
              f"{args.clients} 个客户端，持续 {args.seconds:g} 秒……",
              file=sys.stderr)
        # warm-up, not counted: first requests pay for lazy loading (and other workers may still be starting)
        warm = Budget(10_000)
        warmers = [Client(n, base, tables, time.monotonic() + args.warmup, warm, args.seed + 1) for n in range(2)]
        for c in warmers:
            c.start()
        for c in warmers:
            c.join(timeout=args.warmup + 120)
        # baseline in the same run: one client alone, so the table can say what concurrency costs
        # independently of how busy the shared machine is today
        one = []
        if args.baseline > 0:
            solo = Client(0, base, tables, time.monotonic() + args.baseline, Budget(args.max_requests), args.seed + 2)
            t_solo = time.monotonic()
            solo.start()
            solo.join(timeout=args.baseline + 120)
            one, solo_elapsed = solo.samples, time.monotonic() - t_solo
        budget = Budget(args.max_requests)
        start = time.monotonic()
        clients = [Client(n, base, tables, start + args.seconds, budget, args.seed) for n in range(args.clients)]
        for c in clients:
            c.start()
        for c in clients:
            c.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - start
    except RuntimeError as e:
        print(f"错误：{e}；服务日志 {log_path}：", file=sys.stderr)
        print(log_path.read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
        return 1
    finally:
        stop_server(proc)

    samples = [s for c in clients for s in c.samples]
    stats = summarise(samples, elapsed)
    solo_stats = summarise(one, solo_elapsed) if one else None
    p95 = stats["suggest"].get("p95_ms")
    target_met = stats["all"]["errors"] == 0 and p95 is not None and p95 <= TARGET_P95_SUGGEST_MS

    print(f"\n{'接口':<10}{'请求数':>8}{'错误':>6}{'吞吐(次/秒)':>14}{'p50(ms)':>10}{'p95(ms)':>10}{'p99(ms)':>10}{'最大(ms)':>10}")
    rows = [(f"{args.clients} 客户端", stats)] + ([("单客户端（基线）", solo_stats)] if solo_stats else [])
    for title, st in rows:
        print(title)
        for name, label in (("suggest", "/v1/suggest"), ("score", "/v1/score"), ("all", "合计")):
            s = st[name]
            print(f"{label:<12}{s['requests']:>8}{s['errors']:>6}{s['throughput_rps']:>14}"
                  f"{s.get('p50_ms', '-'):>10}{s.get('p95_ms', '-'):>10}{s.get('p99_ms', '-'):>10}{s['max_ms'] or '-':>10}")
    ratios = {}
    if solo_stats and solo_stats["suggest"].get("p95_ms") and solo_stats["all"]["throughput_rps"]:
        ratios = {"p95_suggest_vs_one_client": round(p95 / solo_stats["suggest"]["p95_ms"], 2),
                  "throughput_vs_one_client": round(stats["all"]["throughput_rps"] / solo_stats["all"]["throughput_rps"], 2)}
        print(f"\n与单客户端相比：suggest p95 为其 {ratios['p95_suggest_vs_one_client']} 倍，"
              f"总吞吐为其 {ratios['throughput_vs_one_client']} 倍")
    print(f"\n目标（无错误，suggest p95 ≤ {TARGET_P95_SUGGEST_MS:g} ms）：{'达到' if target_met else '未达到'}")
    errors = [s[3] for s in samples + one if not s[2]]
    for why in sorted(set(errors))[:5]:
        print(f"  错误示例：{why}", file=sys.stderr)

    report = {"created": dt.datetime.now().isoformat(timespec="seconds"), "model": health["model"],
              "clients": args.clients, "workers": args.workers, "seconds": round(elapsed, 2), "machine": {
                  "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
              "target": {"p95_suggest_ms": TARGET_P95_SUGGEST_MS, "errors": 0, "met": target_met},
              "endpoints": stats, "baseline_one_client": solo_stats, "ratios": ratios,
              "error_examples": sorted(set(errors))[:10]}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"已写入 {out}", file=sys.stderr)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
