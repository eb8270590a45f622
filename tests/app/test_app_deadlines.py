"""The supervisor's deadlines view, driven through the real app on both databases."""

from __future__ import annotations

from textual.widgets import DataTable, Select, Static, TabbedContent

from caseworker_tui.screens.case_detail import CaseScreen
from caseworker_tui.screens.deadlines import DeadlinesScreen
from caseworker_tui.services import workflow
from caseworker_tui.services.deadlines_view import UNASSIGNED
from tests.apphelpers import SIZE, make_app, seed_cases, settle
from tests.factories import with_victim_updates


def seed(users) -> dict[str, int]:
    """The shared four cases, plus an update owed by the police on Jo's case (due Wed 2 Dec).

    Open steps on Wed 25 Nov 2026: Olive's decision (overdue since 19 Nov), Nina's acknowledgement
    (today), Fred's acknowledgement (26 Nov) and the police update (2 Dec) this week, and three
    decisions later. The policy owes the victim no updates here, so the rows are the statutory
    steps alone (a missed update has its own test below).
    """
    with_victim_updates(None)
    made = seed_cases(users)
    workflow.request_updates(made["high_risk"], users["jo"], ["police"])
    return made


def cells(app, column: int) -> list[str]:
    table = app.screen.query_one("#steps", DataTable)
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


def applicants(app) -> list[str]:
    return cells(app, 5)


