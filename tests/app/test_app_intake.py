"""The caseworker's day, driven through the real app on both databases."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, DataTable, Input, Select, Static

from caseworker_tui.models import Case, Letter, Note
from caseworker_tui.screens.case_detail import CaseScreen
from caseworker_tui.screens.new_request import NewRequestScreen
from caseworker_tui.screens.queue import IntakeScreen
from caseworker_tui.screens.sign_in import SignInScreen
from caseworker_tui.services import workflow
from tests.apphelpers import SIZE, make_app, seed_cases, settle


def _queue_refs(app) -> list[str]:
    table = app.screen.query_one("#cases", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_sign_in_refuses_a_wrong_passphrase_then_opens_the_queue(database_url, users):
    seed_cases(users)
    app = make_app(database_url, username="casey")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        app.screen.query_one("#passphrase", Input).value = "wrong"
        await pilot.press("enter")
        await settle(pilot)
        assert "wrong passphrase" in str(app.screen.query_one("#sign-in-error", Static).render())
        app.screen.query_one("#passphrase", Input).value = "demo"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app.sub_title.startswith("Casey Morgan · caseworker")


async def test_queue_puts_overdue_then_high_risk_first(database_url, users):
    seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        refs = _queue_refs(app)
        assert refs[:2] == ["CT-2026-0101", "CT-2026-0102"]
        assert set(refs) == {"CT-2026-0101", "CT-2026-0102", "CT-2026-0103", "CT-2026-0104"}


async def test_search_and_filters(database_url, users):
    seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"nina")
        await pilot.press("enter")
        await settle(pilot)
        assert _queue_refs(app) == ["CT-2026-0104"]
        await pilot.press("x")
        await settle(pilot)
        assert len(_queue_refs(app)) == 4
        await pilot.press("h")
        await settle(pilot)
        assert _queue_refs(app) == ["CT-2026-0102"]
        await pilot.press("h", "m")
        await settle(pilot)
        assert _queue_refs(app) == ["CT-2026-0101"]
        await pilot.press("x")
        app.screen.query_one("#stage", Select).value = "acknowledged"
        await settle(pilot)
        assert _queue_refs(app) == ["CT-2026-0101", "CT-2026-0102"]
        counts = str(app.screen.query_one("#stage-counts", Static).render())
        assert "Acknowledged 2" in counts and "Received 2" in counts


async def test_empty_state_says_what_to_do(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        empty = str(app.screen.query_one("#empty", Static).render())
        assert "No open requests" in empty and "Press n" in empty


async def test_open_a_case_read_the_verdict_and_acknowledge(database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.detail.reference == "CT-2026-0101"
        await pilot.press("2")
        await settle(pilot)
        verdict = str(app.screen.query_one("#verdict").render())
        assert "✓ THRESHOLD MET" in verdict and "✓ passed" in verdict and "✗ not met" in verdict
        await pilot.press("escape")
        await settle(pilot)
        table = app.screen.query_one("#cases", DataTable)
        table.move_cursor(row=_queue_refs(app).index("CT-2026-0103"))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.check_action("acknowledge", ()) is True
        await pilot.press("a")
        await settle(pilot)
        assert app.screen.detail.stage == "acknowledged"
        # Acknowledging made the acknowledgement letter, waiting on the Letters tab to be sent.
        assert [(x.kind, x.sent_on) for x in app.screen.detail.letters] == [("acknowledgement", None)]
    with Case._meta.database.connection_context():
        assert Case.get_by_id(made["fresh"]).stage == "acknowledged"
        letter = Letter.get(Letter.case == made["fresh"])
    assert letter.kind == "acknowledgement" and Path(letter.path).is_file()


async def test_add_a_note_and_triage(database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(made["fresh"])
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Called back")
        await pilot.press("f2")
        await settle(pilot)
        assert any("Called back" in e.text for e in app.screen.detail.timeline)
        await pilot.press("k")
        await settle(pilot)
        dialog = app.screen
        for box in dialog.query(Checkbox):  # every question can be read in full at 120 columns
            assert box.region.right <= box.parent.content_region.right, str(box.label)
        dialog.query_one("#q-hate_motivation", Checkbox).value = True
        dialog.query_one("#q-disability", Checkbox).value = True
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.detail.high_risk and app.screen.detail.risk_score == 5
        header = str(app.screen.query_one("#case-header", Static).render())
        assert "▲ HIGH (5)" in header
    with Note._meta.database.connection_context():
        assert Note.select().where(Note.case == made["fresh"]).count() == 1


async def test_a_stale_triage_is_refused_and_offered_back(database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(made["fresh"])
        await settle(pilot)
        workflow.acknowledge(made["fresh"], users["sam"])  # someone else, meanwhile
        await pilot.press("k")
        await settle(pilot)
        app.screen.query_one("#q-children", Checkbox).value = True
        await pilot.press("f2")
        await settle(pilot)
        assert any("changed by sam" in n.message for n in app._notifications)
        assert app.screen.query_one("#q-children", Checkbox).value is True  # the dialog is back, as typed


async def test_new_request_with_an_error_then_fixed(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewRequestScreen)
        form.query_one("#received_at", Input).value = "2026-11-24T10:00"
        form.query_one("#applicant-name", Input).value = "Rita Request"
        form.query_one("#applicant-email", Input).value = "rita@example.org"
        for _ in range(2):
            await pilot.press("f8")
            await settle(pilot)
        incidents = list(form.query("IncidentForm"))
        assert len(incidents) == 3
        dates = [("2026-10-01", "2026-10-02"), ("2026-10-10", "2026-10-12"), ("2026-11-01", "2026-10-30")]
        for incident_form, (occurred, reported) in zip(incidents, dates, strict=True):
            incident_form.query_one("#occurred_on", Input).value = occurred
            incident_form.query_one("#description", Input).value = "Loud music"
            row = incident_form.report_rows()[0]
            row.query_one("#agency", Select).value = "police"
            row.query_one("#reported_on", Input).value = reported
        await pilot.press("f2")
        await settle(pilot)
        error = incidents[2].report_rows()[0].query(".field-error").results(Static)
        shown = [e for e in error if "before the incident" in str(e.render())]
        assert shown, "the message is beside the field that is wrong"
        assert shown[0].display and shown[0].region.height > 0, "and a user can see it"
        wrong = app.focused
        assert wrong is not None and wrong.id == "reported_on"
        assert form.query_one("#form").region.contains_region(wrong.region), "the form scrolled to it"
        # Every incident takes the room its fields need: none is clipped to a line.
        assert all(i.region.height >= 10 for i in incidents[2:]) and incidents[0].outer_size.height >= 10
        assert "Not saved" in str(form.query_one("#form-error", Static).render())
        incidents[2].report_rows()[0].query_one("#reported_on", Input).value = "2026-11-03"
        await pilot.press("f2")
        await settle(pilot)
        result = str(form.query_one("#result-text", Static).render())
        assert "Saved CT-2026-0001" in result and "✓ THRESHOLD MET" in result
        assert "Acknowledge by Wed 25 Nov 2026" in result
        await pilot.click("#to-queue")
        await settle(pilot)
        assert "CT-2026-0001" in _queue_refs(app)


async def test_the_chair_is_not_offered_caseworker_steps(database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["chris"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ApprovalsScreen"  # the chair's home
        await pilot.press("f3")
        await settle(pilot)
        assert app.screen.query_one("#cases", DataTable).row_count == 4
        keys = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "app.new_request" not in keys  # the footer offers the chair no new request
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app._notifications, "the key says why it does nothing"
        assert list(app._notifications)[-1].message == "Only a caseworker or a supervisor may record a new request."
        app.open_case(made["fresh"])
        await settle(pilot)
        for action in ("acknowledge", "triage", "take", "assign", "withdraw"):
            assert not app.screen.check_action(action, ()), action
        assert app.screen.check_action("note", ())


async def test_leaving_a_new_request_with_typed_input_asks_first(database_url, users):
    from caseworker_tui.dialogs.common import ConfirmDialog
    from caseworker_tui.screens.queue import IntakeScreen

    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")  # nothing typed: leaves at once
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Rita")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # stay: what was typed is still there
        await settle(pilot)
        assert isinstance(app.screen, NewRequestScreen)
        assert app.screen.query_one("#applicant-name", Input).value == "Rita"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


async def test_the_queue_keeps_its_most_important_columns_as_the_terminal_narrows(database_url, users):
    """At 80 columns: reference, applicant, stage, due and risk; wider, the rest come back."""
    from caseworker_tui.widgets.columns import FittedTable

    seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#cases", FittedTable)
        assert table.shown == ("reference", "applicant", "stage", "due", "risk")
        assert table.virtual_size.width <= table.size.width  # nothing behind a sideways scrollbar
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert table.shown == ("reference", "received", "applicant", "stage", "next_step", "due", "risk", "assignee")
        await pilot.resize_terminal(60, 24)
        await settle(pilot)
        assert table.shown == ("reference", "applicant", "stage")
        assert [str(c) for c in table.get_row_at(0)][0] == "CT-2026-0101"


async def test_at_80_columns_every_field_of_the_form_holds_what_it_is_for(database_url, users):
    """A date field shows a whole date, and an incident's and a report's fields sit in two lines, not squeezed."""
    from textual.widgets import Checkbox, Input

    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        inner = {box.id: box.content_region.width for box in form.query(Input)}
        assert min(inner["occurred_on"], inner["reported_on"]) > len("2026-10-01")  # and the cursor after it
        assert inner["id"] >= len("i12") and inner["location"] >= 20
        hate = form.query_one("#hate_related", Checkbox)
        assert hate.content_region.width >= len("▐X▌ Hate-related")
