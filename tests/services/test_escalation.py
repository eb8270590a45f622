"""Escalation beyond the partnership after a final appeal decision, where the policy names somewhere
(DOMAIN: "whose referral and answer are recorded with their dates") — on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from caseworker_tui.errors import InvalidInput, TransitionNotAllowed
from caseworker_tui.models import Escalation, db
from caseworker_tui.services import cases, clock, context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.policy import Escalation as EscalationPolicy
from tests.factories import application, incident

PCC = EscalationPolicy(name="the Office of the Police and Crime Commissioner",
                       how="Send the case papers to the OPCC's casework team.")


@pytest.fixture
def with_pcc():
    before = context.policy()
    context.use_policy(before.model_copy(update={"escalation": PCC}))
    yield
    context.use_policy(before)


def _final(users, *, upheld: bool = False) -> int:
    casey, sam = users["casey"], users["sam"]
    case_id = intake.create_request(parse_application(application(incident("i1")), context.policy()), casey).id
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False)
    workflow.record_appeal(case_id, casey, lodged_on=clock.today(), grounds="A report was missed.")
    workflow.decide_appeal(case_id, sam, upheld=upheld, independent_chair="Pat Fielding", reason="Correctly decided.")
    return case_id


def _actions(case_id: int, actor) -> list[str]:
    return cases.open_case(case_id, actor).actions


def test_a_final_appeal_decision_can_be_referred_once_and_its_answer_recorded(users, with_pcc):
    casey = users["casey"]
    case_id = _final(users)
    assert "refer_escalation" in _actions(case_id, casey)
    assert "record_escalation_answer" not in _actions(case_id, casey)
    workflow.refer_escalation(case_id, casey, referred_on=clock.today(), note="Papers sent by e-mail.")
    assert "refer_escalation" not in _actions(case_id, casey)
    assert "record_escalation_answer" in _actions(case_id, casey)
    with pytest.raises(TransitionNotAllowed, match="already been referred"):
        workflow.refer_escalation(case_id, casey, referred_on=clock.today())
    workflow.record_escalation_answer(case_id, casey, answered_on=clock.today(), answer="The OPCC agrees.")
    assert "record_escalation_answer" not in _actions(case_id, casey)
    with db.connection_context():
        row = Escalation.get(Escalation.case == case_id)
    assert (row.body, row.referred_on, row.answered_on, row.answer) == (
        PCC.name, clock.today(), clock.today(), "The OPCC agrees.")
    timeline = [e.text for e in cases.open_case(case_id, casey).timeline]
    assert any(t.startswith(f"Referred to {PCC.name} on 25 Nov 2026 (by casey)") for t in timeline)
    assert any(t.startswith(f"Answer from {PCC.name} on 25 Nov 2026 (by casey): The OPCC agrees.") for t in timeline)


def test_escalation_needs_a_policy_that_names_it_and_a_final_appeal(users, with_pcc):
    casey = users["casey"]
    upheld = _final(users, upheld=True)  # back for a fresh decision: nothing is final yet
    with pytest.raises(TransitionNotAllowed):
        workflow.refer_escalation(upheld, casey, referred_on=clock.today())
    case_id = _final(users)
    with pytest.raises(InvalidInput, match="referred on: the referral follows the appeal decision"):
        workflow.refer_escalation(case_id, casey, referred_on=date(2026, 11, 20))
    with pytest.raises(InvalidInput, match="referred on: cannot be in the future"):
        workflow.refer_escalation(case_id, casey, referred_on=date(2026, 12, 25))
    with pytest.raises(TransitionNotAllowed, match="no referral waiting"):
        workflow.record_escalation_answer(case_id, casey, answered_on=clock.today(), answer="Agreed.")
    with db.connection_context():
        assert not Escalation.select().exists()  # nothing saved by any refusal


def test_without_an_escalation_in_the_policy_nothing_is_offered(users):
    casey = users["casey"]
    case_id = _final(users)
    assert "refer_escalation" not in _actions(case_id, casey)
    with pytest.raises(TransitionNotAllowed, match="names nowhere to escalate"):
        workflow.refer_escalation(case_id, casey, referred_on=clock.today())
