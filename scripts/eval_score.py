"""Detection benchmark of `jixiao score`.

The example approved tables are taken as clean. For each defect type every applicable table gets one
defective copy (one defect each); the rate at which the expected finding code is reported (at the
defective row where the defect has one) is measured per type, beside the share of clean tables with
any error finding. The level classifier judging a table is one trained without that table's sector or
category (group hold-out), so it has not seen the rows it judges. Then the real tables in
../shared/data/raw are scored and their findings listed. Prints tables and writes JSON.

    python scripts/eval_score.py [--model DIR] [--out build/eval_score.json]
"""
from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from _report import write_json  # noqa: E402
from engine.service.api import make_reviewer  # noqa: E402
from engine.domain.row_text import row_text  # noqa: E402
from engine.model.classifier import LevelClassifier  # noqa: E402
from engine.model.engine import Engine  # noqa: E402
from engine.model.versions import open_engine  # noqa: E402
from engine.domain.framework import framework  # noqa: E402
from engine.io.examples import load_example_tables  # noqa: E402
from engine.domain.kinds import cost_required, infer_kind, infer_sector, kind_by_name  # noqa: E402
from engine.domain.targets import parse_target  # noqa: E402
from engine.domain.text import year_of  # noqa: E402
from engine.io.readers import read_file  # noqa: E402
from engine.domain.table import GoalTable, Indicator  # noqa: E402

RAW = ROOT.parent / "shared" / "data" / "raw" / "weAIDB__ST-Raptor"
DEVSET = ROOT / "tests" / "data" / "real"
FAR = {  # sectors whose indicators are plainly unrelated to each other
    "教育": "林业和园林", "科技": "殡葬", "文化和旅游": "审计", "体育": "粮食和物资储备", "卫生健康": "交通运输",
    "医疗保障": "林业和园林", "民政": "工业和信息化", "人力资源和社会保障": "水利", "退役军人事务": "生态环境",
    "公安": "农业农村", "司法": "体育", "应急管理": "教育", "生态环境": "医疗保障", "自然资源和规划": "卫生健康",
    "住房和城乡建设": "科技", "城市管理": "医疗保障", "交通运输": "教育", "水利": "文化和旅游", "农业农村": "公安",
    "林业和园林": "财政", "商务": "水利", "工业和信息化": "司法", "市场监管": "林业和园林", "发展和改革": "体育",
    "财政": "林业和园林", "统计": "水利", "审计": "卫生健康", "粮食和物资储备": "教育", "数据和政务服务": "农业农村",
}


def rows_of(t: GoalTable, level2=None, level1=None) -> list[int]:
    return [i for i, ind in enumerate(t.indicators)
            if (level2 is None or ind.placement.level2 in level2) and (level1 is None or ind.placement.level1 == level1)]


def clone(t: GoalTable) -> GoalTable:
    c = copy.deepcopy(t)
    for ind in c.indicators:
        ind._placement = ind._target = None
    return c


def new_row(l1, l2, name, value, unit="") -> Indicator:
    return Indicator(l1, l2, name, value, unit)


# Each defect: (name, expected code, function(table, rng, engine) -> (defective table, 1-based row or None) or None)
def drop(level2s, code):
    def f(t, rng, eng):
        idx = rows_of(t, level2s)
        if not idx:
            return None
        c = clone(t)
        c.indicators = [ind for i, ind in enumerate(c.indicators) if i not in idx]
        return c, None
    return f


def drop_cost(t, rng, eng):
    kind = kind_by_name(infer_kind(t.project).name)
    if not cost_required(t.project, kind) or not rows_of(t, level1="成本指标"):
        return None
    c = clone(t)
    c.indicators = [ind for ind in c.indicators if ind.placement.level1 != "成本指标"]
    return c, None


def vague(t, rng, eng):
    idx = [i for i in rows_of(t) if t.indicators[i].target.kind == "quantitative"]
    if not idx:
        return None
    i = rng.choice(idx)
    c = clone(t)
    c.indicators[i].value = rng.choice(["有效提升", "明显改善", "进一步提高", "按要求完成", "根据上级下达任务确定"])
    return c, i + 1


