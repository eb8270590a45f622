"""The accounts screen: an administrator unlocks, closes, changes the role and the passphrase;
nobody else reaches it."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Select

from caseworker_tui.dialogs.common import ChoiceDialog
from caseworker_tui.dialogs.passphrase import PassphraseDialog
from caseworker_tui.errors import SignInFailed
from caseworker_tui.screens.accounts import AccountsScreen
from caseworker_tui.services import auth
from tests.apphelpers import SIZE, make_app, settle


async def _accounts(app, pilot) -> AccountsScreen:
    await settle(pilot)
    await pilot.press("f10")
    await settle(pilot)
    assert isinstance(app.screen, AccountsScreen)
    return app.screen


async def _on_row(pilot, screen: AccountsScreen, username: str) -> None:
    table = screen.query_one(DataTable)
    table.move_cursor(row=[u.username for u in screen.users].index(username))
    await settle(pilot)


def _states(screen: AccountsScreen) -> dict[str, tuple[str, str]]:
    table = screen.query_one(DataTable)
    return {str(table.get_row_at(n)[0]): (str(table.get_row_at(n)[2]), str(table.get_row_at(n)[3]))
            for n in range(table.row_count)}


async def test_an_admin_unlocks_closes_and_changes_roles_from_the_screen(database_url, users, monkeypatch):
    monkeypatch.setattr(auth, "_pause", lambda _: None)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(SignInFailed):
            auth.sign_in("casey", "wrong")
    app = make_app(database_url, actor=users["ada"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _accounts(app, pilot)
        assert _states(screen)["casey"][1].startswith("locked until")
        await _on_row(pilot, screen, "casey")
        await pilot.press("u")
        await settle(pilot)
        assert _states(screen)["casey"] == ("caseworker", "active")
        await _on_row(pilot, screen, "jo")
        await pilot.press("c")
        await settle(pilot)
        assert _states(screen)["jo"] == ("caseworker", "closed")
        await _on_row(pilot, screen, "sam")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        app.screen.query_one(Select).value = "chair"
        await pilot.click("#ok")
        await settle(pilot)
        assert _states(screen)["sam"] == ("chair", "active")
        await _on_row(pilot, screen, "ada")
        await pilot.press("c")  # the only administrator
        await settle(pilot)
        assert _states(screen)["ada"] == ("admin", "active")
        assert any("only active administrator" in n.message for n in app._notifications)
    assert auth.sign_in("casey", "demo").username == "casey"
    with pytest.raises(SignInFailed):
        auth.sign_in("jo", "demo")


async def test_a_new_passphrase_is_typed_twice_and_a_weak_one_refused(database_url, users):
    app = make_app(database_url, actor=users["ada"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _accounts(app, pilot)
        await _on_row(pilot, screen, "casey")
        for passphrase in ("password1234", "plum orchard at dusk"):
            await pilot.press("p")
            await settle(pilot)
            assert isinstance(app.screen, PassphraseDialog)
            app.screen.query_one("#passphrase", Input).value = passphrase
            app.screen.query_one("#again", Input).value = passphrase
            await pilot.press("f2")
            await settle(pilot)
        assert any("guessing tool" in n.message for n in app._notifications)
    assert auth.sign_in("casey", "plum orchard at dusk").username == "casey"


@pytest.mark.parametrize("name", ["casey", "sam", "chris"])
async def test_nobody_else_reaches_the_accounts(database_url, users, name):
    app = make_app(database_url, actor=users[name])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = type(app.screen)
        await pilot.press("f10")
        await settle(pilot)
        assert type(app.screen) is before and not isinstance(app.screen, AccountsScreen)
        app.action_go("accounts")
        await settle(pilot)
        assert not isinstance(app.screen, AccountsScreen)
        assert any("managing accounts" in n.message for n in app._notifications)
