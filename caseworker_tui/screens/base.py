"""What every screen shares: a failed background task becomes a clear notification, never a crash.

Worker state messages do not bubble, so each screen that runs workers mixes this in.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from caseworker_tui.errors import CaseworkerError


def describe_failure(error: BaseException | None) -> tuple[str, str]:
    """(title, message) for a failure a person should read."""
    if isinstance(error, CaseworkerError):
        return "Not done", str(error)
    return "Something went wrong", f"{type(error).__name__}: {error}"


class ReportsWorkerErrors:
    """Mix into a Screen or Widget whose workers use `exit_on_error=False`."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            title, message = describe_failure(event.worker.error)
            self.app.notify(message, title=title, severity="error", timeout=10)


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
        from caseworker_tui.screens.dialogs import ConfirmDialog

        self.app.push_screen(ConfirmDialog("Leave without saving? What you typed here will be lost.",
                                           yes="Leave"), lambda yes: leave() if yes else None)
