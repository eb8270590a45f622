"""CSV the app writes opens in a spreadsheet as the text it holds, never as a formula.

Excel and LibreOffice run a cell that starts with `=`, `+`, `-` or `@` (and, in some versions, a
tab or a carriage return) as a formula, which can fetch a web page or start a program. Names in
a CSV come from a policy file or a person's typing, so every CSV writer goes through `writer`,
which puts an apostrophe in front of such a cell: the spreadsheet then shows it as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, or, for text a spreadsheet would read as a formula, the text after an apostrophe.
    Numbers are left as they are: a count is never a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer`'s `writerow` and `writerows`, each cell made safe first."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: TextIO) -> SafeWriter:
    return SafeWriter(out)
