"""Rewrite the example approved tables (data/examples) so that they read like tables of different
counties and cities instead of copies of the indicator library (issue 19). Deterministic (seeded).

For every table: a real department of the level the table had (placeholders XX/某 and the invented
江城/临江/清源 become real cities, districts and counties, the place names in its text with them); an
amount rounded as budgets are and no longer an exact unit cost × quantity (the amount's mentions in
the text and the cost caps follow it); indicator names reworded the way other drafters write them
(scripts/rewrite_words.py), never into a library name and never nearer to another library entry than
to the one the row had; typical rate targets varied where the goal text does not state them. No rows
are added: a sector-wide list of extra effects and beneficiaries fitted too few projects. Each
rewritten table is reviewed with the current engine: a change that brings a finding the original
table did not have is taken back, row by row.

    python scripts/rewrite_examples.py [--seed 19] [--examples DIR] [--dry-run]
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import rewrite_words as W  # noqa: E402
from engine.domain.library import Library  # noqa: E402
from engine.domain.targets import QUANT, parse_target  # noqa: E402
from engine.domain.text import BigramMatrix, bigrams, norm_key  # noqa: E402
from engine.io.examples import example_files  # noqa: E402
from engine.io.readers import tables_from_json  # noqa: E402

FAKE = re.compile(r"^(XX|某|江城|临江|清源)(市|县|区)")
TEXT_FIELDS = ("name", "description", "goal")


# ------------------------------------------------------------------ places
class Places:
    """Hands out real places of a level, each as rarely as the pool allows."""

    def __init__(self, rng: random.Random):
        self.pools = {"市": [(c, "") for c in W.CITIES], "区": [tuple(d.split()) for d in W.DISTRICTS],
                      "县": [tuple(c.split()) for c in W.COUNTIES]}
        for p in self.pools.values():
            rng.shuffle(p)
        self.used = Counter()

    def institution(self, kind: str) -> str:
        """A city that has an institution of that name (W.CITY_OF), each as rarely as possible."""
        city = min(W.CITY_OF[kind], key=lambda c: (self.used[(c, kind)], W.CITY_OF[kind].index(c)))
        self.used[(city, kind)] += 1
        return city

    def take(self, level: str, avoid: set[str]) -> tuple[str, str]:
        pool = self.pools[level]
        best = min(pool, key=lambda p: (self.used[p], p[0] in avoid, pool.index(p)))
        self.used[best] += 1
        return best


def city_full(city: str) -> str:
    return city + ("州" if city in W.PREFECTURES else "市")


def relocate(table: dict, places: Places, seen_cities: Counter) -> None:
    """A real department of the table's level; the place names in its text follow."""
    p = table["project"]
    dep = p.get("department", "")
    subs: list[tuple[str, str]] = []
    if dep.startswith("临江市江北区"):
        city, dist = places.take("区", set())
        dep = f"{city_full(city)}{dist}区" + dep[len("临江市江北区"):]
        subs = [("临江市江北区", f"{city_full(city)}{dist}区"), ("江北区", f"{dist}区"), ("临江市", city_full(city))]
    elif dep.startswith("江北区"):
        dep = "宁波市" + dep
    elif dep.startswith("江城理工学院"):
        dep, subs = "黄冈职业技术学院", [("江城理工学院", "黄冈职业技术学院"), ("江城", "黄冈")]
    elif dep.startswith("江城高新区"):
        city = places.institution("高新区")
        dep = f"{city}高新区" + dep[len("江城高新区"):]
        subs = [("江城高新区", f"{city}高新区"), ("江城市", city_full(city)), ("江城", city)]
    else:
        m = FAKE.match(dep)
        if not m:
            return
        old, level = m.group(0), m.group(2)
        rest = dep[len(old):]
        if level == "市":
            kind = next((k for k in W.CITY_OF if rest.startswith(k)), None)
            city = places.institution(kind) if kind else places.take("市", set(seen_cities))[0]
            new, short = city_full(city), city
            dep = new + rest
        elif level == "区":
            city, dist = places.take("区", set(seen_cities))
            new, short = f"{dist}区", dist
            dep = (f"{city_full(city)}生态环境局{dist}分局" if rest == "生态环境分局"
                   else f"{city_full(city)}{dist}区{rest}")
        else:
            text = "".join(p.get(f, "") for f in TEXT_FIELDS)
            pin = next((v for k, v in W.PINNED.items() if k in text), None)
            city, county = pin[0].split() if pin else places.take("县", set(seen_cities))
            subs.extend(pin[1].items() if pin else [])
            # the short name an environment sub-bureau takes: 安吉县 → 安吉, 芷江侗族自治县 → 芷江
            new, short = county, (county[:2] if "自治" in county else re.sub(r"(县|市|旗)$", "", county))
            short = short if len(short) >= 2 else county
            dep = (f"{city_full(city)}生态环境局{short}分局" if rest == "生态环境分局" else county + rest)
        seen_cities[city] += 1
        subs = [(old, new)] + subs
        if m.group(1) in ("江城", "临江", "清源"):
            subs.append((m.group(1), short))
        for ph in ("XX市", "某市", "XX县", "某县", "XX区", "某区"):
            if ph != old and ph[-1] == level:
                subs.append((ph, new))
    p["department"] = dep
    for field in TEXT_FIELDS:
        p[field] = _sub_all(p.get(field, ""), subs)
    for i in table["indicators"]:
        for field in ("indicator", "note"):
            i[field] = _sub_all(i.get(field, ""), subs)


