"""The engine's lifecycle keeps no hidden state: training writes only the new version, switching
versions rebuilds nothing, rollback restores the earlier engine exactly, loading never learns."""
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from engine.cli import main
from engine.model.adapter import QueryAdapter
from engine.model.calibration import Calibration
from engine.model.classifier import LevelClassifier
from engine.model.ranker import PairwiseRanker
from engine.model.store import load_engine
from engine.model.target_stats import TargetStats
from engine.model.versions import open_engine
from test_train import approved_tables

ROOT = Path(__file__).resolve().parent.parent
SUGGEST = ["suggest", "--name", "2027年社区居家养老智慧呼叫服务", "--amount", "80", "--format", "json",
           "--description", "为独居老人安装智慧呼叫终端并提供应急响应服务"]
pytestmark = pytest.mark.slow


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


@pytest.fixture
def models(tmp_path, monkeypatch):
    """A models folder holding a copy of the session's base engine, used through the default Paths."""
    base = open_engine()
    root = tmp_path / "models"
    shutil.copytree(base.path, root / "base")
    monkeypatch.setenv("JIXIAO_MODELS", str(root))
    src = tmp_path / "approved.json"
    src.write_text(json.dumps(approved_tables(), ensure_ascii=False), encoding="utf-8")
    return root, src


def run(argv, capsys) -> str:
    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out


def test_train_into_a_directory_writes_only_that_directory(models, tmp_path, capsys):
    root, src = models
    data_before, models_before = tree_digest(ROOT / "data"), tree_digest(root)
    out = tmp_path / "elsewhere" / "v-test"
    run(["train", "--approved", str(src), "-o", str(out), "--format", "json"], capsys)
    assert tree_digest(ROOT / "data") == data_before  # no proposals.csv or anything else in the checkout
    assert tree_digest(root) == models_before          # the versions in use are untouched
    assert (out / "manifest.json").exists() and (out / "proposals.csv").exists()
    said = []
    engine = open_engine(progress=said.append)          # the next command neither rebuilds nor warns
    assert engine.version == "base" and said == []


def test_rollback_to_base_restores_the_same_suggestions(models, capsys):
    root, src = models
    before = run(SUGGEST, capsys)
    base_digest = tree_digest(root / "base")
    run(["train", "--approved", str(src), "--format", "json"], capsys)
    assert (root / "CURRENT").read_text(encoding="utf-8").strip() == "v001"
    assert run(SUGGEST, capsys) != before                # training did change what is suggested
    run(["models", "use", "base"], capsys)
    assert tree_digest(root / "base") == base_digest     # nothing was rebuilt
    assert run(SUGGEST, capsys) == before                # byte for byte
    entries = json.loads((root / "base" / "entries.json").read_text(encoding="utf-8"))
    assert all(e["origin"] == "library" for e in entries)  # no proposal slipped into the base


def test_a_changed_library_is_reported_not_rebuilt(models, tmp_path, monkeypatch, capsys):
    root, _ = models
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    f = sorted((data / "library" / "common").glob("*.csv"))[0]
    f.write_text(f.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # bytes changed, entries not
    monkeypatch.setenv("JIXIAO_DATA", str(data))
    digest = tree_digest(root / "base")
    said = []
    engine = open_engine(progress=said.append)
    assert engine.version == "base" and tree_digest(root / "base") == digest
    assert len(said) == 1 and "指标库已更新" in said[0] and "jixiao build" in said[0]


def test_loading_never_learns(models, monkeypatch):
    root, _ = models
    for cls in (LevelClassifier, PairwiseRanker, QueryAdapter, TargetStats, Calibration):
        monkeypatch.setattr(cls, "fit", lambda self, *a, **k: pytest.fail(f"{type(self).__name__}.fit called on load"))
    engine = load_engine(root / "base")
    modules = json.loads((root / "base" / "modules.json").read_text(encoding="utf-8"))
    assert {m["name"] for m in modules} == set(engine.components)
    assert {"classifier", "target_stats", "calibration", "ranker.hybrid", "ranker.hybrid+history"} <= set(engine.components)
    assert engine.target_stats and engine.params["calibration"] and engine.params["weights"]


def test_unknown_component_type_is_refused(models, tmp_path):
    from engine.model.engine import EngineError

    root, _ = models
    copy = tmp_path / "copy"
    shutil.copytree(root / "base", copy)
    modules = json.loads((copy / "modules.json").read_text(encoding="utf-8"))
    modules[0]["type"] = "os.system"
    (copy / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    with pytest.raises(EngineError, match="未知组件"):
        load_engine(copy)
