"""The drafting page (/) and the review page (/review), with their static files."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse


STATIC = Path(__file__).resolve().parent.parent / "static"


def router() -> APIRouter:
    router = APIRouter()

    @router.get("/", include_in_schema=False)
    def drafting_page():
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @router.get("/review", include_in_schema=False)
    def review_page():
        return FileResponse(STATIC / "review.html", media_type="text/html; charset=utf-8")
    return router
