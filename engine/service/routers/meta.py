"""Service endpoints: health, the framework facts the pages need, and searching the library."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from engine import __version__
from engine.service.errors import ApiError
from engine.service.lanes import Lanes, json_response


def router(lanes: Lanes) -> APIRouter:
    router = APIRouter()
    service, in_engine = lanes.service, lanes.in_engine

    @router.get("/healthz", tags=["服务"], summary="健康检查")
    async def healthz() -> dict:
        return {"status": "ok", "model": service.engine.version}

    @router.get("/v1/meta", tags=["服务"], summary="页面所需的框架信息：10 个二级指标、15 类项目、行业")
    async def meta() -> dict:
        from engine.domain.framework import framework
        from engine.domain.kinds import kinds, sectors

        fw = framework()
        return {"model": service.engine.version, "version": __version__,
                "slots": [{"level1": s.level1, "level2": s.level2, "required": s.level2 in fw.required_level2}
                          for s in fw.slots],
                "kinds": [k.name for k in kinds()], "sectors": [s.name for s in sectors()]}

    @router.get("/v1/indicators", tags=["指标库"], summary="检索指标库", response_model=list)
    async def indicators(q: Annotated[str, Query(max_length=500, description="检索词，如“培训 合格率”")],
                         level2: Annotated[str, Query(max_length=50, description="限定二级指标，如 质量指标")] = "",
                         sector: Annotated[str, Query(max_length=50, description="限定行业，如 教育")] = "",
                         k: Annotated[int, Query(ge=1, le=100, description="返回条数")] = 10) -> Response:
        if not q.strip():
            raise ApiError(422, "请求格式错误：检索词 q 不能为空")
        return await in_engine(lambda: json_response(service.search(q, level2=level2.strip(), sector=sector.strip(), k=k)))
    return router
