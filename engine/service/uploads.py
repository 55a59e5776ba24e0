"""Reading the files of one upload (POST /v1/score/file): each file on its own, so that a bad file
costs only itself. The good files' tables go on to review; each bad file is named with its reason;
only an upload where no file could be read is an error of the whole request."""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

from fastapi import UploadFile

from engine.io.readers import SUPPORTED, InputError, read_bytes
from engine.service.errors import ApiError

log = logging.getLogger("jixiao.server")

# response headers of POST /v1/score/file (documented there and in the README)
ERRORS_HEADER = "X-File-Errors"
ERRORS_DETAIL_HEADER = "X-File-Errors-Detail"
WARNINGS_HEADER = "X-File-Warnings"
DETAIL_MAX = 20  # bad files named in the detail header; the rest via ?errors=body


@dataclass
class FileError:
    file: str
    status: int
    error: str


@dataclass
class FileWarning:
    file: str
    message: str


@dataclass
class Batch:
    tables: list = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    warnings: list[FileWarning] = field(default_factory=list)

    def report(self, results: list[dict]) -> dict:
        """The body of ?errors=body: the score JSON list plus what went wrong with which file."""
        return {"results": results, "file_errors": [asdict(e) for e in self.errors],
                "warnings": [asdict(w) for w in self.warnings]}

    def headers(self) -> dict[str, str]:
        """How many files could not be read (always) and which (percent-encoded UTF-8 JSON, when any)."""
        out = {ERRORS_HEADER: str(len(self.errors)), WARNINGS_HEADER: str(len(self.warnings))}
        if self.errors:
            detail = [asdict(e) for e in self.errors[:DETAIL_MAX]]
            out[ERRORS_DETAIL_HEADER] = quote(json.dumps(detail, ensure_ascii=False), safe="")
        return out

    def problems(self) -> list[tuple[str, str]]:
        """(file, reason) of every bad file, for the XLSX and HTML reports."""
        return [(e.file, e.error) for e in self.errors]

    def notes(self) -> list[tuple[str, str]]:
        return [(w.file, w.message) for w in self.warnings]


def read_upload(up: UploadFile, max_bytes: int, max_upload_mb: float) -> tuple[list, list[str]]:
    """The tables of one uploaded file and the reader's warnings; ApiError when it cannot be read."""
    name = Path(up.filename or "").name
    label = name or "上传的文件"
    ext = Path(name).suffix.lower()
    if ext == ".xls":
        raise ApiError(415, f"{label}：不支持旧版 Excel（.xls）格式，请在 Excel 中另存为 .xlsx 后再提交")
    if ext not in SUPPORTED:
        raise ApiError(415, f"{label}：不支持的文件类型“{ext or '无扩展名'}”，请提交 CSV、XLSX 或 JSON 文件")
    data = up.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError(413, f"{label}：文件过大（上限 {max_upload_mb:g} MB），请拆分后分批提交")
    if not data:
        raise ApiError(422, f"{label}：文件为空")
    try:
        result = read_bytes(data, name, max_mb=max_upload_mb + 1)
    except InputError as e:
        raise ApiError(422, str(e)) from None
    except Exception as e:
        # the readers turn known defects into InputError; anything else is still a damaged file
        log.warning("无法解析上传文件 %s：%r", name, e)
        raise ApiError(400, f"{label}：文件无法解析，请确认文件未损坏、格式与扩展名一致") from None
    if not result.tables:
        raise ApiError(422, f"{label}：文件中没有找到绩效目标表")
    return result.tables, result.warnings


def read_batch(files: list[UploadFile], max_bytes: int, max_upload_mb: float) -> Batch:
    """Every file read on its own; raises only when none of them could be read."""
    batch = Batch()
    for up in files:
        name = Path(up.filename or "").name or "上传的文件"
        try:
            tables, warnings = read_upload(up, max_bytes, max_upload_mb)
        except ApiError as e:
            batch.errors.append(FileError(name, e.status, e.message))
            continue
        batch.tables.extend(tables)
        batch.warnings.extend(FileWarning(name, w) for w in warnings)
    if not batch.tables:
        raise all_bad(batch.errors)
    return batch


def all_bad(errors: list[FileError]) -> ApiError:
    """The error of an upload none of whose files could be read: a single file's own error, or all of
    them named (the common status when they agree, else 422)."""
    if not errors:
        return ApiError(422, "请求格式错误：没有上传任何文件（表单字段 file）")
    if len(errors) == 1:
        return ApiError(errors[0].status, errors[0].error)
    statuses = {e.status for e in errors}
    status = statuses.pop() if len(statuses) == 1 else 422
    return ApiError(status, f"上传的 {len(errors)} 个文件都无法评审：" + "；".join(e.error for e in errors))
