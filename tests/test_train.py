"""Retraining on approved tables: history, proposals, versions, rollback, crash safety."""
import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.model.engine import EngineError
import engine.model.proposals as proposals
from engine.cli import main
from engine.model.versions import open_engine, use_version
from engine.paths import Paths
from engine.model.store import load_engine
from engine.retrieval.suggest import Suggester
from engine.domain.table import Project

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NEW = "社区智慧养老呼叫终端安装户数"


def approved_tables(n=4):
    out = []
    for k in range(n):
        out.append({"project": {"project_id": f"P-NEW-{k}", "name": f"2027年第{k + 1}片区居家养老智慧呼叫服务",
                                "sector": "民政", "category": "政府购买服务类", "amount": 80 + k,
                                "description": "为独居老人安装智慧呼叫终端并提供24小时应急响应服务。",
                                "goal": "年内为独居老人安装呼叫终端，应急响应及时率100%。"},
                    "indicators": [
                        {"level1": "产出指标", "level2": "数量指标", "indicator": NEW, "value": f"≥{300 + 10 * k}户"},
                        {"level1": "产出指标", "level2": "质量指标", "indicator": "应急呼叫响应及时率", "value": "100%"},
                        {"level1": "产出指标", "level2": "时效指标", "indicator": "终端安装完成时间", "value": "9月底前"},
                        {"level1": "满意度指标", "level2": "服务对象满意度指标", "indicator": "老年人满意度", "value": "≥92%"},
                        {"level1": "管理类指标", "level2": "", "indicator": "预算执行率", "value": "≥90%"},
                        {"level1": "产出指标", "level2": "数量指标", "indicator": "空值指标", "value": ""}]})
    return out


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = open_engine()  # the session engine (conftest's temporary models folder)
    root = tmp_path_factory.mktemp("train")
    models = root / "models"
    shutil.copytree(base.path, models / "base")
    old_models = os.environ["JIXIAO_MODELS"]
    os.environ["JIXIAO_MODELS"] = str(models)
    src = root / "approved.json"
    src.write_text(json.dumps(approved_tables(), ensure_ascii=False), encoding="utf-8")
    yield root, src
    os.environ["JIXIAO_MODELS"] = old_models


@pytest.fixture(scope="module")
def trained(workspace):
    root, src = workspace
    before = _suggest_json()
    base_digest = tree_digest(root / "models" / "base")
    code = main(["train", "--approved", str(src), "--full", "--format", "json"])
    assert code == 0
    (root / "before.json").write_text(json.dumps({"suggest": before, "base": base_digest}), encoding="utf-8")
    return root


def test_new_version_in_use_with_approved_history(trained, capsys):
    versions = {v["version"]: v for v in json.loads(_run(["models", "list", "--format", "json"], capsys))}
    assert set(versions) == {"base", "v001"} and versions["v001"]["in_use"]
    eng = open_engine()
    assert eng.version == "v001" and eng.manifest["parent"] == "base"
    assert eng.manifest["added"]["tables"] == 4 and eng.manifest["inputs"][0]["sha256"]
    assert "recall@5_after" in eng.manifest["metrics"] and eng.manifest["metrics"]["query_adapter"] is True
    assert sum(1 for t in eng.history if t.origin == "approved") == 4
    # the ranking weights are refitted on the grown history; the review thresholds stay the parent's
    parent = load_engine(trained / "models" / "base")
    assert set(eng.params["weights"]) == {"hybrid", "hybrid+history"}
    assert eng.params["weights"] != parent.params["weights"]
    assert eng.params["calibration"] == parent.params["calibration"]
    # and a query adapter is learned (the example tables are enough) and travels with the version
    assert eng.manifest["adapter"] and parent.entry_index.adapter is None
    a = eng.entry_index.adapter
    assert a.shape == (512, 512) and (eng.path / "adapter" / "W.npy").exists()
    q = eng.encoder.encode(["居家养老智慧呼叫服务"])[0]
    adapted = eng.entry_index.dense_scores(q)
    eng.entry_index.adapter = None
    try:
        assert not np.allclose(adapted, eng.entry_index.dense_scores(q))
    finally:
        eng.entry_index.adapter = a


