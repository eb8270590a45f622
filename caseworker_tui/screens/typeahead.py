"""Type-ahead for the App: keys pressed before the form they are meant for is ready are kept, in order.

Straight after `n` the new request form is still being built and the queue underneath would take
the keys as its own (m, x, Enter). The keys are held, then let go in order once the form's first
field has the focus, a Tab moving the focus at once so that the keys after it reach the next field.
"""

from __future__ import annotations

from textual import _time, events
from textual.timer import Timer

from caseworker_tui.widgets.choice import FOCUS_KEYS

HOLD_KEYS_AT_MOST = 5.0  # seconds keys typed ahead wait for the form they are meant for


class HoldsKeys:
    """Mix into the App (before `App`): `hold_keys` and `release_keys`."""

    def init_type_ahead(self) -> None:
        self._held_keys: list[events.Key] | None = None
        self._held_since = 0.0
        self._came_back = 0  # keys pressed before the hold that came back from the old screen, held first
        self._hold_timer: Timer | None = None

    def hold_keys(self) -> None:
        """Keep every key pressed from now on, in order, until `release_keys`: the screen being opened
        is not ready for them yet, and the one showing would take them as its own (m, x, Enter)."""
        if self._held_keys is None:
            self._held_keys = []
            self._held_since = _time.get_time()
            self._came_back = 0
            self._hold_timer = self.set_timer(HOLD_KEYS_AT_MOST, self._keys_not_taken)

    def release_keys(self, *, up_to_a_tab: bool = False) -> None:
        """The opened screen has its first field focused: the held keys go to it, then new ones follow.

        `up_to_a_tab`: only the keys before the first Tab go now; the rest stay held until the screen
        has the fields they belong to and calls again. Replayed on the app's own queue, so that a key
        pressed meanwhile is held too and comes after."""
        if self._held_keys is not None:
            self.call_later(self._replay_held_keys, up_to_a_tab)

    async def _replay_held_keys(self, up_to_a_tab: bool = False) -> None:
        held = self._held_keys or []
        cut = next((i for i, key in enumerate(held) if key.key in FOCUS_KEYS), None) if up_to_a_tab else None
        if cut is not None:
            self._came_back = max(0, self._came_back - cut)
            now, self._held_keys = held[:cut], held[cut:]  # the rest, and keys pressed meanwhile, wait
        else:
            now = self._stop_holding_keys()
        for key in now:  # pressed anew, so that the focused field gets them first
            if key.key in FOCUS_KEYS:  # moved at once: the keys after a Tab belong to the next field
                getattr(self.screen, FOCUS_KEYS[key.key])()
                continue
            await super().on_event(events.Key(key.key, key.character))

    def _stop_holding_keys(self) -> list[events.Key]:
        held, self._held_keys = self._held_keys or [], None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        return held

    def _keys_not_taken(self) -> None:
        if self._stop_holding_keys():
            self.notify("The new request form did not open in time; what was typed meanwhile was not kept.",
                        severity="warning")

    async def on_event(self, event: events.Event) -> None:
        """While keys are held, every key is kept: one just pressed, and one that went to the old
        screen before it knew (a quick typist's keys can all be under way before `n` is handled),
        which would otherwise come back here to run the old screen's bindings. One of those comes
        back after keys typed later were held already, so it goes in before them."""
        if self._held_keys is not None and isinstance(event, events.Key):
            if not event.is_forwarded:
                self._held_keys.append(event)
                return
            if event.time < self._held_since:  # typed before later keys already held: it goes first
                self._held_keys.insert(self._came_back, event)
                self._came_back += 1
                return
            # a key let go from the hold, coming back for its binding (backspace, an arrow): not held again
        await super().on_event(event)