def qualitative(t, rng, eng):
    idx = [i for i in rows_of(t, ("数量指标", "质量指标")) if t.indicators[i].target.kind == "quantitative"]
    if not idx:
        return None
    i = rng.choice(idx)
    c = clone(t)
    c.indicators[i].value = rng.choice(["符合要求", "全面完成", "达标", "完成"])
    c.indicators[i].nature = ""
    return c, i + 1


def two_values(t, rng, eng):
    idx = [i for i in rows_of(t) if t.indicators[i].target.kind == "quantitative" and t.indicators[i].target.value]
    if not idx:
        return None
    i = rng.choice(idx)
    c = clone(t)
    tg = t.indicators[i].target
    other = max(1, round((tg.value or 1) * 0.6))
    c.indicators[i].value = f"{tg.raw}、{other}{tg.unit}"
    return c, i + 1


def wrong_slot(t, rng, eng):
    slots = framework().slots
    idx = [i for i in rows_of(t) if "满意" not in t.indicators[i].name and t.indicators[i].placement.level2]
    if not idx:
        return None
    i = rng.choice(idx)
    ind = t.indicators[i]
    others = [s for s in slots if s.level1 != ind.placement.level1 and s.level1 != "满意度指标"]
    s = rng.choice(others)
    c = clone(t)
    c.indicators[i].level1, c.indicators[i].level2 = s.level1, s.level2
    return c, i + 1


def unrelated(t, rng, eng):
    far = FAR.get(t.project.sector)
    pool = [e for e in eng.entries if e.sector == far and e.level1 == "产出指标"]
    if not pool:
        return None
    e = rng.choice(pool)
    c = clone(t)
    pos = rng.randrange(len(c.indicators) + 1)
    c.indicators.insert(pos, new_row(e.level1, e.level2, e.name, e.target, e.unit))
    return c, pos + 1


def low_satisfaction(t, rng, eng):
    idx = rows_of(t, ("服务对象满意度指标",))
    if not idx:
        return None
    i = rng.choice(idx)
    c = clone(t)
    c.indicators[i].value = "≥60%"
    return c, i + 1


def cost_above(t, rng, eng):
    amount = t.project.amount
    if not amount:
        return None
    c = clone(t)
    value = f"≤{round(amount * rng.choice([1.3, 1.6, 2.0]), 2):g}万元"
    c.indicators.insert(0, new_row("成本指标", "经济成本指标", "项目总成本", value, "万元"))
    return c, 1


def funds_as_goal(t, rng, eng):
    amount = t.project.amount or 100
    c = clone(t)
    name = rng.choice(["项目资金投入", "财政资金投入金额", "专项资金到位金额", "投入资金总额"])
    pos = (rows_of(t, ("数量指标",)) or [0])[0]
    c.indicators.insert(pos, new_row("产出指标", "数量指标", name, f"{amount:g}万元", "万元"))
    return c, pos + 1


def duplicate(t, rng, eng):
    if not t.indicators:
        return None
    i = rng.randrange(len(t.indicators))
    c = clone(t)
    c.indicators.insert(i + 1, copy.deepcopy(c.indicators[i]))
    return c, i + 2


def _goal_rows(t: GoalTable):
    """(commitment, row index) pairs: goal numbers that exactly one row carries with the same amount."""
    from engine.domain.commitments import decompose
    from engine.review.goal_match import CHECKED, base_unit

    out = []
    for c in decompose(t.project.goal or ""):
        if c.kind not in CHECKED or c.kind == "deadline" or not c.value:
            continue
        want = parse_target(c.value, c.name, c.unit)
        if want.kind != "quantitative" or not want.value:
            continue
        same = [i for i, ind in enumerate(t.indicators) if ind.target.kind == "quantitative" and ind.target.value
                and base_unit(ind.target.unit)[0] == base_unit(want.unit)[0]
                and abs(ind.target.value * base_unit(ind.target.unit)[1] - want.value * base_unit(want.unit)[1]) < 1e-6]
        if len(same) == 1:
            out.append((c, same[0]))
    return out


def goal_value_changed(t, rng, eng):
    pairs = [(c, i) for c, i in _goal_rows(t) if c.kind not in ("cost", "limit")]
    if not pairs:
        return None
    c, i = rng.choice(pairs)
    cc = clone(t)
    ind = cc.indicators[i]
    lower = ind.target.value * rng.choice([0.5, 0.6, 0.8])
    ind.value = f"≥{round(lower, 2):g}{ind.target.unit}"
    ind.unit = ""
    ind._target = None
    return cc, i + 1


