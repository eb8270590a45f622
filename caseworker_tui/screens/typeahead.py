"""Type-ahead for the App: keys pressed before the field they are meant for is ready are kept, in order.

Two moments lose a quick typist's keys. Straight after `n` the new request form is still being
built and the queue underneath would take the keys as its own (m, x, Enter). Straight after
choosing from a dropdown the list keeps the focus until its Select has taken the choice, so a Tab
and the text after it went to the closing list. In both the keys are held, then let go in order,
a Tab moving the focus at once so that the keys after it reach the next field. (Keys that open a
dropdown and choose from it, typed before the form has even opened, are not waited for.)
"""

from __future__ import annotations

import weakref

from textual import events
from textual.timer import Timer
from textual.widgets import Select

HOLD_KEYS_AT_MOST = 5.0  # seconds keys typed ahead wait for the form they are meant for
FOCUS_KEYS = {"tab": "focus_next", "shift+tab": "focus_previous"}
CLOSES_A_SELECT = frozenset({"enter", "escape"})  # Textual's keys for a Select's open list


class HoldsKeys:
    """Mix into the App (before `App`): `hold_keys`, `release_keys`, and the dropdown's own hold."""

    def init_type_ahead(self) -> None:
        self._held_keys: list[events.Key] | None = None
        self._hold_timer: Timer | None = None
        self._held_after = float("-inf")  # keys pressed until then are not held (they are on their way)
        self._watched_selects: weakref.WeakSet[Select] = weakref.WeakSet()

    def hold_keys(self, why: str | None = "The new request form did not open in time") -> None:
        """Keep every key pressed from now on, in order, until `release_keys`. `why` is said if nothing
        takes them in time (None: they are let go then, as typed)."""
        if self._held_keys is None:
            self._held_keys = []
            self._hold_timer = self.set_timer(HOLD_KEYS_AT_MOST, lambda: self._keys_not_taken(why))

    def release_keys(self) -> None:
        """What the keys were held for is ready: they go to the focused field, then new ones follow.

        Replayed on the app's own queue, so that a key pressed meanwhile is held too and comes after."""
        if self._held_keys is not None:
            self.call_later(self._replay_held_keys)

    async def _replay_held_keys(self) -> None:
        for key in self._stop_holding_keys():  # pressed anew, so that the focused field gets them first
            if key.key in FOCUS_KEYS:  # moved at once: the keys after a Tab belong to the next field
                getattr(self.screen, FOCUS_KEYS[key.key])()
                continue
            await super().on_event(events.Key(key.key, key.character))

    def _stop_holding_keys(self) -> list[events.Key]:
        held, self._held_keys, self._held_after = self._held_keys or [], None, float("-inf")
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        return held

    def _keys_not_taken(self, why: str | None) -> None:
        if why is None:
            self.release_keys()
        elif self._stop_holding_keys():
            self.notify(f"{why}; what was typed meanwhile was not kept.", severity="warning")

    async def on_event(self, event: events.Event) -> None:
        """While keys are held, every key is kept: one just pressed, and one that went to the old
        screen before it knew (a quick typist's keys can all be under way before `n` is handled),
        which would otherwise come back here to run the old screen's bindings."""
        if self._held_keys is not None and isinstance(event, events.Key) and event.time > self._held_after:
            self._held_keys.append(event)
            return
        closing = self._select_closing(event)
        await super().on_event(event)
        if closing is not None:
            self._hold_until_closed(closing, event)

    def _select_closing(self, event: events.Event) -> Select | None:
        """The Select whose open list an Enter or Esc is about to close, if any."""
        if not isinstance(event, events.Key) or event.key not in CLOSES_A_SELECT or self.focused is None:
            return None
        select = self.focused.parent
        return select if isinstance(select, Select) and select.expanded else None

    def _hold_until_closed(self, select: Select, closing: events.Key) -> None:
        """Hold the keys pressed after `closing` until the Select has closed its list and has the focus
        again; those pressed before it, coming back from the list for the app's bindings, go on."""
        self.hold_keys(why=None)
        self._held_after = closing.time

        def closed(expanded: bool) -> None:
            if not expanded:
                self.release_keys()
        if select not in self._watched_selects:
            self._watched_selects.add(select)
            self.watch(select, "expanded", closed, init=False)
