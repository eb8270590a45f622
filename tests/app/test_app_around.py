"""What surrounds the screens: help, command palette, remapped keys, errors (the theme: test_app_preferences)."""

from __future__ import annotations

from rich.console import Console
from textual.command import CommandPalette
from textual.widgets import Static

from caseworker_tui.config import config_path
from caseworker_tui.screens.case_detail import CaseScreen
from caseworker_tui.screens.help import HelpScreen
from caseworker_tui.screens.new_request import NewRequestScreen
from tests.apphelpers import SIZE, make_app, seed_cases, settle


def help_text(screen, selector: str = "Static") -> str:
    """What the help screen's parts say, as a person reads them (tables laid out, not their repr)."""
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115 - closed with the console
    for part in screen.query(selector).results(Static):
        console.print(part.content)
    return console.export_text()


async def test_help_lists_the_keys_of_the_screen_underneath(database_url, users):
    seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = help_text(app.screen)
        assert "New request" in shown and "new_request" in shown and "Search" in shown
        own = help_text(app.screen, "#own-keys")
        assert own.index("New request") < own.index("Clear filters") and "Queue" not in own  # F3 is everywhere's
        assert "Chair's comments" in own and "has not returned this request's outcome" in own
        await pilot.press("escape")
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_help_on_a_case_lists_every_step_with_why_it_is_off_now(database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_case(made["fresh"])  # received, not yet acknowledged
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        own = help_text(app.screen, "#own-keys")
        assert "Acknowledge" in own and "works now" in own
        assert "Only a supervisor may assign cases to others." in own
        assert "Cannot draft the outcome: CT-2026-0103 is received" in own
        assert "Only the chair may approve an outcome." in own


async def test_palette_opens_a_case_by_name(database_url, users):
    seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"harriet")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.detail.reference == "CT-2026-0102"


async def test_keys_can_be_remapped_from_the_config(database_url, users):
    config_path().write_text('[keymap]\nnew_request = "f9"\n', encoding="utf-8")
    app = make_app(database_url, actor=users["casey"])
    assert app.settings.keymap == {"new_request": "f9"}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, NewRequestScreen)


async def test_a_failed_task_becomes_a_message_not_a_crash(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(987654)  # no such case
        await settle(pilot)
        assert app.is_running
        assert any("no case with id 987654" in n.message for n in app._notifications)


async def test_a_database_without_accounts_says_how_to_make_one(database_url):
    app = make_app(database_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "caseworker users add NAME --role admin" in str(app.screen.query_one("#sign-in-error").render())


async def test_each_role_opens_on_its_home_and_f_keys_move_between_screens(database_url, users):
    homes = {"casey": "IntakeScreen", "sam": "DeadlinesScreen", "chris": "ApprovalsScreen", "ada": "IntakeScreen"}
    for who, home in homes.items():
        app = make_app(database_url, actor=users[who])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert type(app.screen).__name__ == home, who
            if who == "sam":
                for key, name in [("f3", "IntakeScreen"), ("f7", "StatsScreen"), ("f6", "ApprovalsScreen"),
                                  ("f4", "DeadlinesScreen")]:
                    await pilot.press(key)
                    await settle(pilot)
                    assert type(app.screen).__name__ == name
                    assert len(app.screen_stack) == 1  # each home is a mode of its own: nothing piles up
            if who == "casey":
                assert not app.check_action("go", ("stats",))


async def test_notifications_show_what_people_typed_as_typed(database_url, users):
    """A message quoting a name or reason like "[b]Ann[/b] [@click=app.quit]" is text, never markup."""
    app = make_app(database_url, actor=users["casey"])
    typed = "Saved for [b]Ann[/b] [@click=app.quit]"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.notify(typed)  # a screen's notify passes markup=True unless told otherwise
        await pilot.pause()
        [notification] = [n for n in app._notifications if n.message == typed]
        assert notification.markup is False
        assert app.is_running


async def test_an_admin_sees_who_opened_the_case_and_a_caseworker_does_not(database_url, users):
    from textual.widgets import DataTable

    made = seed_cases(users)
    for who in ("casey", "ada"):
        app = make_app(database_url, actor=users[who])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_case(made["fresh"])
            await settle(pilot)
            await pilot.press("6")
            await settle(pilot)
            views = app.screen.query("#views-table")
            if who == "casey":
                assert not views
                continue
            table = views.first(DataTable)
            assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["ada", "casey"]
