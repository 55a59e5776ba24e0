"""Writers round-trip through the readers: JSON, long CSV and the standard XLSX layout."""
import json

from engine.io.readers import read_file, tables_from_json
from engine.io.writers import atomic_write, tables_csv, tables_json, tables_xlsx

TABLE = {"project": {"project_id": "P9", "name": "乡镇卫生院设备购置", "department": "某县卫生健康局", "sector": "卫生健康",
                     "category": "设备购置类", "amount": 180.0, "description": "为8家乡镇卫生院购置DR和彩超。",
                     "goal": "年内完成16台设备购置安装，验收合格率100%。"},
         "indicators": [
             {"level1": "成本指标", "level2": "经济成本指标", "indicator": "设备购置总成本", "value": "≤180万元", "unit": "万元"},
             {"level1": "产出指标", "level2": "数量指标", "indicator": "购置设备数量", "value": "=16台", "unit": "台"},
             {"level1": "产出指标", "level2": "数量指标", "indicator": "受益卫生院数量", "value": "=8家", "unit": "家"},
             {"level1": "产出指标", "level2": "质量指标", "indicator": "设备验收合格率", "value": "100%", "unit": "%"},
             {"level1": "满意度指标", "level2": "服务对象满意度指标", "indicator": "医务人员满意度", "value": "≥90%", "unit": "%"}]}


def _same(t):
    assert t.project.name == "乡镇卫生院设备购置" and t.project.amount == 180.0
    assert t.project.goal.startswith("年内完成16台")
    assert [i.name for i in t.indicators] == [i["indicator"] for i in TABLE["indicators"]]
    assert [i.target.display() for i in t.indicators] == ["≤180万元", "=16台", "=8家", "100%", "≥90%"]
    assert [i.placement.level2 for i in t.indicators] == [i["level2"] for i in TABLE["indicators"]]


def test_round_trips(tmp_path):
    tables = tables_from_json(TABLE)
    for name, data in (("t.json", tables_json(tables).encode()), ("t.csv", tables_csv(tables).encode()),
                       ("t.xlsx", tables_xlsx(tables))):
        atomic_write(tmp_path / name, data)
        back = read_file(tmp_path / name).tables
        assert len(back) == 1, name
        _same(back[0])
    form = read_file(tmp_path / "t.xlsx").tables[0]
    assert form.project.sector == "卫生健康" and form.project.category == "设备购置类"


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    try:
        atomic_write(target, None)  # type: ignore[arg-type]
    except TypeError:
        pass
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
    assert json.loads(tables_json(tables_from_json(TABLE)))["project"]["name"] == "乡镇卫生院设备购置"
