"""The demo database builds whatever today is, quickly, and shows every stage.

Planning is checked for every day of more than a year without writing a database: each day's
applications go through the real parser and eligibility, and each step's date is held to the
rules the services and the calendar keep. A handful of awkward days are then built for real.
"""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from caseworker_tui import cli
from caseworker_tui.config import demo_database_url
from caseworker_tui.errors import InvalidInput, SignInFailed
from caseworker_tui.models import AuditEvent, Case, Letter, ThresholdDecision, User, db
from caseworker_tui.services import auth, clock, context, passphrases
from caseworker_tui.services.application import Application, parse_application
from caseworker_tui.services.calendar import WorkingCalendar
from caseworker_tui.services.demo import build_demo
from caseworker_tui.services.demo_plan import DEMO_USERS, MET_PLANS, PLAN, DemoCase, Step, plan_demo
from caseworker_tui.services.demo_rebuild import Rebuild, database_name
from caseworker_tui.services.eligibility import Verdict, evaluate
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.policy import Policy

# The stage each plan leaves its case at.
STAGE_OF_PLAN = {
    "received": "received", "acknowledged": "acknowledged", "declined": "declined",
    "declined_ground": "declined", "accepted": "accepted", "under_review": "under_review",
    "under_review_extended": "under_review", "outcome_drafted": "outcome_drafted",
    "returned": "outcome_drafted", "awaiting_chair": "awaiting_chair", "approved": "approved",
    "closed": "closed", "closed_declined": "closed", "appeal": "appeal", "withdrawn": "withdrawn",
}
# The step that shows a case reached its plan's stage (None: the case is only received).
LAST_WORD = {
    "received": None, "acknowledged": "acknowledge", "declined": "decide", "declined_ground": "decide",
    "accepted": "decide", "under_review": "schedule_review", "under_review_extended": "extend",
    "outcome_drafted": "draft_outcome", "returned": "return_outcome", "awaiting_chair": "submit",
    "approved": "approve", "closed": "close", "closed_declined": "close", "appeal": "appeal",
    "withdrawn": "withdraw",
}
STATUTORY_COMPLAINTS = 3  # s.104(4): this many complaints meet the threshold whatever else holds
TRICKY_DAYS = [
    date(2026, 12, 24),  # Christmas Eve 2026: the next four days are not working days
    date(2028, 2, 29),   # a leap day: month arithmetic lands on 29 Feb from 31 Aug
    date(2027, 1, 4),    # the Monday after the New Year's Day bank holiday (a Friday)
    date(2027, 3, 31),   # a month's end, and the reporting year's last day
]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class WorkingDays:
    """The policy calendar's answer for each day, remembered: the sweep asks about each day often."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self.known: dict[date, bool] = {}

    def __call__(self, day: date) -> bool:
        if day not in self.known:
            self.known[day] = self.calendar.is_working_day(day)
        return self.known[day]


def _step_problems(case: DemoCase, today: date, policy: Policy, working: WorkingDays) -> list[str]:
    """The rules every planned step keeps: in order, on a working day, from receipt to today."""
    problems = []
    previous = case.received
    for step in case.steps:
        if step.day < previous:
            problems.append(f"{step.action} on {step.day} is before the step before ({previous})")
        if step.day > today:
            problems.append(f"{step.action} on {step.day} is after today")
        if not working(step.day):
            problems.append(f"{step.action} on {step.day}, not a working day")
        previous = step.day
    actions = {s.action: s for s in case.steps}
    if LAST_WORD[case.plan] is not None and LAST_WORD[case.plan] not in actions:
        problems.append(f"no {LAST_WORD[case.plan]} step")
    if case.plan == "received" and "acknowledge" in actions:
        problems.append("a case planned to stay received is acknowledged")
    if "findings" in actions and actions["findings"].day < actions["schedule_review"].detail["meeting_on"]:
        problems.append("findings recorded before the review meeting")
    if "schedule_review" in actions and actions["schedule_review"].detail["meeting_on"] < actions["decide"].day:
        problems.append("the review meeting is before the request was accepted")
    if "draft_outcome" in actions and min(actions["draft_outcome"].detail["due"]) < actions["draft_outcome"].day:
        problems.append("a recommendation is due before the outcome is drafted")
    if "decide" in actions:
        late = [s for s in case.steps if s.action == "record_update" and s.day > actions["decide"].day]
        problems += [f"{s.detail['agency']} answers after the decision" for s in late]
    if "appeal" in actions:
        window = working.calendar.add_working_days(actions["approve"].day,
                                                   policy.timescales.appeal_window.days)
        if actions["appeal"].day > window:
            problems.append("the appeal is lodged after the window closed")
    return problems


def _problems(case: DemoCase, today: date, latest: datetime, policy: Policy,
              working: WorkingDays) -> list[str]:
    """What is wrong with one planned case, in words; empty when nothing is."""
    problems = _step_problems(case, today, policy, working)
    try:
        application = parse_application(case.raw, policy)
    except InvalidInput as exc:
        problems.append(f"invalid application: {exc}")
    else:
        if application.received_at > latest:
            problems.append(f"received at {application.received_at}, after {latest}")
        verdict = evaluate(application, policy)
        if verdict.threshold_met != (case.plan in MET_PLANS):
            problems.append(f"the threshold is {'met' if verdict.threshold_met else 'not met'}")
        if case.plan not in MET_PLANS and _complaints(application, verdict) >= STATUTORY_COMPLAINTS:
            problems.append("enough complaints to meet the statutory rule")
    return [f"{today} case {case.number} ({case.plan}): {p}" for p in problems]


def _complaints(application: Application, verdict: Verdict) -> int:
    """One person's qualifying reports about one incident are one complaint (s.104(4))."""
    excluded = {(x.incident, x.report) for x in verdict.excluded}
    return len({(incident.id, " ".join(report.reporter.split()).casefold())
                for incident in application.incidents
                for n, report in enumerate(incident.reports, start=1) if (incident.id, n) not in excluded})


