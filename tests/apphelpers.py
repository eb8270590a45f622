"""Driving the real app in tests: build it on the test database and wait for its workers."""

from __future__ import annotations

from datetime import date

from caseworker_tui.app import CaseworkerApp
from caseworker_tui.config import load_settings
from caseworker_tui.services import clock, context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.permissions import Actor
from tests.factories import acknowledge_with_letter, application, incident, meets_rule_a, report

SIZE = (120, 40)


def make_app(database_url: str, actor: Actor | None = None, username: str | None = None) -> CaseworkerApp:
    settings = load_settings(database_url=database_url, theme="textual-dark")
    return CaseworkerApp(settings=settings, actor=actor, username=username)


async def settle(pilot, rounds: int = 3) -> None:
    """Let screens mount, workers finish and their results paint; a programming error fails the test.

    A worker's unexpected exception becomes a notification, not a crash, so without this check a
    broken screen could pass a test that only looks at the data behind it.
    """
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    unexpected = [n.message for n in pilot.app._notifications if n.title == "Something went wrong"]
    assert not unexpected, f"a background task failed: {unexpected[0]}"


def seed_cases(users: dict[str, Actor]) -> dict[str, int]:
    """A small, fixed set of cases: one overdue, one high risk, one fresh, one not meeting the threshold."""
    casey, jo = users["casey"], users["jo"]
    made: dict[str, int] = {}

    def create(key: str, data: dict, who: Actor, day: date) -> int:
        clock.set_today(day)
        made[key] = intake.create_request(parse_application(data, context.policy()), who).id
        return made[key]

    overdue = create("overdue", meets_rule_a(reference="CT-2026-0101", received="2026-11-05T10:00:00",
                                             name="Olive Overdue"), casey, date(2026, 11, 5))
    clock.set_today(date(2026, 11, 6))
    workflow.assign(overdue, casey, "casey")
    acknowledge_with_letter(overdue, casey)
    risky = create("high_risk", meets_rule_a(reference="CT-2026-0102", received="2026-11-20T11:30:00",
                                             name="Harriet Risk"), jo, date(2026, 11, 20))
    workflow.assign(risky, jo, "jo")
    acknowledge_with_letter(risky, jo)
    workflow.triage(risky, jo, {"hate_motivation": True, "afraid_to_leave_home": True})
    create("fresh", meets_rule_a(reference="CT-2026-0103", received="2026-11-25T08:45:00", name="Fred Fresh"),
           casey, date(2026, 11, 25))
    create("not_met", application(
        incident("i1", "2026-09-01", report("police", "2026-10-20"), description="Shouting in the street"),
        incident("i2", "2026-10-05", report("health", "2026-10-06"), report("council", "2026-10-07", "Pat Neighbour")),
        reference="CT-2026-0104", received="2026-11-24T16:00:00", name="Nina Notmet"), casey, date(2026, 11, 24))
    clock.set_today(date(2026, 11, 25))
    return made


def stage_of(case_id: int) -> str:
    """The case's stage as stored, read past the app."""
    from caseworker_tui.models import Case

    with Case._meta.database.connection_context():
        return Case.get_by_id(case_id).stage


async def open_case_screen(app, pilot, case_id: int):
    """Open the case as the palette or a row's Enter would, and wait until it shows."""
    from caseworker_tui.screens.case_detail import CaseScreen

    app.open_case(case_id)
    await settle(pilot)
    assert isinstance(app.screen, CaseScreen)
    return app.screen
