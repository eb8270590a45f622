"""A table that shows the columns its width has room for, the most important first.

At 80 columns a queue of eight columns cannot show them all, and a table that scrolls sideways
hides the very reference or due date a person looks for. Each column says how much it needs and
how much it can use; the table keeps columns in priority order while they fit, gives what is left
to the ones that can use it (left to right), and cuts longer text with an ellipsis. It fits itself again whenever
its width changes, so columns come back as the terminal widens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.widgets import DataTable

SCROLLBAR = 1  # the vertical scrollbar's width (see DEFAULT_CSS), kept free so that rows never push a column off
PADDING = 2  # a cell's padding, one each side (DataTable's cell_padding)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    priority: int  # 1 is the last to go
    width: int  # the least it is shown at
    most: int | None = None  # the most it can use (None: no more than `width`)


def fit_columns(columns: Sequence[Column], room: int) -> dict[str, int]:
    """Each shown column's width, in the columns' own order: by priority until one does not fit, at
    least one; a narrower column of lower priority never takes the place of one that did not fit."""
    kept: list[Column] = []
    used = 0
    for column in sorted(columns, key=lambda c: c.priority):
        need = column.width + PADDING
        if kept and used + need > room:
            break
        kept.append(column)
        used += need
    widths = {c.key: c.width for c in columns if c in kept}
    for column in columns:  # what is left goes, left to right, to the shown columns that can use it
        if column.key in widths:
            extra = min(max(0, (column.most or column.width) - column.width), max(0, room - used))
            widths[column.key] += extra
            used += extra
    return widths


def cut(value: object, width: int) -> Text:
    """The cell as Text no wider than its column, ending in "…" when cut (never mid-glyph).

    A tuple gives ways of saying the same, longest first: the first that fits is shown whole."""
    if isinstance(value, tuple):
        value = next((v for v in value if _width(v) <= width), value[-1])
    text = value.copy() if isinstance(value, Text) else Text(str(value))
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    return text


def _width(value: object) -> int:
    return value.cell_len if isinstance(value, Text) else Text(str(value)).cell_len


class FittedTable(DataTable):
    """A DataTable of `columns`, showing those that fit; rows are given as {column key: cell}."""

    DEFAULT_CSS = """
    FittedTable { scrollbar-size-vertical: 1; }
    """

    def __init__(self, columns: Sequence[Column], **kwargs) -> None:
        super().__init__(**kwargs)
        self.spec = tuple(columns)
        self._rows: list[Mapping[str, object]] = []
        self._widths: dict[str, int] = {}

    @property
    def shown(self) -> tuple[str, ...]:
        """The keys of the columns shown now."""
        return tuple(self._widths)

    def set_rows(self, rows: Iterable[Mapping[str, object]]) -> None:
        """Show these rows (the cursor stays on its row where it can)."""
        self._rows = list(rows)
        self._build(self._fitting())

    def on_resize(self, event: events.Resize) -> None:
        widths = self._fitting()
        if widths != self._widths:
            self._build(widths)

    def _fitting(self) -> dict[str, int]:
        width = self.size.width or (self.app.size.width if self.is_attached else 80)
        return fit_columns(self.spec, width - SCROLLBAR)

    def _build(self, widths: dict[str, int]) -> None:
        keep = self.cursor_row
        if widths != self._widths:
            self._widths = widths
            self.clear(columns=True)
            labels = {c.key: c.label for c in self.spec}
            for key, width in widths.items():
                self.add_column(cut(labels[key], width), key=key)
        else:
            self.clear()
        self.add_rows([tuple(cut(row.get(key, ""), width) for key, width in widths.items()) for row in self._rows])
        if self._rows:
            self.move_cursor(row=min(max(keep, 0), len(self._rows) - 1))
