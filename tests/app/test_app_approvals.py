"""The chair's approvals screen, driven through the real app on both databases."""

from __future__ import annotations

import io
from datetime import date

from rich.console import Console
from textual.widgets import DataTable, Static, TextArea

from caseworker_tui.dialogs.common import ConfirmDialog, TextDialog
from caseworker_tui.models import Case, Review
from caseworker_tui.screens.approvals import ApprovalsScreen
from caseworker_tui.services import clock, context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.workflow import RecommendationIn
from tests.apphelpers import SIZE, make_app, settle
from tests.conftest import TODAY
from tests.factories import meets_rule_a, victim_heard


def _submitted(who, received: date, submitted: date, name: str, reference: str) -> int:
    clock.set_today(received)
    data = meets_rule_a(received=f"{received.isoformat()}T10:00:00", name=name, reference=reference)
    case_id = intake.create_request(parse_application(data, context.policy()), who).id
    clock.set_today(submitted)
    workflow.acknowledge(case_id, who)
    workflow.decide(case_id, who, accept=True)
    workflow.schedule_review(case_id, who, meeting_on=submitted, chair_name="Chris Hall",
                             agencies=["police", "council"], participation="in_person")
    workflow.record_findings(case_id, who, f"Reports about {name} were never linked across agencies.")
    workflow.draft_outcome(case_id, who, summary="The agencies missed a pattern of repeated incidents.",
                           recommendations=[RecommendationIn("police", "Name a single officer", date(2027, 1, 15)),
                                            RecommendationIn("council", "Install noise monitoring", date(2027, 2, 1))])
    victim_heard(case_id, who)
    workflow.submit_outcome(case_id, who)
    return case_id


def seed(users) -> dict[str, int]:
    """Two outcomes waiting: Otto's since 5 Nov (Casey's), Nora's since 20 Nov (Jo's, returned once)."""
    made = {"older": _submitted(users["casey"], date(2026, 11, 4), date(2026, 11, 5), "Otto Older", "CT-2026-0201"),
            "newer": _submitted(users["jo"], date(2026, 11, 10), date(2026, 11, 19), "Nora Newer", "CT-2026-0202")}
    clock.set_today(date(2026, 11, 20))
    workflow.return_outcome(made["newer"], users["chris"], "Say which officer will visit.")
    victim_heard(made["newer"], users["jo"])
    workflow.submit_outcome(made["newer"], users["jo"])
    clock.set_today(TODAY)
    return made


def references(screen) -> list[str]:
    table = screen.query_one("#approvals", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)] if table.display else []


