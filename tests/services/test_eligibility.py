"""The threshold, read from DOMAIN.md: which reports qualify, at every boundary; complaints and the
statutory rule (s.104(4)), first and never switched off; then each kind of local rule."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseworker_tui.services.application import parse_application
from caseworker_tui.services.calendar import add_months
from caseworker_tui.services.eligibility import Verdict, evaluate
from caseworker_tui.services.policy import Policy, Threshold, load_policy
from caseworker_tui.services.threshold_periods import earliest_start, period_end
from tests.factories import application, incident, report

DEFAULT = load_policy()
DATA = Path(__file__).parents[1] / "data"


def _with_threshold(**changes) -> Policy:
    """The default policy with `[threshold]` keys changed, validated as a policy file would be."""
    threshold = Threshold.model_validate({**DEFAULT.threshold.model_dump(), **changes})
    return DEFAULT.model_copy(update={"threshold": threshold})


def _local(rule: str, *rules: dict, **changes) -> Policy:
    """The default policy with its local rules replaced."""
    return _with_threshold(rule=rule, rules=list(rules), **changes)


def _made(how: str, agency: str = "police", on: str = "2026-10-02", by: str = "applicant",
          **extra) -> dict:
    """A report with the import format's optional fields: method, officer, as_hate."""
    return {**report(agency, on, by), "method": how, **extra}


STATUTE = _with_threshold(period_convention="statute")


def verdict_for(data: dict, policy: Policy = DEFAULT) -> Verdict:
    return evaluate(parse_application(data, policy), policy)


def one_report(occurred: str, reported: str, received: str, policy: Policy = DEFAULT) -> Verdict:
    """A request about one incident, reported once by the applicant to the police."""
    data = application(incident("i1", occurred, report("police", reported)), received=f"{received}T10:00:00")
    return verdict_for(data, policy)


def qualifies(verdict: Verdict) -> bool:
    return not verdict.excluded


# --- the report window: within 1 month of the incident -----------------------------------------

@pytest.mark.parametrize(("occurred", "reported", "received", "expected"), [
    ("2026-10-01", "2026-11-01", "2026-11-20", True),    # exactly one month after
    ("2026-10-01", "2026-11-02", "2026-11-20", False),   # one day later
    ("2026-10-01", "2026-10-01", "2026-11-20", True),    # the same day
    ("2026-01-31", "2026-02-28", "2026-03-15", True),    # 31 Jan + 1 month = 28 Feb
    ("2026-01-31", "2026-03-01", "2026-03-15", False),
    ("2028-01-31", "2028-02-29", "2028-03-15", True),    # leap year: 29 Feb
    ("2028-01-31", "2028-03-01", "2028-03-15", False),
])
def test_report_window_inclusive(occurred, reported, received, expected):
    assert qualifies(one_report(occurred, reported, received)) is expected


@pytest.mark.parametrize(("occurred", "reported", "received", "expected"), [
    ("2026-10-01", "2026-10-31", "2026-11-20", True),    # statute: one day shorter
    ("2026-10-01", "2026-11-01", "2026-11-20", False),
    ("2026-01-31", "2026-02-28", "2026-03-15", True),    # no 31 Feb: the period ends on 28 Feb
    ("2026-01-31", "2026-03-01", "2026-03-15", False),
    ("2028-01-31", "2028-02-29", "2028-03-15", True),    # leap year: on 29 Feb
    ("2028-01-31", "2028-03-01", "2028-03-15", False),
    ("2026-01-28", "2026-02-27", "2026-03-15", True),    # 28 Feb exists: the day before it
    ("2026-01-28", "2026-02-28", "2026-03-15", False),
    ("2026-03-31", "2026-04-30", "2026-05-15", True),    # no 31 Apr: 30 Apr
    ("2026-03-31", "2026-05-01", "2026-05-15", False),
])
def test_report_window_statute(occurred, reported, received, expected):
    assert qualifies(one_report(occurred, reported, received, STATUTE)) is expected


def test_a_late_report_says_why_and_by_when():
    verdict = one_report("2026-10-01", "2026-11-02", "2026-11-20")
    (excluded,) = verdict.excluded
    assert (excluded.incident, excluded.report, excluded.agency) == ("i1", 1, "police")
    assert "1 month" in excluded.reason
    assert "2026-11-01" in excluded.reason  # the last day it could have been made


