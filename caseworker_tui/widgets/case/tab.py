"""A case tab that makes its widgets the first time it comes into view.

Opening a case shows one tab; making the other five's tables, selects and scrollers as well cost
more than painting the case. Each tab is told every case it should show (`show`), keeps the
latest, and fills its widgets (`fill`) once they are made and whenever a newer case comes.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import TabPane


class CaseTab(TabPane):
    """Subclasses yield their widgets from `parts` and fill them in `fill`, with `show`'s arguments."""

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(title, id=id)
        self.made = False  # its widgets are (being) made; set before mounting to make them at once
        self.ready = False
        self._latest: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        if self.made:
            yield from self.parts()

    def on_mount(self) -> None:
        self.ready = self.made

    def parts(self) -> ComposeResult:
        yield from ()

    def fill(self, *args: Any) -> None:
        """Put the case into the widgets `parts` made."""

    def show(self, *args: Any) -> None:
        self._latest = args
        if self.ready:
            self.fill(*args)

    async def make(self) -> None:
        """Make the widgets, once, and fill them with the latest case."""
        if self.made:
            return
        self.made = True
        await self.recompose()
        self.ready = True
        if self._latest is not None:
            self.fill(*self._latest)