def _planned_problems(today: date, policy: Policy, working: WorkingDays) -> list[str]:
    latest = datetime.combine(today, time(9))
    cases = plan_demo(today, policy=policy, calendar=working.calendar, latest=latest)
    problems = [p for case in cases for p in _problems(case, today, latest, policy, working)]
    if Counter(c.plan for c in cases) != Counter(PLAN):
        problems.append(f"{today}: the cases are not one of each planned stage")
    return problems


def test_every_day_of_a_year_plans_a_valid_demo():
    """Every day of 2027 and on to the leap day of 2028: 425 days in a row."""
    policy, working = context.policy(), WorkingDays(context.calendar())
    problems = [p for day in _days(date(2027, 1, 1), date(2028, 2, 29))
                for p in _planned_problems(day, policy, working)]
    assert not problems, f"{len(problems)} problems, first: " + "\n".join(problems[:10])


def test_the_checks_catch_a_bad_date():
    """The sweep can fail: a report after the request, and a step on a bank holiday, are caught."""
    policy, working = context.policy(), WorkingDays(context.calendar())
    today = date(2026, 12, 24)
    latest = datetime.combine(today, time(9))
    case = next(c for c in plan_demo(today, latest=latest) if c.plan == "closed")
    assert _problems(case, today, latest, policy, working) == []
    incident = case.raw["incidents"][0]
    late = {**incident, "reports": [{**incident["reports"][0], "reported_on": today.isoformat()}]}
    reported_late = DemoCase(case.number, case.plan, {**case.raw, "incidents": [late]}, case.steps)
    assert "is after the request was received" in _problems(reported_late, today, latest, policy, working)[0]
    on_christmas = DemoCase(case.number, case.plan, case.raw, (*case.steps, Step(date(2026, 12, 25), "note")))
    assert any("not a working day" in p for p in _problems(on_christmas, date(2026, 12, 25), latest,
                                                           policy, working))


def test_a_request_received_today_is_not_received_later_than_now():
    latest = datetime(2027, 1, 4, 7, 20)
    cases = plan_demo(date(2027, 1, 4), latest=latest)
    assert all(datetime.fromisoformat(c.raw["received_at"]) <= latest for c in cases)
    assert any(c.received == date(2027, 1, 4) for c in cases)


def test_the_same_seed_and_today_plan_the_same_demo():
    today, latest = date(2027, 6, 1), datetime(2027, 6, 1, 9)
    first, again = plan_demo(today, latest=latest), plan_demo(today, latest=latest)
    assert [(c.raw, c.steps) for c in first] == [(c.raw, c.steps) for c in again]
    assert [c.raw for c in plan_demo(today, seed=8, latest=latest)] != [c.raw for c in first]


# --- built for real --------------------------------------------------------------------------

def test_the_demo_accounts_hash_their_passphrase_once_and_each_signs_in(tmp_path, monkeypatch):
    hashed = []
    monkeypatch.setattr(passphrases, "hash_passphrase", lambda p, real=passphrases.hash_passphrase: hashed.append(p) or real(p))
    build_demo(demo_database_url(), cases=0, letters_out=tmp_path / "letters")
    assert hashed == ["demo"]
    for username, role, name in DEMO_USERS:
        assert auth.sign_in(username, "demo") == Actor(username, name, role)
    with pytest.raises(SignInFailed):
        auth.sign_in("casey", "wrong")


