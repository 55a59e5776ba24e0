"""Scoring many tables: every distinct text is embedded once (in batches, before any table is
reviewed), then the tables are reviewed on all cores by forked workers that share the loaded engine."""
from __future__ import annotations

import multiprocessing as mp
import os

from engine.review.reviewer import Reviewer
from engine.review.scoring import TableReview
from engine.domain.table import GoalTable

PARALLEL_FROM = 200  # below this many tables, forking costs more than it saves

_worker_reviewer: Reviewer | None = None


def _init_worker() -> None:
    try:  # one BLAS thread per worker: the workers already use every core
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - a scikit-learn dependency
        pass


def _review_one(table: GoalTable) -> TableReview:
    return _worker_reviewer.review(table)


def review_all(tables: list[GoalTable], reviewer: Reviewer, workers: int | None = None,
               advance=None) -> list[TableReview]:
    """Reviews in input order. `advance(n)` is called as tables finish (for a progress bar)."""
    global _worker_reviewer
    if reviewer.model is not None and tables:
        reviewer.model.prepare(tables)
    workers = workers or os.cpu_count() or 1
    if len(tables) < PARALLEL_FROM or workers <= 1 or "fork" not in mp.get_all_start_methods():
        out = []
        for t in tables:
            out.append(reviewer.review(t))
            if advance:
                advance(1)
        return out
    _worker_reviewer = reviewer
    try:
        with mp.get_context("fork").Pool(workers, initializer=_init_worker) as pool:
            out = []
            for r in pool.imap(_review_one, tables, chunksize=32):
                out.append(r)
                if advance:
                    advance(1)
            return out
    finally:
        _worker_reviewer = None
