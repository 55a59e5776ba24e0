"""A finding: one defect of a goal table, with a Chinese message and revision advice."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.domain.resources import load_json

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告", INFO: "提示"}


@dataclass
class Finding:
    code: str
    severity: str
    row: int | None          # 1-based position of the indicator in its table; None for table level
    indicator: str
    message: str
    suggestion: str
    candidates: list = field(default_factory=list)
    source_row: int | None = None   # the row in the source file, for finding it there
    target_slot: str = ""           # for LEVEL_MISFILED: the second level the row belongs to
    refs: tuple = ()                # other rows (positions) the finding depends on: it goes with them

    @property
    def dimension(self) -> str:
        return load_json("rubric.json")["codes"][self.code]["dimension"]

    def to_dict(self) -> dict:
        d = {"code": self.code, "severity": self.severity, "dimension": self.dimension, "row": self.row,
             "indicator": self.indicator, "message": self.message, "suggestion": self.suggestion,
             "candidates": self.candidates}
        if self.source_row is not None:
            d["source_row"] = self.source_row
        return d