# --- the look-back: within the 6 months before the request ----------------------------------------

@pytest.mark.parametrize(("occurred", "reported", "received", "expected"), [
    ("2026-11-19", "2026-11-20", "2026-11-20", True),    # on the day of the request
    ("2026-05-19", "2026-05-20", "2026-11-20", True),    # exactly R - 6 months
    ("2026-05-18", "2026-05-19", "2026-11-20", False),   # the day before
    ("2026-02-27", "2026-02-28", "2026-08-31", True),    # 31 Aug - 6 months = 28 Feb
    ("2026-02-20", "2026-02-27", "2026-08-31", False),
    ("2028-02-28", "2028-02-29", "2028-08-31", True),    # leap year: 29 Feb
    ("2028-02-20", "2028-02-28", "2028-08-31", False),
])
def test_lookback_inclusive(occurred, reported, received, expected):
    assert qualifies(one_report(occurred, reported, received)) is expected


@pytest.mark.parametrize(("occurred", "reported", "received", "expected"), [
    ("2026-05-20", "2026-05-21", "2026-11-20", True),    # statute: one day shorter
    ("2026-05-19", "2026-05-20", "2026-11-20", False),
    ("2026-02-27", "2026-03-01", "2026-08-31", True),
    ("2026-02-27", "2026-02-28", "2026-08-31", False),
    ("2025-10-30", "2025-10-31", "2026-04-30", True),    # 30 Apr - 6 months + 1 day = 31 Oct
    ("2025-10-29", "2025-10-30", "2026-04-30", False),
    ("2025-08-28", "2025-08-29", "2026-02-28", True),    # six months from 29 Aug end on 28 Feb
    ("2025-08-27", "2025-08-28", "2026-02-28", False),   # from 28 Aug they end on 27 Feb
])
def test_lookback_statute(occurred, reported, received, expected):
    assert qualifies(one_report(occurred, reported, received, STATUTE)) is expected


@pytest.mark.parametrize("policy", [DEFAULT, STATUTE], ids=["inclusive", "statute"])
@pytest.mark.parametrize("received", ["2026-11-20", "2026-08-31", "2026-04-30", "2028-08-31", "2027-03-31"])
def test_the_stated_earliest_day_is_the_boundary_applied(policy, received):
    """The look-back the verdict states is the one it applies: that day counts, the day before not."""
    earliest = one_report("2026-01-01", "2026-01-01", received, policy).lookback_from
    day_before = date.fromordinal(earliest.toordinal() - 1)
    assert qualifies(one_report(earliest.isoformat(), earliest.isoformat(), received, policy))
    late = one_report(day_before.isoformat(), day_before.isoformat(), received, policy)
    assert not qualifies(late)
    assert earliest.isoformat() in late.excluded[0].reason


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(1, 12))
def test_under_the_statute_the_stated_first_day_is_the_first_that_reaches_the_request(received, n):
    first = earliest_start(received, n, "statute")
    assert period_end(first, n, "statute") >= received
    assert period_end(first - timedelta(days=1), n, "statute") < received
    assert earliest_start(received, n, "inclusive") == add_months(received, -n)


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(1, 12))
def test_a_statute_period_ends_the_day_before_the_corresponding_date_or_on_the_months_last_day(
        start, n):
    end, moved = period_end(start, n, "statute"), add_months(start, n)
    if moved.day == start.day:
        assert end == moved - timedelta(days=1)
    else:  # no corresponding date: the month's last day
        assert end == moved and (end + timedelta(days=1)).day == 1


@pytest.mark.parametrize(("policy", "words"), [
    (DEFAULT, "not within 1 month of the incident on 2026-10-01 (latest 2026-11-01)"),
    (STATUTE, "not within the period of 1 month beginning with the incident on 2026-10-01 (latest 2026-10-31)"),
], ids=["inclusive", "statute"])
def test_a_late_report_says_why_in_the_words_of_its_convention(policy, words):
    (excluded,) = one_report("2026-10-01", "2026-11-02", "2026-11-20", policy).excluded
    assert excluded.reason == f"reported on 2026-11-02, {words}"


