"""Escalation beyond the partnership: after a final appeal decision, a policy may name somewhere the
applicant's case can go next (e.g. the Police and Crime Commissioner's office). The referral and the
answer are recorded with their dates; neither changes the case's stage."""

from __future__ import annotations

from datetime import date

from caseworker_tui.errors import InvalidInput, TransitionNotAllowed
from caseworker_tui.models import Appeal, Case, Escalation
from caseworker_tui.services import clock, context
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.workflow.running import Done, clean_text, run_step


def final_appeal(case: Case) -> Appeal | None:
    """The appeal whose decision (not upheld) was the partnership's last word, if there is one."""
    return (Appeal.select().where((Appeal.case == case) & (Appeal.upheld == False))  # noqa: E712 - SQL
            .order_by(Appeal.id.desc()).first())


def open_escalation(case: Case) -> Escalation | None:
    return (Escalation.select().where((Escalation.case == case) & Escalation.answered_on.is_null())
            .order_by(Escalation.id.desc()).first())


def refer_escalation(case_id: int, actor: Actor, *, referred_on: date, note: str = "",
                     expected_version: int | None = None) -> Done:
    escalation = context.policy().escalation
    if escalation is None:
        raise TransitionNotAllowed("The policy names nowhere to escalate a case to after its appeal.")
    note = clean_text(note, "note", required=False)
    if referred_on > clock.today():
        raise InvalidInput("referred on: cannot be in the future", "referred_on")

    def change(case: Case) -> dict:
        appeal = final_appeal(case)
        if appeal is None:
            raise TransitionNotAllowed(f"{case.reference} has no final appeal decision to escalate beyond.")
        if Escalation.select().where(Escalation.case == case).exists():
            raise TransitionNotAllowed(f"{case.reference} has already been referred to {escalation.name}.")
        if referred_on < appeal.decided_on:
            raise InvalidInput(f"referred on: the referral follows the appeal decision ({appeal.decided_on:%d %b %Y})",
                               "referred_on")
        Escalation.create(case=case, body=escalation.name, referred_on=referred_on, referred_by=actor.username,
                          note=note)
        return {"body": escalation.name, "on": f"{referred_on:%d %b %Y}"}
    return run_step(case_id, actor, "refer_escalation", expected_version=expected_version, change=change,
                    reason=note)


def record_escalation_answer(case_id: int, actor: Actor, *, answered_on: date, answer: str,
                             expected_version: int | None = None) -> Done:
    answer = clean_text(answer, "answer")
    if answered_on > clock.today():
        raise InvalidInput("answered on: cannot be in the future", "answered_on")

    def change(case: Case) -> dict:
        referral = open_escalation(case)
        if referral is None:
            raise TransitionNotAllowed(f"{case.reference} has no referral waiting for an answer.")
        if answered_on < referral.referred_on:
            raise InvalidInput(f"answered on: the case was referred on {referral.referred_on:%d %b %Y}",
                               "answered_on")
        referral.answered_on, referral.answer, referral.answered_by = answered_on, answer, actor.username
        referral.save()
        return {"body": referral.body, "on": f"{answered_on:%d %b %Y}"}
    return run_step(case_id, actor, "record_escalation_answer", expected_version=expected_version, change=change,
                    reason=answer)
