"""The learned components follow the scikit-learn contract and round-trip through JSON + .npy; an
engine directory lists them in modules.json. Built on the tiny library (conftest.tiny_paths)."""
import json

import numpy as np
import pytest

from engine.domain.history import HistoryRow, HistoryTable
from engine.domain.table import Project
from engine.model.adapter import QueryAdapter
from engine.model.ranker import PairwiseRanker
from engine.model.store import load_engine, save_engine
from engine.model.target_stats import TargetStats
from engine.retrieval.index import adapt
from engine.retrieval.suggest import MODE_FEATURES, Suggester


def files_under(path):
    return sorted(p.relative_to(path) for p in path.rglob("*")) if path.exists() else []


def test_tiny_library_engine(tiny_engine):
    assert len(tiny_engine.entries) == 30 and tiny_engine.path is None  # fitted, not saved
    s = Suggester(tiny_engine).suggest(Project(name="教师培训"), k=3)
    assert len(s.slots) == 10 and all(len(x.candidates) == 3 for x in s.slots)


def test_save_load_round_trip_lists_components(tiny_engine, tmp_path):
    tiny_engine.components["target_stats"] = TargetStats().fit([], tiny_engine.entries)
    save_engine(tiny_engine, tmp_path / "e")
    modules = json.loads((tmp_path / "e" / "modules.json").read_text(encoding="utf-8"))
    assert [(m["name"], m["type"]) for m in modules] == [(n, type(c).__name__) for n, c in tiny_engine.components.items()]
    loaded = load_engine(tmp_path / "e")
    p = Project(name="年度教师培训", description="培训教师300人次")
    assert Suggester(loaded).suggest(p).to_dict() == Suggester(tiny_engine).suggest(p).to_dict()
    for f in (tmp_path / "e").rglob("*.npy"):
        np.load(f, allow_pickle=False)


def pairs(seed=0, n_groups=30):
    """Ranking pairs where the first feature (bm25) decides which entry is chosen."""
    rng = np.random.default_rng(seed)
    k = len(MODE_FEATURES["hybrid"])
    X, y, g = [], [], []
    for grp in range(n_groups):
        F = rng.random((6, k))
        F[0, 0] += 1.0
        X.append(F)
        y.append([1, 0, 0, 0, 0, 0])
        g.append([grp] * 6)
    return np.vstack(X), np.concatenate(y), np.concatenate(g)


def test_ranker_learns_the_deciding_feature_and_round_trips(tmp_path):
    X, y, g = pairs()
    r = PairwiseRanker("hybrid")
    assert not hasattr(r, "coef_")           # __init__ stores parameters only
    assert r.fit(X, y, g) is r               # fit returns self
    w = r.weights_
    assert w["bm25"] == max(w.values()) and all(v >= 0 for k, v in w.items() if k != "other_sector")
    assert files_under(tmp_path) == []       # fitting wrote nothing
    r.save(tmp_path / "r")
    back = PairwiseRanker.load(tmp_path / "r")
    assert back.get_params() == r.get_params() and np.array_equal(back.coef_, r.coef_)


def test_ranker_without_pairs_says_so():
    with pytest.raises(ValueError):
        PairwiseRanker("hybrid").fit(np.zeros((3, 6)), np.zeros(3), np.zeros(3))


def test_target_stats_by_amount_band(tiny_engine, tmp_path):
    e = next(e for e in tiny_engine.entries if e.unit == "%" and e.target.startswith("≥"))
    hist = [HistoryTable(f"T{i}", f"项目{i}", "", "", amount, "", "", rows=[
        HistoryRow(e.level1, e.level2, e.name, f"≥{v}%", e.id)]) for i, (amount, v) in
        enumerate([(10, 80), (20, 90), (30, 100), (500, 60)])]
    ts = TargetStats().fit(hist, tiny_engine.entries)
    s = ts.stats_[e.id]
    assert s["n"] == 4 and s["median"] == 85.0 and s["bands"]["0"] == {"n": 3, "median": 90.0}
    ts.save(tmp_path / "t")
    assert TargetStats.load(tmp_path / "t").stats_ == ts.stats_


def test_adapter_maps_queries_towards_targets_and_refuses_bad_arrays(tmp_path):
    rng = np.random.default_rng(0)
    Q = rng.normal(size=(200, 8))
    T = Q @ np.diag([1, 1, 1, 1, 0, 0, 0, 0]) + 0.01 * rng.normal(size=(200, 8))
    a = QueryAdapter(ridge=0.1).fit(Q, T)
    assert a.W_.shape == (8, 8) and a.W_.dtype == np.float32
    q = adapt(Q[0].astype(np.float32), a.W_)  # as the index applies it to a query
    assert abs(float(np.linalg.norm(q)) - 1.0) < 1e-5 and np.abs(q[4:]).max() < 0.1
    a.save(tmp_path / "a")
    np.save(tmp_path / "a" / "W.npy", np.full((8, 3), np.nan, np.float32), allow_pickle=False)
    with pytest.raises(ValueError, match="W.npy"):
        QueryAdapter.load(tmp_path / "a")
