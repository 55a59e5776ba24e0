"""The package layout stays readable: no import cycle between engine modules or sub-packages, and no
module longer than 450 lines (scripts/check_layout.py, which also prints the package graph)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from check_layout import analyse, find_cycle  # noqa: E402


def test_no_import_cycles_and_no_long_modules():
    res = analyse(max_lines=450)
    assert res["module_cycle"] == [] and res["package_cycle"] == []
    assert res["over_limit"] == [] and res["longest_lines"] <= 450
    assert "engine.model" in res["package_graph"]["engine.service"]      # it did read the imports
    assert "engine.model" not in res["package_graph"]["engine.review"]   # review never reaches up to model


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []
