"""The lifecycle's transitions, guards, role checks, deadlines and audit trail, on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from caseworker_tui.errors import (
    InvalidInput,
    PermissionDenied,
    StaleCase,
    TransitionNotAllowed,
)
from caseworker_tui.models import AuditEvent, Case, Deadline
from caseworker_tui.services import clock, context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.workflow import RecommendationIn
from tests.factories import application, incident, meets_rule_a, victim_heard


def _new(actor, data=None) -> int:
    return intake.create_request(parse_application(data or meets_rule_a(), context.policy()), actor).id


def _open_steps(case_id: int) -> dict[str, date]:
    with Case._meta.database.connection_context():
        return {d.step: d.due_on for d in Deadline.select().where(
            (Deadline.case == case_id) & Deadline.closed_at.is_null())}


def _to_awaiting_chair(case_id: int, casey) -> None:
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=True)
    workflow.schedule_review(case_id, casey, meeting_on=date(2026, 11, 25), chair_name="Chris Hall",
                             agencies=["police", "council"], participation="virtual")
    workflow.draft_outcome(case_id, casey, summary="Agencies missed the pattern.",
                           recommendations=[RecommendationIn("police", "Visit weekly", date(2027, 1, 15))])
    victim_heard(case_id, casey)
    workflow.submit_outcome(case_id, casey)


def test_first_deadlines_are_opened_on_receipt(users):
    case_id = _new(users["casey"])
    assert _open_steps(case_id) == {"acknowledge": date(2026, 11, 23), "decide": date(2026, 12, 4)}


def test_whole_lifecycle_records_every_step(users):
    casey, chris = users["casey"], users["chris"]
    case_id = _new(casey)
    _to_awaiting_chair(case_id, casey)
    workflow.return_outcome(case_id, chris, "Name the officer.")
    victim_heard(case_id, casey)
    workflow.submit_outcome(case_id, casey)
    done = workflow.approve_outcome(case_id, chris)
    assert done.stage == "approved"
    assert "recommendation" in _open_steps(case_id)
    workflow.close(case_id, casey, "Outcome sent.")
    with Case._meta.database.connection_context():
        actions = [e.action for e in AuditEvent.select().where(AuditEvent.case == case_id).order_by(AuditEvent.id)]
    assert actions == ["received", "acknowledge", "decide", "schedule_review", "draft_outcome", "consult_victim",
                       "letter_produced", "record_views", "submit_outcome", "return_outcome", "consult_victim",
                       "letter_produced", "record_views", "submit_outcome", "approve_outcome", "close"]


def test_nothing_is_decided_before_it_is_acknowledged(users):
    case_id = _new(users["casey"])
    with pytest.raises(TransitionNotAllowed, match="needs it to be acknowledged"):
        workflow.decide(case_id, users["casey"], accept=True)


def test_nothing_is_approved_before_it_is_drafted(users):
    case_id = _new(users["casey"])
    workflow.acknowledge(case_id, users["casey"])
    workflow.decide(case_id, users["casey"], accept=True)
    with pytest.raises(TransitionNotAllowed):
        workflow.approve_outcome(case_id, users["chris"])


def test_only_the_chair_approves(users):
    case_id = _new(users["casey"])
    _to_awaiting_chair(case_id, users["casey"])
    for who in ("casey", "sam", "ada"):
        with pytest.raises(PermissionDenied):
            workflow.approve_outcome(case_id, users[who])
    assert workflow.approve_outcome(case_id, users["chris"]).stage == "approved"


def test_deciding_against_the_verdict_needs_a_reason(users):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)
    with pytest.raises(InvalidInput, match="reason"):
        workflow.decide(case_id, casey, accept=False)
    done = workflow.decide(case_id, casey, accept=False, reason="Reports concern a different household.")
    assert done.stage == "declined"


def test_a_decline_ground_needs_a_reason_even_when_met(users):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)
    with pytest.raises(InvalidInput, match="vexatious needs a reason"):
        workflow.decide(case_id, casey, accept=False, ground="vexatious")
    with pytest.raises(InvalidInput, match="ground"):
        workflow.decide(case_id, casey, accept=False, ground="boring", reason="x")


def test_a_stale_version_is_refused_and_nothing_is_written(users):
    casey, sam = users["casey"], users["sam"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, sam, expected_version=1)
    with pytest.raises(StaleCase) as caught:
        workflow.triage(case_id, casey, {"children": True}, expected_version=1)
    assert caught.value.changed_by == "sam"
    with Case._meta.database.connection_context():
        assert Case.get_by_id(case_id).risk_score is None


def test_extension_moves_the_review_deadline_and_asks_for_a_letter(users):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=True)
    assert _open_steps(case_id)["review"] == date(2026, 12, 23)
    with pytest.raises(InvalidInput, match="after the current due date"):
        workflow.extend_review(case_id, casey, new_date=date(2026, 12, 1), reason="x")
    workflow.extend_review(case_id, casey, new_date=date(2027, 1, 20), reason="Police records awaited.")
    steps = _open_steps(case_id)
    assert steps["review"] == date(2027, 1, 20)
    assert steps["notify_extension"] == date(2026, 11, 26)


def test_triage_marks_high_risk_at_the_policy_line(users):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.triage(case_id, casey, {"children": True})
    with Case._meta.database.connection_context():
        assert Case.get_by_id(case_id).high_risk is False
    workflow.triage(case_id, casey, {"hate_motivation": True, "disability": True})
    with Case._meta.database.connection_context():
        case = Case.get_by_id(case_id)
    assert (case.risk_score, case.high_risk) == (5, True)


def test_appeal_within_the_window_upheld_goes_back_for_a_fresh_decision(users):
    casey, sam = users["casey"], users["sam"]
    case_id = _new(casey, application(incident("i1")))
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False)
    clock.set_today(date(2026, 12, 20))
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 12, 18), grounds="Two more reports were missed.")
    done = workflow.decide_appeal(case_id, sam, upheld=True, independent_chair="Dr R. Khan",
                                  reason="The missed reports count.")
    assert done.stage == "acknowledged"
    assert "decide" in _open_steps(case_id)


def test_appeal_after_the_window_is_refused(users):
    casey = users["casey"]
    case_id = _new(casey, application(incident("i1")))
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False)
    clock.set_today(date(2027, 2, 1))
    with pytest.raises(InvalidInput, match="appeal window closed on 2026-12-23"):
        workflow.record_appeal(case_id, casey, lodged_on=date(2027, 1, 29), grounds="Late")


def test_appeal_not_upheld_is_final(users):
    casey, sam = users["casey"], users["sam"]
    case_id = _new(casey, application(incident("i1")))
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False)
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds="Unfair")
    assert workflow.decide_appeal(case_id, sam, upheld=False, independent_chair="Dr R. Khan",
                                  reason="Correctly decided.").stage == "closed"
    with pytest.raises(TransitionNotAllowed, match="final"):
        workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds="Again")


def test_an_appeal_not_upheld_closes_the_case_like_close_does(users):
    """Closed by the appeal decision, the case keeps no agency update waiting in the overdue view."""
    casey, sam = users["casey"], users["sam"]
    case_id = _new(casey, application(incident("i1")))
    workflow.acknowledge(case_id, casey)
    workflow.request_updates(case_id, casey, ["police"])
    workflow.decide(case_id, casey, accept=False)
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds="Unfair")
    workflow.decide_appeal(case_id, sam, upheld=False, independent_chair="Dr R. Khan", reason="Correctly decided.")
    assert "agency_update" not in _open_steps(case_id)
    with Case._meta.database.connection_context():
        assert Case.get_by_id(case_id).next_due_on is None or Case.get_by_id(case_id).next_due_step != "agency_update"


def test_withdraw_cancels_every_open_step(users):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.withdraw(case_id, casey, "Applicant moved house.")
    assert _open_steps(case_id) == {}
    with pytest.raises(TransitionNotAllowed):
        workflow.withdraw(case_id, casey, "again")


def test_agency_updates_fall_due_in_working_days_and_close_when_answered(users):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.request_updates(case_id, casey, ["police", "council"])
    due = date(2026, 12, 2)  # Wednesday 25 Nov + 5 working days
    with Case._meta.database.connection_context():
        rows = list(Deadline.select().where((Deadline.case == case_id) & (Deadline.step == "agency_update")))
    assert {(r.agency, r.due_on) for r in rows} == {("police", due), ("council", due)}
    workflow.record_update(rows[0].ref_id, casey, "Attended twice.")
    assert sum(1 for s in _open_steps(case_id) if s == "agency_update") == 1


def test_the_timeline_tells_a_day_in_the_order_it_happened_with_who(users):
    """Date-only records of a step (an appeal lodged) follow that day's steps; review steps say who."""
    from caseworker_tui.services.cases import open_case

    casey, sam = users["casey"], users["sam"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=True)
    workflow.schedule_review(case_id, casey, meeting_on=date(2026, 11, 25), chair_name="Chris Hall",
                             agencies=["police"], participation="virtual")
    workflow.extend_review(case_id, casey, new_date=date(2027, 1, 20), reason="Police records awaited.")
    workflow.record_findings(case_id, casey, "Reports were never linked.")
    workflow.withdraw(case_id, sam, "Moved away.")
    texts = [t.text for t in open_case(case_id, casey, record_view=False).timeline]
    extended = texts.index("Review extended to 20 Jan 2027 (by casey): Police records awaited.")
    findings = texts.index("Findings recorded (by casey)")
    accepted = next(i for i, t in enumerate(texts) if t.startswith("Accepted: threshold met"))
    assert accepted < extended < findings < next(i for i, t in enumerate(texts) if "Withdrawn (by sam)" in t)


