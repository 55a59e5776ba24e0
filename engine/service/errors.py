"""Errors of the HTTP API: every one leaves as {"error": "<Chinese>"}; pydantic's messages are
translated, oversized bodies are refused before they are read."""
from __future__ import annotations

import logging
import re
from collections import defaultdict

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException



log = logging.getLogger("jixiao.server")


# ------------------------------------------------------------------ errors
class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def json_body(request: Request) -> None:
    """Dependency of the JSON endpoints: a body of another content type is refused with 415 (without a
    Content-Type the body is read as JSON, as FastAPI does)."""
    media = _media_type(request)
    if media and media != "application/json" and not media.endswith("+json"):
        raise ApiError(415, f"不支持的内容类型“{media}”：请求体应为 JSON，请设置 Content-Type: application/json")


async def multipart_body(request: Request) -> None:
    """Dependency of the upload endpoint: files come as multipart/form-data (a plain form is let through
    to be told which field is missing); anything else is 415."""
    media = _media_type(request)
    if media not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise ApiError(415, f"不支持的内容类型“{media or '未指定'}”：请用 multipart/form-data 上传文件（表单字段 file）")


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


def _choices_zh(expected) -> str:
    """pydantic's "'json', 'xlsx' or 'html'" as "json、xlsx、html"."""
    names = re.findall(r"'([^']*)'", str(expected or ""))
    return "、".join(names) if names else str(expected or "")


def _error_zh(e: dict) -> str:
    t, ctx = e.get("type", ""), e.get("ctx") or {}
    if t == "value_error":
        return str(ctx.get("error", "取值无效"))
    if t in ("too_long", "too_short") and isinstance(e.get("input"), str):
        t = "string_" + t  # a length limit on optional text is reported as the generic one: count characters
    template = _MESSAGE_ZH.get(t)
    if template is None:
        return "格式不正确"
    return template.format_map(defaultdict(lambda: None, {**ctx, "expected": _choices_zh(ctx.get("expected"))}))


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


def install_error_handlers(app: FastAPI, max_upload_mb: float) -> None:
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
            # FastAPI answers 400 for a body its JSON parser gave up on; to the client it is one more bad body
            if isinstance(exc.__cause__, RecursionError):
                return _error(422, "请求格式错误：JSON 嵌套层数过多，无法解析（一张表应为 {\"project\": …, \"indicators\": […]}）")
            if isinstance(exc.__cause__, UnicodeDecodeError):
                return _error(422, "请求格式错误：请求体不是有效的 JSON（应为 UTF-8 编码的 JSON）")
            return _error(422, "请求格式错误：请求体不是有效的 JSON")
        return _error(exc.status_code, msg)

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception):
        log.exception("内部错误：%s %s", request.method, request.url.path)
        return _error(500, "内部错误")
