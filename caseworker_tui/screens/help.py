"""The keys: every binding active on the screen underneath, with what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

INTRO = ("Keyboard first, mouse too: click any row, tab or button. Keys shown in the footer are the ones that "
         "work now; a step your role may not take is not offered. Ctrl+P opens the command palette (open a case "
         "by reference or name, change the theme, go to any screen). Keys can be remapped in the config file's "
         "[keymap] table, by binding id.")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close", id="close_help")]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(f"{'Key':<14}{'Does':<32}Binding id (for [keymap])\n", style="bold")
        seen = set()
        for binding in (b for _, b, enabled, _ in self._listed() if enabled):
            key = self.app.get_key_display(binding)
            if (key, binding.description) in seen or not binding.description:
                continue
            seen.add((key, binding.description))
            text.append(f"{key:<14}{binding.description:<32}")
            text.append(f"{binding.id or ''}\n", style="dim")
        with VerticalScroll(classes="dialog-box help-box"):
            yield Static(Text("Keys on this screen", style="bold"))
            yield Static(INTRO, classes="muted", markup=False)
            yield Static(text, id="keys")
            yield Static("Esc closes this help.", classes="muted")

    def _listed(self):
        active = self._under.active_bindings if self._under is not None else self.app.active_bindings
        return [(key, ab.binding, ab.enabled, ab.tooltip) for key, ab in active.items()]

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(None)
