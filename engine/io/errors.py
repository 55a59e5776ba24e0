"""What reading goal tables returns and raises: tables with warnings, or an InputError naming file and row."""
from __future__ import annotations

import os
from dataclasses import dataclass

from engine.domain.table import GoalTable

SUPPORTED = (".csv", ".xlsx", ".xlsm", ".json")
DEFAULT_MAX_MB = float(os.environ.get("JIXIAO_MAX_MB", "100"))


class InputError(Exception):
    """A user's file cannot be read as goal tables. The message is Chinese and names file and row."""

    def __init__(self, path: str | os.PathLike, message: str, row: int | None = None):
        self.path, self.row, self.detail = str(path), row, message
        where = f"{self.path}" + (f" 第{row}行" if row else "")
        super().__init__(f"{where}：{message}")


@dataclass
class ReadResult:
    tables: list[GoalTable]
    warnings: list[str]
