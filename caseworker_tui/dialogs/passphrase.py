"""A new passphrase, typed twice, for the account an administrator resets."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from caseworker_tui.dialogs.common import TypedDialog


class PassphraseDialog(TypedDialog):
    """Ask for a passphrase twice; the service checks its length and the deny-list."""

    BINDINGS = [Binding("f2", "confirm", "Save", id="confirm_passphrase")]

    def __init__(self, username: str) -> None:
        super().__init__()
        self._username = username

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(f"New passphrase for {self._username}", classes="dialog-title", markup=False)
            yield Static("12 characters or more; a few words are easiest to remember. Tell it to the person "
                         "yourself, never by e-mail.", classes="muted")
            yield Label("Passphrase")
            yield Input(password=True, id="passphrase")
            yield Label("Again")
            yield Input(password=True, id="again")
            yield Static("", id="dialog-error", classes="error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (F2)", variant="primary", id="ok")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    def _next(self) -> None:
        self.query_one("#again", Input).focus()

    @on(Input.Submitted, "#again")
    @on(Button.Pressed, "#ok")
    def action_confirm(self) -> None:
        first, again = self.query_one("#passphrase", Input).value, self.query_one("#again", Input).value
        if first != again:
            self.query_one("#dialog-error", Static).update("The two entries differ.")
            self.query_one("#again", Input).focus()
            return
        self.dismiss(first)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()
