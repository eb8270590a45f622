"""Saving a change with the version the user was looking at, and what happens when it is stale.

Mixed into the screens that take steps on a case (the case, approvals, the outcome editor): the service call runs in a
worker; a stale version is refused by the service, the user is told who changed the case, the
screen reads it again and the dialog comes back with what was typed, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work

from caseworker_tui.errors import InvalidInput, StaleCase


class VersionedChanges:
    """Mix into a Screen that has `reload()`; call `change(...)` to run one service call."""

    def change(self, fn: Callable[..., Any], *args: Any, version: int | None, done: str,
               title: str | None = None, retry: Callable[[], None] | None = None,
               after: Callable[[], str | None] | None = None, **kwargs: Any) -> None:
        """Run `fn(*args, **kwargs)` off the UI thread, refused if the case moved past `version`;
        then `after()` (the letter the step sends), whose words, if any, follow `done`."""
        if version is not None:
            kwargs["expected_version"] = version
        self._run_change(fn, args, kwargs, done, title, retry, after)

    @work(thread=True, group="change", exit_on_error=False)
    def _run_change(self, fn, args, kwargs, done: str, title: str | None, retry, after) -> None:
        try:
            fn(*args, **kwargs)
        except StaleCase as exc:
            self.app.call_from_thread(self.changed_meanwhile, exc, retry)
            return
        except InvalidInput as exc:
            if retry is None:
                raise
            # The dialog comes back with what was typed, so one missing reason costs no retyping.
            self.app.call_from_thread(self._invalid, exc, retry)
            return
        if after is not None:
            done = " ".join(filter(None, (done, self._after(after))))
        self.app.call_from_thread(self.changed, done, title)

    def _after(self, after: Callable[[], str | None]) -> str | None:
        """What follows a step that is taken: its failure is told, and the step still stands."""
        try:
            return after()
        except Exception as exc:  # noqa: BLE001 - the step is saved; say why its sequel was not done
            return f"(Its follow-up could not be done: {exc})"

    def _invalid(self, exc: InvalidInput, retry: Callable[[], None]) -> None:
        self.notify(str(exc), title="Not done", severity="error", timeout=10)
        retry()

    def changed(self, done: str, title: str | None) -> None:
        self.notify(done, title=title)
        self.reload()

    def changed_meanwhile(self, exc: StaleCase, retry: Callable[[], None] | None) -> None:
        """Nothing was saved: say who changed the case, read it again, offer the input back."""
        self.notify(str(exc), title="Someone else changed this case", severity="warning", timeout=12)
        self.reload()
        if retry is not None:
            self.call_later(retry)
