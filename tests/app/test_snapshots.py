"""The main screens as a person sees them, at 80×24 and 120×40, on Wednesday 25 November 2026.

Rendering does not depend on the database, so these run on SQLite only: the `database_url`
fixture here replaces the suite's two-database one for this module.
"""

from __future__ import annotations

import pytest
from textual.widgets import TextArea
from textual.worker import WorkerState

from caseworker_tui.models import bind
from caseworker_tui.models.schema import upgrade
from caseworker_tui.screens.new_request import NewRequestScreen
from caseworker_tui.services import workflow
from tests.app.test_app_approvals import seed as seed_approvals
from tests.app.test_app_lifecycle import _under_review
from tests.apphelpers import make_app, seed_cases, settle
from tests.services.test_stats import build_year

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@pytest.fixture
def database_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    upgrade(bind(url))
    return url


async def _steady(pilot) -> None:
    """Workers done, cursors still, and the layout settled: a narrow screen's breakpoint class and the
    charts' second drawing at their final size both come a refresh or two after the first paint."""
    await settle(pilot)
    for _ in range(30):  # a screen pushed by a worker starts workers of its own: wait until none is left
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers):
            break
    for box in pilot.app.screen.query("Input, TextArea"):  # the screen now shown: its cursors stop blinking
        box.cursor_blink = False
        if isinstance(box, TextArea):  # a line drawn mid-blink is cached under a key that ignores the cursor
            box._line_cache.clear()
            box.refresh()
    for _ in range(3):
        await pilot.pause(0.1)
        await pilot.wait_for_scheduled_animations()


def _opening(made: dict[str, int], key: str, *keys: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.open_case(made[key])
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        await _steady(pilot)
    return run_before


def _pushing(make):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(make())
        await _steady(pilot)
    return run_before


@SIZES
def test_intake_queue(snap_compare, database_url, users, size):
    seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    assert snap_compare(app, terminal_size=size, run_before=_steady)


@SIZES
def test_case_detail_timeline(snap_compare, database_url, users, size):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    assert snap_compare(app, terminal_size=size, run_before=_opening(made, "not_met"))


def test_verdict_explained(snap_compare, database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    assert snap_compare(app, terminal_size=(120, 40), run_before=_opening(made, "not_met", "2"))


@SIZES
def test_case_with_four_deadlines(snap_compare, database_url, users, size):
    """A case that owes four steps at once: every card is in sight, wrapped onto a second row."""
    made = seed_cases(users)
    workflow.request_updates(made["high_risk"], users["jo"], ["police", "council", "health"])
    app = make_app(database_url, actor=users["jo"])
    assert snap_compare(app, terminal_size=size, run_before=_opening(made, "high_risk"))


@SIZES
def test_new_request_form(snap_compare, database_url, users, size):
    app = make_app(database_url, actor=users["casey"])
    assert snap_compare(app, terminal_size=size, run_before=_pushing(lambda: NewRequestScreen(users["casey"])))


@SIZES
def test_outcome_editor(snap_compare, database_url, users, size):
    case_id = _under_review(users)
    app = make_app(database_url, actor=users["casey"])
    assert snap_compare(app, terminal_size=size, run_before=_opening({"case": case_id}, "case", "o"))


@SIZES
def test_deadlines_view(snap_compare, database_url, users, size):
    made = seed_cases(users)
    workflow.request_updates(made["high_risk"], users["jo"], ["police"])
    app = make_app(database_url, actor=users["sam"])
    assert snap_compare(app, terminal_size=size, run_before=_steady)  # a supervisor's home


@SIZES
def test_approvals(snap_compare, database_url, users, size):
    seed_approvals(users)
    app = make_app(database_url, actor=users["chris"])
    assert snap_compare(app, terminal_size=size, run_before=_steady)  # the chair's home


def test_yearly_figures(snap_compare, database_url, users):
    """At 120×40 only: at 80 columns the charts' month ticks are not the same from one drawing to the next
    (tests/app/test_stats_screen.py checks the screen at 80×24 instead)."""
    size = (120, 40)
    build_year(users)
    app = make_app(database_url, actor=users["sam"])

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.action_go("stats")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
