"""What every screen shares: worker failures told plainly (from widgets.failures), forms that ask
before discarding what was typed (from dialogs.discard, so that dialogs ask the same way), and keys
that say why they do nothing now."""

from __future__ import annotations

from collections.abc import Iterable

from textual import events, work
from textual.actions import parse
from textual.binding import Binding

from caseworker_tui.dialogs.discard import AsksBeforeDiscarding
from caseworker_tui.services import audit
from caseworker_tui.widgets.failures import ReportsWorkerErrors, describe_failure

__all__ = ["AsksBeforeDiscarding", "ReadsAgainWhenChanged", "ReportsWorkerErrors", "SaysWhyKeysAreOff",
           "describe_failure", "who_may"]

# How a sentence names the people in a role, in the order they are listed.
ROLE_NOUNS = {"caseworker": "a caseworker", "supervisor": "a supervisor", "chair": "the chair",
              "admin": "an administrator"}


def who_may(roles: Iterable[str]) -> str:
    """{"caseworker", "supervisor"} → "a caseworker or a supervisor"."""
    return " or ".join(noun for role, noun in ROLE_NOUNS.items() if role in set(roles))


class SaysWhyKeysAreOff:
    """Mix into a Screen: pressing a key whose binding is off now says why, in one line.

    The footer hides a binding whose `check_action` is False, and Textual then neither runs it nor
    says anything, so a person pressing the key they know sees nothing happen. The screen gives the
    reason in `why_not`; keys remapped in the config's keymap are honoured."""

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Why `action` cannot be done now, or None to stay silent."""
        return None

    def _bound_keys(self, binding: Binding) -> set[str]:
        keymap = getattr(getattr(self.app, "settings", None), "keymap", None) or {}
        keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
        return {key.strip() for key in keys.split(",")}

    def on_key(self, event: events.Key) -> None:
        for binding in type(self).BINDINGS:
            if not isinstance(binding, Binding) or not {event.key, event.character} & self._bound_keys(binding):
                continue
            namespace, name, parameters = parse(binding.action)
            target = self.app if namespace == "app" else self
            if target.check_action(name, parameters):
                return  # on: Textual runs it
            reason = self.why_not(name, parameters)
            if reason:  # said once the app has seen the key: it may be typed ahead, for a form opening
                self.app.call_later(self._say_why, reason)
            return

    def _say_why(self, reason: str) -> None:
        if self.app.screen is self and getattr(self.app, "_held_keys", None) is None:
            self.notify(reason, severity="warning", timeout=6)

class ReadsAgainWhenChanged:
    """Mix into a home screen: coming back to it reads its rows again only if a change has been
    recorded since they were read (every change writes an audit event), so going between homes
    and back from a case costs no query and no second paint when nothing moved."""

    _read_at = -1  # the newest audit event when the rows were last read

    def note_read(self) -> None:
        """Call in the worker, just before reading: a change between the two reads them again."""
        self._read_at = audit.last_event()

    def changed_since_read(self) -> None:
        """What a change since the last read does: read again (`reload`, unless the screen says)."""
        self.reload()

    def read_again_if_changed(self) -> None:
        self._check_for_changes()

    @work(thread=True, exclusive=True, group="changed-since", exit_on_error=False)
    def _check_for_changes(self) -> None:
        if audit.last_event() != self._read_at:
            self.app.call_from_thread(self.changed_since_read)
