"""Approved tables shape the next suggestions at once: approved indicators as candidates, last year's
table of a recurring project, targets moved to the new amount, incremental and honestly checked
training, proposals clustered by meaning."""
import json
from pathlib import Path

import pytest

import engine.model.train as train_mod
from engine.cli import main
from engine.domain.history import HistoryRow, HistoryTable
from engine.domain.table import Project
from engine.model.proposals import load_proposals, merge
from engine.model.store import load_engine
from engine.paths import Paths
from engine.retrieval.approved import adapt_value, find_previous, gather, shift_year
from engine.retrieval.suggest import Suggester
from test_train import tree_digest

ROOT = Path(__file__).resolve().parent.parent
WRITTEN = ROOT / "data" / "eval" / "independent" / "written_a.json"


# ------------------------------------------------------------------ targets moved to the new amount
@pytest.mark.parametrize("raw,name,old,new,expect,changed", [
    ("≥600人次", "培训人次", 100, 120, "≥720人次", True),
    ("=8个", "科技法庭改造数量", 260, 190, "=6个", True),
    ("≤260万元", "项目建设总成本", 260, 190, "≤190万元", True),
    ("≥95%", "培训合格率", 100, 150, "≥95%", False),
    ("≤200元/人·月", "人均补助标准", 100, 150, "≤200元/人·月", False),
    ("9月底前", "完成时间", 100, 150, "9月底前", False),
    ("≥600人次", "培训人次", 100, 102, "≥600人次", False),    # under 5 %: left as approved
    ("≥600人次", "培训人次", None, 120, "≥600人次", False),
])
def test_adapt_value(raw, name, old, new, expect, changed):
    assert adapt_value(raw, name, old, new) == (expect, changed)


def test_shift_year():
    assert shift_year("2024年9月底前", 2024, 2025) == "2025年9月底前"
    assert shift_year("9月底前", 2024, 2025) == "9月底前"
    assert shift_year("2024年9月底前", None, 2025) == "2024年9月底前"


# ------------------------------------------------------------------ recognising last year's table
def _table(tid, name, dept="", year=None, amount=100.0, rows=()):
    return HistoryTable(tid, name, "", "", amount, "", "", "approved",
                        [HistoryRow("产出指标", l2, n, v) for l2, n, v in rows], dept, year)


def test_find_previous_same_project_earlier_year():
    h = [_table("a", "2023年某县农村公路日常养护", "某县交通运输局", 2023),
         _table("b", "2024年某县农村公路日常养护", "某县交通运输局", 2024),
         _table("c", "2024年某县农村公路日常养护", "另一县交通运输局", 2024),
         _table("d", "2026年某县农村公路日常养护", "某县交通运输局", 2026)]
    p = Project(name="2025年某县农村公路日常养护", department="某县交通运输局")
    assert find_previous(h, p, set()).table_id == "b"          # the latest earlier year, same department
    assert find_previous(h, p, {"b"}).table_id == "a"
    assert find_previous(h, Project(name="2025年某县农村饮水维修养护"), set()) is None
    # a project code without its year recognises a renamed project
    coded = [_table("XM-2024-017", "2024年公路养护", "", 2024)]
    assert find_previous(coded, Project(name="2025年农村公路列养", project_id="XM-2025-017"), set()) is not None


def test_gather_merges_wordings_and_counts_tables():
    rows = [("数量指标", "科技法庭改造数量", "=8个"), ("质量指标", "系统验收合格率", "100%")]
    t1 = _table("a", "2024年甲法院智慧法院", year=2024, rows=rows)
    t2 = _table("b", "2024年乙法院智慧法院", year=2024, rows=[("数量指标", "科技法庭改造数量（个）", "=4个")])
    slots = gather([(t1, 0.9), (t2, 0.6)], strong_sim=0.75)
    court = slots["数量指标"]
    assert len(court) == 1 and len(court[0].uses) == 2        # one candidate, used by two tables
    assert court[0].best.name == "科技法庭改造数量" and court[0].strong  # the more similar table's wording
    assert not gather([(t2, 0.6)], strong_sim=0.75)["数量指标"][0].strong


