"""A failed background task becomes a clear notification, never a crash.

Worker state messages do not bubble, so each screen or widget that runs workers mixes this in.
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
