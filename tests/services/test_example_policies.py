"""The five partnerships' example policies shipped beside Leicester's: each gives the verdicts and
the dates its published procedure implies, at the boundaries of its own rules.

Every verdict is the one `caseworker check` gives: the application read under the policy, then
evaluated. The statutory rule (three complaints) comes first under every policy, so each local
rule is tried where it alone decides: with fewer than three complaints.
"""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

from caseworker_tui.models import Case, Deadline
from caseworker_tui.services import context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.calendar import WorkingCalendar
from caseworker_tui.services.deadlines import first_deadlines
from caseworker_tui.services.eligibility import Verdict, evaluate
from caseworker_tui.services.policy import Policy, parse_policy
from caseworker_tui.services.policy_words import threshold_words
from tests.factories import application, incident, report

EXAMPLES = ("gosport", "east-herts", "richmond", "cleveland", "birmingham")


def example(name: str) -> Policy:
    text = resources.files("caseworker_tui.data").joinpath(f"policy-{name}.toml").read_text(encoding="utf-8")
    return parse_policy(text, source=f"policy-{name}.toml")


GOSPORT, EAST_HERTS, RICHMOND, CLEVELAND, BIRMINGHAM = (example(name) for name in EXAMPLES)


def verdict(policy: Policy, *incidents: dict, **extra) -> Verdict:
    return evaluate(parse_application(application(*incidents, **extra), policy), policy)


def incidents_by_victim(count: int, first_day: int = 1, agency: str = "police") -> list[dict]:
    """`count` incidents in October 2026, each reported by the victim the next day."""
    return [incident(f"i{n}", f"2026-10-{first_day + 2 * n:02d}", report(agency, f"2026-10-{first_day + 2 * n + 1:02d}"))
            for n in range(count)]


def first_dates(policy: Policy, received: date) -> tuple[date, date | None]:
    due = first_deadlines(received, policy, WorkingCalendar.for_policy(policy))
    return due.acknowledge_by, due.decide_by


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_opens_with_its_source_and_keeps_the_statutory_rule(name):
    text = resources.files("caseworker_tui.data").joinpath(f"policy-{name}.toml").read_text(encoding="utf-8")
    opening = text.split("\n\n", 1)[0]
    assert "https://" in opening or "http://" in opening
    assert "Not found" in text or "not found" in text  # what the published pages leave out is said, not invented
    policy = example(name)
    assert policy.threshold.statutory_complaints == 3
    two = verdict(policy, *incidents_by_victim(2), dissatisfied=False)
    three = verdict(policy, *incidents_by_victim(3), dissatisfied=False)
    assert (two.statutory.passed, three.statutory.passed) == (False, True)
    assert (three.threshold_met, three.met_by) == (True, "statutory")


# --- Gosport: the statutory threshold alone, health counts, decide 15 working days from the acknowledgement

def test_gosport_has_no_local_rules_and_counts_reports_to_health():
    assert GOSPORT.threshold.rules == [] and GOSPORT.threshold.expression() is None
    to_health = [incident(f"i{n}", f"2026-10-0{n + 1}", report("health", f"2026-10-0{n + 2}")) for n in range(3)]
    assert verdict(GOSPORT, *to_health).threshold_met
    assert not verdict(GOSPORT, *to_health[:2]).threshold_met
    assert "There are no local rules" in threshold_words(GOSPORT)


def test_gosport_decides_only_once_acknowledged():
    # Received Thursday 24 Dec 2026: 10 working days skip Christmas, the substitute Boxing Day and New Year.
    acknowledge_by, decide_by = first_dates(GOSPORT, date(2026, 12, 24))
    assert (acknowledge_by, decide_by) == (date(2027, 1, 12), None)
    # Acknowledged Tuesday 29 Dec 2026: 15 working days later is Wednesday 20 Jan 2027.
    calendar = WorkingCalendar.for_policy(GOSPORT)
    assert GOSPORT.timescales.decide.due(date(2026, 12, 29), calendar) == date(2027, 1, 20)
    # The review meeting: 20 working days from accepting on Tue 1 Dec 2026 is Thu 31 Dec.
    assert GOSPORT.timescales.review.due(date(2026, 12, 1), calendar) == date(2026, 12, 31)


