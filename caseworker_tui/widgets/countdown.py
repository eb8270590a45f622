"""A countdown as every screen shows it, styled by where the step stands, never by its words."""

from __future__ import annotations

from rich.text import Text

from caseworker_tui.services.calendar import Countdown, CountdownState

STYLES = {CountdownState.OVERDUE: "bold red", CountdownState.DUE_TODAY: "bold yellow"}


def countdown_text(countdown: Countdown | None, *, short: bool = False) -> Text:
    """The countdown's words (the list form when `short`); "—" when nothing is due.

    Overdue is marked with "!" and words as well as colour, so it never rests on colour alone."""
    if countdown is None:
        return Text("—", style="dim")
    words = countdown.short if short else countdown.words
    mark = "! " if countdown.state is CountdownState.OVERDUE else ""
    return Text(mark + words, style=STYLES.get(countdown.state, ""))
