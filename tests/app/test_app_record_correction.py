"""Correcting the record from the case screen, as a caseworker does it: C opens the record as saved,
a wrong incident date is typed over, F2 saves, and the timeline and the verdict show the change."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from caseworker_tui.dialogs.common import DiscardDialog
from caseworker_tui.dialogs.record import CorrectRecordDialog
from caseworker_tui.screens.case_detail import CaseScreen
from tests.apphelpers import SIZE, make_app, open_case_screen, seed_cases, settle


def _incident_date(dialog, n: int) -> Input:
    return list(dialog.query("IncidentForm"))[n].query_one("#occurred_on", Input)


async def test_an_incident_date_is_corrected_and_shown_on_the_timeline(database_url, users):
    case_id = seed_cases(users)["not_met"]  # i1 reported seven weeks after it happened
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_case_screen(app, pilot, case_id)
        assert screen.detail.verdict.threshold_met is False
        screen.action_tab("applicant")
        await settle(pilot)
        assert "C corrects the record" in str(screen.query_one("#applicant-details").render())
        await pilot.press("C")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CorrectRecordDialog)
        assert dialog.query_one("#applicant-name", Input).value == "Nina Notmet"
        assert _incident_date(dialog, 0).value == "2026-09-01"
        _incident_date(dialog, 0).value = "2026-12-01"  # after the request: refused beside the field
        await pilot.press("f2")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, CorrectRecordDialog), "the dialog comes back with what was typed"
        assert _incident_date(again, 0).value == "2026-12-01"
        said = " ".join(str(e.render()) for e in again.query(".dialog-field-error"))
        assert "incident i1: date 2026-12-01 is after the request was received" in said
        app.save_screenshot("/tmp/record-dialog.svg")
        _incident_date(again, 0).value = "2026-10-19"
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        detail = app.screen.detail
        assert str(detail.incidents[0].occurred_on) == "2026-10-19"
        entry = next(e.text for e in detail.timeline if e.text.startswith("Record corrected"))
        assert entry == "Record corrected (by casey): incident i1 date 1 Sep 2026 → 19 Oct 2026"
        table = app.screen.query_one("#timeline-table", DataTable)  # the Timeline tab, shown first
        rows = [" ".join(str(cell) for cell in table.get_row_at(n)) for n in range(table.row_count)]
        assert any("Record corrected (by casey): incident i1 date 1 Sep 2026" in row for row in rows)
        app.save_screenshot("/tmp/record-after.svg")


async def test_esc_asks_before_throwing_a_correction_away(database_url, users):
    case_id = seed_cases(users)["fresh"]
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        await pilot.press("C")
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#applicant-name", Input).value = "Fred Fresher"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is dialog and dialog.query_one("#applicant-name", Input).value == "Fred Fresher"


async def test_a_decided_case_says_its_verdict_has_changed(database_url, users):
    from caseworker_tui.services import workflow
    from caseworker_tui.services.workflow import correction
    from caseworker_tui.widgets.case.header import CaseHeader
    from tests.factories import acknowledge_with_letter

    case_id = seed_cases(users)["fresh"]
    casey = users["casey"]
    acknowledge_with_letter(case_id, casey)
    workflow.decide(case_id, casey, accept=True)
    correction.correct_incident(case_id, casey, "i3", {"occurred_on": "2026-09-01"}, expected_version=None)
    app = make_app(database_url, actor=casey)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case_screen(app, pilot, case_id)
        words = "The verdict has changed since the decision on 25 November 2026: now not met."
        assert words in str(screen.query_one(CaseHeader).render())
        screen.action_tab("eligibility")
        await settle(pilot)
        assert str(screen.query_one("#verdict-changed").render()) == words
