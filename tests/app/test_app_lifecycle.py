"""A request from receipt to closure through the app, as a caseworker, the chair and a supervisor."""

from __future__ import annotations

from datetime import date

from textual.widgets import Checkbox, Input, Select, Static, TextArea

from caseworker_tui.dialogs.common import ConfirmDialog
from caseworker_tui.models import AuditEvent, Case, Deadline
from caseworker_tui.screens.case_detail import CaseScreen
from caseworker_tui.screens.outcome import OutcomeScreen
from caseworker_tui.services import workflow
from tests.apphelpers import SIZE, make_app, open_case_screen, seed_cases, settle, stage_of


def _under_review(users) -> int:
    """The shared overdue case, accepted, with its review meeting on 3 December."""
    case_id = seed_cases(users)["overdue"]
    workflow.decide(case_id, users["casey"], accept=True)
    workflow.schedule_review(case_id, users["casey"], meeting_on=date(2026, 11, 25), chair_name="Chris Hall",
                             agencies=["police"], participation="in_person")
    return case_id


async def _open_outcome(app, pilot, case_id: int) -> None:
    await settle(pilot)
    await open_case_screen(app, pilot, case_id)
    await pilot.press("o")
    await settle(pilot)


async def test_received_to_closed_by_three_people(database_url, users):
    case_id = seed_cases(users)["fresh"]

    # Casey: acknowledge, accept, schedule the review, draft and submit the outcome.
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.detail.stage == "accepted"
        await pilot.press("v")
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#meeting_on", Input).value = "2026-11-25"  # held today: the outcome follows the meeting
        dialog.query_one("#chair_name", Select).value = "Chris Hall"
        dialog.query_one("#agency-police", Checkbox).value = True
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.detail.stage == "under_review"
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeScreen)
        app.screen.query_one("#summary", TextArea).text = "The police did not link the three reports."
        await pilot.press("f8")
        await settle(pilot)
        row = app.screen.query("RecommendationRow").last()
        row.query_one("#agency").value = "police"
        row.query_one("#action", Input).value = "Name one officer for the household"
        row.query_one("#due_on", Input).value = "2027-01-15"
        await pilot.pause(0.5)  # the preview is filled once typing pauses
        await settle(pilot)
        preview = str(app.screen.query_one("#preview").render())
        # The real outcome letter, filled with the draft: its words, the partnership's, the dates as letters say them.
        assert "Name one officer" in preview and "15 January 2027" in preview
        assert "The police did not link the three reports." in preview and "Safer Leicester Partnership" in preview
        assert "(once the chair approves)" in preview
        await pilot.press("f9")  # submitting asks first, naming the case
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "CT-2026-0103" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.detail.stage == "awaiting_chair"
        # A caseworker is not offered approval, and the key says why.
        assert not app.screen.check_action("approve", ())
        await pilot.press("p")
        await settle(pilot)
        assert stage_of(case_id) == "awaiting_chair"
        assert list(app._notifications)[-1].message == "Only the chair may approve an outcome."

    # Chris, the chair: return it once with a comment.
    app = make_app(database_url, actor=users["chris"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        assert app.screen.check_action("approve", ()) and app.screen.check_action("return_outcome", ())
        await pilot.press("b")
        await settle(pilot)
        await pilot.press(*"Give the officer's name")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.detail.stage == "outcome_drafted"
        assert any("Give the officer" in e.reason for e in app.screen.detail.audit)

    # Casey consults the victim on the draft action plan, records their views and resubmits.
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        await pilot.press("z")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.detail.review.consulted_on == date(2026, 11, 25)
        await pilot.press("V")
        await settle(pilot)
        await pilot.press(*"Evening visits please")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.detail.review.views == "Evening visits please"
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.detail.stage == "awaiting_chair"

    # Chris approves.
    app = make_app(database_url, actor=users["chris"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.detail.stage == "approved"
        assert app.screen.detail.review.approved_by_name == "Chris Hall"

    # Sam, the supervisor, closes it.
    app = make_app(database_url, actor=users["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press(*"Outcome sent")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.detail.stage == "closed"

    with Case._meta.database.connection_context():
        trail = [(e.actor, e.action) for e in AuditEvent.select().where(AuditEvent.case == case_id)
                 .order_by(AuditEvent.id)]
    assert trail == [("casey", "received"), ("casey", "acknowledge"), ("casey", "letter_produced"), ("casey", "decide"),
                     ("casey", "schedule_review"), ("casey", "draft_outcome"), ("casey", "submit_outcome"),
                     ("chris", "return_outcome"), ("casey", "consult_victim"), ("casey", "letter_produced"),
                     ("casey", "record_views"), ("casey", "submit_outcome"), ("chris", "approve_outcome"),
                     ("sam", "close"), ("sam", "letter_produced")]


async def test_an_extension_moves_the_deadline(database_url, users):
    case_id = seed_cases(users)["overdue"]
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        await pilot.press("d", "f2")
        await settle(pilot)
        assert app.screen.detail.review.due_on == date(2026, 12, 23)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#new_date", Input).value = "2027-01-20"
        app.screen.query_one("#reason", TextArea).text = "Housing records are awaited."
        await pilot.press("f2")
        await settle(pilot)
        open_steps = {d.step: d.due_on for d in app.screen.detail.deadlines if not d.done}
        assert open_steps["review"] == date(2027, 1, 20)
        assert open_steps["notify_extension"] == date(2026, 11, 26)
        assert "extended" in str(app.screen.query_one("#case-header").render())
    with Deadline._meta.database.connection_context():
        assert Deadline.get((Deadline.case == case_id) & (Deadline.step == "review")).due_on == date(2027, 1, 20)


async def test_a_bad_date_in_a_dialog_is_named_and_nothing_is_saved(database_url, users):
    case_id = seed_cases(users)["overdue"]
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        await pilot.press("d", "f2")
        await settle(pilot)
        version = app.screen.detail.version
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#new_date", Input).value = "next Tuesday"
        await pilot.press("f2")
        await settle(pilot)
        assert "new date: write a date like" in str(app.screen.query_one("#dialog-error").render())
        beside = app.screen.query_one("#new_date").parent.query(".dialog-field-error").first(Static)
        assert "new date: write a date like" in str(beside.render()), "the message is beside the field"
        assert app.focused is app.screen.query_one("#new_date")
        await pilot.press("escape", "y")  # what was typed is thrown away only when asked
        await settle(pilot)
        assert app.screen.detail.version == version


async def test_typing_as_a_step_dialog_opens_fills_its_first_field(database_url, users):
    """Keys pressed as soon as a dialog opens go into its first field, not into the box around it."""
    case_id = seed_cases(users)["overdue"]
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.detail.stage == "accepted"
        await pilot.press("v")
        await settle(pilot)
        await pilot.press(*"2026-12-03", "tab", "enter", *"Chris", "enter")  # the chair: chosen from a list
        assert app.screen.query_one("#meeting_on", Input).value == "2026-12-03"
        assert app.screen.query_one("#chair_name", Select).value == "Chris Hall"
        await pilot.press("escape", "y")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"2027-01-08")
        assert app.screen.query_one("#new_date", Input).value == "2027-01-08"


async def test_a_step_the_service_refuses_reopens_its_dialog_with_what_was_typed(database_url, users):
    """Declining against the verdict without a reason is refused; the dialog comes back as it was."""
    from textual.widgets import RadioButton

    from caseworker_tui.dialogs.case import DecideDialog, ReviewDialog

    case_id = seed_cases(users)["overdue"]
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        await pilot.press("d")
        await settle(pilot)
        app.screen.query_one("#decline", RadioButton).value = True
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, DecideDialog)
        assert app.screen.query_one("#decline", RadioButton).value
        assert any("needs a reason" in n.message for n in app._notifications)
        beside = app.screen.query_one("#reason").parent.query(".dialog-field-error").first(Static)
        assert "needs a reason" in str(beside.render()), "the refusal is beside the field it names"
        assert app.focused is app.screen.query_one("#reason")
        assert stage_of(case_id) == "acknowledged"
        await pilot.press("escape")  # what came back is typed input: leaving asks
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("d", "f2")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press(*"2026-12-03", "tab", "enter", *"Chris", "enter")
        await pilot.press("f2")  # no agency ticked: the service refuses
        await settle(pilot)
        assert isinstance(app.screen, ReviewDialog)
        assert app.screen.query_one("#meeting_on", Input).value == "2026-12-03"
        assert app.screen.query_one("#chair_name", Select).value == "Chris Hall"
        after_agencies = app.screen.query_one("#agencies").parent.query(".dialog-field-error").first(Static)
        assert "agencies" in str(after_agencies.render())
        assert stage_of(case_id) == "accepted"


async def test_a_recommendations_action_has_room_to_be_read(database_url, users):
    """At 120 columns the action field is wide enough to read what the agency will do."""
    case_id = _under_review(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await _open_outcome(app, pilot, case_id)
        assert isinstance(app.screen, OutcomeScreen)
        await pilot.press("f8")
        await settle(pilot)
        row = app.screen.query("RecommendationRow").last()
        assert row.query_one("#action", Input).size.width >= 40
        assert row.query_one("#due_on", Input).size.width >= len("due YYYY-MM-DD")


async def test_leaving_a_draft_outcome_with_unsaved_text_asks_first(database_url, users):
    case_id = _under_review(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await _open_outcome(app, pilot, case_id)
        await pilot.press(*"The reports were never linked")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeScreen)
        assert app.screen.query_one("#summary", TextArea).text == "The reports were never linked"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)


async def test_a_draft_saved_after_someone_else_changed_the_case_is_kept_and_saves_next_time(database_url, users):
    """Jo logs a call while Casey writes the outcome: Casey's save is refused, her text stays, and the
    next save goes in on top of Jo's change."""
    from datetime import datetime

    case_id = _under_review(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await _open_outcome(app, pilot, case_id)
        await pilot.press(*"The reports were never linked")
        workflow.record_contact(case_id, users["jo"], at=datetime(2026, 11, 25, 9, 0), channel="phone",
                                said="Ann asked when the outcome will come.")
        await pilot.press("f2")
        await settle(pilot, rounds=6)
        assert isinstance(app.screen, OutcomeScreen)
        assert "Not saved" in str(app.screen.query_one("#outcome-error", Static).render())
        assert app.screen.query_one("#summary", TextArea).text == "The reports were never linked"
        await pilot.press("f2")
        await settle(pilot, rounds=6)
        assert isinstance(app.screen, CaseScreen)
    from caseworker_tui.services.cases import open_case

    assert open_case(case_id, users["casey"], record_view=False).review.summary == "The reports were never linked"


async def test_a_final_appeal_decision_is_referred_beyond_the_partnership_and_answered(database_url, users):
    from caseworker_tui.services import context
    from caseworker_tui.services.policy import Escalation

    context.use_policy(context.policy().model_copy(update={"escalation": Escalation(
        name="the OPCC", how="Send the papers to the OPCC's casework team.")}))
    case_id = seed_cases(users)["overdue"]
    workflow.decide(case_id, users["casey"], accept=False, reason="The reports concern another household.")
    workflow.record_appeal(case_id, users["casey"], lodged_on=date(2026, 11, 25), grounds="A report was missed.")
    workflow.decide_appeal(case_id, users["sam"], upheld=False, independent_chair="Pat Fielding", reason="Sound.")
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_case_screen(app, pilot, case_id)
        assert screen.check_action("escalate", ()) is True
        assert screen.check_action("escalation_answer", ()) is False  # nothing referred yet
        await pilot.press("E")
        await settle(pilot)
        assert "Send the papers to the OPCC's casework team." in str(app.screen.query_one(".muted").render())
        await pilot.press("tab", *"Papers e-mailed.", "f2")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert screen.check_action("escalate", ()) is False  # once
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("tab", *"The OPCC agrees with the panel.", "f2")
        await settle(pilot)
        texts = [e.text for e in screen.detail.timeline]
        assert any(t.startswith("Referred to the OPCC on 25 Nov 2026 (by casey): Papers e-mailed.") for t in texts)
        assert any(t.startswith("Answer from the OPCC on 25 Nov 2026 (by casey): The OPCC agrees") for t in texts)
