"""Sign-in: a name and a passphrase, checked off the UI thread (argon2 takes a moment)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from caseworker_tui.errors import SignInFailed
from caseworker_tui.screens.base import ReportsWorkerErrors
from caseworker_tui.services import auth


class SignInScreen(ReportsWorkerErrors, Screen[None]):
    """Who is at the desk; nothing else is reachable until they sign in."""

    AUTO_FOCUS = "#username"

    def __init__(self, username: str = "", demo: bool = False) -> None:
        super().__init__()
        self._username = username
        self._demo = demo

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="sign-in-box"):
            yield Static("Community Trigger — ASB Case Review", classes="title")
            yield Static("Sign in with your account.", classes="muted")
            yield Label("User name", classes="field-label")
            yield Input(self._username, placeholder="e.g. casey", id="username")
            yield Label("Passphrase", classes="field-label")
            yield Input(placeholder="passphrase", password=True, id="passphrase")
            yield Static("", id="sign-in-error", classes="error", markup=False)
            yield Button("Sign in", variant="primary", id="sign-in")
            if self._demo:
                yield Static("Demo accounts: casey, jo (caseworkers), sam (supervisor), chris (chair), "
                             "ada (admin); passphrase: demo", classes="muted")
        yield Footer()

    def on_mount(self) -> None:
        if self._username:
            self.query_one("#passphrase", Input).focus()
        self._check_accounts()

    @work(thread=True, exit_on_error=False)
    def _check_accounts(self) -> None:
        if not auth.has_accounts():
            self.app.call_from_thread(
                self.query_one("#sign-in-error", Static).update,
                "This database has no accounts yet. Create the first from a shell:\n"
                "  caseworker users add NAME --role admin")

    @on(Input.Submitted, "#username")
    def _next_field(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#sign-in")
    def _submit(self) -> None:
        name = self.query_one("#username", Input).value.strip()
        passphrase = self.query_one("#passphrase", Input).value
        error = self.query_one("#sign-in-error", Static)
        if not name:
            error.update("User name: please enter your user name.")
            self.query_one("#username", Input).focus()
            return
        error.update("Checking…")
        self.query_one("#sign-in", Button).disabled = True
        self._check(name, passphrase)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _check(self, name: str, passphrase: str) -> None:
        try:
            actor = auth.sign_in(name, passphrase)
        except SignInFailed as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.app.signed_in, actor)

    def _refused(self, message: str) -> None:
        self.query_one("#sign-in-error", Static).update(message)
        self.query_one("#sign-in", Button).disabled = False
        box = self.query_one("#passphrase", Input)
        box.value = ""
        box.focus()
