"""A strip of a case's open deadlines whose countdowns stay current while the screen is open."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import HorizontalScroll
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


class DeadlineStrip(HorizontalScroll):
    """One chip per open step; re-counted every minute so a screen left open stays right.

    Chips are narrow enough for three side by side at 120 columns (a case under review owes an
    outcome, the chair's approval and often an agency's update); a long label wraps."""

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

    def _recount(self) -> None:
        for chip, deadline in zip(self.query(".deadline-chip").results(Static), self._deadlines, strict=False):
            chip.update(deadline_text(deadline))
