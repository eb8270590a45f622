"""Logging a contact with the victim: when, how, what was said and what was promised."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, TextArea

from caseworker_tui.dialogs.case import _FormDialog
from caseworker_tui.services.workflow import CONTACT_CHANNELS
from caseworker_tui.widgets.choice import ChoiceSelect


class ContactDialog(_FormDialog):
    TITLE_TEXT = "A contact with the victim"
    CONFIRM = "Log contact"

    def __init__(self, now: datetime, initial: dict | None = None) -> None:
        super().__init__()
        self._now, self._initial = now, initial or {}

    def fields(self) -> ComposeResult:
        v = self._initial
        yield Label("When (YYYY-MM-DD HH:MM)")
        yield Input(v.get("at", f"{self._now:%Y-%m-%d %H:%M}"), id="at")
        yield Label("How")
        yield ChoiceSelect([(words.capitalize(), key) for key, words in CONTACT_CHANNELS.items()],
                           value=v.get("channel", "phone"), allow_blank=False, id="channel")
        yield Label("What was said")
        yield TextArea(v.get("said", ""), id="said")
        yield Label("What was promised (optional)")
        yield Input(v.get("promised", ""), id="promised")

    def result(self) -> dict:
        typed = self.query_one("#at", Input).value.strip()
        try:
            at = datetime.strptime(typed, "%Y-%m-%d %H:%M")
        except ValueError:
            raise ValueError("When: write a date and time like 2026-11-25 14:30") from None
        return {"at": at, "channel": str(self.query_one("#channel", Select).value),
                "said": self.query_one("#said", TextArea).text.strip(),
                "promised": self.query_one("#promised", Input).value.strip()}
