"""The suggestion engine on the bundled library: build, save/load, slots, kinds, targets, garbage input."""
import json
import shutil

import numpy as np
import pytest

from engine.cli import main
from engine.retrieval.encoders import CachedEncoder, LexicalEncoder
from engine.model.build import build_engine
from engine.model.store import load_engine
from engine.model.versions import staleness
from engine.paths import Paths
from engine.domain.framework import framework
from engine.retrieval.suggest import Suggester
from engine.domain.table import Project


@pytest.fixture(scope="session")
def engine(session_engine):
    return session_engine


@pytest.fixture(scope="session")
def sg(engine):
    return Suggester(engine)


TRAINING = Project(name="2026年全市中小学教师信息技术应用能力提升培训",
                   description="面向全市中小学教师开展信息技术应用能力培训，计划培训3000人次，提升数字化教学水平。", amount=120)


def test_all_ten_slots_in_framework_order_ranked(sg):
    s = sg.suggest(TRAINING, k=5)
    assert [(x.level1, x.level2) for x in s.slots] == [(x.level1, x.level2) for x in framework().slots]
    for slot in s.slots:
        assert 1 <= len(slot.candidates) <= 5
        scores = [c.score for c in slot.candidates]
        assert scores == sorted(scores, reverse=True)
        assert all(c.why for c in slot.candidates)


def test_kind_and_sector_inferred_and_fitting_candidates(sg):
    s = sg.suggest(TRAINING)
    assert (s.project["category"], s.project["sector"]) == ("培训类", "教育")
    qty = next(x for x in s.slots if x.level2 == "数量指标")
    assert any("培训" in c.indicator for c in qty.candidates[:3])
    sat = next(x for x in s.slots if x.level2 == "服务对象满意度指标")
    assert sat.required and any("满意" in c.indicator for c in sat.candidates)


def test_cost_required_for_construction_and_amount_based_value(sg):
    p = Project(name="城区第二污水处理厂配套管网新建工程", description="新建污水主干管网12公里，配套提升泵站2座。", amount=4800)
    s = sg.suggest(p, k=8)
    cost = next(x for x in s.slots if x.level2 == "经济成本指标")
    assert s.project["category"] == "工程基建类"
    assert cost.required
    assert any(x.required for x in s.slots if x.level2 in ("社会成本指标", "生态环境成本指标"))
    amounts = [c for c in cost.candidates if c.suggested_value == "≤4800万元"]
    assert all("按项目金额测算" in c.why for c in amounts)


def test_given_sector_and_category_are_respected(sg):
    p = Project(name="年度专项工作经费", sector="卫生健康", category="宣传类")
    s = sg.suggest(p)
    assert (s.project["category"], s.project["sector"]) == ("宣传类", "卫生健康")
    assert s.project["category_source"] == "given"


@pytest.mark.parametrize("name,description", [("！！！。。。", ""), ("rural road maintenance", "repair of potholes"),
                                              ("培训", "培训" * 5000), ("   ", "x")])
def test_garbage_gives_an_answer(sg, name, description):
    s = sg.suggest(Project(name=name, description=description))
    assert len(s.slots) == 10 and all(slot.candidates for slot in s.slots)