def _check_built(today: date, letters_out: Path, passphrases: dict[str, str] | None = None) -> None:
    with db.connection_context():
        stages = Counter(c.stage for c in Case.select(Case.stage))
        assert stages == Counter(STAGE_OF_PLAN[p] for p in PLAN)
        assert not AuditEvent.select().where(AuditEvent.at >= datetime.combine(today + timedelta(days=1),
                                                                               time())).exists()
        letter_rows = list(Letter.select())
        assert {row.kind for row in letter_rows} == {"acknowledgement", "threshold_met", "threshold_not_met", "declined",
                                                     "extension", "outcome", "action_plan", "withdrawal", "closure"}
        assert all(Path(row.path).is_file() and row.sent_on for row in letter_rows)
        assert Path(letter_rows[0].path).parent == letters_out.resolve()
        assert User.select().count() == len(DEMO_USERS)
    for username, _, _ in DEMO_USERS:
        assert auth.sign_in(username, (passphrases or {}).get(username, "demo")).username == username


@pytest.mark.parametrize("today", TRICKY_DAYS, ids=str)
def test_the_demo_builds_on_an_awkward_day_on_one_connection(tmp_path, monkeypatch, today):
    opened = []
    connect = SqliteDatabase._connect
    monkeypatch.setattr(SqliteDatabase, "_connect", lambda self: opened.append(1) or connect(self))
    clock.set_today(today)
    summary = build_demo(demo_database_url(), letters_out=tmp_path / "letters")
    assert summary.cases == len(PLAN)
    assert len(opened) == 1
    _check_built(today, tmp_path / "letters")


@pytest.mark.parametrize(("min_incidents", "how"), [(2, "declined on a ground"), (4, "met by s.104(4) all the same")])
def test_the_demo_builds_under_a_stricter_or_looser_policy(tmp_path, min_incidents, how):
    """The stages stay as planned when the policy in force disagrees with the shipped one."""
    policy = context.policy()
    rules = [r.model_copy(update={"min": min_incidents}) if r.id == "three_incidents" else r
             for r in policy.threshold.rules]
    context.use_policy(policy.model_copy(update={
        "threshold": policy.threshold.model_copy(update={"rules": rules})}))
    build_demo(demo_database_url(), letters_out=tmp_path / "letters")
    with db.connection_context():
        stages = Counter(c.stage for c in Case.select(Case.stage))
        decisions = list(ThresholdDecision.select())
    assert stages == Counter(STAGE_OF_PLAN[p] for p in PLAN)
    if how == "declined on a ground":
        assert any(d.computed_met and d.decision == "declined" and d.ground == policy.decline_grounds[0]
                   for d in decisions)
    else:  # a stricter local rule cannot refuse three complaints: the statutory rule meets them
        assert all(d.computed_met for d in decisions if d.decision == "accepted")


@pytest.fixture
def own_postgres_database(database_url):
    """A PostgreSQL database of the test's own: the rebuild refuses a database others are using,
    and the suite's shared one has connections from elsewhere in the run."""
    import psycopg2

    name = "caseworker_demo_rebuild"
    admin = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield database_url.rsplit("/", 1)[0] + "/" + name
    finally:
        db.obj.close_all()  # the build's own pool
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_the_demo_builds_on_postgresql(own_postgres_database, tmp_path):
    """PostgreSQL is never the demo database: a demo goes there only with its name typed back."""
    clock.set_today(TRICKY_DAYS[0])
    url = own_postgres_database
    leave = Rebuild(database_name(url), Actor("cli", "Command line (test)", "admin"))
    summary = build_demo(url, letters_out=tmp_path / "letters", rebuild=leave)
    assert set(summary.passphrases) == {username for username, _, _ in DEMO_USERS}
    _check_built(TRICKY_DAYS[0], tmp_path / "letters", summary.passphrases)


# --- the command line --------------------------------------------------------------------------

class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_caseworker_demo_shows_its_progress_line_by_line_in_a_log(capsys):
    assert cli.main(["demo", "--cases", "12"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"Building the demo database: {n}/12 cases" for n in (0, 10, 12)]


def test_caseworker_demo_draws_a_bar_on_a_terminal(monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["demo", "--cases", "4"]) == 0
    drawn = terminal.getvalue()
    assert drawn.count("\r") == 5 and drawn.endswith("[" + "#" * 30 + "] 4/4 cases\n")
    assert "Demo database ready" in capsys.readouterr().out


def test_demo_may_follow_the_command(capsys):
    """`caseworker cases --demo` is `caseworker --demo cases`; without the flag, no demo."""
    assert cli.main(["cases", "--demo", "--json"]) == 0
    after = capsys.readouterr()
    assert "Building the demo database: 40/40 cases" in after.err
    assert cli.main(["--demo", "cases", "--json"]) == 0
    before = capsys.readouterr()
    assert before.out == after.out and before.err == ""
    assert len(json.loads(after.out)) == len(PLAN)
    assert cli.main(["users", "list", "--demo"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == sorted(u for u, _, _ in DEMO_USERS)
    assert cli.main(["cases"]) == 2  # the configured database, where the demo's accounts are not
    assert "has no account" in capsys.readouterr().err
