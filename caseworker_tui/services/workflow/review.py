"""The review: meeting, findings, extension, the outcome and the chair's approval, follow-up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from caseworker_tui.errors import InvalidInput, TransitionNotAllowed
from caseworker_tui.models import (
    Case,
    Recommendation,
    Review,
)
from caseworker_tui.services import clock, context
from caseworker_tui.services.deadlines import close_steps, move_step, open_step
from caseworker_tui.services.people import named_person
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.unit import reading
from caseworker_tui.services.workflow.running import NOT_RECEIVED, Done, case_of, clean_text, run_step
from caseworker_tui.services.workflow.victim import approval_refusal

PARTICIPATION = {
    "in_person": "in person",
    "virtual": "virtually",
    "written_statement": "by a written statement",
    "advocate": "through an advocate",
    "not_invited": "not invited",
}

def _review(case: Case) -> Review:
    review = Review.get_or_none(Review.case == case)
    if review is None:
        raise TransitionNotAllowed(f"{case.reference} has no review: it was not accepted.")
    return review


def schedule_review(case_id: int, actor: Actor, *, meeting_on: date, chair_name: str, agencies: list[str],
                    participation: str, not_invited_reason: str = "", virtual_link: str = "",
                    expected_version: int | None = None) -> Done:
    """Set the meeting and how the victim takes part; a virtual link may follow later, by scheduling again."""
    policy = context.policy()
    chair_name = clean_text(chair_name, "chair")
    with reading():
        chair_name = named_person(chair_name, field="chair_name", label="chair")
    if participation not in PARTICIPATION:
        raise InvalidInput(f"participation: must be one of {', '.join(PARTICIPATION)}", "participation")
    if participation == "not_invited":
        not_invited_reason = clean_text(not_invited_reason, "not_invited_reason")
    virtual_link = clean_text(virtual_link, "virtual_link", required=False, limit=500) if participation == "virtual" else ""
    if virtual_link and (not virtual_link.startswith(("https://", "http://")) or any(c.isspace() for c in virtual_link)):
        raise InvalidInput("link: must be a web address starting https://", "virtual_link")
    unknown = [a for a in agencies if a not in policy.agencies]
    if unknown:
        raise InvalidInput(f"agencies: {unknown[0]!r} is not a known agency", "agencies")
    if not agencies:
        raise InvalidInput("agencies: name the agencies attending", "agencies")

    def change(case: Case) -> dict:
        review = _review(case)
        if meeting_on < case.accepted_on:
            raise InvalidInput(f"meeting date: {meeting_on} is before the request was accepted "
                               f"({case.accepted_on})", "meeting_on")
        review.meeting_on, review.chair_name = meeting_on, chair_name
        review.agencies_json = json.dumps(list(dict.fromkeys(agencies)))
        review.participation = participation
        review.not_invited_reason = not_invited_reason.strip() if participation == "not_invited" else ""
        review.virtual_link = virtual_link
        review.save()
        return {"meeting_on": meeting_on, "participation": participation}
    return run_step(case_id, actor, "schedule_review", expected_version=expected_version, change=change)


def _meeting_held(case: Case, what: str) -> Review:
    """The case's review, once its meeting has taken place (its date is today or past)."""
    review = _review(case)
    if review.meeting_on is None or review.meeting_on > clock.today():
        when = (f"is on {review.meeting_on:%d %b %Y}" if review.meeting_on
                else "has not been scheduled")
        raise TransitionNotAllowed(f"{what} once the review meeting has taken place; the meeting of "
                                   f"{case.reference} {when}.")
    return review


def record_findings(case_id: int, actor: Actor, findings: str, expected_version: int | None = None) -> Done:
    findings = clean_text(findings, "findings")

    def change(case: Case) -> None:
        review = _meeting_held(case, "Findings are recorded")
        review.findings = findings
        review.save()
        # The meeting has been held: an update still not in can no longer shape the review.
        close_steps(case, "agency_update", how=NOT_RECEIVED)
    return run_step(case_id, actor, "record_findings", expected_version=expected_version, change=change)