def test_damaged_adapter_is_refused_on_load(trained, tmp_path):
    copy = tmp_path / "v"
    shutil.copytree(open_engine().path, copy)
    np.save(copy / "adapter" / "W.npy", np.full((512, 3), np.nan, np.float32), allow_pickle=False)
    with pytest.raises(EngineError, match="adapter"):
        load_engine(copy)


def test_unusable_rows_skipped_with_reasons(workspace):
    from engine.model.train import read_approved

    _, src = workspace
    tables, skipped, _ = read_approved([str(src)])
    assert len(tables) == 4 and all(len(t.indicators) == 4 for t in tables)
    assert any("不是绩效目标指标" in s for s in skipped) and any("指标值为空" in s for s in skipped)


def test_proposal_used_once_approved_often_enough(trained):
    props = proposals.load_proposals(open_engine().path / "proposals.csv")
    p = next(p for p in props if p.name == NEW)
    assert p.count == 4 and p.status == proposals.PENDING and p.level2 == "数量指标"
    eng = open_engine()
    assert any(e.name == NEW and e.origin == "approved" for e in eng.entries)
    s = Suggester(eng).suggest(Project(name="2027年居家养老智慧呼叫服务", description="为独居老人安装智慧呼叫终端"))
    qty = next(x for x in s.slots if x.level2 == "数量指标")
    assert any(c.indicator == NEW for c in qty.candidates)


def test_accept_reject_and_rollback(trained, capsys):
    in_use = open_engine().path / "proposals.csv"
    p = proposals.load_proposals(in_use)[0]
    assert main(["library", "reject", p.id]) == 0
    assert proposals.load_proposals(in_use)[0].status == proposals.REJECTED
    assert main(["library", "accept", "A-99999"]) == 2
    after_training = _suggest_json()
    assert main(["models", "use", "base"]) == 0
    assert open_engine().version == "base"
    # rollback restores the earlier engine exactly: nothing rebuilt, the same suggestions byte for byte
    before = json.loads((trained / "before.json").read_text(encoding="utf-8"))
    assert tree_digest(trained / "models" / "base") == before["base"]
    assert _suggest_json() == before["suggest"] != after_training
    entries = json.loads((trained / "models" / "base" / "entries.json").read_text(encoding="utf-8"))
    assert all(e["origin"] == "library" for e in entries)  # no proposal slipped into the base
    assert main(["models", "use", "v001"]) == 0
    assert main(["models", "use", "v999"]) == 2


def test_crash_mid_training_leaves_previous_version(tiny_paths, tmp_path, monkeypatch):
    # on the tiny library (a lexical engine: the child's training is quick), v001 in use
    from engine.model.build import fit_engine
    from engine.model.store import save_engine

    root = tmp_path
    models = Paths(tiny_paths.data, root / "models")
    tiny = fit_engine(tiny_paths, "lexical")
    save_engine(tiny, models.models / "base")
    save_engine(tiny, models.models / "v001")
    use_version(models, "v001")
    src = root / "approved.json"
    src.write_text(json.dumps(approved_tables(), ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ, JIXIAO_MODELS=str(root / "models"), JIXIAO_DATA=str(tiny_paths.data), JIXIAO_DEBUG="")
    # the process is killed (SIGKILL, no clean-up) once the new version is fully written to its temporary
    # directory but not yet renamed: the latest moment a crash can hit (an earlier one leaves even less)
    env["JIXIAO_FAULT_SAVE"] = "v002"
    proc = subprocess.run([sys.executable, "-m", "engine", "train", "--approved", str(src)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert list((root / "models").glob(".v002.tmp-*/manifest.json"))  # it did get that far
    current = (root / "models" / "CURRENT").read_text(encoding="utf-8").strip()
    assert current == "v001"
    assert not (root / "models" / "v002" / "manifest.json").exists()
    assert open_engine(models).version == "v001"


SUGGEST = ["suggest", "--name", "2027年社区居家养老智慧呼叫服务", "--amount", "80", "--format", "json",
           "--description", "为独居老人安装智慧呼叫终端并提供应急响应服务"]


def _suggest_json() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(SUGGEST) == 0
    return out.getvalue()


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _run(argv, capsys):
    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out