async def show_deadlines(pilot, actor) -> DeadlinesScreen:
    screen = DeadlinesScreen(actor)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def test_the_supervisor_sees_overdue_steps_first(database_url, users):
    seed(users)
    app = make_app(database_url, actor=users["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_deadlines(pilot, users["sam"])
        assert screen.title == "Deadlines"
        assert applicants(app) == ["Olive Overd…", "Nina Notmet", "Fred Fresh", "Harriet Risk", "Harriet Risk",
                                   "Nina Notmet", "Fred Fresh"]
        assert cells(app, 0) == ["! Overdue", "Due today", "This week", "", "Later", "", ""]
        assert cells(app, 2)[0] == "! overdue by 6 days"
        assert cells(app, 2)[2] == "1 day left (1 working day)"  # supervisors count down in working days
        assert cells(app, 3)[0] == "Decide"
        counts = str(screen.query_one("#dl-counts", Static).render())
        assert "! Overdue 1 · Due today 1 · This week 2 · Later 3" in counts
        workload = screen.query_one("#workload", DataTable)
        lines = [[str(c) for c in workload.get_row_at(i)] for i in range(workload.row_count)]
        assert lines == [["Casey Morgan", "1", "1", "! 1"], ["Jo Patel", "1", "2", "0"],
                         ["Sam Okafor", "0", "0", "0"], ["Unassigned", "2", "4", "0"]]
        assert screen.check_action("page", (1,)) is None  # one page: nothing to page to


async def test_filters_by_caseworker_stage_agency_and_group(database_url, users):
    seed(users)
    app = make_app(database_url, actor=users["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_deadlines(pilot, users["sam"])
        screen.query_one("#dl-assignee", Select).value = "jo"
        await settle(pilot)
        assert applicants(app) == ["Harriet Risk", "Harriet Risk"]
        assert cells(app, 3) == ["Agency update: Leicestershi…", "Decide"]
        screen.query_one("#dl-assignee", Select).value = UNASSIGNED
        await settle(pilot)
        assert applicants(app) == ["Nina Notmet", "Fred Fresh", "Nina Notmet", "Fred Fresh"]
        await pilot.press("x")
        await settle(pilot)
        assert len(applicants(app)) == 7
        screen.query_one("#dl-stage", Select).value = "received"
        await settle(pilot)
        assert applicants(app) == ["Nina Notmet", "Fred Fresh", "Nina Notmet", "Fred Fresh"]
        screen.query_one("#dl-group", Select).value = "later"
        await settle(pilot)
        assert applicants(app) == ["Nina Notmet", "Fred Fresh"]
        assert "Due today 1" in str(screen.query_one("#dl-counts", Static).render())
        await pilot.press("x")
        screen.query_one("#dl-agency", Select).value = "council"
        await settle(pilot)
        empty = str(screen.query_one("#dl-empty", Static).render())
        assert "No open step matches these filters. Press x to clear them." in empty
        assert not screen.query_one("#steps", DataTable).display


async def test_enter_on_a_caseworker_shows_their_steps(database_url, users):
    seed(users)
    app = make_app(database_url, actor=users["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_deadlines(pilot, users["sam"])
        screen.query_one("#workload", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#dl-assignee", Select).value == "casey"
        assert applicants(app) == ["Olive Overd…"]


async def test_enter_opens_the_case_at_the_step_and_coming_back_reloads(database_url, users):
    made = seed(users)
    app = make_app(database_url, actor=users["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_deadlines(pilot, users["sam"])
        await pilot.press("down")
        await pilot.press("enter")  # Nina's acknowledgement, due today
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.case_id == made["not_met"]
        assert app.screen.query_one("#tabs", TabbedContent).active == "letters"  # met by its letter
        await pilot.press("a")  # acknowledge it there, which makes the acknowledgement
        await settle(pilot)
        await pilot.press("x", "f2")  # and mark it sent, which meets the step
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert "Due today 0" in str(screen.query_one("#dl-counts", Static).render())
        await pilot.press("up", "enter")  # Olive's overdue decision: the eligibility tab
        await settle(pilot)
        assert app.screen.case_id == made["overdue"]
        assert app.screen.query_one("#tabs", TabbedContent).active == "eligibility"
        rows = screen.rows
        await pilot.press("escape")
        await settle(pilot)
        assert screen.rows is rows  # nothing changed while the case was open: nothing read again
        await pilot.press("down", "down", "enter")  # the police update on Harriet's case
        await settle(pilot)
        assert app.screen.case_id == made["high_risk"]
        assert app.screen.query_one("#tabs", TabbedContent).active == "progress"


async def test_nothing_due_says_so(database_url, users):
    app = make_app(database_url, actor=users["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_deadlines(pilot, users["sam"])
        empty = str(screen.query_one("#dl-empty", Static).render())
        assert empty.startswith("No open steps: nothing is due on any case.")
        assert "Overdue 0" in str(screen.query_one("#dl-counts", Static).render())


async def test_the_pager_says_where_the_reader_is_and_turns_only_to_a_page():
    from textual.app import App

    from caseworker_tui.widgets.pager import Pager

    pager = Pager("open steps", page_size=50, hint="Enter opens the case at that step")
    async with App().run_test() as pilot:
        await pilot.app.mount(pager)
        pager.show(2, 3, 50, 120)
        assert str(pager.render()) == ("Page 2 of 3 · showing 51–100 of 120 open steps   ·   Enter opens the case"
                                       " at that step   ·   [ previous page   ] next page")
        assert (pager.offers(1), pager.offers(-1), pager.offers(2), pager.offers(-2)) == (True, True, None, None)
        assert pager.turn(1) and pager.page == 3
        assert not pager.turn(1) and pager.page == 3
        pager.show(1, 1, 0, 0)
        assert str(pager.render()).startswith("Page 1 of 1 · showing 0 of 0 open steps   ·   Enter")


async def test_at_80_columns_the_steps_keep_reference_applicant_step_and_due(database_url, users):
    from caseworker_tui.widgets.columns import FittedTable

    seed(users)
    app = make_app(database_url, actor=users["sam"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#steps", FittedTable)
        assert {"reference", "applicant", "step", "due"} <= set(table.shown)
        assert table.virtual_size.width <= table.size.width
        assert all(len(str(c)) <= w for c, w in zip(table.get_row_at(0), table._widths.values(), strict=True))
