"""Appeals as DOMAIN.md says: lodged on or after what they appeal, decided by someone independent
of it, named from the record, and a fresh decision owed from the appeal decision — on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import Case, Deadline
from caseworker_tui.services import clock, context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.workflow import RecommendationIn
from tests.factories import application, incident, meets_rule_a, victim_heard


def _declined(casey) -> int:
    case_id = intake.create_request(parse_application(application(incident("i1")), context.policy()), casey).id
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False)
    return case_id


def _approved(casey, chris) -> int:
    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey).id
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=True)
    workflow.schedule_review(case_id, casey, meeting_on=date(2026, 11, 25), chair_name="Chris Hall",
                             agencies=["police"], participation="virtual")
    workflow.draft_outcome(case_id, casey, summary="Agencies missed the pattern.",
                           recommendations=[RecommendationIn("police", "Visit weekly", date(2027, 1, 15))])
    victim_heard(case_id, casey)
    workflow.submit_outcome(case_id, casey)
    workflow.approve_outcome(case_id, chris)
    return case_id


def _open(case_id: int, step: str) -> date | None:
    with Case._meta.database.connection_context():
        row = Deadline.get_or_none((Deadline.case == case_id) & (Deadline.step == step)
                                   & Deadline.closed_at.is_null())
        return row.due_on if row else None


def test_an_appeal_dated_before_the_decision_it_appeals_is_refused(users):
    casey = users["casey"]
    case_id = _declined(casey)
    with pytest.raises(InvalidInput, match="lodged on or after it"):
        workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 24), grounds="Unfair")


def test_the_chair_who_approved_the_outcome_cannot_be_named_to_decide_its_appeal(users):
    casey, chris, sam = users["casey"], users["chris"], users["sam"]
    case_id = _approved(casey, chris)
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds="Left out the council.")
    # Recorded by the supervisor, so the signed-in account is not the approving chair: the name is.
    with pytest.raises(InvalidInput, match="approved the outcome appealed"):
        workflow.decide_appeal(case_id, sam, upheld=False, independent_chair="chris hall", reason="Fine.")


def test_whoever_took_the_decision_cannot_decide_the_appeal_against_it(users):
    casey, sam = users["casey"], users["sam"]
    case_id = _declined(casey)
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds="Unfair")
    with pytest.raises(InvalidInput, match="made the decision appealed"):
        workflow.decide_appeal(case_id, sam, upheld=False, independent_chair="Casey Morgan", reason="Fine.")


def test_the_assigned_caseworker_cannot_decide_the_appeal(users):
    casey, jo, sam = users["casey"], users["jo"], users["sam"]
    case_id = _declined(casey)
    workflow.assign(case_id, sam, "jo")
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds="Unfair")
    with pytest.raises(InvalidInput, match="caseworker assigned"):
        workflow.decide_appeal(case_id, sam, upheld=False, independent_chair=jo.display_name, reason="Fine.")


def test_an_independent_chair_is_an_account_or_a_named_person_never_free_text(users):
    casey, sam = users["casey"], users["sam"]
    case_id = _declined(casey)
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds="Unfair")
    with pytest.raises(InvalidInput, match="neither an account nor one of the policy's named people"):
        workflow.decide_appeal(case_id, sam, upheld=False, independent_chair="Someone Else", reason="Fine.")
    # NFD-typed "Dr R. Khan" with odd spacing is the policy's named person.
    done = workflow.decide_appeal(case_id, sam, upheld=False, independent_chair="  dr  r. KHAN ", reason="Fine.")
    assert done.stage == "closed"


def test_a_review_chair_must_be_someone_the_app_holds(users):
    casey = users["casey"]
    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey).id
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=True)
    with pytest.raises(InvalidInput, match="chair: 'Chris Hal' is neither"):
        workflow.schedule_review(case_id, casey, meeting_on=date(2026, 11, 25), chair_name="Chris Hal",
                                 agencies=["police"], participation="virtual")


def test_after_an_upheld_appeal_the_fresh_decision_letter_is_owed_from_the_appeal_decision(users):
    casey, sam = users["casey"], users["sam"]
    case_id = _declined(casey)
    clock.set_today(date(2026, 12, 20))
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 12, 18), grounds="Missed reports.")
    workflow.decide_appeal(case_id, sam, upheld=True, independent_chair="Dr R. Khan", reason="They count.")
    fresh = _open(case_id, "decide")
    assert fresh == date(2027, 1, 3)  # 14 calendar days from the appeal decision, not from receipt
    workflow.decide(case_id, casey, accept=True, reason="Fresh decision after the appeal.")
    assert _open(case_id, "notify_decision") == fresh  # never overdue on the day it is owed