def test_an_appeal_lodged_today_follows_the_decision_made_today(users):
    from caseworker_tui.services.cases import open_case

    casey = users["casey"]
    case_id = _new(casey, application(incident("i1", "2026-10-01")))
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False)
    workflow.record_appeal(case_id, casey, lodged_on=clock.today(), grounds="The police report was missed.")
    texts = [t.text for t in open_case(case_id, casey, record_view=False).timeline]
    declined = next(i for i, t in enumerate(texts) if t.startswith("Declined: threshold not met"))
    lodged = next(i for i, t in enumerate(texts) if t.startswith("Appeal against the decision lodged"))
    assert declined < lodged
    assert texts[lodged].endswith("(recorded by casey)")


def test_an_upheld_appeal_against_the_outcome_leaves_no_recommendation_owed(users):
    """The outcome is reviewed afresh: the old recommendations' deadlines go, the new approval opens its own."""
    casey, chris, sam = users["casey"], users["chris"], users["sam"]
    case_id = _new(casey)
    _to_awaiting_chair(case_id, casey)
    workflow.approve_outcome(case_id, chris)
    assert "recommendation" in _open_steps(case_id)
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds="The housing provider was left out.")
    workflow.decide_appeal(case_id, sam, upheld=True, independent_chair="Dr R. Khan", reason="It was.")
    assert "recommendation" not in _open_steps(case_id)
    workflow.draft_outcome(case_id, casey, summary="Again, with the housing provider.",
                           recommendations=[RecommendationIn("housing_provider", "Visit", date(2027, 2, 1))])
    victim_heard(case_id, casey)
    workflow.submit_outcome(case_id, casey)
    workflow.approve_outcome(case_id, chris)
    with Case._meta.database.connection_context():
        owed = [d.agency for d in Deadline.select().where((Deadline.case == case_id) & Deadline.closed_at.is_null()
                                                            & (Deadline.step == "recommendation"))]
    assert owed == ["housing_provider"]
