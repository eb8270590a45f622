"""Letters from the case screen: make one, read it in the preview, see where it is, mark it sent."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Select, Static

from caseworker_tui.dialogs.case import SentDialog
from caseworker_tui.dialogs.common import ChoiceDialog
from caseworker_tui.models import Deadline
from caseworker_tui.services import clock, letters, workflow
from tests.apphelpers import SIZE, make_app, seed_cases, settle


async def test_make_preview_and_mark_sent(database_url, users, tmp_path):
    case_id = seed_cases(users)["overdue"]
    workflow.decide(case_id, users["casey"], accept=True)
    app = make_app(database_url, actor=users["casey"])
    app.settings.output_dir = tmp_path / "out"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(case_id)
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        app.screen.query_one("#choice").value = "threshold_met"
        await pilot.click("#ok")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#tabs").active == "letters"
        assert screen.query_one("#letters-table", DataTable).row_count == 2  # and the acknowledgement, sent
        preview = str(screen.query_one("#letter-preview", Static).render())
        assert "Olive Overdue" in preview and "CT-2026-0101" in preview
        saved = str(screen.query_one("#letter-path", Static).render()).splitlines()[0].removeprefix("Saved at ")
        assert Path(saved).exists() and Path(saved).parent == tmp_path / "out"
        assert screen.check_action("mark_sent", ())
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, SentDialog)  # which letter, how it went and when
        title = str(app.screen.query_one(".dialog-title", Static).render())
        assert title == "Mark sent: Threshold met (version 1, produced 25 Nov 2026)"
        assert app.screen.query_one("#sent_on", Input).value == "2026-11-25"
        app.screen.query_one("#channel", Select).value = "hand"
        await pilot.press("f2")
        await settle(pilot)
        letters = {x.kind: x for x in app.screen.detail.letters}
        assert letters["acknowledgement"].sent_on is not None  # sent when the request was acknowledged
        assert letters["threshold_met"].sent_on is not None and letters["threshold_met"].channel == "hand"
        assert "Letter sent by hand: threshold met (version 1)" in [e.text for e in app.screen.detail.timeline]
        assert not any(d.step == "notify_decision" and not d.done for d in app.screen.detail.deadlines)
    with Deadline._meta.database.connection_context():
        row = Deadline.get((Deadline.case == case_id) & (Deadline.step == "notify_decision"))
    assert row.closed_how == "done"


async def test_no_letter_due_is_explained(database_url, users, tmp_path):
    case_id = seed_cases(users)["fresh"]
    workflow.withdraw(case_id, users["casey"], "Moved away", out_dir=tmp_path)
    (confirmation,) = letters.list_letters(case_id)  # the one letter a withdrawn request gets, once sent
    letters.mark_sent(confirmation.id, users["casey"], clock.today(), "post")
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(case_id)
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert not isinstance(app.screen, ChoiceDialog)
        assert any("No letter is due" in n.message for n in app._notifications)


async def test_enter_on_a_letter_opens_it_in_the_desktops_program(database_url, users, tmp_path, monkeypatch):
    opened = tmp_path / "opened"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opener = bin_dir / "xdg-open"  # the desktop's opener, as on Linux: it records what it was asked to open
    opener.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n', encoding="utf-8")
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setattr("sys.platform", "linux")
    case_id = seed_cases(users)["fresh"]
    app = make_app(database_url, actor=users["casey"])
    app.settings.output_dir = tmp_path / "out"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(case_id)
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        app.screen.query_one("#choice").value = "acknowledgement"
        await pilot.click("#ok")
        await settle(pilot)
        assert "Enter opens it in the desktop's program." in str(app.screen.query_one("#letter-path", Static).render())
        app.screen.query_one("#letters-table", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert opened.read_text(encoding="utf-8") == app.screen.detail.letters[0].path
        assert any("Opened in the desktop's program" in n.message for n in app._notifications)

        monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
        await pilot.press("enter")
        await settle(pilot)
        assert any("no program set to open letters" in n.message for n in app._notifications)