def test_save_load_round_trip(engine, sg, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(engine.path, copy)
    loaded = load_engine(copy)
    a = sg.suggest(TRAINING).to_dict()
    b = Suggester(loaded).suggest(TRAINING).to_dict()
    assert a == b
    assert not staleness(loaded, Paths.default())
    m = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    m["library_hash"] = "0" * 16
    (copy / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    assert staleness(load_engine(copy), Paths.default()) == "指标库已更新"


def test_no_pickle_in_model_dir(engine):
    for f in (f for f in engine.path.rglob("*") if f.is_file()):
        if f.suffix == ".npy":
            np.load(f, allow_pickle=False)
        assert f.suffix in (".npy", ".json", ".txt", ".npz", ".csv"), f


class Counting:
    """A stand-in encoder that records what it is asked to embed and answers with a constant."""

    spec = "count"

    def __init__(self, dim: int, fill: float):
        self.dim, self.fill, self.seen = dim, fill, []

    def encode(self, texts):
        self.seen.extend(texts)
        return np.full((len(texts), self.dim), self.fill, np.float32)


def test_cached_encoder_embeds_repeated_texts_once():
    inner = Counting(3, 1.0)
    enc = CachedEncoder(inner)
    enc.encode(["培训人次", "培训人次 ", "满意度"])
    enc.encode(["满意度", "ＡＢＣ"])
    assert inner.seen == ["培训人次", "满意度", "abc"]


def test_cached_encoder_takes_seeded_vectors_and_ignores_a_mismatched_seed():
    inner = Counting(2, 0.0)
    enc = CachedEncoder(inner)
    enc.seed(["培训人次", "满意度"], np.array([[1, 0], [0, 1]], np.float32))
    enc.seed(["合格率"], np.ones((1, 3), np.float32))  # wrong width: not taken
    out = enc.encode([" 培训人次", "合格率", "满意度"])
    assert inner.seen == ["合格率"]
    assert out.tolist() == [[1, 0], [0, 0], [0, 1]]


def test_loaded_engine_does_not_re_encode_library_names(engine):
    loaded = load_engine(engine.path)
    before = loaded.encoder.calls
    vecs = loaded.encoder.encode([e.name for e in loaded.entries[:50]])
    assert loaded.encoder.calls == before
    assert np.allclose(vecs, loaded.name_vectors[:50])


def test_cached_encoder_is_safe_from_two_threads(engine):
    from concurrent.futures import ThreadPoolExecutor

    enc = CachedEncoder(engine.encoder.inner, size=40)  # small: evictions happen while others read
    texts = [f"第{i}批次农村公路养护工程" for i in range(120)]
    expected = engine.encoder.inner.encode(texts)
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(lambda i: enc.encode(texts[i:i + 30]), range(0, 120, 10)))
    for i, got in zip(range(0, 120, 10), parts):
        assert np.allclose(got, expected[i:i + 30], atol=1e-5)


def test_service_answers_concurrent_requests_as_it_does_one_at_a_time(engine):
    """The service embeds a request's texts on one thread while the engine works on another request;
    sixteen requests in flight at once must get the answers they get one by one."""
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from engine.service.api import Service
    from engine.service.app import create_app

    service = Service(engine)
    projects = [{"name": f"{city}{what}项目", "amount": 50 + 10 * i,
                 "description": f"在{city}开展{what}，计划完成{100 + i}项任务，提升服务水平。"}
                for i, (city, what) in enumerate([(c, w) for c in ("东山县", "西河区", "南岭镇", "北湖市")
                                                   for w in ("农村公路养护", "老年人助餐服务")])]
    tables = [{"project": p, "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "indicator": "完成任务数", "value": f"≥{100 + i}项"},
        {"level1": "产出指标", "level2": "质量指标", "indicator": "验收合格率", "value": "有效提升"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "indicator": "群众满意度", "value": "≥90%"}]}
        for i, p in enumerate(projects)]
    jobs = [("/v1/suggest?k=3", p) for p in projects] + [("/v1/score", t) for t in tables]
    with TestClient(create_app(service)) as client:
        with ThreadPoolExecutor(8) as pool:
            together = list(pool.map(lambda j: client.post(j[0], json=j[1]), jobs))
        alone = [client.post(path, json=body) for path, body in jobs]

    def gist(resp):
        assert resp.status_code == 200, resp.text
        body = resp.json()
        if isinstance(body, dict):  # suggest
            return [[c["indicator_id"] for c in s["candidates"]] for s in body["slots"]]
        return [(r["total"], sorted((f["code"], f.get("row")) for f in r["findings"])) for r in body]

    assert [gist(r) for r in together] == [gist(r) for r in alone]


def test_lexical_mode(tmp_path):
    eng = build_engine(tmp_path / "lex", encoder_spec="lexical", fit=False)
    assert isinstance(eng.encoder, LexicalEncoder)
    s = Suggester(eng).suggest(TRAINING)
    qty = next(x for x in s.slots if x.level2 == "数量指标")
    assert any("培训" in c.indicator for c in qty.candidates)


def test_cli_suggest_search(engine, capsys):
    assert main(["suggest", "--name", TRAINING.name, "--description", TRAINING.description, "--amount", "120",
                 "--format", "json", "--model", str(engine.path), "-k", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["slots"]) == 10 and len(out["slots"][3]["candidates"]) == 3
    c = out["slots"][3]["candidates"][0]
    assert set(c) >= {"indicator_id", "indicator", "unit", "suggested_value", "score", "source", "why"}
    assert main(["search", "培训 合格率", "--level2", "质量", "--format", "json", "--model", str(engine.path)]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and all(h["level2"] == "质量指标" for h in hits)
    assert main(["suggest", "--name", " ", "--model", str(engine.path)]) == 2
    assert "项目名称" in capsys.readouterr().err


def test_bigram_matrix_dice_equals_the_set_dice(engine):
    from engine.domain.text import BigramMatrix, bigrams, dice_sets

    grams = engine.entry_grams[:300] + [frozenset()]
    others = [bigrams(x) for x in ("培训人次", "群众满意度", "资金拨付及时率", "", "Ｘ", "农村公路养护里程（公里）")]
    got = BigramMatrix(grams).dice(others)
    want = np.array([[dice_sets(a, b) for b in others] for a in grams])
    assert got.shape == want.shape and np.allclose(got, want, atol=1e-6)
    assert (got >= 0.5).sum() > 0  # some library names do match


def test_ranker_learns_weights_from_approved_tables(engine):
    from engine.model.ranker import collect, fit_weights, history_queries

    sg = Suggester(engine)
    queries = history_queries(engine)[::8]
    X, y, qid, gid = collect(sg, queries, "hybrid+history")
    assert X.shape[1] == 9 and set(np.unique(y)) == {0.0, 1.0}
    w = fit_weights(X, y, gid, "hybrid+history")
    assert set(w) == {"bm25", "dense", "kind", "any_kind", "same_sector", "other_sector", "hist", "pop_sector", "pop_kind"}
    assert w["bm25"] > 0  # text relevance must count for the indicators approved tables chose
