"""The keys: the screen's own first, each with whether it works now and, if not, why; then the rest.

A person who opens help on a case wants to know what they can do to the case and why a step they
expected is missing, not how to move a table's cursor, so the screen's own bindings (on a case,
every step of the lifecycle table) come first, off ones included with the reason the key itself
would give when pressed.
"""

from __future__ import annotations

from dataclasses import replace

from rich.table import Table
from rich.text import Text
from textual.actions import parse
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

INTRO = ("Keyboard first, mouse too: click any row, tab or button. Keys shown in the footer are the ones that "
         "work now; a key that does not work now says why when pressed, as listed here. Ctrl+P opens the command "
         "palette (open a case by reference or name, change the theme, go to any screen). Keys can be remapped in "
         "the config file's [keymap] table, by binding id.")
OFF = "Not available now."


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close", id="close_help")]
    DEFAULT_CLASSES = "dialog"

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        own, listed = self._own_keys()
        with VerticalScroll(classes="dialog-box help-box"):
            yield Static(Text(f"Keys on this screen: {self._under.title or 'caseworker'}", style="bold"))
            yield Static(own, id="own-keys")
            yield Static(Text("Keys everywhere", style="bold"), classes="section")
            yield Static(self._other_keys(listed), id="keys")
            yield Static(INTRO, classes="muted", markup=False)
            yield Static("Esc closes this help.", classes="muted")

    def _key(self, binding: Binding) -> str:
        """The key as the person has it: remapped in the config's keymap, or the binding's own."""
        keymap = getattr(getattr(self.app, "settings", None), "keymap", None) or {}
        keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
        return self.app.get_key_display(replace(binding, key=keys.split(",")[0].strip()))

    def _own_keys(self) -> tuple[Table, set[str]]:
        """The screen's own bindings, in its order, each with "works now" or the reason it does not."""
        table = Table(box=None, show_header=True, header_style="bold", padding=(0, 1), expand=True)
        table.add_column("Key", no_wrap=True)
        table.add_column("Does", ratio=2)
        table.add_column("Now", ratio=3)
        listed: set[str] = set()
        own = [b for b in (type(self._under).BINDINGS if self._under is not None else ())
               if isinstance(b, Binding) and b.description]
        reasons = {id(b): self._why_off(b) for b in own}
        for binding in sorted(own, key=lambda b: reasons[id(b)] is not None):  # what works now, then what does not
            listed.add(binding.id or binding.action)
            reason = reasons[id(binding)]
            does = Text(binding.description)
            if binding.id:
                does.append(f"  {binding.id}", style="dim")  # what [keymap] calls it
            table.add_row(self._key(binding), does,
                          Text("works now", style="green") if reason is None else Text(reason, style="dim"))
        return table, listed

    def _why_off(self, binding: Binding) -> str | None:
        """None when the key works now; otherwise the screen's one-line reason."""
        namespace, name, parameters = parse(binding.action)
        target = self.app if namespace == "app" else self._under
        if target.check_action(name, parameters):
            return None
        why_not = getattr(self._under, "why_not", None)
        return (why_not(name, parameters) if why_not else None) or OFF

    def _other_keys(self, listed: set[str]) -> Text:
        """Every other key that works now: the app's, and those of the part of the screen in focus."""
        text = Text()
        text.append(f"{'Key':<14}{'Does':<32}Binding id (for [keymap])\n", style="bold")
        seen = set()
        for binding in (b for _, b, enabled, _ in self._listed() if enabled):
            key = self.app.get_key_display(binding)
            if (key, binding.description) in seen or not binding.description or (binding.id or binding.action) in listed:
                continue
            seen.add((key, binding.description))
            text.append(f"{key:<14}{binding.description:<32}")
            text.append(f"{binding.id or ''}\n", style="dim")
        return text

    def _listed(self):
        active = self._under.active_bindings if self._under is not None else self.app.active_bindings
        return [(key, ab.binding, ab.enabled, ab.tooltip) for key, ab in active.items()]

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(None)