def _open_steps(case_id: int) -> dict[str, date]:
    with Case._meta.database.connection_context():
        return {d.step: d.due_on for d in Deadline.select().where(
            (Deadline.case == case_id) & Deadline.closed_at.is_null())}


def test_gosport_decision_falls_due_when_the_request_is_acknowledged(users):
    context.use_policy(GOSPORT)
    casey = users["casey"]
    case_id = intake.create_request(parse_application(application(*incidents_by_victim(3)), GOSPORT), casey).id
    assert _open_steps(case_id) == {"acknowledge": date(2026, 12, 4)}  # Fri 20 Nov + 10 working days
    workflow.acknowledge(case_id, casey)  # today, Wednesday 25 Nov 2026
    # + 15 working days; the acknowledgement itself is owed until its letter is sent
    assert _open_steps(case_id) == {"acknowledge": date(2026, 12, 4), "decide": date(2026, 12, 16)}


# --- East Herts: three separate incidents; decide in 14 working days ----------------------------------

@pytest.mark.parametrize(("count", "passed"), [(2, False), (3, True)])
def test_east_herts_three_separate_incidents(count, passed):
    rule = verdict(EAST_HERTS, *incidents_by_victim(count)).rule("three_incidents")
    assert rule.passed is passed


def test_east_herts_one_incident_told_to_two_agencies_is_one():
    told_twice = incident("i1", "2026-10-01", report("police", "2026-10-02"), report("council", "2026-10-03"))
    result = verdict(EAST_HERTS, told_twice, *incidents_by_victim(1, first_day=10))
    assert not result.rule("three_incidents").passed and not result.threshold_met


def test_east_herts_dates():
    # Received Thu 24 Dec 2026: acknowledge in 3 working days (29, 30, 31 Dec); decide in 14 working days,
    # skipping New Year's Day: Mon 18 Jan 2027.
    assert first_dates(EAST_HERTS, date(2026, 12, 24)) == (date(2026, 12, 31), date(2027, 1, 18))
    assert first_dates(EAST_HERTS, date(2026, 11, 20)) == (date(2026, 11, 25), date(2026, 12, 10))
    calendar = WorkingCalendar.for_policy(EAST_HERTS)
    assert EAST_HERTS.timescales.review.due(date(2026, 12, 1), calendar) == date(2026, 12, 22)  # 21 days
    assert EAST_HERTS.timescales.appeal_decision.due(date(2026, 12, 1), calendar) == date(2026, 12, 22)  # 15 working


# --- Richmond: three complaints and dissatisfied, or five people --------------------------------------

def _one_incident_reported_by(*people: str) -> dict:
    return incident("i1", "2026-10-01", *(report("police", "2026-10-02", by=person) for person in people))


def test_richmond_three_complaints_need_the_applicant_dissatisfied():
    # Local rules alone cannot be tried with three complaints (the statute meets them first), so
    # each rule's own verdict is read.
    satisfied = verdict(RICHMOND, *incidents_by_victim(3), dissatisfied=False)
    assert satisfied.rule("three_complaints").passed and not satisfied.rule("dissatisfied").passed
    assert satisfied.met_by == "statutory"


@pytest.mark.parametrize(("people", "passed"), [(4, False), (5, True)])
def test_richmond_five_people(people, passed):
    names = ["applicant", "Bo Rai", "Cy Oyelaran", "Di Novak", "Ed Shaw"][:people]
    assert verdict(RICHMOND, _one_incident_reported_by(*names)).rule("five_people").passed is passed


def test_richmond_dates():
    # Acknowledge in 2 working days; decide in 21 working days; the review 35 working days from receipt.
    assert first_dates(RICHMOND, date(2026, 12, 24)) == (date(2026, 12, 30), date(2027, 1, 27))
    calendar = WorkingCalendar.for_policy(RICHMOND)
    assert RICHMOND.timescales.review.due(date(2026, 11, 20), calendar) == date(2027, 1, 13)
    assert RICHMOND.timescales.agency_update.due(date(2026, 11, 25), calendar) == date(2026, 12, 15)


