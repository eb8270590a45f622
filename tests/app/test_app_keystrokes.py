"""The desk never loses a keystroke: leaving asks first, keys say what they do, type-ahead lands."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from caseworker_tui.dialogs.common import DiscardDialog, TextDialog
from caseworker_tui.screens.case_detail import CaseScreen
from caseworker_tui.screens.deadlines import DeadlinesScreen
from caseworker_tui.screens.new_request import NewRequestScreen
from caseworker_tui.screens.queue import IntakeScreen
from caseworker_tui.screens.sign_in import SignInScreen
from tests.apphelpers import SIZE, make_app, seed_cases, settle


async def _new_request_with(pilot, text: str) -> NewRequestScreen:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, NewRequestScreen)
    await pilot.press(*text)
    return form


# --- leaving asks first --------------------------------------------------------------------------

async def test_ctrl_q_with_typed_input_asks_and_no_stays(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_request_with(pilot, "Rita")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("ctrl+q")  # asked once, however often the key is pressed
        await settle(pilot)
        assert sum(isinstance(s, DiscardDialog) for s in app.screen_stack) == 1
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is form and app.is_running
        assert form.query_one("#applicant-name", Input).value == "Rita"
        await pilot.press("ctrl+q", "y")
        await settle(pilot)
    assert app.return_code == 0 and not app.is_running


async def test_ctrl_q_with_nothing_typed_quits_at_once(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


async def test_a_home_key_from_a_typed_form_asks_and_yes_puts_the_form_away(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await _new_request_with(pilot, "Rita")
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NewRequestScreen)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, DeadlinesScreen)
        await pilot.press("f3")  # the form left behind is gone, not waiting with its input
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


async def test_signing_out_with_a_typed_dialog_asks_first(database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(made["fresh"])
        await settle(pilot)
        await pilot.press("n")  # add a note
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Called the applicant back")
        app.action_sign_out()  # as the command palette does
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#text", TextArea).text == "Called the applicant back"
        app.action_sign_out()
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.actor is None


async def test_esc_in_a_dialog_asks_only_when_something_was_typed(database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(made["fresh"])
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Half a note", "escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#text", TextArea).text == "Half a note"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert not any("Half a note" in e.text for e in app.screen.detail.timeline)


async def test_signing_out_and_in_again_starts_afresh(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_sign_out()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        app.screen.query_one("#username", Input).value = "casey"
        app.screen.query_one("#passphrase", Input).value = "demo"
        await pilot.click("#sign-in")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen) and app.actor.username == "casey"
        app.action_sign_out()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.query_one("#passphrase", Input).value == ""
