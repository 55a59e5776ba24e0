"""The HTTP service (`jixiao serve`, contract §5): JSON endpoints over one shared Service, plus the
drafting page (/) and the review page (/review) served from engine/static.

Every error leaves as {"error": "<Chinese>"}: bad input is a 4xx, and only a fault of the engine
itself is a 500 — a malformed body or file never is."""
from __future__ import annotations

import logging
import os

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from engine import __version__
from engine.service.errors import BodyLimit, install_error_handlers
from engine.service.lanes import Lanes
from engine.service.routers import drafting, meta, pages, review
from engine.service.routers.pages import STATIC
from engine.service.api import Service

log = logging.getLogger("jixiao.server")

# multipart boundaries and headers on top of the files themselves
BODY_OVERHEAD = 256 * 1024


# ------------------------------------------------------------------ the app
def create_app(service: Service | None = None, model: str | None = None, max_upload_mb: float = 20) -> FastAPI:
    """The HTTP app over one loaded engine (loaded here when no Service is given)."""
    if service is None:
        service = Service.open(model)
    lanes = Lanes(service, max_upload_mb)
    app = FastAPIOffline(
        title="绩效目标智能编审引擎 API", version=__version__, static_url="/static-docs",
        description="为预算项目绩效目标申报表推荐三级指标和指标值、批量评审并给出修改建议。"
                    "出错时返回 4xx 和 {\"error\": \"中文说明\"}。编制页面见 /，批量评审页面见 /review。")
    app.state.service = service
    app.state.max_upload_mb = max_upload_mb
    app.add_middleware(BodyLimit, max_bytes=lanes.max_bytes + BODY_OVERHEAD, limit_mb=max_upload_mb)
    install_error_handlers(app, max_upload_mb)
    app.include_router(meta.router(lanes))
    app.include_router(drafting.router(lanes))
    app.include_router(review.router(lanes))
    app.include_router(pages.router())
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def tune_for_serving() -> None:
    """Process settings for a serving process (`jixiao serve` and its workers), applied before the
    engine loads. One BLAS thread per process: with two, a matrix product waits whenever a request's
    Python work holds the other core, and under 8 clients throughput fell from ~25 to ~3 req/s.
    A 1 ms GIL switch interval (5 ms by default) lets the event loop answer while a request computes."""
    import sys

    os.environ.setdefault("JIXIAO_BLAS_THREADS", "1")  # also for processes this one starts
    sys.setswitchinterval(0.001)
    from threadpoolctl import threadpool_limits

    from engine.retrieval.encoders import blas_threads

    threadpool_limits(blas_threads(), user_api="blas")  # numpy's own products too, not only the encoder's


def app_from_env() -> FastAPI:
    """App factory for uvicorn's worker processes (`jixiao serve --workers N`): each worker loads the
    engine directory the parent process resolved (and built, if needed) before starting them."""
    tune_for_serving()
    return create_app(model=os.environ["JIXIAO_SERVE_MODEL"],
                      max_upload_mb=float(os.environ.get("JIXIAO_SERVE_MAX_MB", "20")))