def _sub_all(text: str, subs: list[tuple[str, str]]) -> str:
    for old, new in subs:
        text = text.replace(old, new)
    return text


# ------------------------------------------------------------------ amounts
def fmt(x: float) -> str:
    return str(int(round(x))) if abs(x - round(x)) < 1e-9 else f"{x:g}"


def budget_round(x: float, rng: random.Random) -> float:
    if x < 50:
        step = rng.choice([0.1, 0.5])
    elif x < 500:
        step = rng.choice([0.5, 1, 5])
    elif x < 5000:
        step = rng.choice([1, 5, 10])
    else:
        step = rng.choice([10, 50])
    return round(round(x / step) * step, 2)


def products(table: dict) -> list[float]:
    quantities, unit_costs = [], []
    for i in table["indicators"]:
        t = parse_target(i.get("value", ""), i.get("indicator", ""), i.get("unit", ""))
        if t.kind != QUANT or not t.numbers:
            continue
        m = re.match(r"^(万元|元)/([^/·]+)$", t.unit or "")
        if i["level1"] == "成本指标" and m:
            unit_costs.append(t.upper * (1.0 if m.group(1) == "万元" else 1e-4))
        elif i["level2"] == "数量指标":
            quantities.append(t.upper)
    return [u * q for u in unit_costs for q in quantities]


def new_amount(table: dict, rng: random.Random) -> None:
    p = table["project"]
    old = p.get("amount")
    if not old:
        return
    prods = products(table)
    exact = any(abs(x - old) < 0.005 for x in prods)
    if not exact and rng.random() < 0.4:
        return
    for _ in range(20):
        f = rng.uniform(0.93, 1.07)
        if abs(f - 1) < 0.012:
            continue
        amt = budget_round(old * f, rng)
        if amt != old and not any(abs(x - amt) < 0.005 for x in prods):
            break
    else:
        return
    p["amount"] = float(amt)
    o, n = fmt(old) + "万元", fmt(amt) + "万元"
    pat = re.compile(r"(?<![\d.])" + re.escape(o))
    for field in ("description", "goal"):
        p[field] = pat.sub(n, p.get(field, ""))
    for i in table["indicators"]:
        i["note"] = pat.sub(n, i.get("note", ""))
        if i["level1"] == "成本指标":
            i["value"] = pat.sub(n, i.get("value", ""))


