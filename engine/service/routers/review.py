"""Review endpoints: scoring tables (JSON or uploaded files) and comparing two versions of a table."""
from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, File, Query, UploadFile
from fastapi.responses import HTMLResponse, Response

from engine.service.errors import ApiError, json_body, multipart_body
from engine.service.lanes import XLSX_MIME, Lanes, attachment, json_response
from engine.service.report_in import ReportFormat, ReportIn, reviews_of
from engine.service.schemas import DiffIn, ScoreFileReport, TableIn, table_dicts
from engine.service.uploads import DETAIL_MAX, ERRORS_DETAIL_HEADER, ERRORS_HEADER, WARNINGS_HEADER, read_batch
from engine.io.readers import InputError, tables_from_json


log = logging.getLogger("jixiao.server")
MAX_TABLES = 1000
SCORE_FILE_DOC = (
    "每个文件单独读取：能读取的文件照常评审，无法读取的文件逐个列出原因，不影响其他文件（全部文件都无法读取时才返回 4xx）。"
    "默认（errors=header）响应体与 /v1/score 相同，是每张表一个对象的列表；无法评审的文件数在响应头 X-File-Errors，"
    "明细在 X-File-Errors-Detail（百分号编码的 UTF-8 JSON：[{\"file\": 文件名, \"status\": 状态码, \"error\": 原因}]，"
    f"最多 {DETAIL_MAX} 个），读取时跳过的行数在 X-File-Warnings。errors=body 时响应体为 "
    "{\"results\": [评审结果…], \"file_errors\": [{file, status, error}], \"warnings\": [{file, message}]}。"
    "format=xlsx 的报告另有“无法评审的文件”和“读取提示”工作表（有内容时），html 报告相应列出。")
SCORE_FILE_HEADERS = {
    ERRORS_HEADER: {"description": "无法评审的文件数", "schema": {"type": "integer"}},
    ERRORS_DETAIL_HEADER: {"description": "无法评审的文件及原因：百分号编码的 UTF-8 JSON 列表（有时才给出）",
                           "schema": {"type": "string"}},
    WARNINGS_HEADER: {"description": "读取时跳过或提示的行数（明细见 errors=body 的 warnings）", "schema": {"type": "integer"}}}


def router(lanes: Lanes) -> APIRouter:
    router = APIRouter()
    service, ahead, in_engine = lanes.service, lanes.ahead, lanes.in_engine
    review_in_turns = lanes.review_in_turns
    max_bytes, max_upload_mb = lanes.max_bytes, lanes.max_upload_mb

    @router.post("/v1/score", tags=["评审"], summary="评审一张或多张绩效目标表（契约 §1b JSON）", response_model=list,
                 dependencies=[Depends(json_body)])
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
                 description=SCORE_FILE_DOC, response_model=list[dict] | ScoreFileReport,
                 responses={200: {"headers": SCORE_FILE_HEADERS},
                            415: {"description": "文件类型不支持，或请求体不是 multipart/form-data"}},
                 dependencies=[Depends(multipart_body)])
    async def score_file(file: Annotated[list[UploadFile], File(description="待评审的文件，可重复以上传多个")],
                         format: Annotated[Literal["json", "xlsx", "html"],
                                           Query(description="返回格式：json（默认）、xlsx 报告或 html 报告")] = "json",
                         errors: Annotated[Literal["header", "body"],
                                           Query(description="json 格式下无法评审的文件如何告知：header（默认，响应体仍是评审结果"
                                                             "列表，文件错误在响应头 X-File-Errors / X-File-Errors-Detail）"
                                                             "或 body（响应体为 {results, file_errors, warnings}）")] = "header"
                         ) -> Response:
        batch = None

        def read():
            nonlocal batch
            batch = read_batch(file, max_bytes, max_upload_mb)
            return batch.tables

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

            headers = batch.headers()
            if format == "xlsx":
                data = reports.to_xlsx(reviews, batch.problems(), batch.notes())
                return Response(data, media_type=XLSX_MIME, headers=headers | {
                    "Content-Disposition": attachment("评审报告.xlsx", "report.xlsx")})
            if format == "html":
                return HTMLResponse(reports.to_html(reviews, file_errors=batch.problems(), notes=batch.notes()),
                                    headers=headers)
            results = [r.to_dict() for r in reviews]
            resp = json_response(batch.report(results) if errors == "body" else results)
            resp.headers.update(headers)
            return resp

        return await ahead(render)

    @router.post("/v1/report", tags=["评审"], summary="用已有的评审结果生成 XLSX 或 HTML 报告（不重新评审）",
                 description="请求体为 /v1/score/file?errors=body 的响应体（或只含 results：/v1/score 返回的列表）；"
                             "批量评审页面的“下载XLSX报告”即用此接口，不必再次上传和评审文件。",
                 response_model=None, dependencies=[Depends(json_body)])
    async def report(body: ReportIn,
                     format: Annotated[ReportFormat, Query(description="报告格式：xlsx（默认）或 html")] = "xlsx"
                     ) -> Response:
        def render():
            from engine.io import reports

            reviews = reviews_of(body)
            problems = [(e.file, e.error) for e in body.file_errors]
            notes = [(w.file, w.message) for w in body.warnings]
            if format == "html":
                return HTMLResponse(reports.to_html(reviews, file_errors=problems, notes=notes))
            return Response(reports.to_xlsx(reviews, problems, notes), media_type=XLSX_MIME,
                            headers={"Content-Disposition": attachment("评审报告.xlsx", "report.xlsx")})

        return await ahead(render)

    @router.post("/v1/diff", tags=["评审"], summary="比较同一项目调整前后（或上下年度）的两版绩效目标表",
                 response_model=dict, dependencies=[Depends(json_body)])
    async def diff(body: DiffIn) -> Response:
        def work():
            from engine.service.api import diff_json

            try:
                return json_response(diff_json(table_dicts(body.old)[0], table_dicts(body.new)[0], service.engine))
            except InputError as e:
                raise ApiError(422, f"请求格式错误：{e.detail}") from None

        return await in_engine(work)
    return router
