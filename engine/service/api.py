"""The engine's programmatic face, shared by the CLI and the HTTP service: one loaded engine, and
plain functions from input dicts/tables to output dicts."""
from __future__ import annotations

import logging
import threading

from engine.retrieval.encoders import CachedEncoder
from engine.model.engine import Engine
from engine.model.versions import open_engine
from engine.retrieval.texts import query_text
from engine.io.readers import InputError, project_from_dict, tables_from_json
from engine.review.diff import diff_tables
from engine.review.reviewer import Reviewer
from engine.review.scoring import TableReview
from engine.retrieval.suggest import Suggester
from engine.domain.table import GoalTable

log = logging.getLogger("jixiao")


class Service:
    """An engine loaded once, with its suggester and reviewer; safe to share between threads
    (the engine is read-only after loading; the encoder cache is guarded)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.suggester = Suggester(engine)
        self.reviewer = make_reviewer(engine)
        self._lock = threading.Lock()

    @classmethod
    def open(cls, model: str | None = None, progress=None, paths=None) -> "Service":
        return cls(open_engine(paths, model=model, progress=progress))

    # ---------------------------------------------------------------- encoding ahead
    # The sentence encoder is the largest single cost of a request and runs in numpy, which releases the
    # GIL. The HTTP service therefore embeds a request's texts on a thread of its own (prime) before the
    # request queues for the engine lock, so on two cores one request's encoding overlaps another's
    # ranking and rule checks; the engine then finds the vectors in the encoder's cache.
    def prime(self, texts: list[str]) -> None:
        enc = self.engine.encoder
        if texts and enc.dim and isinstance(enc, CachedEncoder):  # only a caching encoder keeps what it embeds
            enc.encode(texts)

    def suggest_texts(self, project: dict) -> list[str]:
        try:
            text = query_text(project_from_dict(project))
        except InputError:
            return []  # the engine stage reports the error
        return [text] if text.strip() else []

    def prepare(self, tables: list[GoalTable]) -> None:
        """Embed and classify the texts of tables about to be scored (ModelChecks.prepare). Only an
        optimisation: on any failure the engine stage computes what is missing itself."""
        model = self.reviewer.model
        if model is None or self.engine.classifier is None:
            return
        try:
            model.prepare(tables)
        except Exception:  # e.g. a cache cleared by the engine thread mid-read
            log.debug("预先编码失败，交由评审阶段处理", exc_info=True)

    def suggest(self, project: dict, k: int = 5) -> dict:
        """`project` is the contract §1b project object; returns the suggest JSON (contract §3)."""
        p = project_from_dict(project)
        with self._lock:
            return self.suggester.suggest(p, k=k).to_dict()

    def score_tables(self, tables: list[GoalTable]) -> list[TableReview]:
        with self._lock:
            return [self.reviewer.review(t) for t in tables]

    def score_json(self, data) -> list[dict]:
        """One table (contract §1b) or a list; returns the score JSON (contract §3)."""
        return [r.to_dict() for r in self.score_tables(tables_from_json(data, "请求"))]

    def search(self, query: str, level2: str = "", sector: str = "", k: int = 10) -> list[dict]:
        """Library entries matching a query (GET /v1/indicators): Entry.to_dict() plus score."""
        from engine.retrieval.search import search

        with self._lock:
            hits = search(self.engine, query, level2=level2, sector=sector, k=k)
        return [h.entry.to_dict() | {"score": round(h.score, 4)} for h in hits]


def make_reviewer(engine: Engine | None) -> Reviewer:
    """The rule checks, plus the model checks when an engine is available."""
    if engine is None:
        return Reviewer()
    from engine.review.model_checks import ModelChecks

    return Reviewer.with_model(ModelChecks(engine))


# ---------------------------------------------------------------- POST /v1/diff
def _one_table(data, what: str) -> GoalTable:
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if isinstance(data, list):
        raise InputError(what, f"应为一张表（contract §1b 的对象），收到 {len(data)} 张")
    tables = tables_from_json(data, what)
    return tables[0]


def diff_json(old, new, engine=None) -> dict:
    """Contract §1b JSON tables in, the diff as a dict out (for POST /v1/diff). Bad input raises
    InputError with a Chinese message."""
    if not isinstance(old, (dict, list)) or not isinstance(new, (dict, list)):
        raise InputError("请求", "old 和 new 都应为绩效目标表对象 {\"project\": …, \"indicators\": […]}")
    return diff_tables(_one_table(old, "原表（old）"), _one_table(new, "新表（new）"), engine).to_dict()
