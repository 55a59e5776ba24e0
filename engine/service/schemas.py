"""Request bodies of the HTTP API (contract §1b), validated by pydantic."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator


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


def table_dicts(body: TableIn | list[TableIn]) -> list[dict]:
    items = body if isinstance(body, list) else [body]
    return [t.model_dump(exclude_none=True) for t in items]


# ------------------------------------------------------------------ response shapes for the docs
class FileErrorOut(BaseModel):
    """上传中无法评审的一个文件。"""

    file: str = Field(description="文件名（上传时的名称）")
    status: int = Field(description="单独上传该文件时的状态码：400 文件损坏、413 过大、415 类型不支持、422 内容无法读取")
    error: str = Field(description="中文原因，写明文件和行号")


class FileWarningOut(BaseModel):
    """读取时跳过或需要注意的一行。"""

    file: str = Field(description="文件名")
    message: str = Field(description="中文提示，写明行号")


class ScoreFileReport(BaseModel):
    """POST /v1/score/file?errors=body 的响应体：评审结果，加上无法评审的文件和读取提示。"""

    results: list[dict] = Field(description="评审结果：与 /v1/score 返回的列表相同，每张表一个对象")
    file_errors: list[FileErrorOut] = Field(description="无法评审的文件，逐个给出原因")
    warnings: list[FileWarningOut] = Field(description="读取时跳过的行等提示")