def pane(screen, which: str) -> str:
    """The pane's text as the chair reads it, wrapped at 200 columns."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(screen.query_one(f"#ap-{which}-text", Static).content)
    return " ".join(console.export_text().split())


def stage_and_review(case_id: int) -> tuple[str, Review]:
    with Case._meta.database.connection_context():
        return Case.get_by_id(case_id).stage, Review.get(Review.case == case_id)


async def show_approvals(pilot, actor) -> ApprovalsScreen:
    screen = ApprovalsScreen(actor)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def test_the_chair_reads_the_case_and_the_draft_side_by_side(database_url, users):
    seed(users)
    app = make_app(database_url, actor=users["chris"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_approvals(pilot, users["chris"])
        assert screen.title == "Approvals"
        assert references(screen) == ["CT-2026-0201", "CT-2026-0202"]
        first = [str(c) for c in screen.query_one("#approvals", DataTable).get_row_at(0)]
        assert first[2:5] == ["Casey Morgan", "05 Nov 2026", "20 days"]
        assert "Otto Older" in pane(screen, "case") and "Reports about Otto Older were never linked" in pane(screen, "case")
        assert "1. Leicestershire Police — Name a single officer (due 15 Jan 2027)" in pane(screen, "draft")
        assert "Returned before" not in pane(screen, "draft")
        await pilot.press("down")
        await settle(pilot)
        assert "Nora Newer" in pane(screen, "case")
        draft = pane(screen, "draft")
        assert "Returned before" in draft and "20 Nov 2026 Chris Hall: Say which officer will visit." in draft
        assert "Submitted by Jo Patel on 20 Nov 2026" in draft


async def test_a_key_acts_on_the_case_under_the_cursor_even_before_its_draft_is_read(database_url, users):
    """The chair moves down and presses p at once: the question is about the case now under the
    cursor, never the one whose draft was still showing, and the panes never show the case left."""
    made = seed(users)
    app = make_app(database_url, actor=users["chris"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_approvals(pilot, users["chris"])
        assert "Otto Older" in pane(screen, "case")
        screen.query_one("#approvals", DataTable).move_cursor(row=1)
        screen.action_approve_outcome()  # in the same moment: Nora's draft cannot have been read yet
        assert "Otto Older" not in pane(screen, "case") and "Otto Older" not in pane(screen, "draft")
        assert not isinstance(app.screen, ConfirmDialog)  # not asked about a draft nobody sees yet
        await settle(pilot)
        assert "Nora Newer" in pane(screen, "case")
        assert isinstance(app.screen, ConfirmDialog)
        assert "CT-2026-0202 (Nora Newer)" in str(app.screen.query_one(".dialog-title", Static).content)
        await pilot.press("y")
        await settle(pilot)
        assert stage_and_review(made["newer"])[0] == "approved"
        assert stage_and_review(made["older"])[0] == "awaiting_chair"


async def test_a_fast_cursor_ends_on_its_own_case(database_url, users):
    """Down and up and down again faster than a draft is read: the pane shows where the cursor stopped."""
    seed(users)
    app = make_app(database_url, actor=users["chris"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_approvals(pilot, users["chris"])
        table = screen.query_one("#approvals", DataTable)
        for row in (1, 0, 1, 0, 1):
            table.move_cursor(row=row)
            await pilot.pause()
        await settle(pilot)
        assert "Nora Newer" in pane(screen, "case") and screen.detail.reference == "CT-2026-0202"


async def test_the_chair_approves_one_and_returns_another_with_a_comment(database_url, users):
    made = seed(users)
    app = make_app(database_url, actor=users["chris"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_approvals(pilot, users["chris"])
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        assert references(screen) == ["CT-2026-0202"]
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press("f2")  # no comments yet: refused
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Add the dates")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is screen
        assert references(screen) == []
        assert "No outcomes are waiting for your approval." in str(screen.query_one("#ap-empty", Static).render())
        assert screen.check_action("approve_outcome", ()) is None
    stage, review = stage_and_review(made["older"])
    assert (stage, review.approved_by, review.approved_by_name) == ("approved", "chris", "Chris Hall")
    stage, review = stage_and_review(made["newer"])
    assert (stage, review.returned_comments, review.approved_by) == ("outcome_drafted", "Add the dates", None)


async def test_a_changed_case_is_refused_and_the_comments_are_offered_back(database_url, users):
    made = seed(users)
    app = make_app(database_url, actor=users["chris"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_approvals(pilot, users["chris"])
        workflow.extend_review(made["older"], users["casey"], new_date=date(2027, 1, 8),
                               reason="Police records awaited.")  # meanwhile
        await pilot.press("b")
        await settle(pilot)
        await pilot.press(*"Too vague")
        await pilot.press("f2")
        await settle(pilot)
        assert any("changed by casey" in n.message for n in app._notifications)
        assert isinstance(app.screen, TextDialog)
        assert app.screen.query_one("#text", TextArea).text == "Too vague"
        assert "Extended: Police records awaited." in pane(screen, "draft")
        assert stage_and_review(made["older"])[0] == "awaiting_chair"  # nothing was saved
        await pilot.press("f2")
        await settle(pilot)
        assert references(screen) == ["CT-2026-0202"]
    assert stage_and_review(made["older"])[1].returned_comments == "Too vague"


async def test_a_caseworker_sees_the_list_but_cannot_approve(database_url, users):
    made = seed(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_approvals(pilot, users["casey"])
        assert references(screen) == ["CT-2026-0201", "CT-2026-0202"]
        offered = {b.binding.id for b in screen.active_bindings.values()}
        assert "approve_outcome" not in offered and "return_outcome" not in offered
        assert screen.check_action("approve_outcome", ()) is False
        await pilot.press("p", "b")
        await settle(pilot)
        assert app.screen is screen
    assert stage_and_review(made["older"])[0] == "awaiting_chair"


async def test_nothing_waiting_says_so(database_url, users):
    app = make_app(database_url, actor=users["chris"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_approvals(pilot, users["chris"])
        assert str(screen.query_one("#ap-empty", Static).render()) == "No outcomes are waiting for your approval."
        assert not screen.query_one("#ap-panes").display