def test_an_old_report_says_why():
    (excluded,) = one_report("2026-05-18", "2026-05-19", "2026-11-20").excluded
    assert "6 months" in excluded.reason
    assert "2026-05-20" in excluded.reason


@pytest.mark.parametrize(("policy", "convention"), [(DEFAULT, "inclusive"), (STATUTE, "statute")])
def test_the_verdict_records_the_policy_it_used(policy, convention):
    renamed = policy.model_copy(update={"name": "Test Partnership", "version": "9.9"})
    stamp = one_report("2026-10-01", "2026-10-02", "2026-11-20", renamed).policy
    assert (stamp.name, stamp.version, stamp.period_convention) == ("Test Partnership", "9.9", convention)


# --- relevant agencies ------------------------------------------------------------------------------

def test_a_report_to_an_irrelevant_agency_is_excluded_with_its_reason():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02")),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
        incident("i3", "2026-11-01", report("health", "2026-11-03")),
    )
    verdict = verdict_for(data)
    assert not verdict.rule("three_incidents").passed
    (excluded,) = verdict.excluded
    assert (excluded.incident, excluded.agency) == ("i3", "health")
    assert "not a relevant agency" in excluded.reason


def test_relevant_agencies_are_policy():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02")),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
        incident("i3", "2026-11-01", report("health", "2026-11-03")),
    )
    assert not verdict_for(data).threshold_met
    widened = _with_threshold(relevant_agencies=["council", "police", "housing_provider", "health"])
    verdict = verdict_for(data, widened)
    assert verdict.threshold_met and not verdict.excluded
    assert "i3" in verdict.rule("statutory").incidents


# --- excluded methods -------------------------------------------------------------------------------

def test_no_method_is_excluded_by_default():
    verdict = verdict_for(application(incident("i1", "2026-10-01", _made("diary_sheet"))))
    assert not verdict.excluded


def test_a_report_made_by_an_excluded_method_does_not_count_and_says_why():
    policy = _with_threshold(excluded_methods=["diary_sheet"])
    data = application(incident("i1", "2026-10-01", _made("diary_sheet"), _made("phone"),
                                report("police", "2026-10-03")))
    verdict = verdict_for(data, policy)
    (excluded,) = verdict.excluded
    assert (excluded.incident, excluded.report, excluded.method) == ("i1", 1, "diary_sheet")
    assert excluded.reason == "made by diary sheet, a method this policy does not count"
    assert [e.report for e in verdict.rule("three_incidents").evidence] == [2, 3]


def test_an_excluded_method_is_given_with_every_other_reason():
    policy = _with_threshold(excluded_methods=["diary_sheet", "online"])
    (excluded,) = verdict_for(application(incident("i1", "2026-09-01", _made("online", "health",
                                                                             "2026-10-20"))),
                              policy).excluded
    assert excluded.reason.count(";") == 2
    assert "not a relevant agency" in excluded.reason and "1 month" in excluded.reason
    assert "made by online" in excluded.reason


def test_every_excluded_report_carries_a_reason():
    data = application(
        incident("i1", "2026-04-01", report("police", "2026-04-02")),                    # too old
        incident("i2", "2026-09-01", report("council", "2026-10-15")),                   # too late
        incident("i3", "2026-10-01", report("health", "2026-10-02")),                    # not relevant
        incident("i4", "2026-09-01", report("health", "2026-10-20", by="Bob Stone")),    # late, not relevant
        incident("i5", "2026-11-01", report("police", "2026-11-02")),                    # counts
    )
    verdict = verdict_for(data)
    assert [(x.incident, x.report) for x in verdict.excluded] == [("i1", 1), ("i2", 1), ("i3", 1), ("i4", 1)]
    assert all(x.reason.strip() for x in verdict.excluded)
    both = verdict.excluded[3].reason
    assert "not a relevant agency" in both and "1 month" in both
    assert [e.incident for e in verdict.rule("three_incidents").evidence] == ["i5"]


# --- rule A: three incidents ---------------------------------------------------------------------

def test_rule_a_three_distinct_incidents():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02")),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
        incident("i3", "2026-11-01", report("housing_provider", "2026-11-03")),
    )
    verdict = verdict_for(data)
    rule = verdict.rule("three_incidents")
    assert rule.passed and verdict.threshold_met
    assert {e.incident for e in rule.evidence} == {"i1", "i2", "i3"}
    assert verdict.would_change == []


