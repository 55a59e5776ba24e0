"""What the long-format reader tells the user about a row it cannot take as it is: a row shorter than
the header (cut off in transit), a row with indicator content but no 三级指标, an amount that is not a
number. Each becomes a warning naming file and row, never a silent drop."""
from __future__ import annotations

# the indicator columns whose content shows that a row was meant as an indicator
ROW_FIELDS = ("level1", "level2", "value", "unit", "nature", "note")


def short_row(row, width: int, cols: dict[str, int]) -> str:
    """Why a row with fewer cells than the header lacks its indicator or target; "" when it does not."""
    if len(row) >= width:
        return ""
    lost = [f for f in ("indicator", "value") if cols.get(f) is not None and cols[f] >= len(row)]
    if not lost:
        return ""
    return f"只有 {len(row)} 列，表头有 {width} 列（这一行可能被截断）"


def indicator_note(line_text: str, short: str, has_content: bool, has_name: bool) -> str:
    """The warning for a row: `short` from short_row, `has_content` any of ROW_FIELDS filled,
    `has_name` the 三级指标 filled. "" when the row is fine (or wholly empty of indicator content)."""
    if not has_name:
        if short or has_content:
            return f"{line_text}：{short + '，' if short else ''}三级指标为空，已跳过"
        return ""
    if short:
        return f"{line_text}：{short}，缺少的列按未填写处理"
    return ""


def amount_note(line_text: str, raw: str) -> str:
    return f"{line_text}：项目金额“{raw}”不是数字，按未填写处理（请填写以万元为单位的金额，如 120）"
