"""The HTTP service (`jixiao serve`, contract §5): JSON endpoints over one shared Service, plus the
drafting page (/) and the review page (/review) served from engine/static.

Every error leaves as {"error": "<Chinese>"}: bad input is a 4xx, and only a fault of the engine
itself is a 500 — a malformed body or file never is."""
from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from functools import partial
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

import anyio
from fastapi import Body, FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine import __version__
from engine.api import Service
from engine.readers import SUPPORTED, InputError, read_bytes, tables_from_json

log = logging.getLogger("jixiao.server")

STATIC = Path(__file__).resolve().parent / "static"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# multipart boundaries and headers on top of the files themselves
BODY_OVERHEAD = 256 * 1024
MAX_TABLES = 1000
TURN = 20  # tables reviewed per turn on the engine lane (see review_in_turns)
MAX_ROWS = 2000


# ------------------------------------------------------------------ request models (contract §1b)
def _no_lone_surrogates(s: str) -> str:
    # JSON may carry "\ud800"; such text cannot be written back as UTF-8 in the response
    return s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


Text = Annotated[str, AfterValidator(_no_lone_surrogates)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class ProjectIn(BaseModel):
    """项目信息（契约 §1b 的 project 对象）。"""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{
        "name": "2026年全市中小学教师信息技术应用能力提升培训", "department": "市教育局", "sector": "教育",
        "category": "培训类", "amount": 120,
        "description": "面向全市中小学教师开展信息技术应用能力培训，计划培训3000人次。",
        "goal": "年内完成3000人次培训，参训教师考核合格率不低于95%。"}]})

    name: Text = Field(max_length=300, description="项目名称（必填）")
    project_id: Text | None = Field(None, max_length=100, description="项目编号")
    department: Text | None = Field(None, max_length=300, description="主管部门")
    sector: Text | None = Field(None, max_length=100, description="行业领域，不填则自动识别")
    category: Text | None = Field(None, max_length=100, description="项目类别（15 类之一），不填则自动识别")
    amount: Finite | None = Field(None, ge=0, le=1e9, description="项目金额（万元）")
    description: Text | None = Field(None, max_length=20000, description="项目概述")
    goal: Text | None = Field(None, max_length=20000, description="年度绩效目标")
    year: int | None = Field(None, ge=1900, le=2200, description="预算年度")

    @field_validator("name")
    @classmethod
    def _name_given(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("项目名称不能为空")
        return v


class IndicatorIn(BaseModel):
    """一行指标（契约 §1b 的 indicators 元素）。"""

    model_config = ConfigDict(extra="ignore")

    level1: Text | None = Field(None, max_length=200, description="一级指标")
    level2: Text | None = Field(None, max_length=200, description="二级指标")
    indicator: Text | None = Field(None, max_length=1000, description="三级指标")
    name: Text | None = Field(None, max_length=1000, description="三级指标（indicator 的别名）")
    value: Text | Finite | None = Field(None, description="指标值，如 ≥500人次、≥95%")
    unit: Text | None = Field(None, max_length=100, description="计量单位")
    nature: Text | None = Field(None, max_length=100, description="指标性质：定量 / 定性")
    note: Text | None = Field(None, max_length=5000, description="指标值说明")

    @field_validator("value", mode="before")
    @classmethod
    def _value_not_bool(cls, v):
        # JSON true/false is not a target; keep it as the text the drafter would see
        return str(v).lower() if isinstance(v, bool) else v


class TableIn(BaseModel):
    """一张绩效目标表（契约 §1b）。"""

    model_config = ConfigDict(extra="ignore")

    project: ProjectIn
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=MAX_ROWS)


class DiffIn(BaseModel):
    old: TableIn = Field(description="调整前（或上年度）的表")
    new: TableIn = Field(description="调整后（或本年度）的表")


def _table_dicts(body: TableIn | list[TableIn]) -> list[dict]:
    items = body if isinstance(body, list) else [body]
    return [t.model_dump(exclude_none=True) for t in items]


