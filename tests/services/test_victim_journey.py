"""The victim's journey: their single point of contact in every letter, their involvement in the
review, their say on the draft action plan before the chair approves, and the letters that end a
case — each step through the service, on both databases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from caseworker_tui.errors import InvalidInput, TransitionNotAllowed
from caseworker_tui.models import AuditEvent, Case
from caseworker_tui.services import approvals, clock, context, intake, letters, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.cases import open_case
from caseworker_tui.services.workflow import RecommendationIn
from tests.conftest import TODAY
from tests.factories import meets_rule_a


def _new(actor) -> int:
    return intake.create_request(parse_application(meets_rule_a(), context.policy()), actor).id


def _text(path: str) -> str:
    from caseworker_tui.services.letters.rendering import document_text

    return document_text(Path(path).read_bytes())  # the letter's words, page one's head and all


def _scheduled(casey, **how) -> int:
    case_id = _new(casey)
    workflow.assign(case_id, casey, "casey")
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=True)
    workflow.schedule_review(case_id, casey, meeting_on=TODAY, chair_name="Chris Hall", agencies=["police"],
                             **({"participation": "in_person"} | how))
    return case_id


def _drafted(casey) -> int:
    case_id = _scheduled(casey)
    workflow.record_findings(case_id, casey, "Reports were not linked.")
    workflow.draft_outcome(case_id, casey, summary="The agencies missed the pattern.", recommendations=[
        RecommendationIn("police", "Visit in the evenings.", date(2027, 1, 15)),
        RecommendationIn("council", "Open a joint case.", date(2027, 2, 1))])
    return case_id


def _latest(case_id: int, kind: str):
    return [x for x in letters.list_letters(case_id) if x.kind == kind][-1]


# --- the single point of contact --------------------------------------------------------------

def test_the_caseworker_is_the_contact_until_another_is_named_and_the_change_is_on_the_timeline(users, tmp_path):
    casey = users["casey"]
    case_id = _new(casey)
    assert open_case(case_id, casey).spoc is None
    workflow.assign(case_id, casey, "casey")
    assert open_case(case_id, casey).spoc_name == "Casey Morgan"
    workflow.change_spoc(case_id, casey, "jo")
    case = open_case(case_id, casey)
    assert (case.spoc, case.spoc_name, case.assignee) == ("jo", "Jo Patel", "casey")
    assert any(e.text == "Single point of contact is now Jo Patel (by casey)" for e in case.timeline)
    with Case._meta.database.connection_context():
        event = AuditEvent.select().where(AuditEvent.action == "change_spoc").get()
    assert '"from_user": "casey"' in event.details_json and '"to_user": "jo"' in event.details_json
    text = _text(letters.produce(case_id, "acknowledgement", casey, tmp_path).path)
    assert "Your single point of contact for this request is Jo Patel, Community Trigger caseworker" in text
    assert "You can reach them on 0116 454 1000 or at community.trigger@example.leicester.gov.uk" in text


def test_only_an_active_member_of_staff_can_be_the_contact(users):
    casey = users["casey"]
    case_id = _new(casey)
    for who in ("chris", "nobody", ""):
        with pytest.raises(InvalidInput) as refused:
            workflow.change_spoc(case_id, casey, who)
        assert refused.value.field == "spoc"
    workflow.change_spoc(case_id, casey, "sam")
    with pytest.raises(InvalidInput, match="already the single point of contact"):
        workflow.change_spoc(case_id, casey, "sam")


# --- the victim's involvement in the review -------------------------------------------------------

def test_the_invitation_gives_how_the_victim_takes_part_and_the_link(users, tmp_path):
    casey = users["casey"]
    case_id = _scheduled(casey, participation="virtual", virtual_link="https://meet.example.org/ct-1")
    text = _text(letters.produce(case_id, "review_invitation", casey, tmp_path).path)
    assert "you would like to take part virtually" in text
    assert "To join the meeting, use this link: https://meet.example.org/ct-1" in text
    assert "Your single point of contact for this request is Casey Morgan" in text
    later = _scheduled(casey, participation="virtual")
    text = _text(letters.produce(later, "review_invitation", casey, tmp_path).path)
    assert "We will send you the link to join the meeting before Wednesday 25 November 2026." in text


def test_a_link_must_be_a_web_address(users):
    case_id = _scheduled(users["casey"])
    with pytest.raises(InvalidInput) as refused:
        workflow.schedule_review(case_id, users["casey"], meeting_on=TODAY, chair_name="Chris Hall",
                                 agencies=["police"], participation="virtual", virtual_link="call me")
    assert refused.value.field == "virtual_link"


# --- the consultation on the draft action plan -----------------------------------------------------

def test_consulting_makes_the_action_plan_letter_with_the_policys_reply_by_date(users, tmp_path):
    casey = users["casey"]
    case_id = _drafted(casey)
    workflow.consult_victim(case_id, casey, out_dir=tmp_path)
    letter = _latest(case_id, "action_plan")
    text = _text(letter.path)
    assert "by Wednesday 9 December 2026 (10 working days from this letter)" in text
    assert "Visit in the evenings." in text and "The agencies missed the pattern." in text
    assert "Your single point of contact for this request is Casey Morgan" in text
    case = open_case(case_id, casey)
    assert case.review.reply_by == date(2026, 12, 9) and not case.review.views_recorded
    assert any(e.text.startswith("Victim consulted on the draft action plan; views by Wednesday 9 December 2026")
               for e in case.timeline)


def test_the_reply_by_date_counts_from_the_letters_sending(users, tmp_path):
    casey = users["casey"]
    case_id = _drafted(casey)
    workflow.consult_victim(case_id, casey, out_dir=tmp_path)
    clock.set_today(date(2026, 11, 27))
    letters.mark_sent(_latest(case_id, "action_plan").id, casey, date(2026, 11, 27), "post")
    assert open_case(case_id, casey).review.reply_by == date(2026, 12, 11)


def test_no_consultation_before_the_outcome_is_drafted(users, tmp_path):
    case_id = _scheduled(users["casey"])
    with pytest.raises(TransitionNotAllowed, match="consult the victim on the action plan"):
        workflow.consult_victim(case_id, users["casey"], out_dir=tmp_path)
    assert letters.letter_options(case_id) and "action_plan" not in letters.offered_letters(case_id)


def test_the_chair_cannot_approve_before_the_views_are_recorded_or_the_date_has_passed(users, tmp_path):
    casey, chris = users["casey"], users["chris"]
    case_id = _drafted(casey)
    workflow.submit_outcome(case_id, casey)
    with pytest.raises(TransitionNotAllowed, match="has not been consulted on the draft action plan"):
        workflow.approve_outcome(case_id, chris)
    workflow.consult_victim(case_id, casey, out_dir=tmp_path)  # still waiting for the chair: no return needed
    with pytest.raises(TransitionNotAllowed, match="have until Wednesday 9 December 2026 to reply"):
        workflow.approve_outcome(case_id, chris)
    detail = approvals.approval_detail(chris, case_id)
    assert "have until Wednesday 9 December 2026" in detail.approval_refusal
    workflow.record_views(case_id, casey, "Evening visits would help; the noise is at night.")
    detail = approvals.approval_detail(chris, case_id)
    assert (detail.victim_views, detail.approval_refusal) == ("Evening visits would help; the noise is at night.", None)
    assert workflow.approve_outcome(case_id, chris, expected_version=detail.version).stage == "approved"


def test_no_reply_is_recorded_only_once_the_date_has_passed_and_then_the_chair_may_approve(users, tmp_path):
    casey, chris = users["casey"], users["chris"]
    case_id = _drafted(casey)
    workflow.consult_victim(case_id, casey, out_dir=tmp_path)
    workflow.submit_outcome(case_id, casey)
    with pytest.raises(TransitionNotAllowed, match="once that date has passed"):
        workflow.record_views(case_id, casey, no_reply=True)
    with pytest.raises(InvalidInput) as empty:
        workflow.record_views(case_id, casey, "  ")
    assert empty.value.field == "views"
    clock.set_today(date(2026, 12, 10))
    assert approvals.approval_detail(chris, case_id).approval_refusal is None  # the date has passed
    workflow.record_views(case_id, casey, no_reply=True)
    detail = approvals.approval_detail(chris, case_id)
    assert detail.victim_views == "No reply by the date (recorded Thursday 10 December 2026)."
    assert any(e.text.startswith("Victim's views on the draft action plan: no reply by the date")
               for e in open_case(case_id, casey).timeline)
    assert workflow.approve_outcome(case_id, chris).stage == "approved"


def test_views_need_a_consultation_first(users):
    case_id = _drafted(users["casey"])
    with pytest.raises(TransitionNotAllowed, match="Cannot record the victim's views|not been consulted"):
        workflow.record_views(case_id, users["casey"], "Fine.")


def test_consulting_again_on_a_redraft_asks_afresh(users, tmp_path):
    casey = users["casey"]
    case_id = _drafted(casey)
    workflow.consult_victim(case_id, casey, out_dir=tmp_path)
    workflow.record_views(case_id, casey, "Fine.")
    workflow.consult_victim(case_id, casey, out_dir=tmp_path)
    assert not open_case(case_id, casey).review.views_recorded
    assert [x.version_no for x in letters.list_letters(case_id) if x.kind == "action_plan"] == [1, 2]


def test_without_a_policy_timescale_the_victim_has_domains_ten_working_days(users, tmp_path):
    policy = context.policy()
    context.use_policy(policy.model_copy(update={
        "timescales": policy.timescales.model_copy(update={"action_plan_reply": None})}))
    casey = users["casey"]
    case_id = _drafted(casey)
    workflow.consult_victim(case_id, casey, out_dir=tmp_path)
    assert open_case(case_id, casey).review.reply_by == date(2026, 12, 9)


# --- the letters that end a case ----------------------------------------------------------------

def test_closing_makes_the_closure_letter_saying_when_why_and_what_stays_open(users, tmp_path):
    casey, chris = users["casey"], users["chris"]
    case_id = _drafted(casey)
    workflow.consult_victim(case_id, casey, out_dir=tmp_path)
    workflow.record_views(case_id, casey, "Fine.")
    workflow.submit_outcome(case_id, casey)
    workflow.approve_outcome(case_id, chris)
    clock.set_today(date(2026, 12, 2))
    workflow.close(case_id, casey, "The outcome letter has gone to you and the review is finished.", out_dir=tmp_path)
    text = _text(_latest(case_id, "closure").path)
    assert "on 2 December 2026" in text
    assert "The outcome letter has gone to you and the review is finished." in text
    assert "Visit in the evenings." in text and "Open a joint case." in text
    assert "Your single point of contact for this request is Casey Morgan" in text


def test_a_declined_case_closed_without_a_reason_says_why_in_its_own_words(users, tmp_path):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False, reason="The reports concern another household.")
    workflow.close(case_id, casey)
    assert "closure" in letters.offered_letters(case_id)
    text = _text(letters.produce(case_id, "closure", casey, tmp_path).path)
    assert "would not go to a review, as our decision letter explained" in text
    assert "Nothing stays open on this request." in text


def test_withdrawing_makes_the_withdrawal_confirmation_and_no_other_letter(users, tmp_path):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.withdraw(case_id, casey, "The neighbour has moved away.", out_dir=tmp_path)
    text = _text(_latest(case_id, "withdrawal").path)
    assert "It was withdrawn on 25 November 2026." in text and "The neighbour has moved away." in text
    assert letters.offered_letters(case_id) == ["withdrawal"]
    with pytest.raises(TransitionNotAllowed, match="was withdrawn; no further letters"):
        letters.produce(case_id, "acknowledgement", casey, tmp_path)


def test_the_closure_and_withdrawal_letters_are_refused_while_the_case_is_open(users, tmp_path):
    case_id = _new(users["casey"])
    for kind, why in (("closure", "once the case is closed"), ("withdrawal", "once the request is withdrawn")):
        with pytest.raises(TransitionNotAllowed, match=why):
            letters.produce(case_id, kind, users["casey"], tmp_path)


def test_once_the_withdrawal_confirmation_has_gone_nothing_more_goes_out(users, tmp_path):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.withdraw(case_id, casey, "Moved away.", out_dir=tmp_path)
    letters.mark_sent(_latest(case_id, "withdrawal").id, casey, TODAY, "post")
    assert letters.offered_letters(case_id) == []
    with pytest.raises(TransitionNotAllowed, match="its confirmation has been sent"):
        letters.produce(case_id, "withdrawal", casey, tmp_path)
