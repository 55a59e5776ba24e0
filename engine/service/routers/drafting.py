"""Drafting endpoints: suggestions for a project being drafted, and exporting the finished table."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from engine.service.errors import ApiError, json_body
from engine.service.lanes import XLSX_MIME, Lanes, attachment, json_response, safe_filename
from engine.service.schemas import ProjectIn, TableIn, table_dicts
from engine.io.readers import InputError, tables_from_json


def router(lanes: Lanes) -> APIRouter:
    router = APIRouter()
    service, ahead, in_engine = lanes.service, lanes.ahead, lanes.in_engine

    @router.post("/v1/suggest", tags=["编制推荐"], summary="为正在编制的项目逐个二级指标推荐三级指标和指标值",
                 response_model=dict, dependencies=[Depends(json_body)])
    async def suggest(project: ProjectIn,
                      k: Annotated[int, Query(ge=1, le=20, description="每个二级指标的候选数")] = 5) -> Response:
        data = project.model_dump(exclude_none=True)
        await ahead(lambda: service.prime(service.suggest_texts(data)))
        return await in_engine(lambda: json_response(service.suggest(data, k=k)))

    @router.post("/v1/export", tags=["编制推荐"], summary="把编好的一张表导出为标准格式的 XLSX 或 JSON",
                 response_model=None, dependencies=[Depends(json_body)])
    async def export(table: TableIn,
                     format: Annotated[Literal["xlsx", "json"], Query(description="导出格式")] = "xlsx") -> Response:
        def work():
            from engine.io.writers import tables_json, tables_xlsx

            try:
                tables = tables_from_json(table_dicts(table)[0], "请求")
            except InputError as e:
                raise ApiError(422, f"请求格式错误：{e.detail}") from None
            name = tables[0].project.name
            if format == "json":
                return Response(tables_json(tables).encode("utf-8"), media_type="application/json",
                                headers={"Content-Disposition": attachment(safe_filename(name, ".json"), "table.json")})
            return Response(tables_xlsx(tables), media_type=XLSX_MIME,
                            headers={"Content-Disposition": attachment(safe_filename(name, ".xlsx"), "table.xlsx")})

        return await in_engine(work)
    return router
