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


def deadline_text(deadline: DeadlineView, *, one_line: bool = False) -> Text:
    """The chip's words, counted down from today rather than from when the case was read; on one line
    where the strip is too narrow for cards side by side."""
    left = countdown(deadline.due_on, clock.today(), context.calendar())
    text = Text()
    text.append(deadline.label, style="bold")
    if one_line:
        text.append(f" · due {deadline.due_on:%a %d %b} · ")
        text.append_text(countdown_text(left, short=True))
        return text
    text.append(f"\ndue {deadline.due_on:%a %d %b %Y}\n")
    text.append_text(countdown_text(left))
    return text


CHIP_WIDTH = 36  # the least a chip needs for "8 days left (6 working days)" inside its border, and a gap
CARDS_FROM = 3 * CHIP_WIDTH - 1  # narrower than three cards (an 80-column terminal): one line a step, so the
# tab below keeps its room (three cards two to a row took ten of 24 lines)


class DeadlineStrip(Container):
    """One chip per open step; re-counted every minute so a screen left open stays right.

    Three cards side by side where the width holds them (120 columns: a case under review owes an
    outcome, the chair's approval and often an agency's update), the rest on the next row, so that
    no deadline is ever behind a sideways scrollbar; a long label wraps. Narrower, one line a step."""

    DEFAULT_CSS = """
    DeadlineStrip { layout: grid; grid-size: 3; grid-gutter: 0 1; grid-rows: auto; height: auto; }
    """
    can_focus = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._deadlines: list[DeadlineView] = []
        self._chips: list[Static] = []  # the chips of `_deadlines`, not those still being removed
        self._one_line = False

    def compose(self) -> ComposeResult:
        yield Static("No open deadlines.", classes="deadline-chip muted")

    def on_mount(self) -> None:
        self.set_interval(60, self._recount)

    def show(self, deadlines: list[DeadlineView]) -> None:
        self._deadlines = [d for d in deadlines if not d.done]
        self.remove_children()
        self._one_line = self._narrow()
        self._chips = [Static(deadline_text(d, one_line=self._one_line),
                              classes="deadline-chip" + (" overdue" if d.overdue else ""))
                       for d in self._deadlines]
        self.mount_all(self._chips or [Static("No open deadlines.", classes="deadline-chip muted")])
        self._lay_out()

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out()

    def _narrow(self) -> bool:
        return (self.content_size.width or self.app.size.width - 2) < CARDS_FROM

    def _lay_out(self) -> None:
        width = self.content_size.width or (self.app.size.width - 2)
        one_line = self._narrow()
        across = 1 if one_line else max(1, (width + 1) // CHIP_WIDTH)  # the last chip needs no gap after it
        if self.styles.grid_size_columns != across:
            self.styles.grid_size_columns = across
        self.set_class(one_line, "-one-line")
        if one_line != self._one_line:
            self._one_line = one_line
            self._recount()

    def _recount(self) -> None:
        for chip, deadline in zip(self._chips, self._deadlines, strict=True):
            chip.update(deadline_text(deadline, one_line=self._one_line))