# ------------------------------------------------------------------ proposals clustered by meaning
def test_proposals_cluster_by_wording_and_meaning():
    props = []
    close = {("院内专题培训期数", "院内专题培训举办期次"): 0.9}
    sim = lambda a, b: close.get((a, b), close.get((b, a), 0.0))  # noqa: E731
    merge(props, "产出指标", "数量指标", "院内专题培训期数", "期", "≥6期", "甲院", "2026-01-01", sim)
    merge(props, "产出指标", "数量指标", "院内专题培训期数", "期", "≥8期", "乙院", "2026-01-01", sim)
    merge(props, "产出指标", "数量指标", "院内专题培训举办期次", "期", "≥6期", "丙院", "2026-01-01", sim, n=3)
    merge(props, "产出指标", "数量指标", "院外进修人数", "人", "≥6人", "甲院", "2026-01-01", sim)
    assert len(props) == 2
    p = props[0]
    assert p.count == 5 and p.variant_counts() == {"院内专题培训举办期次": 3, "院内专题培训期数": 2}
    assert p.name == "院内专题培训举办期次"                   # the most used wording is the proposed name
    assert "甲院" in p.origin and "丙院" in p.origin
    # without the embedding the two wordings stay apart (their bigram Dice is low)
    apart = []
    merge(apart, "产出指标", "数量指标", "院内专题培训期数", "期", "≥6期", "甲院", "2026-01-01")
    merge(apart, "产出指标", "数量指标", "院内专题培训举办期次", "期", "≥6期", "丙院", "2026-01-01")
    assert len(apart) == 2


# ------------------------------------------------------------------ end to end on the session engine
def _family(fam):
    tables = json.loads(WRITTEN.read_text(encoding="utf-8"))
    return {t["project"]["relation"]: t for t in tables if t["project"]["family"] == fam}


@pytest.fixture(scope="module")
def court(session_engine, tmp_path_factory):
    """Four near-identical approved 智慧法院 tables (four courts of one template, 2024), trained into a
    directory of their own; the session engine is the parent."""
    if not WRITTEN.exists():
        pytest.skip("data/eval/independent/written_a.json 不存在")
    root = tmp_path_factory.mktemp("court")
    fam = _family("WA12")
    tables = []
    for k, (court_name, amount) in enumerate((("枣阳市", 260.0), ("宜城市", 240.0), ("老河口市", 230.0),
                                              ("谷城县", 250.0))):
        t = json.loads(json.dumps(fam["base"], ensure_ascii=False).replace("枣阳市", court_name))
        t["project"]["project_id"], t["project"]["amount"] = f"WA12-{k}-2024", amount
        tables.append(t)
    src = root / "approved.json"
    src.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
    seen = {}
    real = train_mod.holdout_recall

    def spy(engine, held, leave_out=True):
        seen.setdefault("engines", []).append((engine, [t.table_id for t in held]))
        return real(engine, held, leave_out)

    train_mod.holdout_recall = spy
    try:
        report = train_mod.train(Paths.default(), [str(src)], out=str(root / "v-court"), base=session_engine)
    finally:
        train_mod.holdout_recall = real
    return report, load_engine(Path(report.path)), fam, seen, tables


def test_training_is_incremental_and_held_out_is_truly_held_out(court, session_engine):
    report, eng, _, seen, tables = court
    assert report.tables_used == 4 and report.weights == f"沿用 {session_engine.version}"
    assert eng.params["weights"] == session_engine.params["weights"]      # 4 tables: weights kept
    assert eng.manifest["changes"]["tables_added"] == 4 and eng.manifest["refitted"] is False
    # the promotion check measured a candidate that had never seen the held-out table ...
    (_, held_ids), (candidate, _) = seen["engines"][0], seen["engines"][1]
    assert held_ids == ["WA12-0-2024"]
    assert "WA12-0-2024" not in {t.table_id for t in candidate.history}
    # ... and the saved version has all four in its history
    assert {"WA12-0-2024", "WA12-3-2024"} <= {t.table_id for t in eng.history}
    assert eng.manifest["metrics"]["holdout_excluded_from_training"] is True


