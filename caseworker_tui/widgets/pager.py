"""The line under a table paged in the database: where the reader is, and the keys that turn it.

A screen adds PAGE_BINDINGS to its own, asks the pager in `check_action` whether a page is
there to turn to, and reloads when `turn` says the page moved.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Static

# The pager's line names these two keys; the footer keeps its room for the screen's own.
PAGE_BINDINGS = [
    Binding("right_square_bracket", "page(1)", "Next page", id="next_page", show=False),
    Binding("left_square_bracket", "page(-1)", "Prev page", id="previous_page", show=False),
]


class Pager(Static):
    """"Page 2 of 9 · showing 51–100 of 420 open steps", and which pages `[` and `]` reach."""

    DEFAULT_CSS = "Pager { height: auto; padding: 0 1; color: $text-muted; }"

    def __init__(self, noun: str, *, page_size: int, hint: str = "", id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.noun = noun  # what the rows are: "open requests"
        self.hint = hint  # what else the table offers, said between the count and the keys
        self.page_size = page_size
        self.page = 1
        self.pages = 1

    def show(self, page: int, pages: int, rows: int, total: int) -> None:
        """The page now shown, holding `rows` of `total` rows."""
        self.page, self.pages = page, pages
        first = (page - 1) * self.page_size + 1
        shown = f"{first}–{first + rows - 1}" if rows else "0"
        parts = (f"Page {page} of {pages} · showing {shown} of {total} {self.noun}", self.hint,
                 "[ previous page   ] next page")
        self.update("   ·   ".join(part for part in parts if part))

    def offers(self, step: int = 1) -> bool | None:
        """True when `step` pages on is a page; None, as `check_action` reads it, greys the key."""
        return (self.page + int(step)) in range(1, self.pages + 1) or None

    def turn(self, step: int) -> bool:
        """Move `step` pages on, if that is a page; whether it moved."""
        if not self.offers(step):
            return False
        self.page += int(step)
        return True
