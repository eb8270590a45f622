"""What every screen shares: worker failures told plainly (from widgets.failures), forms that ask
before discarding what was typed."""

from __future__ import annotations

from caseworker_tui.widgets.failures import ReportsWorkerErrors, describe_failure

__all__ = ["AsksBeforeDiscarding", "ReportsWorkerErrors", "describe_failure"]


class AsksBeforeDiscarding:
    """Mix into a form Screen: leaving with typed but unsaved input asks first (Esc is one key away
    from throwing away a long summary). Call `mark_saved()` once the form is filled as it starts."""

    _saved_state: tuple | None = None

    def _form_state(self) -> tuple:
        from textual.widgets import TextArea

        return tuple((w.id, w.text if isinstance(w, TextArea) else w.value)
                     for w in self.query("Input, TextArea, Select, Checkbox"))

    def mark_saved(self) -> None:
        self._saved_state = self._form_state()

    def leave_asking_first(self, leave) -> None:
        if self._saved_state is None or self._form_state() == self._saved_state:
            leave()
            return
        from caseworker_tui.dialogs.common import ConfirmDialog

        self.app.push_screen(ConfirmDialog("Leave without saving? What you typed here will be lost.",
                                           yes="Leave"), lambda yes: leave() if yes else None)
