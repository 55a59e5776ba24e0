"""User text in the spreadsheets we write stays text. Reviewers open our XLSX and CSV files in Excel
or WPS and forward them, so a project named `=HYPERLINK(…)` must not become a live formula there
(CSV/formula injection). Every XLSX and CSV writer goes through this module:

- XLSX: text is written as a string cell, so the visible text is exactly what was entered (openpyxl
  would otherwise store any text starting with "=" as a formula);
- CSV: text starting with = + - @, a tab or a carriage return gets a leading apostrophe (the usual
  neutralisation); the CSV reader takes it off again, so our own files round-trip.

Numbers stay numbers: a number cell, or text that is just a number ("-5", "+3.5"), is not a formula."""
from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def formula_like(value) -> bool:
    """Text a spreadsheet program could take for a formula."""
    return (isinstance(value, str) and value[:1] in TRIGGERS
            and not _NUMBER.fullmatch(value))


def csv_cell(value):
    """A CSV field that a spreadsheet program shows as text (leading apostrophe where needed)."""
    return "'" + value if formula_like(value) else value


def csv_uncell(value):
    """The text a neutralised CSV field stood for (the inverse of csv_cell); other fields as they are."""
    if isinstance(value, str) and value.startswith("'") and formula_like(value[1:]):
        return value[1:]
    return value


def xlsx_value(value):
    """Text without the control characters an XLSX cell (XML 1.0) cannot hold; other values as they are.
    Such characters come from pasted text and would otherwise make openpyxl refuse the whole file."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def as_text(cell) -> None:
    """Keep a cell holding text a string cell, whatever it starts with."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def put_row(ws, values) -> None:
    """Append a row of values to a worksheet: text as string cells, numbers as numbers."""
    values = [xlsx_value(v) for v in values]
    ws.append(values)
    row = ws.max_row
    for col in range(1, len(values) + 1):
        as_text(ws.cell(row, col))
