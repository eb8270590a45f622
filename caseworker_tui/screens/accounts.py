"""The accounts, for administrators: who may sign in, in which role, and who is locked out.

Every change is the service's (`services.accounts`), which checks the role again and keeps one
active administrator at least; the screen only asks and shows.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from caseworker_tui.screens.base import ReportsWorkerErrors
from caseworker_tui.services import accounts, auth, clock
from caseworker_tui.services.auth import UserInfo
from caseworker_tui.services.permissions import Actor

ROLES = [("Caseworker", "caseworker"), ("Supervisor", "supervisor"), ("Chair", "chair"), ("Administrator", "admin")]


class AccountsScreen(ReportsWorkerErrors, Screen[None]):
    """One row an account; keys act on the account under the cursor."""

    BINDINGS = [
        Binding("u", "unlock", "Unlock", id="unlock_account"),
        Binding("c", "close", "Close/reopen", id="close_account"),
        Binding("r", "role", "Role", id="account_role"),
        Binding("p", "passphrase", "New passphrase", id="account_passphrase"),
        Binding("f5", "reload", "Refresh", id="reload_accounts"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.users: list[UserInfo] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="accounts-status", markup=False)
        table = DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        table.add_columns("User", "Name", "Role", "State")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Accounts"
        self.query_one(DataTable).focus()
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="accounts", exit_on_error=False)
    def reload(self) -> None:
        users = auth.list_users()
        self.app.call_from_thread(self._show, users)

    def _show(self, users: list[UserInfo]) -> None:
        self.users = users
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        now = clock.now()
        for u in users:
            state = "closed" if not u.active else (
                f"locked until {u.locked_until:%H:%M}" if u.locked_until and u.locked_until > now else "active")
            table.add_row(u.username, u.display_name, u.role, state, key=u.username)
        if users:
            table.move_cursor(row=min(row, len(users) - 1))
        self.query_one("#accounts-status", Static).update(
            f"{len(users)} accounts. u unlocks, c closes a leaver's account (or reopens it), r changes the role, "
            "p sets a new passphrase.")

    def _selected(self) -> UserInfo | None:
        table = self.query_one(DataTable)
        return self.users[table.cursor_row] if self.users and 0 <= table.cursor_row < len(self.users) else None

    def _change(self, change, *args, done: str) -> None:
        self._run_change(change, args, done)

    @work(thread=True, group="account-change", exit_on_error=False)
    def _run_change(self, change, args: tuple, done: str) -> None:
        change(*args, self.actor)
        self.app.call_from_thread(self.notify, done)
        self.reload()

    def action_unlock(self) -> None:
        if user := self._selected():
            self._change(accounts.unlock, user.username, done=f"{user.username} unlocked.")

    def action_close(self) -> None:
        if user := self._selected():
            if user.active:
                self._change(accounts.deactivate, user.username,
                             done=f"{user.username} closed: they can no longer sign in.")
            else:
                self._change(accounts.reactivate, user.username, done=f"{user.username} reopened.")

    def action_role(self) -> None:
        from caseworker_tui.dialogs.common import ChoiceDialog

        if user := self._selected():
            def chosen(role: str | None) -> None:
                if role and role != user.role:
                    self._change(accounts.change_role, user.username, role, done=f"{user.username} is now {role}.")
            self.app.push_screen(ChoiceDialog(f"Role of {user.username}", ROLES, value=user.role), chosen)

    def action_passphrase(self) -> None:
        from caseworker_tui.dialogs.passphrase import PassphraseDialog

        if user := self._selected():
            def typed(passphrase: str | None) -> None:
                if passphrase is not None:
                    self._change(accounts.reset_passphrase, user.username, passphrase,
                                 done=f"{user.username} has a new passphrase and is unlocked.")
            self.app.push_screen(PassphraseDialog(user.username), typed)
