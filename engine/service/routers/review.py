"""Review endpoints: scoring tables (JSON or uploaded files) and comparing two versions of a table."""
from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Body, File, Query, UploadFile
from fastapi.responses import HTMLResponse, Response

from engine.service.errors import ApiError
from engine.service.lanes import XLSX_MIME, Lanes, attachment, json_response, read_upload
from engine.service.schemas import DiffIn, TableIn, table_dicts
from engine.io.readers import InputError, tables_from_json


log = logging.getLogger("jixiao.server")
MAX_TABLES = 1000


def router(lanes: Lanes) -> APIRouter:
    router = APIRouter()
    service, ahead, in_engine = lanes.service, lanes.ahead, lanes.in_engine
    review_in_turns = lanes.review_in_turns
    max_bytes, max_upload_mb = lanes.max_bytes, lanes.max_upload_mb

    @router.post("/v1/score", tags=["评审"], summary="评审一张或多张绩效目标表（契约 §1b JSON）", response_model=list)
    async def score(body: Annotated[TableIn | list[TableIn],
                                    Body(description="一张表，或由多张表组成的列表")]) -> Response:
        tables = table_dicts(body)
        if not tables:
            raise ApiError(422, "请求格式错误：列表中没有任何绩效目标表")
        if len(tables) > MAX_TABLES:
            raise ApiError(413, f"一次最多评审 {MAX_TABLES} 张表，请分批提交")

        def parse():
            try:
                return tables_from_json(tables, "请求")
            except InputError as e:
                raise ApiError(422, f"请求格式错误：{e.detail}") from None

        return await review_in_turns(parse, lambda reviews: json_response([r.to_dict() for r in reviews]))

    @router.post("/v1/score/file", tags=["评审"], summary="上传 CSV、XLSX 或 JSON 文件评审（可一次上传多个）",
              response_model=list)
    async def score_file(file: Annotated[list[UploadFile], File(description="待评审的文件，可重复以上传多个")],
                         format: Annotated[Literal["json", "xlsx", "html"],
                                           Query(description="返回格式：json（默认）、xlsx 报告或 html 报告")] = "json"
                         ) -> Response:
        def read():
            tables = []
            for up in file:
                tables.extend(read_upload(up, max_bytes, max_upload_mb))
            return tables

        try:
            reviews = await review_in_turns(read)
        except ApiError:
            raise
        except Exception:
            # a table the reader accepted but the checks choke on is still the file's fault
            log.exception("评审上传文件时出错")
            raise ApiError(422, "文件内容无法评审，请检查文件中的指标值和项目信息") from None

        def render():
            from engine.io import reports

            if format == "xlsx":
                return Response(reports.to_xlsx(reviews), media_type=XLSX_MIME,
                                headers={"Content-Disposition": attachment("评审报告.xlsx", "report.xlsx")})
            if format == "html":
                return HTMLResponse(reports.to_html(reviews))
            return json_response([r.to_dict() for r in reviews])

        return await ahead(render)

    @router.post("/v1/diff", tags=["评审"], summary="比较同一项目调整前后（或上下年度）的两版绩效目标表",
              response_model=dict)
    async def diff(body: DiffIn) -> Response:
        def work():
            from engine.service.api import diff_json

            try:
                return json_response(diff_json(table_dicts(body.old)[0], table_dicts(body.new)[0], service.engine))
            except InputError as e:
                raise ApiError(422, f"请求格式错误：{e.detail}") from None

        return await in_engine(work)
    return router