def test_rule_a_one_incident_reported_to_two_agencies_is_still_one():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02"), report("council", "2026-10-03")),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
    )
    verdict = verdict_for(data)
    rule = verdict.rule("three_incidents")
    assert not rule.passed and not verdict.threshold_met
    assert len(rule.evidence) == 3  # three reports, two incidents
    assert "2 different" in rule.explanation or "two different" in rule.explanation


def test_rule_a_counts_only_the_applicants_reports():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02", by="Bob Stone")),
        incident("i2", "2026-10-10", report("council", "2026-10-12", by="Bob Stone")),
        incident("i3", "2026-11-01", report("council", "2026-11-03")),
    )
    assert not verdict_for(data).rule("three_incidents").passed


def test_rule_a_the_applicant_may_report_under_their_own_name():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02", by="ann  LEE")),
        incident("i2", "2026-10-10", report("council", "2026-10-12", by="Ann Lee")),
        incident("i3", "2026-11-01", report("council", "2026-11-03", by="Applicant")),
        name="Ann Lee",
    )
    assert verdict_for(data).rule("three_incidents").passed


def test_rule_a_number_is_policy():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02")),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
    )
    assert not verdict_for(data).threshold_met
    two = _local("two_incidents", {"id": "two_incidents", "kind": "incidents_by_victim", "min": 2})
    verdict = verdict_for(data, two)
    assert verdict.threshold_met and verdict.met_by == "local"
    assert verdict.rule("two_incidents").title == "A. Reports about enough different incidents"


@pytest.mark.parametrize(("incidents", "needed", "passed"), [(2, 2, True), (1, 2, False), (4, 4, True),
                                                            (3, 4, False)])
def test_incidents_by_victim_at_its_boundary(incidents, needed, passed):
    data = application(*[incident(f"i{n}", f"2026-10-{n:02d}", report("police", f"2026-10-{n + 1:02d}"))
                         for n in range(1, incidents + 1)])
    policy = _local("enough", {"id": "enough", "kind": "incidents_by_victim", "min": needed})
    rule = verdict_for(data, policy).rule("enough")
    assert rule.passed is passed
    assert rule.incidents == [f"i{n}" for n in range(1, incidents + 1)]


# --- rule B: three people about the same incident ---------------------------------------------------

def _people(*reporters: str, name: str = "Ann Lee") -> dict:
    reports = [report("police", f"2026-10-{n + 2:02d}", by=who) for n, who in enumerate(reporters)]
    return application(incident("i1", "2026-10-01", *reports), name=name)


def test_rule_b_three_people_including_the_applicant():
    verdict = verdict_for(_people("applicant", "John Smith", "Mary Jones"))
    rule = verdict.rule("three_people_same_incident")
    assert rule.passed and verdict.threshold_met
    assert len(rule.evidence) == 3


@pytest.mark.parametrize(("people", "needed", "passed"), [(2, 2, True), (1, 2, False), (4, 4, True),
                                                         (3, 4, False)])
def test_people_same_incident_at_its_boundary(people, needed, passed):
    reporters = ["applicant", "John Smith", "Mary Jones", "Raj Patel"][:people]
    policy = _local("crowd", {"id": "crowd", "kind": "people_same_incident", "min": needed})
    rule = verdict_for(_people(*reporters), policy).rule("crowd")
    assert rule.passed is passed
    assert len(rule.evidence) == people


def test_rule_b_names_differing_in_case_and_spacing_are_one_person():
    rule = verdict_for(_people("applicant", "John  Smith", "john smith", " JOHN SMITH ")).rule(
        "three_people_same_incident")
    assert not rule.passed
    assert len(rule.evidence) == 2


def test_rule_b_the_applicants_own_name_is_the_applicant():
    rule = verdict_for(_people("applicant", "ann lee", "John Smith")).rule("three_people_same_incident")
    assert not rule.passed
    assert len(rule.evidence) == 2


def test_rule_b_names_typed_on_a_mac_and_on_windows_are_one_person():
    composed = unicodedata.normalize("NFC", "José Núñez")
    decomposed = unicodedata.normalize("NFD", "José Núñez")
    assert composed != decomposed
    rule = verdict_for(_people("applicant", composed, decomposed, "JOSÉ  NÚÑEZ")).rule(
        "three_people_same_incident")
    assert not rule.passed
    assert len(rule.evidence) == 2


