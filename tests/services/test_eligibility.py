"""The threshold, read from DOMAIN.md: which reports qualify, at every boundary, and rules A–D."""

from __future__ import annotations

from datetime import date

import pytest

from caseworker_tui.services.application import parse_application
from caseworker_tui.services.eligibility import Verdict, evaluate
from caseworker_tui.services.policy import Policy, load_policy
from tests.factories import application, incident, report

DEFAULT = load_policy()


def _with_threshold(**changes) -> Policy:
    return DEFAULT.model_copy(update={"threshold": DEFAULT.threshold.model_copy(update=changes)})


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
    ("2026-01-31", "2026-02-27", "2026-03-15", True),
    ("2026-01-31", "2026-02-28", "2026-03-15", False),
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
    widened = _with_threshold(relevant_agencies=["council", "police", "housing_provider", "health"])
    assert verdict_for(data, widened).threshold_met


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
    assert verdict_for(data, _with_threshold(min_incidents=2)).threshold_met


# --- rule B: three people about the same incident ---------------------------------------------------

def _people(*reporters: str, name: str = "Ann Lee") -> dict:
    reports = [report("police", f"2026-10-{n + 2:02d}", by=who) for n, who in enumerate(reporters)]
    return application(incident("i1", "2026-10-01", *reports), name=name)


def test_rule_b_three_people_including_the_applicant():
    verdict = verdict_for(_people("applicant", "John Smith", "Mary Jones"))
    rule = verdict.rule("three_people_same_incident")
    assert rule.passed and verdict.threshold_met
    assert len(rule.evidence) == 3


def test_rule_b_names_differing_in_case_and_spacing_are_one_person():
    rule = verdict_for(_people("applicant", "John  Smith", "john smith", " JOHN SMITH ")).rule(
        "three_people_same_incident")
    assert not rule.passed
    assert len(rule.evidence) == 2


def test_rule_b_the_applicants_own_name_is_the_applicant():
    rule = verdict_for(_people("applicant", "ann lee", "John Smith")).rule("three_people_same_incident")
    assert not rule.passed
    assert len(rule.evidence) == 2


def test_rule_b_needs_the_same_incident():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02", by="John Smith")),
        incident("i2", "2026-10-01", report("police", "2026-10-02", by="Mary Jones")),
        incident("i3", "2026-10-01", report("police", "2026-10-02", by="Raj Patel")),
    )
    verdict = verdict_for(data)
    assert not verdict.rule("three_people_same_incident").passed
    assert not verdict.threshold_met


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


def test_rule_d_without_dissatisfaction_the_threshold_is_not_met():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02")),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
        incident("i3", "2026-11-01", report("housing_provider", "2026-11-03")),
        dissatisfied=False,
    )
    verdict = verdict_for(data)
    assert verdict.rule("three_incidents").passed
    assert not verdict.rule("dissatisfied").passed
    assert not verdict.threshold_met
    (hint,) = verdict.would_change
    assert "rule D" in hint


def test_rule_d_alone_is_not_enough():
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02")))
    verdict = verdict_for(data)
    assert verdict.rule("dissatisfied").passed
    assert not verdict.threshold_met


# --- the explanation --------------------------------------------------------------------------------

def test_every_rule_is_explained_in_order():
    verdict = verdict_for(_people("applicant", "John Smith"))
    assert [r.id for r in verdict.rules] == [
        "three_incidents", "three_people_same_incident", "hate_incident", "dissatisfied"]
    for rule in verdict.rules:
        assert rule.explanation.strip() and "\n" not in rule.explanation
        assert rule.explanation[0].isupper()


def test_would_change_names_the_smallest_step_for_each_rule():
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02"), report("police", "2026-10-03", by="Bob Stone")),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
    )
    hints = verdict_for(data).would_change
    rule_a = next(h for h in hints if "rule A" in h)
    rule_b = next(h for h in hints if "rule B" in h)
    assert rule_a.lower().startswith("one more")
    assert rule_b.lower().startswith("one more") and "i1" in rule_b
    assert any("rule C" in h for h in hints)
    assert not any("rule D" in h for h in hints)
