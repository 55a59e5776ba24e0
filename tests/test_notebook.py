"""The notebook runs top to bottom, opening the engine in use of its own models folder (a copy of the
session's base engine)."""
import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_notebook_executes(tmp_path, monkeypatch, session_engine):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    shutil.copytree(session_engine.path, tmp_path / "models" / "base")
    monkeypatch.setenv("JIXIAO_MODELS", str(tmp_path / "models"))
    nb = nbformat.read(ROOT / "notebooks" / "engine_tour.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "数量指标" in text and "recall@5" in text
    assert (tmp_path / "models" / "base" / "manifest.json").exists()
    assert os.environ["JIXIAO_MODELS"] == str(tmp_path / "models")
