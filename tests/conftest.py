import json
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
    """Engines the CLI builds on first use go to a temporary folder, never into the repository: the
    default Paths (what the CLI and open_engine() use) read $JIXIAO_MODELS."""
    path = tmp_path_factory.mktemp("models")
    old = os.environ.get("JIXIAO_MODELS")
    os.environ["JIXIAO_MODELS"] = str(path)
    yield path
    if old is None:
        os.environ.pop("JIXIAO_MODELS", None)
    else:
        os.environ["JIXIAO_MODELS"] = old


@pytest.fixture(scope="session")
def tiny_paths(tmp_path_factory):
    """A data folder with a tiny library (3 common entries per second-level slot, 30 in all, taken from
    the real library) and two example tables: for unit tests that need an engine but not its quality."""
    from engine.domain.library import COLUMNS, Library
    from engine.paths import Paths

    import shutil

    root = tmp_path_factory.mktemp("tiny")
    # a whole data folder: the domain files as they are, a tiny library and two example tables
    (root / "data").mkdir()
    for f in (ROOT / "data").glob("*.json"):
        shutil.copy(f, root / "data" / f.name)
    shutil.copytree(ROOT / "data" / "lexicon", root / "data" / "lexicon")
    picked: dict[str, list] = {}
    for e in Library.load(ROOT / "data" / "library").entries:
        if e.is_common and len(picked.setdefault(e.level2, [])) < 3:
            picked[e.level2].append(e)
    rows = [",".join(COLUMNS)]
    for es in picked.values():
        for e in es:
            d = e.to_dict()
            cells = [e.id, e.level1, e.level2, e.name, e.nature, e.unit, e.direction, e.target, e.standard,
                     e.explanation, ";".join(e.keywords), ";".join(e.kinds), e.sector, e.func_class, e.fund_use]
            assert cells[3] == d["indicator"]
            rows.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    (root / "data" / "library" / "common").mkdir(parents=True)
    (root / "data" / "library" / "common" / "tiny.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    # two approved tables using some of those entries, as the history
    tables = [{"project": {"name": name, "category": "培训类", "amount": amount, "description": name},
               "indicators": [{"level1": es[0].level1, "level2": es[0].level2, "indicator": es[0].name,
                               "value": es[0].target} for es in picked.values()]}
              for name, amount in (("2026年教师业务培训", 30), ("2026年基层干部培训", 60))]
    (root / "data" / "examples" / "common").mkdir(parents=True)
    (root / "data" / "examples" / "common" / "tiny.json").write_text(json.dumps(tables, ensure_ascii=False),
                                                                      encoding="utf-8")
    return Paths(root / "data", root / "models")


@pytest.fixture(scope="session")
def tiny_engine(tiny_paths):
    """A lexical engine fitted in memory on the tiny library (well under a second)."""
    from engine.model.build import fit_engine

    return fit_engine(tiny_paths, "lexical", fit=False)


@pytest.fixture(scope="session")
def session_engine(_models_dir):
    """The one engine the end-to-end tests share: the base version, built on first use in the session's
    temporary models folder (what the CLI and open_engine() use too)."""
    from engine.model.versions import open_engine

    return open_engine()
