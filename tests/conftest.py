import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_RAW = Path(os.environ.get("JIXIAO_SHARED", ROOT.parent / "shared")) / "data" / "raw"
RAPTOR = SHARED_RAW / "weAIDB__ST-Raptor"


def need_raw(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"真实数据不存在：{path}（需要与仓库并列的 shared/data/raw）")
    return path


@pytest.fixture
def raptor():
    return need_raw(RAPTOR)


@pytest.fixture(scope="session", autouse=True)
def _models_dir(tmp_path_factory):
    """Engines the CLI builds on first use go to a temporary folder, never into the repository."""
    import engine.engine as eng

    path = tmp_path_factory.mktemp("models")
    old = eng.MODELS_DIR
    eng.MODELS_DIR = path
    os.environ["JIXIAO_MODELS"] = str(path)
    yield path
    eng.MODELS_DIR = old