# ------------------------------------------------------------------ errors
class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


# pydantic error type -> Chinese text; {name} is filled from the error's ctx
_MESSAGE_ZH = {
    "missing": "缺少必填字段", "string_type": "应为文本", "float_type": "应为数字", "float_parsing": "应为数字",
    "finite_number": "应为有限的数字", "int_type": "应为整数", "int_parsing": "应为整数",
    "int_from_float": "应为整数", "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "dict_type": "应为对象", "model_type": "应为对象", "model_attributes_type": "应为对象",
    "list_type": "应为列表", "string_unicode": "含有无法识别的字符", "json_type": "应为 JSON",
    "json_invalid": "请求体不是有效的 JSON", "string_too_short": "不能为空",
    "string_too_long": "过长（最多 {max_length} 个字符）", "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项", "greater_than_equal": "应不小于 {ge}", "less_than_equal": "应不大于 {le}",
    "greater_than": "应大于 {gt}", "less_than": "应小于 {lt}",
    "literal_error": "应为 {expected} 之一", "enum": "应为 {expected} 之一",
}


def _error_zh(e: dict) -> str:
    t, ctx = e.get("type", ""), e.get("ctx") or {}
    if t == "value_error":
        return str(ctx.get("error", "取值无效"))
    template = _MESSAGE_ZH.get(t)
    if template is None:
        return "格式不正确"
    return template.format_map(defaultdict(lambda: None, {"expected": "", **ctx}))


def _where(loc: tuple) -> str:
    if not loc:
        return ""
    head, rest = loc[0], list(loc[1:])
    if head == "query":
        return f"参数 {'.'.join(map(str, rest))}"
    if head == "path":
        return f"路径参数 {'.'.join(map(str, rest))}"
    parts = []
    for x in rest:
        if isinstance(x, int):
            parts.append(f"[{x + 1}]")  # people count rows from 1
        else:
            parts.append(("." if parts else "") + str(x))
    return "".join(parts) or "请求体"


def _union_branch(errors: list[dict], body) -> list[dict]:
    """A body typed `TableIn | list[TableIn]` reports errors of both branches; keep the branch the
    client evidently meant and drop the branch tag from the location."""
    tagged = [e for e in errors if len(e.get("loc", ())) >= 2 and e["loc"][0] == "body"
              and isinstance(e["loc"][1], str) and e["loc"][1] in ("TableIn", "list[TableIn]")]
    if not tagged:
        return errors
    want = "list[TableIn]" if isinstance(body, list) else "TableIn"
    kept = [e for e in tagged if e["loc"][1] == want] or tagged[:1]
    if not isinstance(body, (list, dict)):
        return [{"type": "union", "loc": ("body",), "msg": ""}]
    return [e | {"loc": ("body", *e["loc"][2:])} for e in kept]


def validation_message(errors: list[dict], body=None) -> str:
    errors = _union_branch(list(errors), body)
    parts: list[str] = []
    for e in errors:
        if e.get("type") == "union":
            text = "请求体应为一张表的对象 {\"project\": …, \"indicators\": […]} 或这样的对象组成的列表"
        elif e.get("type") == "json_invalid":
            text = "请求体不是有效的 JSON"
        else:
            where = _where(tuple(e.get("loc", ())))
            text = f"{where}{'：' if where else ''}{_error_zh(e)}"
        if text not in parts:
            parts.append(text)
    more = f"等 {len(parts)} 处" if len(parts) > 5 else ""
    return "请求格式错误：" + "；".join(parts[:5]) + more


