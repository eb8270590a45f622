"""The victim's journey through the app: their contact person changed and a contact logged from the
case screen, a missed update overdue, the chair
held back until the victim's views on the draft action plan are in, and the closure letter telling
them when and why — on both databases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docx import Document
from textual.widgets import Button, Select, TextArea

from caseworker_tui.dialogs.common import ChoiceDialog, ConfirmDialog
from caseworker_tui.dialogs.contact import ContactDialog
from caseworker_tui.services import clock, context, intake, workflow
from caseworker_tui.services.application import parse_application
from tests.app.test_app_approvals import pane, show_approvals
from tests.apphelpers import SIZE, make_app, open_case_screen, settle, stage_of
from tests.conftest import TODAY
from tests.factories import drafted_outcome, meets_rule_a


async def test_the_contact_person_is_changed_from_the_case_screen(database_url, users):
    case_id = drafted_outcome(users["casey"])
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case_screen(app, pilot, case_id)
        assert "SPoC: Casey Morgan" in str(screen.query_one("#case-header").render())
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        app.screen.query_one("#choice", Select).value = "jo"
        app.screen.query_one("#ok", Button).press()
        await settle(pilot)
        assert app.screen is screen
        assert "SPoC: Jo Patel" in str(screen.query_one("#case-header").render())
        assert any(e.text == "Single point of contact is now Jo Patel (by casey)" for e in screen.detail.timeline)


async def test_a_missed_update_is_overdue_on_the_case_and_a_contact_logged_with_h_owes_the_next(database_url, users):
    """Leicester's cadence: the victim is owed an update 10 working days after the acknowledgement;
    a contact typed on the case screen meets it and the next is owed 10 working days on."""
    casey = users["casey"]
    clock.set_today(date(2026, 11, 5))
    case_id = intake.create_request(parse_application(meets_rule_a(received="2026-11-05T10:00:00"),
                                                      context.policy()), casey).id
    workflow.assign(case_id, casey, "casey")
    workflow.acknowledge(case_id, casey)  # Thu 5 Nov: an update is owed by Thu 19 Nov
    clock.set_today(TODAY)
    app = make_app(database_url, actor=casey)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case_screen(app, pilot, case_id)
        (owed,) = [d for d in screen.detail.deadlines if d.step == "victim_update" and not d.done]
        assert (owed.due_on, owed.overdue) == (date(2026, 11, 19), True)
        assert "Last contact: none logged" in str(screen.query_one("#case-header").render())
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, ContactDialog)
        app.screen.query_one("#said", TextArea).text = "Rang Ann: the police reply is late; chasing it."
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is screen
        header = str(screen.query_one("#case-header").render())
        assert "Last contact: today" in header
        (owed,) = [d for d in screen.detail.deadlines if d.step == "victim_update" and not d.done]
        assert (owed.due_on, owed.overdue) == (date(2026, 12, 9), False)  # 10 working days from Wed 25 Nov
        assert any(e.kind == "contact" and "the police reply is late" in e.text for e in screen.detail.timeline)


async def test_the_chair_cannot_approve_until_the_victims_views_are_in_and_then_reads_them(database_url, users,
                                                                                            tmp_path):
    casey, chris = users["casey"], users["chris"]
    case_id = drafted_outcome(casey)
    app = make_app(database_url, actor=casey)
    app.settings.output_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:  # Casey consults the victim and submits
        await settle(pilot)
        screen = await open_case_screen(app, pilot, case_id)
        assert not screen.check_action("record_views", ())  # nothing to record before a consultation
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert [x.kind for x in screen.detail.letters] == ["action_plan"]
        assert Path(screen.detail.letters[0].path).parent == tmp_path
        await pilot.press("s", "y")
        await settle(pilot)
        assert screen.detail.stage == "awaiting_chair"

    app = make_app(database_url, actor=chris)
    async with app.run_test(size=SIZE) as pilot:  # the chair is refused, and told why
        await settle(pilot)
        approvals = await show_approvals(pilot, chris)
        draft = pane(approvals, "draft")
        assert "The victim's views on the action plan" in draft
        assert "Not recorded yet; they have until Wed 09 Dec 2026." in draft
        await pilot.press("p")
        await settle(pilot)
        assert app.screen is approvals, "no question is asked when the answer would be refused"
        assert "have until Wednesday 9 December 2026 to reply" in list(app._notifications)[-1].message
        assert stage_of(case_id) == "awaiting_chair"

    app = make_app(database_url, actor=casey)
    async with app.run_test(size=SIZE) as pilot:  # Casey records what the victim said on the phone
        await settle(pilot)
        screen = await open_case_screen(app, pilot, case_id)
        await pilot.press("V")
        await settle(pilot)
        await pilot.press(*"Evening visits would help")
        await pilot.press("f2")
        await settle(pilot)
        assert screen.detail.review.views == "Evening visits would help"

    app = make_app(database_url, actor=chris)
    async with app.run_test(size=SIZE) as pilot:  # the chair reads the views beside the draft, and approves
        await settle(pilot)
        approvals = await show_approvals(pilot, chris)
        draft = pane(approvals, "draft")
        assert "The victim's views on the action plan Evening visits would help" in draft
        assert "Cannot be approved yet" not in draft
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert stage_of(case_id) == "approved"


async def test_no_reply_is_recorded_once_the_date_has_passed(database_url, users, tmp_path):
    casey = users["casey"]
    case_id = drafted_outcome(casey)
    workflow.consult_victim(case_id, casey, out_dir=tmp_path)
    clock.set_today(date(2026, 12, 10))
    app = make_app(database_url, actor=casey)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case_screen(app, pilot, case_id)
        await pilot.press("V")
        await settle(pilot)
        await pilot.press("f2")  # left empty: no reply by the date
        await settle(pilot)
        assert screen.detail.review.views_recorded
        assert screen.detail.review.views.startswith("No reply by the date")


async def test_closing_from_the_case_screen_makes_the_closure_letter(database_url, users, tmp_path):
    casey, chris = users["casey"], users["chris"]
    case_id = drafted_outcome(casey)
    workflow.change_spoc(case_id, casey, "jo")
    workflow.consult_victim(case_id, casey, out_dir=tmp_path)
    workflow.record_views(case_id, casey, "Fine.")
    workflow.submit_outcome(case_id, casey)
    workflow.approve_outcome(case_id, chris)
    app = make_app(database_url, actor=casey)
    app.settings.output_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case_screen(app, pilot, case_id)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"The outcome has gone to you")
        await pilot.press("f2")
        await settle(pilot)
        assert screen.detail.stage == "closed"
        closure = [x for x in screen.detail.letters if x.kind == "closure"]
        assert len(closure) == 1
    text = "\n".join(p.text for p in Document(closure[0].path).paragraphs)
    assert "on 25 November 2026." in text and "The outcome has gone to you" in text
    assert "Your single point of contact for this request is Jo Patel" in text
    assert "keep following them up" in text