def goal_row_removed(t, rng, eng):
    pairs = _goal_rows(t)
    if not pairs:
        return None
    c, i = rng.choice(pairs)
    cc = clone(t)
    del cc.indicators[i]
    return cc, None


PLACEHOLDERS = ["（≥**人）", "★★★", "（必填）", "XX"]


def name_placeholder(t, rng, eng):
    idx = rows_of(t, level1="产出指标") or rows_of(t)
    if not idx:
        return None
    i = rng.choice(idx)
    cc = clone(t)
    ind = cc.indicators[i]
    debris = rng.choice(PLACEHOLDERS + ["指标1："])
    ind.name = debris + ind.name if debris in ("指标1：", "XX") else ind.name + debris
    ind._placement = ind._target = None
    return cc, i + 1


def name_not_indicator(t, rng, eng):
    if not t.indicators:
        return None
    cc = clone(t)
    kind = rng.choice(["filler", "value", "date"])
    if kind == "filler":
        pos = rng.randrange(len(cc.indicators) + 1)
        level2 = rng.choice(["社会成本指标", "生态环境成本指标", "经济效益指标", "生态效益指标"])
        level1 = "成本指标" if "成本" in level2 else "效益指标"
        cc.indicators.insert(pos, new_row(level1, level2, rng.choice(["本项目不适用此指标", "无", "不涉及"]), "无"))
        return cc, pos + 1
    idx = [i for i, ind in enumerate(cc.indicators) if ind.target.kind == ("quantitative" if kind == "value" else "date")]
    if not idx:
        return None
    i = rng.choice(idx)
    cc.indicators[i].name = cc.indicators[i].target.raw
    cc.indicators[i]._placement = cc.indicators[i]._target = None
    return cc, i + 1


# indicators that belong to one field, written here (not taken from the library): a project of
# another field that never mentions their objects should be told they do not belong
FOREIGN = [("农业农村", "生猪出栏头数", "≥500头"), ("林业和园林", "森林覆盖率", "≥40%"), ("教育", "培训教师人次", "≥100人次"),
           ("卫生健康", "门诊诊疗人次", "≥20000人次"), ("交通运输", "农村公路养护里程", "≥120公里"),
           ("水利", "水库除险加固座数", "≥3座"), ("民政", "特困人员供养人数", "≥300人"), ("公安", "刑事案件破案率", "≥85%"),
           ("文化和旅游", "景区接待游客人次", "≥10万人次"), ("司法", "人民调解案件调解成功率", "≥95%")]


def foreign_row(t, rng, eng):
    from engine.review.relevance import foreign_words

    text = " ".join((t.project.name, t.project.department, t.project.description, t.project.goal))
    sector = t.project.sector or infer_sector(t.project).name
    pool = [f for f in FOREIGN if foreign_words(f[1], text, sector)]
    if not pool:
        return None
    _, name, value = rng.choice(pool)
    cc = clone(t)
    pos = rng.randrange(len(cc.indicators) + 1)
    level2 = "数量指标" if not value.endswith("%") else "质量指标"
    cc.indicators.insert(pos, new_row("产出指标", level2, name, value))
    return cc, pos + 1


def deadline_out_of_year(t, rng, eng):
    year = t.project.year or year_of(t.project.name)
    idx = [i for i, ind in enumerate(t.indicators) if ind.target.kind == "date"]
    if not year or not idx:
        return None
    i = rng.choice(idx)
    cc = clone(t)
    cc.project.year = year
    cc.indicators[i].value = rng.choice([f"{year + 1}年6月30日前", f"{year - 1}年12月31日前"])
    cc.indicators[i]._target = None
    return cc, i + 1