def extend_review(case_id: int, actor: Actor, *, new_date: date, reason: str,
                  expected_version: int | None = None) -> Done:
    reason = clean_text(reason, "reason")
    calendar = context.calendar()

    def change(case: Case) -> dict:
        review = _review(case)
        current = review.extended_to or review.due_on
        if new_date <= current:
            raise InvalidInput(f"new date: must be after the current due date ({current})", "new_date")
        review.extended_to, review.extension_reason = new_date, reason
        review.save()
        case.extended = True
        move_step(case, "review", new_date)
        move_step(case, "chair_approval", new_date)
        close_steps(case, "notify_extension", how="cancelled")
        open_step(case, "notify_extension", calendar.add_working_days(clock.today(), 1))
        return {"from": current, "to": new_date}
    return run_step(case_id, actor, "extend_review", expected_version=expected_version,
                change=change, reason=reason)


@dataclass(frozen=True)
class RecommendationIn:
    agency: str
    action: str
    due_on: date


def draft_outcome(case_id: int, actor: Actor, *, summary: str, recommendations: list[RecommendationIn],
                  expected_version: int | None = None) -> Done:
    policy = context.policy()
    summary = clean_text(summary, "summary")
    for n, rec in enumerate(recommendations, start=1):
        if rec.agency not in policy.agencies:
            raise InvalidInput(f"recommendation {n}: agency {rec.agency!r} is not known", f"recommendations.{n}.agency")
        clean_text(rec.action, f"recommendation {n} action")

    def change(case: Case) -> dict:
        _meeting_held(case, "The outcome is drafted")
        for n, rec in enumerate(recommendations, start=1):
            if rec.due_on < clock.today():
                raise InvalidInput(f"recommendation {n}: due date {rec.due_on} is in the past",
                                   f"recommendations.{n}.due_on")
        Review.update(summary=summary).where(Review.case == case).execute()
        close_steps(case, "agency_update", how=NOT_RECEIVED)
        Recommendation.delete().where(Recommendation.case == case).execute()
        for n, rec in enumerate(recommendations, start=1):
            Recommendation.create(case=case, position=n, agency=rec.agency, action=rec.action.strip(),
                                  due_on=rec.due_on)
        return {"recommendations": len(recommendations)}
    return run_step(case_id, actor, "draft_outcome", expected_version=expected_version, change=change)


def submit_outcome(case_id: int, actor: Actor, expected_version: int | None = None) -> Done:
    def change(case: Case) -> None:
        review = _review(case)
        review.submitted_at = clock.now()
        review.save()
        open_step(case, "chair_approval", review.extended_to or review.due_on)
    return run_step(case_id, actor, "submit_outcome", expected_version=expected_version, change=change)


def approve_outcome(case_id: int, actor: Actor, expected_version: int | None = None) -> Done:
    """The chair approves: their name and the time are recorded; the outcome letter is unlocked."""
    policy = context.policy()

    def change(case: Case) -> None:
        review = _review(case)
        refusal = approval_refusal(case, review)
        if refusal:
            raise TransitionNotAllowed(refusal)
        review.approved_by, review.approved_by_name, review.approved_at = (
            actor.username, actor.display_name, clock.now())
        review.returned_comments = ""
        review.save()
        close_steps(case, "chair_approval")
        for rec in Recommendation.select().where(Recommendation.case == case):
            open_step(case, "recommendation", rec.due_on, agency=rec.agency,
                      agency_label=policy.agency_label(rec.agency), ref_id=rec.id)
    return run_step(case_id, actor, "approve_outcome", expected_version=expected_version, change=change)


def return_outcome(case_id: int, actor: Actor, comments: str, expected_version: int | None = None) -> Done:
    comments = clean_text(comments, "comments")

    def change(case: Case) -> None:
        Review.update(returned_comments=comments, submitted_at=None).where(Review.case == case).execute()
        close_steps(case, "chair_approval", how="returned")  # neither approved nor abandoned
    return run_step(case_id, actor, "return_outcome", expected_version=expected_version, change=change, reason=comments)


def follow_up(recommendation_id: int, actor: Actor, note: str) -> Done:
    note = clean_text(note, "note")
    case_id = case_of(Recommendation, recommendation_id, "recommendation")

    def change(case: Case) -> dict:
        row = Recommendation.get_by_id(recommendation_id)
        if row.done_on is not None:
            raise TransitionNotAllowed(f"Recommendation {row.position} was already followed up on {row.done_on}.")
        Recommendation.update(done_on=clock.today(), done_note=note, done_by=actor.username).where(
            Recommendation.id == recommendation_id).execute()
        close_steps(case, "recommendation", ref_id=recommendation_id)
        return {"recommendation": row.position}
    return run_step(case_id, actor, "follow_up", expected_version=None, change=change, reason=note)

