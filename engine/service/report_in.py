"""POST /v1/report: a reviewer's report (XLSX or HTML) made from score results the client already
has (what /v1/score or /v1/score/file returned), so the review page's download does not review every
file again. The results are validated as far as the report needs them."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from engine.domain.findings import Finding
from engine.review.scoring import DIMENSIONS, TableReview, rubric
from engine.service.schemas import FileErrorOut, FileWarningOut, Text

MAX_RESULTS = 5000


def _known_code(code: str) -> str:
    if code not in rubric()["codes"]:
        raise ValueError(f"未知的问题代码“{code}”")
    return code


def _all_dimensions(dims: dict[str, float]) -> dict[str, float]:
    missing = [d for d in DIMENSIONS if d not in dims]
    if missing:
        raise ValueError("缺少维度得分：" + "、".join(missing))
    return dims


Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: Annotated[str, AfterValidator(_known_code)]
    severity: Literal["error", "warning", "info"]
    row: int | None = None
    source_row: int | None = None
    indicator: Text = Field("", max_length=1000)
    message: Text = Field("", max_length=5000)
    suggestion: Text = Field("", max_length=5000)
    candidates: list[dict] = Field(default_factory=list, max_length=50)


class ReviewIn(BaseModel):
    """One table's score result, as /v1/score returns it."""

    model_config = ConfigDict(extra="ignore")

    project_id: Text = Field("", max_length=100)
    name: Text = Field(max_length=2000)
    indicator_count: int = Field(ge=0)
    total: Score
    grade: Text = Field(max_length=10)
    decision: Text = Field(max_length=20)
    dimensions: Annotated[dict[str, Score], AfterValidator(_all_dimensions)]
    findings: list[FindingIn] = Field(default_factory=list, max_length=5000)
    category: Text = Field("", max_length=100)
    sector: Text = Field("", max_length=100)
    source: Text = Field("", max_length=300)


class ReportIn(BaseModel):
    """评审结果（/v1/score/file?errors=body 的响应体，或只含 results），据此生成报告而不重新评审。"""

    results: list[ReviewIn] = Field(max_length=MAX_RESULTS, description="评审结果，与 /v1/score 返回的列表相同")
    file_errors: list[FileErrorOut] = Field(default_factory=list, max_length=MAX_RESULTS)
    warnings: list[FileWarningOut] = Field(default_factory=list, max_length=10 * MAX_RESULTS)


def _candidate(c: dict) -> dict:
    """What a report shows of a recommended indicator, as text whatever the client sent."""
    return {k: "" if c.get(k) is None else str(c.get(k)) for k in ("indicator", "suggested_value")}


def reviews_of(report: ReportIn) -> list[TableReview]:
    out = []
    for r in report.results:
        findings = [Finding(f.code, f.severity, f.row, f.indicator, f.message, f.suggestion,
                            [_candidate(c) for c in f.candidates], f.source_row) for f in r.findings]
        out.append(TableReview(r.project_id, r.name, r.indicator_count, r.total, r.grade, r.decision,
                               {d: r.dimensions[d] for d in DIMENSIONS}, findings, source=r.source,
                               kind=r.category, sector=r.sector))
    return out


ReportFormat = Literal["xlsx", "html"]