def test_recurring_project_gets_last_years_rows_first(court):
    _, eng, fam, _, _ = court
    nxt = fam["recurring"]["project"]
    project = Project(name=nxt["name"], department=nxt["department"], amount=nxt["amount"],
                      description=nxt["description"], year=nxt["year"])
    sg = Suggester(eng)
    last = fam["base"]["indicators"]
    for composition in (True, False):
        res = sg.suggest(project, composition=composition)
        by_slot = {s.level2: s.candidates for s in res.slots}
        for r in last:  # every row of last year's table ranks in the top 5 of its slot ...
            names = [c.indicator for c in by_slot[r["level2"]]]
            assert r["indicator"] in names, (r["indicator"], names)
    # this year's description states 6 courtrooms: the drafter's number, in last year's wording
    stated = next(c for c in sg.suggest(project).slots[3].candidates if c.indicator == "科技法庭改造数量")
    assert stated.source == "composed" and "6个" in stated.suggested_value and "批复" in stated.why
    # without it, the approved row comes as it was approved, named with its table and year
    res = sg.suggest(project, composition=False)
    by_slot = {s.level2: s.candidates for s in res.slots}
    top = by_slot["数量指标"][0]
    assert top.source == "approved" and "2024年已批复的" in top.why and "智慧法院" in top.why and top.recommended
    # ... with its approved target moved to this year's smaller amount (260 → 190 万元)
    courtroom = next(c for c in by_slot["数量指标"] if c.indicator == "科技法庭改造数量")
    assert courtroom.suggested_value == "=6个" and "调整" in courtroom.why
    deadline = next(c for c in by_slot["时效指标"] if c.indicator == "系统建设完成时间")
    assert deadline.suggested_value == "2025年9月底前"
    prev = res.to_dict()["previous"]
    assert prev["name"] == fam["base"]["project"]["name"] and prev["amount_changed"]
    assert len(prev["rows"]) == len(last) and any(r["adjusted"] for r in prev["rows"])


def test_unrelated_project_is_not_given_court_rows(court):
    _, eng, _, _, _ = court
    res = Suggester(eng).suggest(Project(name="2025年乡村教师全员培训", description="面向乡村中小学教师开展集中培训"))
    assert res.previous is None
    assert not any(c.source == "approved" and "法院" in c.why for s in res.slots for c in s.candidates)


def test_proposals_command_lists_clusters(court, capsys):
    report, _, _, _, _ = court
    assert main(["library", "proposals", "--model", report.path, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    props = load_proposals(Path(report.path) / "proposals.csv")
    assert len(rows) == len(props) > 0
    assert all(r["count"] >= 1 and r["variants"] and r["sources"] for r in rows)
    assert max(r["count"] for r in rows) == 4      # four courts' identical rows add up in one proposal


# ------------------------------------------------------------------ bad approved files
@pytest.mark.parametrize("content", ["", "[]",
                                     json.dumps([{"project": {"name": "2026年某项目"}, "indicators": [
                                         {"level1": "管理类指标", "level2": "", "indicator": "预算执行率", "value": "≥90%"},
                                         {"level1": "产出指标", "level2": "数量指标", "indicator": "培训人次", "value": ""}]}],
                                         ensure_ascii=False)])
def test_empty_or_all_bad_approved_file_is_exit_2_and_changes_nothing(session_engine, tmp_path, capsys, content):
    bad = tmp_path / "approved.json"
    bad.write_text(content, encoding="utf-8")
    models = Paths.default().models
    before = tree_digest(models)
    assert main(["train", "--approved", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "没有可用的批复表" in err
    if "预算执行率" in content:  # each unusable row is named with its reason
        assert "第1个指标“预算执行率”：不是绩效目标指标" in err and "第2个指标“培训人次”：指标值为空" in err
    assert tree_digest(models) == before