DEFECTS = [
    ("删除满意度指标", "LEVEL1_MISSING", drop(("服务对象满意度指标",), "LEVEL1_MISSING")),
    ("删除时效指标", "LEVEL2_MISSING", drop(("时效指标",), "LEVEL2_MISSING")),
    ("工程/购置项目删除成本指标", "COST_REQUIRED_MISSING", drop_cost),
    ("指标值改为模糊表述", "VALUE_VAGUE", vague),
    ("定量指标改为定性", "VALUE_NOT_QUANTIFIED", qualitative),
    ("一格两个指标值", "MULTIPLE_VALUES", two_values),
    ("指标放错层级", "LEVEL_MISFILED", wrong_slot),
    ("插入无关行业指标", "INDICATOR_IRRELEVANT", unrelated),
    ("满意度降为60%", "TARGET_TOO_LOW", low_satisfaction),
    ("成本指标超过项目金额", "COST_BUDGET_MISMATCH", cost_above),
    ("把资金投入当目标", "INPUT_AS_GOAL", funds_as_goal),
    ("重复一行", "INDICATOR_DUPLICATE", duplicate),
    ("改低目标中的数值", "GOAL_VALUE_MISMATCH", goal_value_changed),
    ("删除目标对应的指标行", "GOAL_NOT_COVERED", goal_row_removed),
    ("名称留有模板占位", "NAME_PLACEHOLDER", name_placeholder),
    ("名称不是指标", "NAME_NOT_INDICATOR", name_not_indicator),
    ("插入他行业专属指标（库外）", "INDICATOR_IRRELEVANT", foreign_row),
    ("时限超出预算年度", "TARGET_IMPLAUSIBLE", deadline_out_of_year),
]


def held_out_classifiers(engine: Engine, tables: list[GoalTable], folds: int = 5):
    """One level classifier per fold of sectors/categories, trained on the library and the example
    tables outside the fold; returns (fold of each table, classifiers)."""
    groups = sorted({t.project.sector or t.project.category for t in tables} | {e.group for e in engine.entries})
    fold_of = {g: i % folds for i, g in enumerate(np.random.default_rng(0).permutation(groups))}
    table_fold = [fold_of[t.project.sector or t.project.category] for t in tables]
    models = []
    for f in range(folds):
        X, y = [], []
        for e in engine.entries:
            if fold_of[e.group] != f:
                X.append(row_text(e.name, e.unit, e.target))
                y.append(e.level2)
        for t, tf in zip(tables, table_fold):
            if tf != f:
                for ind in t.indicators:
                    if ind.placement.level2:
                        X.append(row_text(ind.name, ind.unit, ind.target.raw))
                        y.append(ind.placement.level2)
        models.append(LevelClassifier().fit(X, y))
    return table_fold, models


class Detection:
    """Clean-table findings and per-defect detection over a set of tables."""

    def __init__(self):
        self.clean_n = self.clean_errors = 0
        self.clean_codes: Counter = Counter()
        self.found: Counter = Counter()
        self.total: Counter = Counter()
        self.misses: dict[str, list] = defaultdict(list)

    def run(self, reviewer, tables, rng, engine) -> None:
        reviewer.model.prepare(tables)
        for t in tables:
            r = reviewer.review(t)
            self.clean_n += 1
            self.clean_errors += any(x.severity == "error" for x in r.findings)
            self.clean_codes.update({x.code for x in r.findings})
            for name, code, make in DEFECTS:
                made = make(t, rng, engine)
                if made is None:
                    continue
                bad, row = made
                rr = reviewer.review(bad)
                self.total[name] += 1
                hit = any(x.code == code and (row is None or x.row == row) for x in rr.findings)
                self.found[name] += hit
                if not hit and len(self.misses[name]) < 5:
                    self.misses[name].append(f"{t.project.name}｜第{row}行｜{bad.indicators[row - 1].name if row else ''}")

    @property
    def share(self) -> float:
        return self.clean_errors / self.clean_n if self.clean_n else 0.0

    def rates(self) -> dict:
        return {name: {"code": code, "copies": self.total[name], "detected": self.found[name],
                       "rate": round(self.found[name] / self.total[name], 4) if self.total[name] else None}
                for name, code, _ in DEFECTS}


