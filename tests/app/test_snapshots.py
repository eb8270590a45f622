"""The main screens as a person sees them, at 120×40 on Wednesday 25 November 2026."""

from __future__ import annotations

from textual.widgets import Input

from tests.apphelpers import SIZE, make_app, seed_cases, settle


async def _steady(pilot) -> None:
    await settle(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def test_intake_queue(snap_compare, database_url, users):
    seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    assert snap_compare(app, terminal_size=SIZE, run_before=_steady)


def test_case_detail_timeline(snap_compare, database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])

    async def open_case(pilot):
        await settle(pilot)
        app.open_case(made["not_met"])
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_case)


def test_verdict_explained(snap_compare, database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])

    async def open_verdict(pilot):
        await settle(pilot)
        app.open_case(made["not_met"])
        await settle(pilot)
        await pilot.press("2")
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_verdict)