# ------------------------------------------------------------------ names and values
class Rewording:
    """Other drafters' wording of an indicator name that keeps its concept: not a library name, and
    not nearer (bigram Dice) to another library entry than to the one the original names or is
    nearest to."""

    def __init__(self, lib: Library):
        self.names = sorted({norm_key(e.name) for e in lib.entries})
        self.library = set(self.names)
        self.matrix = BigramMatrix([bigrams(n) for n in self.names])
        self.rules = [(re.compile(p), reps) for p, reps in W.REWORD]

    def nearest(self, name: str) -> tuple[str, float, np.ndarray]:
        d = self.matrix.dice([bigrams(name)])[:, 0]
        i = int(np.argmax(d))
        return self.names[i], float(d[i]), d

    def same_concept(self, name: str, variant: str) -> bool:
        own = norm_key(name)
        if own not in self.library:
            own, score, _ = self.nearest(name)
            if score < 0.5:
                own = None
        best, score, d = self.nearest(variant)
        if score < 0.5:
            return True
        return own is not None and (best == own or d[self.names.index(own)] >= score - 1e-6)

    def once(self, name: str) -> list[str]:
        out = []
        for rx, reps in self.rules:
            if rx.search(name):
                out.extend(rx.sub(r, name, count=1) for r in reps)
        return [v for v in out if v != name]

    def variants(self, name: str, local: list[str], slot: str) -> list[str]:
        first = self.once(name)
        second = [w for v in first for w in self.once(v)]
        extra = []
        if (slot == "数量指标" and re.search(W.LOCAL_COUNT, name) and not re.search(W.LOCAL_NOT, name)
                and not re.match(r"^(全|市|县|区|本|各)", name)):
            extra = [w + v for w in local for v in [name] + first]
        seen, out = set(), []
        doubled = re.compile(r"(.{2,})\1")
        for v in first + second + extra:
            k = norm_key(v)
            if (len(k) >= 4 and k not in self.library and k not in seen and k != norm_key(name)
                    and not (doubled.search(v) and not doubled.search(name)) and self.same_concept(name, v)):
                seen.add(k)
                out.append(v)
        return out


RATE_STEPS = {100: [100], 99: [98, 99], 98: [97, 98, 99], 97: [96, 97, 98], 96: [95, 96, 97], 95: [92, 93, 95, 96, 97, 98],
              90: [88, 90, 92, 93], 85: [82, 85, 86, 88], 80: [78, 80, 82, 85]}
SATISFACTION = [85, 88, 90, 90, 92, 93, 95]


def vary_value(ind: dict, text: str, rng: random.Random) -> None:
    v = ind.get("value", "")
    m = re.fullmatch(r"(≥)(\d+)%", v)
    if not m:
        return
    n = int(m.group(2))
    if f"{n}%" in text:
        return
    steps = SATISFACTION if "满意" in ind["indicator"] and n >= 85 else RATE_STEPS.get(n)
    if not steps:
        return
    n2 = rng.choice(steps)
    op = "不低于" if rng.random() < 0.12 else "≥"
    ind["value"] = f"{op}{n2}%"


# ------------------------------------------------------------------ review
def findings(reviewer, table: dict) -> Counter:
    t = tables_from_json(table)[0]
    return Counter((f.code, f.severity, f.indicator or "") for f in reviewer.review(t).findings)


def rows_of(reviewer, table: dict, codes) -> set[int]:
    t = tables_from_json(table)[0]
    return {f.row for f in reviewer.review(t).findings if f.row and (f.code, f.severity) in codes}


def total(reviewer, table: dict) -> int:
    return sum(findings(reviewer, table).values())


