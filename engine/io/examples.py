"""The example approved tables bundled under data/examples: which files, their hash, and reading them."""
from __future__ import annotations

from pathlib import Path

from engine.domain.resources import data_path
from engine.domain.table import GoalTable
from engine.io.readers import read_file


def example_files(root: Path | None = None) -> list[Path]:
    root = root or data_path("examples")
    return sorted(root.glob("common/*.json")) + sorted(root.glob("sectors/*.json"))


def load_example_tables(files: list[Path] | None = None) -> list[GoalTable]:
    tables = []
    for f in files if files is not None else example_files():
        tables.extend(read_file(f).tables)
    return tables
