"""A form's dropdown that never drops a key: typing chooses, and choosing hands on the keys after it.

Textual's Select ignores letters while closed, so a name typed into it was lost. Its list, once
Enter chose, gave the focus back a message or two later: keys typed meanwhile went to the closing
list's search, and a Tab moved on only to have the focus pulled back, so a date typed straight after
went nowhere. Here the choice, the closing and the focus all happen in the key's own step, and keys
already on their way to the list are passed on to wherever the focus is now.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay

TYPED_TOGETHER = 0.7  # seconds between keys that spell one prefix ("ph" for Phone)
FOCUS_KEYS = {"tab": "focus_next", "shift+tab": "focus_previous"}


async def pass_on_key(widget: Widget, key: events.Key) -> None:
    """A key that reached `widget` late, pressed again for whatever has the focus now. A Tab moves
    the focus at once: passed on as a key, it would move it only after the keys behind it had gone
    to the field it was leaving."""
    if key.key in FOCUS_KEYS:
        getattr(widget.screen, FOCUS_KEYS[key.key])()
    else:
        await widget.app.on_event(events.Key(key.key, key.character))


class _ChoiceList(SelectOverlay):
    """The open list: Enter and Esc close it and hand back the focus in the same step; keys that
    arrive between the Enter and its closing are kept, then passed on to the focus in order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._after_closing: list[events.Key] | None = None  # keys after an Enter or Esc, until it closes

    def _choice(self) -> ChoiceSelect | None:
        return self.parent if isinstance(self.parent, ChoiceSelect) else None

    async def _on_key(self, event: events.Key) -> None:
        select = self._choice()
        if select is None:
            await super()._on_key(event)
            return
        if not select.expanded or self._after_closing is not None:
            event.stop()  # on its way here before the list closed: it belongs to the next focus
            event.prevent_default()
            if select.expanded and self._after_closing is not None:
                self._after_closing.append(events.Key(event.key, event.character))
            else:
                await pass_on_key(self, event)
            return
        if event.key in ("enter", "escape"):  # its binding closes the list, after the keys before it
            self._after_closing = []
        await super()._on_key(event)

    async def action_select(self) -> None:
        select = self._choice()
        if select is None:
            super().action_select()
            return
        select.close_list(self.highlighted)
        await self._pass_on_kept_keys()

    async def action_dismiss(self) -> None:
        select = self._choice()
        if select is None:
            super().action_dismiss()
            return
        select.close_list(None)
        await self._pass_on_kept_keys()

    async def _pass_on_kept_keys(self) -> None:
        kept, self._after_closing = self._after_closing or [], None
        for key in kept:
            await pass_on_key(self, key)


class ChoiceSelect(Select[Any]):
    """A Select for forms: closed, a letter chooses the first option starting with it (again: the
    next one), and choosing from the open list moves on without losing what is typed next."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._typed = ""
        self._typed_at = 0.0

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield _ChoiceList(type_to_search=True).data_bind(compact=Select.compact)

    def close_list(self, index: int | None) -> None:
        """Choose option `index` (None: keep the value), close the list and take the focus back, now."""
        if index is not None and 0 <= index < len(self._options):
            value = self._options[index][1]
            if value != self.value:
                self.value = value
        self.expanded = False
        self.screen.set_focus(self, scroll_visible=False)

    async def _on_key(self, event: events.Key) -> None:
        if (self.has_focus and not self.expanded and event.character and event.is_printable
                and event.key != "space"):  # space opens the list
            event.stop()
            event.prevent_default()
            if not self.choose_typed(event.character):
                self.app.bell()
            return
        await super()._on_key(event)

    def choose_typed(self, character: str) -> bool:
        """Choose by what is typed: the first option starting with a letter (with the same letter
        again, the next one), or with a prefix typed quickly ("ph")."""
        now = monotonic()
        self._typed = self._typed + character if now - self._typed_at < TYPED_TOGETHER else character
        self._typed_at = now
        typed = self._typed.lower()
        options = [(_words(prompt).lower(), value) for prompt, value in self._options if value is not Select.NULL]
        if len(set(typed)) == 1:  # a letter, or the same one again
            matches = [value for words, value in options if words.startswith(typed[0])]
            at = matches.index(self.value) + 1 if self.value in matches else 0  # the same letter: the next one
            choice = matches[at % len(matches)] if matches else None
        else:
            choice = next((value for words, value in options if words.startswith(typed)), None)
        if choice is None:
            return False
        self.value = choice
        return True


def _words(prompt: Any) -> str:
    return prompt.plain if isinstance(prompt, Text) else str(prompt)