# --- Cleveland: five reports by more than one person --------------------------------------------------

def _reports_about_one_incident(*counts: int) -> dict:
    """One incident, the nth person telling `counts[n]` agencies (one complaint each)."""
    people = ["applicant", "Bo Rai", "Cy Oyelaran"]
    agencies = ["police", "council", "housing_provider"]
    reports = [report(agencies[i], f"2026-10-0{2 + i}", by=people[n]) for n, count in enumerate(counts)
               for i in range(count)]
    return incident("i1", "2026-10-01", *reports)


@pytest.mark.parametrize(("counts", "met"), [
    ((3, 2), True),    # five reports by two people: two complaints, met by the local rule
    ((2, 2), False),   # four reports
    ((3,), False),     # three reports by one person
])
def test_cleveland_five_reports_by_more_than_one_person(counts, met):
    result = verdict(CLEVELAND, _reports_about_one_incident(*counts), dissatisfied=False)
    assert result.rule("five_reports").passed is met
    assert not result.statutory.passed
    assert (result.threshold_met, result.met_by) == (met, "local" if met else None)


def test_cleveland_five_reports_by_one_person_are_not_enough():
    second = incident("i2", "2026-10-10", report("police", "2026-10-11"), report("council", "2026-10-12"))
    result = verdict(CLEVELAND, _reports_about_one_incident(3), second)  # 3 + 2 reports, all the victim's
    assert not result.rule("five_reports").passed and not result.threshold_met


def test_cleveland_dates():
    # Acknowledge in 2 working days; decide in 15; appeal within 10 working days of the outcome letter.
    assert first_dates(CLEVELAND, date(2026, 11, 20)) == (date(2026, 11, 24), date(2026, 12, 11))
    calendar = WorkingCalendar.for_policy(CLEVELAND)
    assert CLEVELAND.timescales.appeal_window.due(date(2026, 12, 18), calendar) == date(2027, 1, 6)
    assert CLEVELAND.timescales.review.due(date(2026, 12, 1), calendar) == date(2026, 12, 17)


# --- Birmingham: a report in the last month; or one hate crime reported as such ------------------------

def test_birmingham_three_incidents_need_a_report_in_the_last_month():
    old = [incident(f"i{n}", f"2026-0{6 + n}-01", report("police", f"2026-0{6 + n}-02")) for n in range(3)]
    stale = verdict(BIRMINGHAM, *old, received="2026-09-03T10:00:00")  # last report 2 Aug: a day over a month
    assert stale.rule("three_incidents").passed and not stale.rule("recent_report").passed
    assert stale.met_by == "statutory"  # three complaints: the Act meets what the local rule does not
    recent = verdict(BIRMINGHAM, *old, received="2026-09-02T10:00:00")  # 2 Aug + 1 month: inclusive
    assert recent.rule("recent_report").passed


@pytest.mark.parametrize(("as_hate", "met"), [(True, True), (False, False)])
def test_birmingham_one_hate_crime_counts_only_if_reported_as_hate_at_the_time(as_hate, met):
    hate = incident("i1", "2026-10-01", {**report("police", "2026-10-02"), "as_hate": as_hate}, hate=True)
    result = verdict(BIRMINGHAM, hate, dissatisfied=False)
    assert result.rule("hate_crime").passed is met
    assert (result.threshold_met, result.met_by) == (met, "local" if met else None)


def test_birmingham_reports_to_health_do_not_count():
    to_health = [incident(f"i{n}", f"2026-10-0{n + 1}", report("health", f"2026-10-0{n + 2}")) for n in range(3)]
    result = verdict(BIRMINGHAM, *to_health)
    assert not result.threshold_met and len(result.excluded) == 3


def test_birmingham_dates():
    # Acknowledge (the initial reporting form) in 10 working days; appeal within 20 working days.
    assert first_dates(BIRMINGHAM, date(2026, 12, 24)) == (date(2027, 1, 12), date(2027, 1, 7))
    calendar = WorkingCalendar.for_policy(BIRMINGHAM)
    assert BIRMINGHAM.timescales.appeal_window.due(date(2026, 12, 18), calendar) == date(2027, 1, 20)