def test_rule_b_needs_the_same_incident():
    """Three people about three incidents are not three about one; they are three complaints."""
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02", by="John Smith")),
        incident("i2", "2026-10-01", report("police", "2026-10-02", by="Mary Jones")),
        incident("i3", "2026-10-01", report("police", "2026-10-02", by="Raj Patel")),
    )
    verdict = verdict_for(data)
    assert not verdict.rule("three_people_same_incident").passed
    assert verdict.threshold_met and verdict.met_by == "statutory"


def test_rule_b_counts_only_qualifying_reports():
    data = application(incident(
        "i1", "2026-10-01",
        report("police", "2026-10-02"),
        report("police", "2026-10-03", by="John Smith"),
        report("health", "2026-10-04", by="Mary Jones"),  # not a relevant agency
    ))
    assert not verdict_for(data).rule("three_people_same_incident").passed


# --- rule C: hate incident, rule D: dissatisfied ---------------------------------------------------

def test_rule_c_a_hate_incident_reported_by_the_applicant():
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02"), hate=True))
    verdict = verdict_for(data)
    assert verdict.rule("hate_incident").passed
    assert verdict.threshold_met


def test_rule_c_not_when_only_a_neighbour_reported_it():
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02", by="Bob Stone"), hate=True))
    verdict = verdict_for(data)
    assert not verdict.rule("hate_incident").passed
    assert not verdict.threshold_met


def test_rule_c_not_when_the_applicants_report_does_not_qualify():
    data = application(incident("i1", "2026-09-01", report("police", "2026-10-20"), hate=True))
    verdict = verdict_for(data)
    assert not verdict.rule("hate_incident").passed
    assert any("rule C" in hint for hint in verdict.would_change)


def test_rule_c_reported_as_hate_counts_only_a_report_made_as_hate_at_the_time():
    policy = _with_threshold(rules=[
        {**r.model_dump(), "reported_as_hate": True} if r.kind == "hate_incident" else r.model_dump()
        for r in DEFAULT.threshold.rules])
    plain = application(incident("i1", "2026-10-01", report("police", "2026-10-02"), hate=True))
    assert verdict_for(plain).rule("hate_incident").passed
    rule = verdict_for(plain, policy).rule("hate_incident")
    assert not rule.passed and "as a hate incident at the time" in rule.explanation
    as_hate = application(incident("i1", "2026-10-01", report("police", "2026-10-02"),
                                   _made("phone", "council", "2026-10-03", as_hate=True), hate=True))
    rule = verdict_for(as_hate, policy).rule("hate_incident")
    assert rule.passed and [e.report for e in rule.evidence] == [2]


def test_rule_d_without_dissatisfaction_the_local_rules_are_not_met():
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02"), hate=True),
                       dissatisfied=False)
    verdict = verdict_for(data)
    assert verdict.rule("hate_incident").passed
    assert not verdict.rule("dissatisfied").passed
    assert not verdict.threshold_met
    statutory, rule_d = verdict.would_change
    assert "statutory rule" in statutory and statutory.startswith("Two more complaints")
    assert "rule D, and so the threshold" in rule_d


def test_rule_d_alone_is_not_enough():
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02")))
    verdict = verdict_for(data)
    assert verdict.rule("dissatisfied").passed
    assert not verdict.threshold_met


# --- other kinds of local rule ---------------------------------------------------------------------

SEVERAL = {"id": "several", "kind": "reports_by_several_people", "min_reports": 5, "min_people": 2}


def _reports(*reporters: str) -> dict:
    """One report per reporter, each about the same incident, a day apart."""
    return _people(*reporters)


@pytest.mark.parametrize(("reporters", "passed"), [
    (["applicant"] * 4 + ["John Smith"], True),       # five reports by two people
    (["applicant"] * 3 + ["John Smith"], False),      # four
    (["applicant"] * 5, False),                       # five, but by one person
    (["applicant", "ann lee", "Ann  Lee", "John Smith", "john smith"], True),
])
def test_reports_by_several_people_at_its_boundaries(reporters, passed):
    rule = verdict_for(_reports(*reporters), _local("several", SEVERAL)).rule("several")
    assert rule.passed is passed
    assert len(rule.evidence) == len(reporters)


