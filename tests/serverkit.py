"""Shared by the HTTP tests: the session's engine (conftest.session_engine), the Service over it, and
small goal tables to post."""
from __future__ import annotations

from engine.service.api import Service

_SERVICE: Service | None = None


def shared_service(tmp_path_factory) -> Service:
    """Built once however many test modules ask (a module global survives across modules)."""
    global _SERVICE
    if _SERVICE is None:
        from engine.model.versions import open_engine

        _SERVICE = Service(open_engine())  # the session engine (conftest: built once, temporary folder)
    return _SERVICE


TRAINING = {"name": "2026年全市中小学教师信息技术应用能力提升培训", "department": "市教育局", "amount": 120,
            "description": "面向全市中小学教师开展信息技术应用能力培训，计划培训3000人次，提升数字化教学水平。",
            "goal": "年内完成3000人次教师培训，参训教师考核合格率不低于95%，参训满意度不低于90%。"}


def row(level1, level2, indicator, value, unit=""):
    return {"level1": level1, "level2": level2, "indicator": indicator, "value": value, "unit": unit}


def defective_table(name="社区健康讲座项目") -> dict:
    """A table with a vague target on row 2 and no satisfaction indicator."""
    return {"project": {"name": name, "amount": 20, "goal": "开展健康讲座，提升居民健康素养。"},
            "indicators": [row("产出指标", "数量指标", "举办讲座场次", "≥12场", "场"),
                           row("产出指标", "质量指标", "讲座内容合格率", "有效提升"),
                           row("产出指标", "时效指标", "完成时间", "2026年12月底前"),
                           row("效益指标", "社会效益指标", "居民健康知识知晓率", "≥85%", "%")]}


def good_table(name="全市教师培训项目") -> dict:
    return {"project": {"name": name, "amount": 120, "category": "培训类", "sector": "教育",
                        "goal": "年内完成3000人次教师培训，考核合格率不低于95%，满意度不低于90%。"},
            "indicators": [row("成本指标", "经济成本指标", "人均培训成本", "≤400元/人·天", "元/人·天"),
                           row("产出指标", "数量指标", "培训人次", "≥3000人次", "人次"),
                           row("产出指标", "质量指标", "培训考核合格率", "≥95%", "%"),
                           row("产出指标", "时效指标", "培训完成时间", "2026年11月30日前"),
                           row("效益指标", "社会效益指标", "参训教师信息技术应用能力提升率", "≥80%", "%"),
                           row("满意度指标", "服务对象满意度指标", "参训教师满意度", "≥90%", "%")]}


LONG_HEADER = ["项目名称", "项目金额（万元）", "年度绩效目标", "一级指标", "二级指标", "三级指标", "指标值", "计量单位"]


def long_csv(tables: list[dict]) -> str:
    """The bulk long format (contract §1a) of the given tables."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(LONG_HEADER)
    for t in tables:
        p = t["project"]
        for ind in t["indicators"]:
            w.writerow([p["name"], p.get("amount", ""), p.get("goal", ""), ind["level1"], ind["level2"],
                        ind["indicator"], ind["value"], ind.get("unit", "")])
    return buf.getvalue()