def review_devset(reviewer) -> dict:
    """The real-table development set (tests/data/real): each table's review, and how many tables
    carry each finding code (real defects are not injected here: these are the tables as published)."""
    tables = [t for f in sorted(DEVSET.glob("*.csv")) for t in read_file(f).tables] if DEVSET.is_dir() else []
    per_table, codes = [], Counter()
    for t in tables:
        r = reviewer.review(t)
        found = sorted({x.code for x in r.findings})
        codes.update(found)
        per_table.append({"project_id": t.project.project_id, "name": r.name, "total": r.total,
                          "decision": r.decision, "codes": found})
    if tables:
        print(f"\n真实表开发集（tests/data/real，{len(tables)} 张表）：平均总分 "
              f"{sum(x['total'] for x in per_table) / len(per_table):.1f}")
        print("各问题代码出现的表数：" + "，".join(f"{c} {n}" for c, n in codes.most_common()))
    return {"tables": per_table, "tables_by_code": dict(codes)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="评审检出率基准")
    ap.add_argument("--model", help="引擎目录（默认：当前在用的版本）")
    ap.add_argument("--out", default="build/eval_score.json")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    engine = open_engine(model=args.model, progress=lambda m: print(m, file=sys.stderr))
    tables = load_example_tables()
    table_fold, models = held_out_classifiers(engine, tables)
    full_clf = engine.classifier
    rng = random.Random(args.seed)
    per_fold: dict[int, list] = defaultdict(list)
    for k, t in enumerate(tables):
        per_fold[table_fold[k]].append(t)
    examples = Detection()
    for f, fold_tables in per_fold.items():
        engine.classifier = models[f]
        examples.run(make_reviewer(engine), fold_tables, rng, engine)
    engine.classifier = full_clf
    # tables written without looking at the library (data/eval/independent): the classifier never saw them
    independent = Detection()
    indep_tables = [t for f in sorted((ROOT / "data" / "eval" / "independent").glob("*.json")) for t in read_file(f).tables]
    independent.run(make_reviewer(engine), indep_tables, rng, engine)
    print(f"{'缺陷类型':<16}{'应报代码':<24}{'示例副本':>8}{'检出率':>8}{'独立副本':>8}{'检出率':>8}")
    rates, rates_ind = examples.rates(), independent.rates()
    for name, r in rates.items():
        ri = rates_ind[name]
        print(f"{name:<16}{r['code']:<24}{r['copies']:>8}{(r['rate'] or 0):>8.1%}{ri['copies']:>8}{(ri['rate'] or 0):>8.1%}")
    for label, d in (("示例批复表", examples), ("独立编写表", independent)):
        print(f"\n干净表（{label}）{d.clean_n} 张，含“错误”级问题的占 {d.share:.1%}")
        print("干净表上出现的问题（张数）：" + "，".join(f"{c} {n}" for c, n in d.clean_codes.most_common()))
    from engine.model.classifier import held_out_accuracy, training_rows

    acc = held_out_accuracy(*training_rows(engine.entries, engine.history))
    print(f"\n层级分类器（按行业/类别整组留出，5 折）：二级指标准确率 {acc['overall']:.1%}，一级指标准确率 {acc['level1']:.1%}")
    for slot, a in acc["by_slot"].items():
        print(f"  {slot:<12}{a['accuracy']:>8.1%}  （{a['n']} 条）")
    out = {"classifier_held_out": acc, "defects": rates, "clean_tables": examples.clean_n,
           "clean_with_error": examples.clean_errors, "clean_error_share": round(examples.share, 4),
           "clean_tables_by_code": dict(examples.clean_codes), "misses": examples.misses,
           "independent": {"defects": rates_ind, "clean_tables": independent.clean_n,
                           "clean_with_error": independent.clean_errors, "clean_error_share": round(independent.share, 4),
                           "clean_tables_by_code": dict(independent.clean_codes), "misses": independent.misses},
           "model": engine.version}
    reviewer = make_reviewer(engine)
    real = []
    for f in ("40.xlsx", "1.xlsx", "17.xlsx", "72.xlsx"):
        if (RAW / f).exists():
            for t in read_file(RAW / f).tables:
                r = reviewer.review(t)
                real.append({"file": f, "name": r.name, "total": r.total, "decision": r.decision,
                             "findings": [{"code": x.code, "severity": x.severity, "row": x.row,
                                           "indicator": x.indicator, "message": x.message} for x in r.findings]})
                print(f"\n{f} {r.name}：总分 {r.total}，{r.grade}，{r.decision}")
                for x in r.findings:
                    print(f"  [{x.severity}] {('第%d行' % x.row) if x.row else '整表'} {x.code} {x.message}")
    out["real"] = real
    out["real_devset"] = review_devset(reviewer)
    out["seconds"] = round(time.perf_counter() - t0, 1)
    write_json(args.out, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