RECENT = {"id": "recent", "kind": "recent_report", "within_months": 1}


@pytest.mark.parametrize(("policy_changes", "reported", "passed"), [
    ({}, "2026-10-20", True),                                   # exactly R - 1 month
    ({}, "2026-10-19", False),
    ({"period_convention": "statute"}, "2026-10-21", True),       # one month beginning 21 Oct
    ({"period_convention": "statute"}, "2026-10-20", False),      # ends on 19 Nov
])
def test_recent_report_at_its_boundary(policy_changes, reported, passed):
    data = application(incident("i1", "2026-10-15", report("police", reported)),
                       received="2026-11-20T10:00:00")
    rule = verdict_for(data, _local("recent", RECENT, **policy_changes)).rule("recent")
    assert rule.passed is passed


def test_recent_report_is_usually_joined_with_and():
    policy = _local("recent and (enough or hate)", RECENT,
                    {"id": "enough", "kind": "incidents_by_victim", "min": 2},
                    {"id": "hate", "kind": "hate_incident"})
    old = [incident("i1", "2026-08-01", report("police", "2026-08-02")),
           incident("i2", "2026-08-10", report("council", "2026-08-12"))]
    assert not verdict_for(application(*old), policy).threshold_met
    verdict = verdict_for(application(*old, incident("i3", "2026-11-01", report("police", "2026-11-02",
                                                                               by="Bob Stone"))), policy)
    assert verdict.threshold_met and verdict.met_by == "statutory"
    verdict = verdict_for(application(old[0], incident("i3", "2026-11-01", report("police", "2026-11-02"))),
                          policy)
    assert verdict.threshold_met and verdict.met_by == "local"
    assert verdict.rule_shown == "A and (B or C)"


def test_not_in_the_rule_is_read_and_evaluated():
    policy = _local("dissatisfied and not hate", {"id": "dissatisfied", "kind": "dissatisfied"},
                    {"id": "hate", "kind": "hate_incident"})
    plain = application(incident("i1", "2026-10-01", report("police", "2026-10-02")))
    hate = application(incident("i1", "2026-10-01", report("police", "2026-10-02"), hate=True))
    assert verdict_for(plain, policy).threshold_met
    assert not verdict_for(hate, policy).threshold_met


def test_a_policy_without_local_rules_is_decided_by_the_statutory_rule_alone():
    policy = _local("")
    assert not verdict_for(_people("applicant", "John Smith"), policy).threshold_met
    verdict = verdict_for(_people("applicant", "John Smith", "Mary Jones"), policy)
    assert verdict.threshold_met and verdict.rules == [] and verdict.rule_shown == ""


# --- complaints and the statutory rule (s.104(4)) -------------------------------------------------

def test_one_person_telling_two_agencies_about_one_incident_is_one_complaint():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02"), report("council", "2026-10-03")),
        incident("i2", "2026-10-10", report("council", "2026-10-12"), report("police", "2026-10-13")),
    )
    statutory = verdict_for(data).rule("statutory")
    assert not statutory.passed
    assert statutory.explanation.startswith("Two complaints about the behaviour qualify")


def test_the_statutory_rule_comes_first_in_the_verdict():
    verdict = verdict_for(_people("applicant", "John Smith"))
    assert [r.id for r in verdict.all_rules] == [
        "statutory", "three_incidents", "three_people_same_incident", "hate_incident", "dissatisfied"]
    assert verdict.statutory is verdict.all_rules[0]


def test_two_complaints_by_the_victim_and_one_by_a_neighbour_meet_it_under_leicesters_policy():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02")),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
        incident("i3", "2026-11-01", report("police", "2026-11-03", by="Bob Stone")),
    )
    verdict = verdict_for(data)
    assert not any(verdict.rule(r).passed for r in ["three_incidents", "three_people_same_incident",
                                                    "hate_incident"])
    assert verdict.threshold_met and verdict.met_by == "statutory"
    statutory = verdict.rule("statutory")
    assert statutory.passed and statutory.incidents == ["i1", "i2", "i3"]
    assert verdict.reason.startswith("Met by the statutory rule (s.104(4)): three complaints")
    assert verdict.would_change == []


