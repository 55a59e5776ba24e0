"""The indicator library and the example approved tables."""
import csv
import json

import pytest

from engine.cli import main
from engine.io.examples import example_files, load_example_tables
from engine.domain.library import COLUMNS, Library, check_library
from engine.review.reviewer import Reviewer


@pytest.fixture(scope="module")
def report():
    return check_library(Library.load())


def test_library_check_passes(report):
    assert report.problems == []
    assert report.ok


def test_common_part(report):
    assert report.common_total >= 245
    assert len(report.by_category) == 15
    assert all(n >= 12 for n in report.by_category.values()), report.by_category
    for cat in report.by_category:
        slots = report.by_group_slot[cat]
        for need in ("数量指标", "质量指标", "时效指标", "服务对象满意度指标"):
            assert slots.get(need, 0) >= 1, (cat, need)


def test_written_sectors_meet_minimums(report):
    written = {s: n for s, n in report.by_sector.items() if n}
    assert len(report.by_sector) == 29
    for sector in written:
        slots = report.by_group_slot[sector]
        assert written[sector] >= 130
        assert slots.get("数量指标", 0) >= 25 and slots.get("质量指标", 0) >= 15 and slots.get("时效指标", 0) >= 8
        assert slots.get("成本指标", 0) >= 8 and slots.get("效益指标", 0) >= 20 and slots.get("满意度指标", 0) >= 4


def test_cli_json_shape(capsys):
    code = main(["library", "check", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["ok"] is True
    assert set(out) >= {"ok", "total", "common_total", "by_category", "by_sector", "by_slot", "problems"}
    assert sum(out["by_slot"].values()) == out["total"]


def test_check_finds_problems(tmp_path):
    (tmp_path / "common").mkdir()
    rows = [
        ["C-PX-001", "产出指标", "数量指标", "培训人次", "定量", "人次", "≥", "≥500人次", "计划标准", "实际参训人次之和", "培训", "培训类", "", "", ""],
        ["C-PX-001", "产出指标", "数量指标", "培训·人次", "定量", "", "≥", "≥500人次", "计划标准", "实际参训人次之和", "培训", "培训类", "", "", ""],
        ["C-PX-003", "产出指标", "质量", "培训合格率", "定量", "%", "≥", "有效提升", "计划标准", "合格人数/参训人数", "培训", "培训类", "", "", ""],
    ]
    with open(tmp_path / "common" / "培训类.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(rows)
    rep = check_library(Library.load(tmp_path))
    text = "\n".join(rep.problems)
    assert not rep.ok
    assert "编号重复：C-PX-001" in text
    assert "定量指标缺少计量单位" in text
    assert "不是规范名称" in text
    assert "模糊" in text or "无法解析" in text
    assert "近似重复" in text
    assert "共性指标共 3 条" in text


def test_examples_pass_review():
    tables = load_example_tables()
    assert len(example_files()) >= 15 and len(tables) >= 30
    reviewer = Reviewer()
    for t in tables:
        r = reviewer.review(t)
        errors = [f"{f.code}:{f.indicator}:{f.message}" for f in r.findings if f.severity == "error"]
        assert r.decision in ("通过", "修改后通过") and not errors, (t.source, t.project.name, errors)
        assert 8 <= r.indicator_count <= 20
