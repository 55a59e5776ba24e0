"""The engine's lifecycle keeps no hidden state: training writes only the new version, a changed
library is reported rather than silently rebuilt, loading never learns. (Rollback restoring the
earlier engine byte for byte is checked in test_train, on its training run.)"""
import json
import shutil
from pathlib import Path

import pytest

from engine.cli import main
from engine.model.adapter import QueryAdapter
from engine.model.calibration import Calibration
from engine.model.classifier import LevelClassifier
from engine.model.ranker import PairwiseRanker
from engine.model.build import fit_engine
from engine.model.store import load_engine, save_engine
from engine.model.target_stats import TargetStats
from engine.model.versions import open_engine
from test_train import approved_tables, tree_digest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow




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


def test_train_into_a_directory_writes_only_that_directory(tiny_paths, tmp_path, monkeypatch, capsys):
    # on the tiny library (a lexical engine, quick to retrain); data and models as the CLI sees them
    root = tmp_path / "models"
    save_engine(fit_engine(tiny_paths, "lexical"), root / "base")
    monkeypatch.setenv("JIXIAO_MODELS", str(root))
    monkeypatch.setenv("JIXIAO_DATA", str(tiny_paths.data))
    src = tmp_path / "approved.json"
    src.write_text(json.dumps(approved_tables(), ensure_ascii=False), encoding="utf-8")
    digests = {d: tree_digest(d) for d in (ROOT / "data", tiny_paths.data, root)}
    out = tmp_path / "elsewhere" / "v-test"
    run(["train", "--approved", str(src), "-o", str(out), "--format", "json"], capsys)
    # no proposals.csv or anything else in the checkout or the data folder; the versions in use untouched
    assert {d: tree_digest(d) for d in digests} == digests
    assert (out / "manifest.json").exists() and (out / "proposals.csv").exists()
    said = []
    engine = open_engine(progress=said.append)          # the next command neither rebuilds nor warns
    assert engine.version == "base" and said == []


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
