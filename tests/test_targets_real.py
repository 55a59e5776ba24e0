"""Every real indicator row in ../shared/data/raw parses, and 220+ real values match hand-checked
expected parses (tests/data/real_targets_expected.csv, keyed by source row; the values themselves
are read from ../shared at test time, not copied here)."""
import csv
from pathlib import Path


from engine.domain.targets import parse_target

from conftest import SHARED_RAW, need_raw

EXPECTED = Path(__file__).parent / "data" / "real_targets_expected.csv"


def raptor_rows():
    path = need_raw(SHARED_RAW / "weAIDB__ST-Raptor" / "SSTQA-zh_budget_goal_tables__normalized.csv")
    with open(path, encoding="utf-8") as fh:
        for n, r in enumerate(csv.DictReader(fh), 1):
            op_hint = r["nature"] if r["nature"] in ("≥", "≤", "=") else ""
            yield ("raptor", n), (r["value"], r["l3"], r["measure_unit"], op_hint)


def kpi_rows():
    path = need_raw(SHARED_RAW / "hktianyi__Meeting" / "task_kpi_jsp_tables__extracted.csv")
    with open(path, encoding="utf-8") as fh:
        for n, r in enumerate(csv.DictReader(fh), 1):
            yield ("kpi", n), (r["目标值(标准)"], r["三级指标"], r["计量单位"], "")


def test_all_431_real_rows_parse():
    rows = list(raptor_rows()) + list(kpi_rows())
    assert len(rows) == 64 + 367
    kinds = {parse_target(*args).kind for _, args in rows}
    assert kinds <= {"quantitative", "qualitative", "yes_no", "date", "empty"}


def test_hand_checked_real_values():
    rows = dict(list(raptor_rows()) + list(kpi_rows()))
    with open(EXPECTED, encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    assert len(expected) >= 120
    wrong = []
    for e in expected:
        t = parse_target(*rows[(e["source"], int(e["row"]))])
        got = (t.kind, t.op or "", "" if t.value is None else f"{t.value:g}", t.unit, str(int(t.vague)), str(int(t.multiple)))
        want = (e["kind"], e["op"], e["number"], e["unit"], e["vague"], e["multiple"])
        if got != want:
            wrong.append((e["source"], e["row"], got, want))
    assert not wrong, wrong[:5]
