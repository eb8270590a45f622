"""Asking before typed input is thrown away.

Esc, a home screen's F-key, signing out and Ctrl+Q are each one key away from losing a long
summary or a reason. A form or dialog that mixes this in knows whether it holds input nobody has
saved; whatever would throw it away asks first (the form itself, or the app for its whole stack).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# What a person fills in: the widgets whose values make up a form's state.
FILLED_IN = "Input, TextArea, Select, Checkbox, RadioButton"


class AsksBeforeDiscarding:
    """Mix into a form Screen or a dialog. Call `mark_saved()` once it is filled as it starts; input
    brought back after a refusal or a clash (`bring_back`) is unsaved from the start, since it was
    typed before the dialog reopened."""

    DISCARD_QUESTION = "Leave without saving? What you typed here will be lost."
    DISCARD_YES = "Leave"
    _saved_state: dict | None = None
    _brought_back = False

    def _form_state(self) -> dict:
        from textual.widgets import TextArea

        return {w: w.text if isinstance(w, TextArea) else w.value for w in self.query(FILLED_IN)}

    def mark_saved(self, *, only_added: bool = False) -> None:
        """Remember the form as it is now. `only_added`: a form built in parts remembers the fields it
        has just added, and keeps what was typed meanwhile into the others as unsaved input."""
        state = self._form_state()
        self._saved_state = {**state, **(self._saved_state or {})} if only_added else state

    def has_unsaved_input(self) -> bool:
        if self._brought_back:
            return True
        return self._saved_state is not None and self._form_state() != self._saved_state

    def leave_asking_first(self, leave: Callable[[], Any]) -> None:
        if not self.has_unsaved_input():
            leave()
            return
        from caseworker_tui.dialogs.common import DiscardDialog

        self.app.push_screen(DiscardDialog(self.DISCARD_QUESTION, yes=self.DISCARD_YES),
                             lambda yes: leave() if yes else None)


def holding_unsaved_input(screens: Iterable[object]) -> list[AsksBeforeDiscarding]:
    """The screens among `screens` (a stack) that hold input nobody has saved."""
    return [s for s in screens if isinstance(s, AsksBeforeDiscarding) and s.has_unsaved_input()]
