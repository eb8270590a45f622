"""The chair's outcomes awaiting approval, as the approvals screen reads them, on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from caseworker_tui.errors import NotFound
from caseworker_tui.services import approvals, clock, workflow
from caseworker_tui.services.workflow import RecommendationIn
from tests.conftest import TODAY
from tests.factories import victim_heard
from tests.services.test_deadlines_view import _count_queries, _new


def _to_awaiting_chair(case_id: int, who, submitted: date, recommendations=None) -> None:
    clock.set_today(submitted)
    workflow.acknowledge(case_id, who)
    workflow.decide(case_id, who, accept=True)
    workflow.schedule_review(case_id, who, meeting_on=submitted, chair_name="Chris Hall",
                             agencies=["police", "council"], participation="virtual")
    workflow.record_findings(case_id, who, "The reports were never linked.")
    workflow.draft_outcome(case_id, who, summary="Agencies missed the pattern.", recommendations=recommendations or [
        RecommendationIn("police", "Visit weekly", date(2027, 1, 15)),
        RecommendationIn("council", "Noise monitoring", date(2027, 2, 1))])
    victim_heard(case_id, who)
    workflow.submit_outcome(case_id, who)


@pytest.fixture
def waiting(users) -> dict[str, int]:
    casey, jo = users["casey"], users["jo"]
    made = {"newer": _new(jo, date(2026, 11, 9), "Nora Newer"), "older": _new(casey, date(2026, 11, 4), "Otto Older")}
    _to_awaiting_chair(made["older"], casey, date(2026, 11, 5))
    _to_awaiting_chair(made["newer"], jo, date(2026, 11, 20))
    made["drafting"] = _new(casey, date(2026, 11, 10), "Dora Drafting")
    clock.set_today(TODAY)
    return made


def test_outcomes_awaiting_approval_oldest_first_with_who_submitted(users, waiting):
    rows = approvals.awaiting_approval(users["chris"])
    assert [r.applicant for r in rows] == ["Otto Older", "Nora Newer"]
    older, newer = rows
    assert (older.submitted_by, older.submitted_at.date(), older.age_days) == ("Casey Morgan", date(2026, 11, 5), 20)
    assert (newer.submitted_by, newer.age_days) == ("Jo Patel", 5)
    assert (older.due_on, older.countdown.words, older.overdue) == (date(2026, 12, 3), "8 days left (6 working days)", False)
    assert newer.due_on == date(2026, 12, 18)
    assert [r.applicant for r in approvals.awaiting_approval(users["chris"], limit=1)] == ["Otto Older"]


def test_an_extended_review_is_due_on_its_new_date(users, waiting):
    workflow.extend_review(waiting["older"], users["casey"], new_date=date(2027, 1, 8), reason="Police records.")
    older = approvals.awaiting_approval(users["chris"])[0]
    assert older.due_on == date(2027, 1, 8)
    detail = approvals.approval_detail(users["chris"], waiting["older"])
    assert (detail.due_on, detail.extension_reason) == (date(2027, 1, 8), "Police records.")


def test_approved_and_returned_outcomes_leave_the_list(users, waiting):
    chris = users["chris"]
    workflow.approve_outcome(waiting["older"], chris)
    workflow.return_outcome(waiting["newer"], chris, "Name the officer.")
    assert approvals.awaiting_approval(chris) == []


def test_the_detail_holds_the_case_the_review_and_the_draft(users, waiting):
    chris = users["chris"]
    workflow.return_outcome(waiting["newer"], chris, "Name the officer.")
    victim_heard(waiting["newer"], users["sam"])
    workflow.submit_outcome(waiting["newer"], users["sam"])
    detail = approvals.approval_detail(chris, waiting["newer"])
    assert (detail.reference, detail.applicant, detail.stage) == ("CT-2026-0001", "Nora Newer", "awaiting_chair")
    assert detail.verdict_summary == "✓ Threshold met (rules passed: s.104(4), A, D)"
    assert detail.decision == "Accepted by Jo Patel on 20 Nov 2026"
    assert detail.incidents[0] == "i1 01 Oct 2026 at 1 Main Street: Loud music all night — reported to Leicestershire Police 02 Oct"
    assert len(detail.incidents) == 3
    assert (detail.meeting_on, detail.chair_name, detail.participation) == (date(2026, 11, 20), "Chris Hall", "virtually")
    assert detail.agencies == ["Leicestershire Police", "Leicester City Council"]
    assert detail.findings == "The reports were never linked."
    assert detail.summary == "Agencies missed the pattern."
    assert [(r.position, r.agency_label, r.action, r.due_on) for r in detail.recommendations] == [
        (1, "Leicestershire Police", "Visit weekly", date(2027, 1, 15)),
        (2, "Leicester City Council", "Noise monitoring", date(2027, 2, 1))]
    assert [(c.by, c.comments) for c in detail.returns] == [("Chris Hall", "Name the officer.")]
    assert detail.submitted_by == "Sam Okafor"  # the latest submission
    # The version the chair read is the one an approval must match.
    assert workflow.approve_outcome(waiting["newer"], chris, expected_version=detail.version).stage == "approved"


def test_the_detail_of_a_case_without_a_review_is_not_found(users, waiting):
    with pytest.raises(NotFound, match="no review"):
        approvals.approval_detail(users["chris"], waiting["drafting"])
    with pytest.raises(NotFound):
        approvals.approval_detail(users["chris"], 999_999)


def test_no_query_per_row(users, waiting, monkeypatch):
    """The same number of statements for two outcomes as for three: read together, never one by one."""
    chris = users["chris"]
    seen = _count_queries(monkeypatch)
    approvals.awaiting_approval(chris)
    few = len(seen)
    monkeypatch.undo()
    _to_awaiting_chair(_new(users["casey"], date(2026, 11, 4), "Extra Chair"), users["casey"], TODAY)
    seen = _count_queries(monkeypatch)
    assert len(approvals.awaiting_approval(chris)) == 3
    assert len(seen) == few