def test_three_incidents_by_a_victim_who_is_not_dissatisfied_meet_it():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02")),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
        incident("i3", "2026-11-01", report("housing_provider", "2026-11-03")),
        dissatisfied=False,
    )
    verdict = verdict_for(data)
    assert verdict.rule("three_incidents").passed and not verdict.rule("dissatisfied").passed
    assert verdict.threshold_met and verdict.met_by == "statutory"
    assert "whatever the local rules say" in verdict.reason


@pytest.mark.parametrize(("needed", "met"), [(1, True), (2, True), (3, False)])
def test_the_number_of_complaints_is_policy(needed, met):
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02"),
                                report("council", "2026-10-02", by="Bob Stone")), dissatisfied=False)
    verdict = verdict_for(data, _with_threshold(statutory_complaints=needed))
    assert verdict.threshold_met is met
    assert verdict.statutory_complaints == needed


def test_only_qualifying_reports_are_complaints():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02")),
        incident("i2", "2026-10-10", report("health", "2026-10-12", by="Bob Stone")),
        incident("i3", "2026-04-01", report("police", "2026-04-03", by="Bob Stone")),
    )
    statutory = verdict_for(data).rule("statutory")
    assert not statutory.passed
    assert {(x.incident, x.report) for x in statutory.excluded} == {("i2", 1), ("i3", 1)}


# --- the victim ----------------------------------------------------------------------------------

def _on_behalf(*incidents: dict) -> dict:
    data = application(*incidents, name="Cllr Joe Bloggs")
    data["applicant"].update(type="on_behalf", on_behalf_of="Mary Smith")
    return data


def test_someone_applying_for_the_victim_the_victims_reports_count_as_theirs():
    data = _on_behalf(
        incident("i1", "2026-10-01", report("police", "2026-10-02")),
        incident("i2", "2026-10-10", report("council", "2026-10-12", by="mary smith")),
        incident("i3", "2026-11-01", report("police", "2026-11-03", by="MARY  SMITH")),
    )
    verdict = verdict_for(data)
    rule = verdict.rule("three_incidents")
    assert rule.passed and rule.explanation.startswith("The victim made qualifying reports about 3")
    assert {e.reporter for e in rule.evidence} == {"victim"}


def test_someone_applying_for_the_victim_their_own_reports_are_not_the_victims():
    data = _on_behalf(
        incident("i1", "2026-10-01", report("police", "2026-10-02", by="Cllr Joe Bloggs"), hate=True),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
    )
    verdict = verdict_for(data)
    assert verdict.rule("three_incidents").incidents == ["i2"]
    assert not verdict.rule("hate_incident").passed
    assert "the person you applied for" in verdict.rule("hate_incident").letter_sentence


# --- an application with no incidents --------------------------------------------------------------

def test_a_request_with_no_incidents_is_not_met_and_says_why():
    verdict = verdict_for(application())
    assert not verdict.threshold_met and verdict.met_by is None
    assert verdict.reason == "Not met: the request lists no incidents, so there is nothing to count."
    assert verdict.rule("statutory").explanation.startswith("The request lists no incidents")
    assert all(not r.passed for r in verdict.all_rules if r.id != "dissatisfied")


# --- the explanation --------------------------------------------------------------------------------

def test_every_rule_is_explained_in_order():
    verdict = verdict_for(_people("applicant", "John Smith"))
    assert [r.id for r in verdict.rules] == [
        "three_incidents", "three_people_same_incident", "hate_incident", "dissatisfied"]
    for rule in verdict.all_rules:
        assert rule.explanation.strip() and "\n" not in rule.explanation
        assert rule.explanation[0].isupper()
        assert rule.would_change


def test_the_verdict_says_how_the_threshold_is_met_under_its_policy():
    verdict = verdict_for(_people("applicant", "John Smith"))
    assert verdict.rule_expression == DEFAULT.threshold.rule
    assert verdict.rule_shown == "(A or B or C) and D"
    assert verdict.reason == ("Not met: two complaints about the behaviour, 3 needed by s.104(4); the "
                              "local rules, (A or B or C) and D, are not met.")


