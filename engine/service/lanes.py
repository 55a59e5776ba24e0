"""Where HTTP requests run engine work: one engine lane and one encoding lane (threads), so that one
request's sentence encoding overlaps another's ranking and bulk reviews go in turns; plus the
response helpers every router shares."""
from __future__ import annotations

import json
import logging
from functools import partial
from urllib.parse import quote

import anyio
from fastapi.responses import Response

from engine.service.api import Service


log = logging.getLogger("jixiao.server")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TURN = 20  # tables reviewed per turn on the engine lane (see review_in_turns)


class Lanes:
    """The service and the two lanes its requests queue on (see in_engine and ahead)."""

    def __init__(self, service: Service, max_upload_mb: float):
        self.service = service
        self.max_upload_mb = max_upload_mb
        self.max_bytes = int(max_upload_mb * 1e6)
        self.engine_lane = anyio.CapacityLimiter(1)
        self.encode_lane = anyio.CapacityLimiter(1)

    async def in_engine(self, fn):
        """Run engine work, and the encoding of its answer, on one thread at a time. The Service lock
        serialises the engine anyway; what one lane adds is that no other CPU-bound Python thread
        competes for the GIL, which numpy hands back and forth many times per request. With eight
        threads contending each hand-off waited a full switch interval: 8 clients fell to 3 req/s."""
        return await anyio.to_thread.run_sync(fn, limiter=self.engine_lane)

    async def ahead(self, fn):
        """Run a request's first stage (parse, embed its texts into the encoder cache) on the encoding
        thread, so that it overlaps the engine lane's work on another request (see Service.prime)."""
        return await anyio.to_thread.run_sync(fn, limiter=self.encode_lane)

    async def review_in_turns(self, read, render=None):
        """Read tables (and prepare the first turn) ahead, then review a few tables per turn on the
        engine lane, each later turn prepared ahead first, so a bulk upload does not hold the engine
        while drafters wait for suggestions. `render(reviews)` runs with the last turn; without it the
        reviews are returned. A single table thus costs one hop on each lane."""
        service = self.service

        def first():
            tables = read()
            service.prepare(tables[:TURN])
            return tables

        tables = await self.ahead(first)
        reviews: list = []

        def turn(chunk, last):
            reviews.extend(service.score_tables(chunk))
            return render(reviews) if last and render else reviews

        out = reviews
        for start in range(0, len(tables), TURN):
            if start:
                await self.ahead(partial(service.prepare, tables[start:start + TURN]))
            out = await self.in_engine(partial(turn, tables[start:start + TURN], start + TURN >= len(tables)))
        return out

def json_response(obj) -> Response:
    return Response(json.dumps(obj, ensure_ascii=False, allow_nan=False).encode("utf-8"), media_type="application/json")


def attachment(filename: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def safe_filename(name: str, ext: str) -> str:
    stem = "".join(ch for ch in name if ch not in '\\/:*?"<>|\r\n\t').strip()[:60] or "绩效目标申报表"
    return f"{stem}{ext}"
