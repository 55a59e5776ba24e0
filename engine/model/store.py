"""Saving and loading an engine directory: arrays (.npy, allow_pickle=False) and JSON only, so a
directory is safe to receive from someone else. Layout:

    manifest.json      version, inputs' hashes, counts, metrics, package versions
    modules.json       the learned components, in order: name, type, folder (like sentence-transformers')
    config.json        the ranking configuration the version was fitted with (from data/ranking.json)
    entries.json       the library entries the version ranks (so loading never reads data/library)
    words.txt          the tokenizer's domain dictionary
    entries/ history/  the hybrid indexes (BM25 + vectors); entries/name_vectors.npy
    history.json       the approved tables (history)
    proposals.csv      indicators approved tables used that the library lacks (with the version that made them)
    <component>/       one folder per component: config.json (params + learned JSON state) and .npy arrays

Writing goes to a temporary sibling directory that is then swapped in: never a half-written engine."""
from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from pathlib import Path

import numpy as np

from engine.domain.history import load_history, save_history
from engine.domain.library import Entry
from engine.model.adapter import QueryAdapter
from engine.model.calibration import Calibration
from engine.model.classifier import LevelClassifier
from engine.model.engine import Engine, EngineError
from engine.model.ranker import PairwiseRanker
from engine.model.target_stats import TargetStats
from engine.retrieval.encoders import make_encoder
from engine.retrieval.index import HybridIndex
from engine.retrieval.tokenize import Tokenizer

FORMAT = 3
# the only classes a modules.json may name: a received directory cannot make us import anything else
COMPONENT_TYPES = {cls.__name__: cls for cls in (LevelClassifier, PairwiseRanker, QueryAdapter, TargetStats, Calibration)}


def _write_json(path: Path, obj, indent: int | None = None) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=indent), encoding="utf-8")


def save_engine(engine: Engine, out: Path, proposals: bytes = b"") -> None:
    """Write the engine to `out` (atomically), with `proposals` as its proposals.csv when not empty."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        engine.tokenizer.save_words(tmp / "words.txt")
        _write_json(tmp / "entries.json", [e.to_dict() | {"origin": e.origin} for e in engine.entries])
        engine.entry_index.save(tmp / "entries")
        engine.history_index.save(tmp / "history")
        np.save(tmp / "entries" / "name_vectors.npy", engine.name_vectors, allow_pickle=False)
        save_history(tmp / "history.json", engine.history)
        _write_json(tmp / "config.json", engine.config, indent=2)
        modules = []
        for name, comp in engine.components.items():
            folder = name.replace(".", "_")  # ranker.hybrid -> ranker_hybrid
            comp.save(tmp / folder)
            modules.append({"idx": len(modules), "name": name, "path": folder, "type": type(comp).__name__})
        _write_json(tmp / "modules.json", modules, indent=2)
        if proposals:
            (tmp / "proposals.csv").write_bytes(proposals)
        engine.manifest.update({"format": FORMAT, "version": out.name})
        _write_json(tmp / "manifest.json", engine.manifest, indent=2)
        if os.environ.get("JIXIAO_FAULT_SAVE") == out.name:  # fault injection for the crash test
            os.kill(os.getpid(), signal.SIGKILL)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    engine.path = out


def read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads((Path(path) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise EngineError(f"无法读取引擎目录 {path}（{type(e).__name__}），请运行 jixiao build 重新建立") from None
    if manifest.get("format") != FORMAT:
        raise EngineError(f"引擎目录 {path} 的格式版本不符（由旧版本建立），请运行 jixiao build 重新建立")
    return manifest


def load_components(path: Path) -> dict:
    """The components modules.json lists, each loaded by its own class (no fitting)."""
    out = {}
    for m in json.loads((path / "modules.json").read_text(encoding="utf-8")):
        cls = COMPONENT_TYPES.get(m.get("type"))
        sub = (path / m["path"]).resolve()
        if cls is None or path.resolve() not in sub.parents:
            raise EngineError(f"引擎目录 {path} 的 modules.json 含未知组件“{m.get('type')}”")
        out[m["name"]] = cls.load(sub)
    return out


def load_engine(path: Path, warm: bool = True) -> Engine:
    path = Path(path)
    manifest = read_manifest(path)
    try:
        entries = [_entry_from_dict(d) for d in json.loads((path / "entries.json").read_text(encoding="utf-8"))]
        tokenizer = Tokenizer.from_words_file(path / "words.txt")
        encoder = make_encoder(manifest["encoder"]["spec"])
        entry_index = HybridIndex.load(path / "entries", tokenizer, encoder)
        history_index = HybridIndex.load(path / "history", tokenizer, encoder)
        components = load_components(path)
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        history = load_history(path / "history.json")
        name_vectors = np.load(path / "entries" / "name_vectors.npy", allow_pickle=False)
    except (OSError, ValueError, KeyError) as e:
        raise EngineError(f"引擎目录 {path} 已损坏：{e}，请运行 jixiao build 重新建立") from None
    adapter = components.get("adapter")
    if adapter is not None and adapter.W_.shape[0] != entry_index.vectors.shape[1]:
        raise EngineError(f"引擎目录 {path} 已损坏：adapter 与向量维度不符，请运行 jixiao build 重新建立")
    engine = Engine(path, manifest, entries, tokenizer, encoder, entry_index, history, history_index, config,
                    components, name_vectors)
    if warm and encoder.dim:
        encoder.encode(["预热"])
    return engine


def _entry_from_dict(d: dict) -> Entry:
    return Entry(d["indicator_id"], d["level1"], d["level2"], d["indicator"], d["nature"], d["unit"], d["direction"],
                 d["target"], d["standard"], d["explanation"], tuple(d["keywords"]), tuple(d["kinds"]), d["sector"],
                 d["func_class"], d["fund_use"], origin=d.get("origin", "library"))
