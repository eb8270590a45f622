"""A strip of a case's open deadlines whose countdowns stay current while the screen is open."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Container
from textual.widgets import Static

from caseworker_tui.services import clock, context
from caseworker_tui.services.calendar import countdown
from caseworker_tui.services.deadlines import DeadlineView
from caseworker_tui.widgets.countdown import countdown_text


def deadline_text(deadline: DeadlineView) -> Text:
    """The chip's words, counted down from today rather than from when the case was read."""
    text = Text()
    text.append(f"{deadline.label}\n", style="bold")
    text.append(f"due {deadline.due_on:%a %d %b %Y}\n")
    text.append_text(countdown_text(countdown(deadline.due_on, clock.today(), context.calendar())))
    return text


CHIP_WIDTH = 36  # the least a chip needs for "8 days left (6 working days)" inside its border, and a gap


class DeadlineStrip(Container):
    """One chip per open step; re-counted every minute so a screen left open stays right.

    As many chips side by side as the width holds (two at 80 columns, three at 120: a case under
    review owes an outcome, the chair's approval and often an agency's update), the rest on the
    next row, so that no deadline is ever behind a sideways scrollbar; a long label wraps."""

    DEFAULT_CSS = """
    DeadlineStrip { layout: grid; grid-size: 3; grid-gutter: 0 1; grid-rows: auto; height: auto; }
    """
    can_focus = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._deadlines: list[DeadlineView] = []

    def compose(self) -> ComposeResult:
        yield Static("No open deadlines.", classes="deadline-chip muted")

    def on_mount(self) -> None:
        self.set_interval(60, self._recount)

    def show(self, deadlines: list[DeadlineView]) -> None:
        self._deadlines = [d for d in deadlines if not d.done]
        self.remove_children()
        if not self._deadlines:
            self.mount(Static("No open deadlines.", classes="deadline-chip muted"))
            return
        self.mount_all(Static(deadline_text(d), classes="deadline-chip" + (" overdue" if d.overdue else ""))
                       for d in self._deadlines)
        self._lay_out()

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        width = self.content_size.width
        across = max(1, (width + 1) // CHIP_WIDTH) if width else 3  # the last chip needs no gap after it
        if self.styles.grid_size_columns != across:
            self.styles.grid_size_columns = across

    def _recount(self) -> None:
        for chip, deadline in zip(self.query(".deadline-chip").results(Static), self._deadlines, strict=False):
            chip.update(deadline_text(deadline))