def settle(reviewer, base: dict, new: dict, changed: dict[int, dict]) -> dict:
    """Take back the row changes that bring findings `base` did not have. `changed` maps a row
    position to the row before the change. A finding on a row takes back that row; a finding on the
    whole table (a goal no row covers any more) takes back the changes whose return removes it."""
    had = {(c, s) for c, s, _ in findings(reviewer, base)}
    limit = total(reviewer, base)
    inds = new["indicators"]
    for _ in range(8):
        now = findings(reviewer, new)
        fresh = {(c, s) for c, s, _ in now} - had
        if not fresh and sum(now.values()) <= limit:
            return new
        codes = fresh or {(c, s) for c, s, _ in now}
        bad = rows_of(reviewer, new, codes) & {k + 1 for k in changed}
        if not bad:
            bad = set()
            for k in list(changed):
                trial = copy.deepcopy(new)
                trial["indicators"][k] = changed[k]
                after = findings(reviewer, trial)
                if ({(c, s) for c, s, _ in after} - had) < fresh or sum(after.values()) < sum(now.values()):
                    bad.add(k + 1)
            if not bad:
                break
        for r in bad:
            inds[r - 1] = changed.pop(r - 1)
    return base


def rewrite_table(table: dict, rng: random.Random, rw: Rewording, places: Places, seen: Counter,
                  reviewer) -> dict:
    t = copy.deepcopy(table)
    relocate(t, places, seen)
    placed = copy.deepcopy(t)
    # a few draws of the amount: the first that brings no finding (a unit cost × quantity far from it)
    for _ in range(5):
        t = copy.deepcopy(placed)
        new_amount(t, rng)
        if reviewer is None or total(reviewer, t) <= total(reviewer, placed):
            break
    else:
        t = copy.deepcopy(placed)
    base = copy.deepcopy(t)  # relocated and re-amounted: what the row changes are judged against
    dep = t["project"]["department"]
    level = "县" if re.search(r"县|旗", dep) else ("区" if "区" in dep else "市")
    local = W.LOCAL[level] if "局" in dep and rng.random() < 0.5 else []
    text = t["project"].get("goal", "") + t["project"].get("description", "")
    changed: dict[int, dict] = {}
    used = {norm_key(i["indicator"]) for i in t["indicators"]}
    for n, ind in enumerate(t["indicators"]):
        before = copy.deepcopy(ind)
        verbatim = norm_key(ind["indicator"]) in rw.library
        if rng.random() < (0.97 if verbatim else 0.25):
            vs = [v for v in rw.variants(ind["indicator"], local, ind["level2"]) if norm_key(v) not in used]
            if vs:
                ind["indicator"] = rng.choice(vs)
                used.add(norm_key(ind["indicator"]))
        if ind["level1"] != "成本指标" and rng.random() < 0.6:
            vary_value(ind, text, rng)
        if ind != before:
            changed[n] = before
    return t if reviewer is None else settle(reviewer, base, t, changed)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="改写示例批复表（部门、金额、指标表述）")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--examples", help="示例表目录（默认 data/examples）")
    ap.add_argument("--dry-run", action="store_true", help="只统计，不写文件")
    ap.add_argument("--no-review", action="store_true", help="不用评审引擎回退变更（快，但可能不干净）")
    args = ap.parse_args(argv)
    files = example_files(Path(args.examples)) if args.examples else example_files()
    rng = random.Random(args.seed)
    places, seen = Places(rng), Counter()
    rw = Rewording(Library.load())
    reviewer = None
    if not args.no_review:
        from engine.model.versions import open_engine
        from engine.service.api import make_reviewer
        reviewer = make_reviewer(open_engine(progress=lambda m: print(m, file=sys.stderr)))
    total = 0
    for f in files:
        tables = json.loads(f.read_text(encoding="utf-8"))
        out = []
        for t in tables:
            r = random.Random(f"{args.seed}:{t['project'].get('project_id', '')}")
            out.append(rewrite_table(t, r, rw, places, seen, reviewer))
            total += 1
        if not args.dry_run:
            f.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{f.relative_to(f.parents[1])}: {len(out)} 张表", file=sys.stderr)
    print(f"改写 {total} 张表", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