_STATUS_ZH = {400: "请求格式错误：无法解析请求体", 401: "未授权", 403: "禁止访问", 404: "未找到该地址",
              405: "不支持该请求方法", 406: "无法提供所要求的格式", 413: "请求体过大",
              415: "不支持的内容类型", 422: "请求格式错误", 429: "请求过于频繁，请稍后再试"}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class BodyLimit:
    """Refuse request bodies beyond the upload limit before they are read into memory (413)."""

    def __init__(self, app, max_bytes: int, limit_mb: float):
        self.app, self.max_bytes, self.limit_mb = app, max_bytes, limit_mb

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        message = f"请求体过大（上传上限 {self.limit_mb:g} MB），请拆分后分批提交"
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    too_big = int(v) > self.max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    return await _error(413, message)(scope, receive, send)
        seen, started = 0, False

        async def limited_receive():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return msg

        async def tracking_send(msg):
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _error(413, message)(scope, receive, send)


class _TooLarge(Exception):
    pass


def _json(obj) -> Response:
    return Response(json.dumps(obj, ensure_ascii=False, allow_nan=False).encode("utf-8"), media_type="application/json")


def _disposition(filename: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _safe_filename(name: str, ext: str) -> str:
    stem = "".join(ch for ch in name if ch not in '\\/:*?"<>|\r\n\t').strip()[:60] or "绩效目标申报表"
    return f"{stem}{ext}"


# ------------------------------------------------------------------ the app
def create_app(service: Service | None = None, model: str | None = None, max_upload_mb: float = 20) -> FastAPI:
    """The HTTP app over one loaded engine (loaded here when no Service is given)."""
    if service is None:
        service = Service.open(model)
    max_bytes = int(max_upload_mb * 1e6)

    app = FastAPIOffline(
        title="绩效目标智能编审引擎 API", version=__version__, static_url="/static-docs",
        description="为预算项目绩效目标申报表推荐三级指标和指标值、批量评审并给出修改建议。"
                    "出错时返回 4xx 和 {\"error\": \"中文说明\"}。编制页面见 /，批量评审页面见 /review。")
    app.state.service = service
    app.state.max_upload_mb = max_upload_mb
    app.add_middleware(BodyLimit, max_bytes=max_bytes + BODY_OVERHEAD, limit_mb=max_upload_mb)

    # ---------------------------------------------------------------- error handlers
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return _error(exc.status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        return _error(422, validation_message(exc.errors(), getattr(exc, "body", None)))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        msg = _STATUS_ZH.get(exc.status_code, "请求无法处理")
        if isinstance(exc.__cause__, _TooLarge):
            # a body sent without Content-Length that outgrew the limit while FastAPI was reading it
            return _error(413, f"请求体过大（上传上限 {max_upload_mb:g} MB），请拆分后分批提交")
        if exc.status_code == 404:
            msg = f"未找到该地址：{request.url.path}"
        if exc.status_code == 400 and "json" in request.headers.get("content-type", ""):
            # FastAPI answers 400 for bytes that are not even text; to the client it is one more bad body
            return _error(422, "请求格式错误：请求体不是有效的 JSON（应为 UTF-8 编码的 JSON）")
        return _error(exc.status_code, msg)

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception):
        log.exception("内部错误：%s %s", request.method, request.url.path)
        return _error(500, "内部错误")

    # ---------------------------------------------------------------- JSON endpoints
    engine_lane = anyio.CapacityLimiter(1)

    async def in_engine(fn):
        """Run engine work, and the encoding of its answer, on one thread at a time. The Service lock
        serialises the engine anyway; what one lane adds is that no other CPU-bound Python thread
        competes for the GIL, which numpy hands back and forth many times per request. With eight
        threads contending each hand-off waited a full switch interval: 8 clients fell to 3 req/s."""
        return await anyio.to_thread.run_sync(fn, limiter=engine_lane)

    encode_lane = anyio.CapacityLimiter(1)

    async def ahead(fn):
        """Run a request's first stage (parse, embed its texts into the encoder cache) on the encoding
        thread, so that it overlaps the engine lane's work on another request (see Service.prime)."""
        return await anyio.to_thread.run_sync(fn, limiter=encode_lane)

    async def review_in_turns(read, render=None):
        """Read tables (and prepare the first turn) ahead, then review a few tables per turn on the
        engine lane, each later turn prepared ahead first, so a bulk upload does not hold the engine
        while drafters wait for suggestions. `render(reviews)` runs with the last turn; without it the
        reviews are returned. A single table thus costs one hop on each lane."""
        def first():
            tables = read()
            service.prepare(tables[:TURN])
            return tables

        tables = await ahead(first)
        reviews: list = []

        def turn(chunk, last):
            reviews.extend(service.score_tables(chunk))
            return render(reviews) if last and render else reviews

        out = reviews
        for start in range(0, len(tables), TURN):
            if start:
                await ahead(partial(service.prepare, tables[start:start + TURN]))
            out = await in_engine(partial(turn, tables[start:start + TURN], start + TURN >= len(tables)))
        return out

    @app.get("/healthz", tags=["服务"], summary="健康检查")
    async def healthz() -> dict:
        return {"status": "ok", "model": service.engine.version}

    @app.get("/v1/meta", tags=["服务"], summary="页面所需的框架信息：10 个二级指标、15 类项目、行业")
    async def meta() -> dict:
        from engine.framework import framework
        from engine.kinds import kinds, sectors

        fw = framework()
        return {"model": service.engine.version, "version": __version__,
                "slots": [{"level1": s.level1, "level2": s.level2, "required": s.level2 in fw.required_level2}
                          for s in fw.slots],
                "kinds": [k.name for k in kinds()], "sectors": [s.name for s in sectors()]}

    @app.post("/v1/suggest", tags=["编制推荐"], summary="为正在编制的项目逐个二级指标推荐三级指标和指标值",
              response_model=dict)
    async def suggest(project: ProjectIn,
                      k: Annotated[int, Query(ge=1, le=20, description="每个二级指标的候选数")] = 5) -> Response:
        data = project.model_dump(exclude_none=True)
        await ahead(lambda: service.prime(service.suggest_texts(data)))
        return await in_engine(lambda: _json(service.suggest(data, k=k)))

    @app.post("/v1/score", tags=["评审"], summary="评审一张或多张绩效目标表（契约 §1b JSON）", response_model=list)
    async def score(body: Annotated[TableIn | list[TableIn],
                                    Body(description="一张表，或由多张表组成的列表")]) -> Response:
        tables = _table_dicts(body)
        if not tables:
            raise ApiError(422, "请求格式错误：列表中没有任何绩效目标表")
        if len(tables) > MAX_TABLES:
            raise ApiError(413, f"一次最多评审 {MAX_TABLES} 张表，请分批提交")

        def parse():
            try:
                return tables_from_json(tables, "请求")
            except InputError as e:
                raise ApiError(422, f"请求格式错误：{e.detail}") from None

        return await review_in_turns(parse, lambda reviews: _json([r.to_dict() for r in reviews]))

    @app.post("/v1/score/file", tags=["评审"], summary="上传 CSV、XLSX 或 JSON 文件评审（可一次上传多个）",
              response_model=list)
    async def score_file(file: Annotated[list[UploadFile], File(description="待评审的文件，可重复以上传多个")],
                         format: Annotated[Literal["json", "xlsx", "html"],
                                           Query(description="返回格式：json（默认）、xlsx 报告或 html 报告")] = "json"
                         ) -> Response:
        def read():
            tables = []
            for up in file:
                tables.extend(_read_upload(up, max_bytes, max_upload_mb))
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
            from engine import reports

            if format == "xlsx":
                return Response(reports.to_xlsx(reviews), media_type=XLSX_MIME,
                                headers={"Content-Disposition": _disposition("评审报告.xlsx", "report.xlsx")})
            if format == "html":
                return HTMLResponse(reports.to_html(reviews))
            return _json([r.to_dict() for r in reviews])

        return await ahead(render)

    @app.get("/v1/indicators", tags=["指标库"], summary="检索指标库", response_model=list)
    async def indicators(q: Annotated[str, Query(max_length=500, description="检索词，如“培训 合格率”")],
                         level2: Annotated[str, Query(max_length=50, description="限定二级指标，如 质量指标")] = "",
                         sector: Annotated[str, Query(max_length=50, description="限定行业，如 教育")] = "",
                         k: Annotated[int, Query(ge=1, le=100, description="返回条数")] = 10) -> Response:
        if not q.strip():
            raise ApiError(422, "请求格式错误：检索词 q 不能为空")
        return await in_engine(lambda: _json(service.search(q, level2=level2.strip(), sector=sector.strip(), k=k)))

    @app.post("/v1/export", tags=["编制推荐"], summary="把编好的一张表导出为标准格式的 XLSX 或 JSON",
              response_model=None)
    async def export(table: TableIn,
                     format: Annotated[Literal["xlsx", "json"], Query(description="导出格式")] = "xlsx") -> Response:
        def work():
            from engine.writers import tables_json, tables_xlsx

            try:
                tables = tables_from_json(_table_dicts(table)[0], "请求")
            except InputError as e:
                raise ApiError(422, f"请求格式错误：{e.detail}") from None
            name = tables[0].project.name
            if format == "json":
                return Response(tables_json(tables).encode("utf-8"), media_type="application/json",
                                headers={"Content-Disposition": _disposition(_safe_filename(name, ".json"), "table.json")})
            return Response(tables_xlsx(tables), media_type=XLSX_MIME,
                            headers={"Content-Disposition": _disposition(_safe_filename(name, ".xlsx"), "table.xlsx")})

        return await in_engine(work)

    @app.post("/v1/diff", tags=["评审"], summary="比较同一项目调整前后（或上下年度）的两版绩效目标表",
              response_model=dict)
    async def diff(body: DiffIn) -> Response:
        def work():
            from engine.diff import diff_json

            try:
                return _json(diff_json(_table_dicts(body.old)[0], _table_dicts(body.new)[0], service.engine))
            except InputError as e:
                raise ApiError(422, f"请求格式错误：{e.detail}") from None

        return await in_engine(work)

    # ---------------------------------------------------------------- pages
    @app.get("/", include_in_schema=False)
    def drafting_page():
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/review", include_in_schema=False)
    def review_page():
        return FileResponse(STATIC / "review.html", media_type="text/html; charset=utf-8")

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

    from engine.encoders import blas_threads

    threadpool_limits(blas_threads(), user_api="blas")  # numpy's own products too, not only the encoder's


def app_from_env() -> FastAPI:
    """App factory for uvicorn's worker processes (`jixiao serve --workers N`): each worker loads the
    engine directory the parent process resolved (and built, if needed) before starting them."""
    tune_for_serving()
    return create_app(model=os.environ["JIXIAO_SERVE_MODEL"],
                      max_upload_mb=float(os.environ.get("JIXIAO_SERVE_MAX_MB", "20")))


def _read_upload(up: UploadFile, max_bytes: int, max_upload_mb: float) -> list:
    name = Path(up.filename or "").name
    ext = Path(name).suffix.lower()
    if ext == ".xls":
        raise ApiError(415, f"{name}：不支持旧版 Excel（.xls）格式，请在 Excel 中另存为 .xlsx 后再提交")
    if ext not in SUPPORTED:
        raise ApiError(415, f"{name or '上传的文件'}：不支持的文件类型“{ext or '无扩展名'}”，请提交 CSV、XLSX 或 JSON 文件")
    data = up.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError(413, f"{name}：文件过大（上限 {max_upload_mb:g} MB），请拆分后分批提交")
    if not data:
        raise ApiError(422, f"{name}：文件为空")
    try:
        result = read_bytes(data, name, max_mb=max_upload_mb + 1)
    except InputError as e:
        raise ApiError(422, str(e)) from None
    except Exception as e:
        # the readers turn known defects into InputError; anything else is still a damaged file
        log.warning("无法解析上传文件 %s：%r", name, e)
        raise ApiError(400, f"{name}：文件无法解析（{type(e).__name__}），请确认文件未损坏且格式正确") from None
    if not result.tables:
        raise ApiError(422, f"{name}：文件中没有找到绩效目标表")
    return result.tables
