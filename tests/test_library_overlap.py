"""The library checks between files (issue 19 clean-up): a name copied into several sector files or from
the common part into a sector file, one name under two slots, and subsidy standards written as ceilings.
Each check runs on a small library built in tmp_path; the real library must pass all of them."""
import csv
from types import SimpleNamespace

import pytest

from engine.cli.model_commands import cmd_library_check
from engine.domain.library import COLUMNS, Library, check_library


def _row(id_, level1, level2, name, unit="次", direction="≤", target="≤2次", kinds="", sector=""):
    return [id_, level1, level2, name, "定量", unit, direction, target, "计划标准", "按实际发生数统计核实",
            "关键词", kinds, sector, "", ""]


def _write(root, rel, rows):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(rows)


def _problems(root):
    rep = check_library(Library.load(root))
    return rep, "\n".join(rep.problems)


COMMON_DUST = _row("C-GC-001", "成本指标", "社会成本指标", "施工扬尘投诉次数", kinds="工程基建类")


def test_sector_copy_of_a_common_name(tmp_path):
    _write(tmp_path, "common/工程基建类.csv", [COMMON_DUST])
    _write(tmp_path, "sectors/卫生健康.csv",
           [_row("S-WJ-001", "成本指标", "社会成本指标", "施工扬尘投诉次数", sector="卫生健康")])
    rep, text = _problems(tmp_path)
    assert not rep.ok
    assert "卫生健康.csv:2 S-WJ-001“施工扬尘投诉次数”：与共性指标 C-GC-001（工程基建类.csv）同名" in text


def test_same_name_in_several_sector_files(tmp_path):
    _write(tmp_path, "common/工程基建类.csv", [COMMON_DUST])
    for code, sector in (("JY", "教育"), ("TY", "体育")):
        _write(tmp_path, f"sectors/{sector}.csv",
               [_row(f"S-{code}-001", "成本指标", "生态环境成本指标", "施工临时占地面积", "平方米", "≤",
                     "≤500平方米", sector=sector)])
    rep, text = _problems(tmp_path)
    assert not rep.ok
    assert "“施工临时占地面积”在多个行业文件中重复" in text
    assert "体育.csv:2 S-TY-001" in text and "教育.csv:2 S-JY-001" in text
    assert "不同的指标层级" not in text  # same slot in both: only the copy is a problem


def test_one_name_in_two_slots(tmp_path):
    # names equal after normalisation (spacing, full-width brackets) count as one name
    _write(tmp_path, "common/维修改造类.csv",
           [_row("C-WX-001", "产出指标", "质量指标", "施工安全事故发生次数", direction="=", target="=0次",
                 kinds="维修改造类")])
    _write(tmp_path, "common/工程基建类.csv",
           [_row("C-GC-001", "成本指标", "社会成本指标", "施工安全事故 发生次数", kinds="工程基建类")])
    rep, text = _problems(tmp_path)
    assert not rep.ok
    assert "归入了不同的指标层级" in text
    assert "维修改造类.csv:2 C-WX-001（产出指标/质量指标）" in text
    assert "工程基建类.csv:2 C-GC-001（成本指标/社会成本指标）" in text
    assert "同名" not in text and "多个行业文件" not in text  # two common entries: no copy problem


@pytest.mark.parametrize("direction,target", [("≤", "≤190元/人·月"), ("=", "不超过190元/人·月")])
def test_subsidy_standard_as_a_ceiling(tmp_path, direction, target):
    _write(tmp_path, "sectors/人力资源和社会保障.csv", [
        _row("S-RS-001", "成本指标", "经济成本指标", "城乡居民基础养老金标准", "元/人·月", direction, target,
             sector="人力资源和社会保障"),
        _row("S-RS-002", "成本指标", "经济成本指标", "公益性岗位补贴标准", "元/人·月", "≥", "≥2000元/人·月",
             sector="人力资源和社会保障"),
        # a cost ceiling that is not a payment standard stays a ceiling
        _row("S-RS-003", "成本指标", "经济成本指标", "人均培训补贴成本", "元/人", "≤", "≤1800元/人",
             sector="人力资源和社会保障"),
    ])
    rep, text = _problems(tmp_path)
    assert not rep.ok
    assert "人力资源和社会保障.csv:2 S-RS-001“城乡居民基础养老金标准”：补助/补贴标准写成了上限" in text
    assert "S-RS-002" not in text and "S-RS-003" not in text


def test_check_command_fails_on_violations(tmp_path, capsys):
    _write(tmp_path, "common/工程基建类.csv", [COMMON_DUST])
    _write(tmp_path, "sectors/卫生健康.csv",
           [_row("S-WJ-001", "成本指标", "社会成本指标", "施工扬尘投诉次数", sector="卫生健康")])
    args = SimpleNamespace(paths=SimpleNamespace(library=tmp_path), format="table")
    assert cmd_library_check(args) == 1
    assert "与共性指标 C-GC-001" in capsys.readouterr().out


def test_real_library_passes_the_overlap_checks():
    rep = check_library(Library.load())
    bad = [p for p in rep.problems if "同名" in p or "多个行业文件" in p or "指标层级" in p or "上限" in p]
    assert bad == []