def test_would_change_names_the_smallest_step_for_each_rule():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02"), report("police", "2026-10-03", by="Bob Stone")),
    )
    hints = verdict_for(data).would_change
    statutory = next(h for h in hints if "statutory" in h)
    rule_a = next(h for h in hints if "rule A" in h)
    rule_b = next(h for h in hints if "rule B" in h)
    assert statutory.startswith("One more complaint")
    assert rule_a.lower().startswith("two more") and rule_a.endswith("and so the threshold.")
    assert rule_b.lower().startswith("one more") and "i1" in rule_b
    assert any("rule C" in h for h in hints)
    assert not any("rule D" in h for h in hints)


def test_would_change_says_which_rules_are_needed_together():
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02")), dissatisfied=False)
    hints = verdict_for(data).would_change
    rule_d = next(h for h in hints if "rule D" in h)
    assert rule_d.endswith("(needed as well as A or B or C).")
    assert next(h for h in hints if "rule A" in h).endswith("(needed as well as D).")


# --- sentences for letters ------------------------------------------------------------------------

_SYSTEM_WORDS = re.compile(r"\bapplicant\b|\bi\d+\b|three_incidents|three_people|hate_incident|"
                           r"dissatisfied\b(?! with)|statutory\b|_")


@pytest.mark.parametrize("data", [
    application(incident("i1", "2026-10-01", report("police", "2026-10-02"),
                         report("council", "2026-10-03", by="Bob Stone")),
                incident("i2", "2026-09-01", report("police", "2026-10-20"), hate=True)),
    application(incident("i1", "2026-10-01", report("police", "2026-10-02")),
                incident("i2", "2026-10-10", report("council", "2026-10-12")),
                incident("i3", "2026-11-01", report("police", "2026-11-03", by="Bob Stone"), hate=True),
                dissatisfied=False),
    application(),
    _on_behalf(incident("i1", "2026-10-01", report("police", "2026-10-02"))),
], ids=["not-met", "met", "no-incidents", "on-behalf"])
def test_letter_sentences_speak_to_the_applicant_never_in_system_terms(data):
    verdict = verdict_for(data)
    for rule in verdict.all_rules:
        sentence = rule.letter_sentence
        assert sentence[0].isupper() and sentence.endswith(".") and "\n" not in sentence
        assert not _SYSTEM_WORDS.search(sentence), sentence
        assert "Bob Stone" not in sentence  # other people's names stay out of the letter
    for excluded in verdict.excluded:
        assert excluded.letter_reason and not _SYSTEM_WORDS.search(excluded.letter_reason)


def test_letter_sentences_name_incidents_by_their_dates():
    verdict = verdict_for(application(incident("i1", "2026-10-01", report("police", "2026-10-02")),
                                      incident("i2", "2026-10-10", report("council", "2026-10-12"))))
    assert verdict.rule("three_incidents").letter_sentence == (
        "You reported two different incidents in a way that counts (on 1 October 2026 and 10 October "
        "2026); three are needed.")


# --- verdicts stored by the first release ----------------------------------------------------------

@pytest.mark.parametrize("name", ["verdict-first-release-met.json", "verdict-first-release-not-met.json"])
def test_a_verdict_stored_by_the_first_release_still_reads(name):
    verdict = Verdict.model_validate_json((DATA / name).read_text(encoding="utf-8"))
    assert verdict.statutory is None and verdict.reason == ""
    assert [r.id for r in verdict.all_rules] == [
        "three_incidents", "three_people_same_incident", "hate_incident", "dissatisfied"]
    assert verdict.rule("three_incidents").letter_sentence == ""
    from caseworker_tui.widgets.verdict import verdict_text

    shown = verdict_text(verdict).plain
    assert "met when (A or B or C) and D" in shown and "A. Reports about enough different incidents" in shown


def test_a_new_verdict_shows_the_statutory_line_first():
    from caseworker_tui.widgets.verdict import verdict_text

    shown = verdict_text(verdict_for(_people("applicant", "John Smith", "Mary Jones"))).plain
    lines = shown.splitlines()
    assert lines[0] == ("✓ THRESHOLD MET   — met by 3 complaints (s.104(4)), or when "
                        "(A or B or C) and D")
    assert lines[1].startswith("Met by the statutory rule (s.104(4))")
    assert shown.index("Statutory rule (s.104(4))") < shown.index("A. Reports about")
