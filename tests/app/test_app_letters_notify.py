"""Sending a letter through GOV.UK Notify from the case screen: the Send dialog names the kind of key,
the Letters tab follows the letter, and the app's delivery poll says at once when one did not arrive."""

from __future__ import annotations

from textual.widgets import Static

from caseworker_tui.dialogs.common import ChoiceDialog
from caseworker_tui.services import letters, workflow
from caseworker_tui.services.letters import sending
from tests.apphelpers import SIZE, make_app, seed_cases, settle
from tests.notifyserver import NotifyServer
from tests.services.test_letter_pdf import require_libreoffice


async def test_send_by_notify_post_from_the_letters_tab_and_hear_when_it_comes_back(database_url, users, tmp_path):
    require_libreoffice()
    case_id = seed_cases(users)["overdue"]
    workflow.decide(case_id, users["casey"], accept=True)
    produced = letters.produce(case_id, "threshold_met", users["casey"], tmp_path / "out")
    notify = NotifyServer().start()
    try:
        notify.fate[sending.send_key(produced)] = ["accepted", "returned-letter"]
        app = make_app(database_url, actor=users["casey"])
        app.settings.output_dir = tmp_path / "out"
        app.settings.notify_api_key, app.settings.notify_key_kind = notify.api_key, "test"
        app.settings.notify_base_url = notify.url
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_case(case_id)
            await settle(pilot)
            await pilot.press("5")
            await settle(pilot)
            letters_table = app.screen.query_one("#letters-table")
            letters_table.move_cursor(row=[x.kind for x in app.screen.detail.letters].index("threshold_met"))
            await settle(pilot)
            await pilot.press("f")
            await settle(pilot)
            assert isinstance(app.screen, ChoiceDialog)
            ways = dict((value, label) for label, value in app.screen._options)
            assert "Notify TEST key: nothing really goes" in ways["notify-letter"]
            app.screen.query_one("#choice").value = "notify-letter"
            await pilot.press("tab", "enter")
            await settle(pilot, rounds=6)
            [made] = notify.notifications.values()
            assert made.address[0] == "Olive Overdue"
            line = str(app.screen.query_one("#letter-path", Static).render())
            assert "Through GOV.UK Notify (Notify TEST key" in line and "queued by GOV.UK Notify" in line

            for _ in range(2):
                app._poll_deliveries()
                await settle(pilot)
            [warning] = [n for n in app._notifications if n.title == "Letter not delivered"]
            assert "CT-2026-0101" in warning.message and "returned" in warning.message
    finally:
        notify.stop()
    assert letters.get_letter(produced.id).delivery_status == "returned-letter"


async def test_the_app_asks_notify_as_often_as_the_settings_say_and_not_at_all_at_0(database_url, users):
    for minutes, every in ((2, 120), (0, None)):
        app = make_app(database_url, actor=users["casey"])
        app.settings.notify_api_key, app.settings.notify_key_kind = "k", "test"
        app.settings.notify_poll_minutes = minutes
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert (app.delivery_poll._interval if app.delivery_poll else None) == every
