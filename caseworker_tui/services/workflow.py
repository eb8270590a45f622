"""The lifecycle as explicit transitions: guards, role checks, deadlines and the audit trail.

Each use case is one transaction: it checks the role, reads the case, refuses a stale version
or a wrong stage, makes the change, moves the deadlines and records an audit event, or does
nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from peewee import fn

from caseworker_tui.errors import InvalidInput, NotFound, StaleCase, TransitionNotAllowed
from caseworker_tui.models import (
    AgencyUpdateRequest,
    Appeal,
    Case,
    ContactLog,
    Deadline,
    Letter,
    Note,
    Recommendation,
    Review,
    ThresholdDecision,
    User,
    is_postgres,
)
from caseworker_tui.services import audit, clock, context, lifecycle
from caseworker_tui.services.deadlines import close_steps, move_step, open_step, refresh_next_due
from caseworker_tui.services.names import same_name
from caseworker_tui.services.people import named_person
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.retention import refuse_if_anonymised
from caseworker_tui.services.stages import FINISHED, stage_label
from caseworker_tui.services.unit import reading, retried, transaction

# How an agency update that stopped mattering is closed: the review went ahead without it.
NOT_RECEIVED = "not_received"

PARTICIPATION = {
    "in_person": "in person",
    "virtual": "virtually",
    "written_statement": "by a written statement",
    "advocate": "through an advocate",
    "not_invited": "not invited",
}

def _text(value: str, field: str, *, required: bool = True, limit: int = 20_000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"{field}: please give {field.replace('_', ' ')}", field)
    if len(value) > limit:
        raise InvalidInput(f"{field}: at most {limit} characters", field)
    if "\x00" in value:
        raise InvalidInput(f"{field}: contains a NUL character", field)
    return value


def _load(case_id: int, expected_version: int | None) -> Case:
    """The case, locked for this transaction: on PostgreSQL a row lock, so writers queue instead of
    colliding; on SQLite the IMMEDIATE transaction already holds the write lock."""
    query = Case.select().where(Case.id == case_id)
    if is_postgres():
        query = query.for_update()
    case = query.first()
    if case is None:
        raise NotFound(f"no case with id {case_id}")
    if expected_version is not None and case.version != expected_version:
        raise _stale(case)
    refuse_if_anonymised(case)
    return case


def _stale(case: Case) -> StaleCase:
    when = case.updated_at.strftime("%d %b %Y %H:%M") if case.updated_at else "just now"
    return StaleCase(
        f"{case.reference} was changed by {case.updated_by or 'someone else'} at {when} since you "
        "opened it; nothing was saved. Reload the case and apply your change again.",
        changed_by=case.updated_by, changed_at=case.updated_at)


def _save(case: Case, actor: Actor) -> None:
    """Write the case only if nobody else has since it was read (optimistic locking)."""
    seen = case.version
    case.updated_at = clock.now()
    case.updated_by = actor.username
    case.is_open = case.stage not in FINISHED
    refresh_next_due(case)
    data = {field: value for field, value in case.__data__.items() if field not in ("id", "version")}
    changed = (Case.update(**data, version=seen + 1)
               .where((Case.id == case.id) & (Case.version == seen)).execute())
    if not changed:
        raise _stale(Case.get_by_id(case.id))
    case.version = seen + 1


@dataclass(frozen=True)
class Done:
    """What a transition leaves: the case's new stage and version."""

    case_id: int
    reference: str
    stage: str
    version: int


@retried
def _run(case_id: int, actor: Actor, action: str, *, expected_version: int | None,
         to_stage: str | None = None, change: Callable[[Case], dict | None] | None = None,
         reason: str = "") -> Done:
    """Take one lifecycle step: its role and stage guards come from `lifecycle.STEPS`."""
    step = lifecycle.step(action)
    require(actor, action)
    with transaction():
        case = _load(case_id, expected_version)
        if case.stage not in step.stages:
            needed = " or ".join(stage_label(s).lower() for s in step.stages)
            raise TransitionNotAllowed(
                f"Cannot {step.words}: {case.reference} is "
                f"{stage_label(case.stage).lower()}; this step needs it to be {needed}.")
        before = case.stage
        details = (change(case) if change else None) or {}
        if to_stage or step.to_stage:
            case.stage = to_stage or step.to_stage
        _save(case, actor)
        audit.record(case, actor, action, from_stage=before, to_stage=case.stage, reason=reason, **details)
        return Done(case.id, case.reference, case.stage, case.version)


# --- intake and triage -------------------------------------------------------------------

def acknowledge(case_id: int, actor: Actor, expected_version: int | None = None) -> Done:
    decide = context.policy().timescales.decide

    def change(case: Case) -> None:
        close_steps(case, "acknowledge")
        _victim_update_from(case, clock.today())  # before any contact, from the acknowledgement
        if decide.anchor == "acknowledged":  # Gosport: the decision counts from here
            open_step(case, "decide", decide.due(clock.today(), context.calendar()))
    return _run(case_id, actor, "acknowledge", expected_version=expected_version, change=change)


def assign(case_id: int, actor: Actor, username: str | None, expected_version: int | None = None) -> Done:
    """Give the case to a caseworker (supervisors), or take it yourself: an unassigned case by anyone
    who works cases, a colleague's only by a supervisor, since taking it reassigns it."""
    taking = username == actor.username
    require(actor, "take" if taking else "assign")
    user = None
    if username:
        with transaction():
            user = User.get_or_none(User.username == username)
        if user is None or user.role not in ("caseworker", "supervisor") or not user.active:
            raise InvalidInput(f"assignee: {username!r} is not an active caseworker or supervisor", "assignee")

    def change(case: Case) -> dict:
        before = case.assigned_to.username if case.assigned_to else None
        if taking and before not in (None, actor.username):
            # Taking a colleague's case reassigns it, which is the supervisor's call. Asked under
            # the case's lock, so a case a colleague took a moment ago is not taken from them.
            require(actor, "assign")
        case.assigned_to = user
        return {"from": before, "to": username}
    return _run(case_id, actor, "take" if taking else "assign", expected_version=expected_version, change=change)


def add_note(case_id: int, actor: Actor, text: str) -> None:
    require(actor, "add_note")
    text = _text(text, "note")
    with transaction():
        case = _load(case_id, None)
        Note.create(case=case, author=actor.username, created_at=clock.now(), text=text)
        audit.record(case, actor, "note_added")


# How a contact with the victim was made, and how the timeline says it.
CONTACT_CHANNELS = {"phone": "by phone", "email": "by e-mail", "letter": "by letter",
                    "in_person": "in person", "text_message": "by text message", "video": "by video call"}


def record_contact(case_id: int, actor: Actor, *, at: datetime, channel: str, said: str, promised: str = "",
                   expected_version: int | None = None) -> Done:
    """Log a contact with the victim; the next update the policy asks for counts from it."""
    said = _text(said, "said")
    promised = _text(promised, "promised", required=False)
    if channel not in CONTACT_CHANNELS:
        raise InvalidInput(f"how: must be one of {', '.join(CONTACT_CHANNELS)}", "channel")
    if at > clock.now():
        raise InvalidInput("when: a contact cannot be in the future", "at")

    def change(case: Case) -> dict:
        if at < case.received_at:
            raise InvalidInput(f"when: before the request was received ({case.received_at:%d %b %Y})", "at")
        ContactLog.create(case=case, at=at, channel=channel, by=actor.username, said=said, promised=promised)
        _victim_update_from(case, at.date())
        return {"channel": channel, "at": at}
    return _run(case_id, actor, "record_contact", expected_version=expected_version, change=change)


def _victim_update_from(case: Case, day: date) -> None:
    """Owe the victim their next update counted from `day`, when the policy sets a cadence."""
    cadence = context.policy().timescales.victim_update
    if cadence is None:
        return
    close_steps(case, "victim_update")
    open_step(case, "victim_update", cadence.due(day, context.calendar()))


def triage(case_id: int, actor: Actor, answers: dict[str, bool], expected_version: int | None = None) -> Done:
    """Score the policy's vulnerability questions; at or over the line the case is high risk."""
    policy = context.policy()
    known = {q.id: q for q in policy.triage.questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise InvalidInput(f"triage: unknown question {unknown[0]!r}", "triage")
    score = sum(q.weight for q in policy.triage.questions if answers.get(q.id))

    def change(case: Case) -> dict:
        case.risk_score = score
        case.high_risk = score >= policy.triage.high_risk_at
        case.triage_json = json.dumps({q: bool(answers.get(q)) for q in known}, sort_keys=True)
        return {"score": score, "high_risk": case.high_risk}
    return _run(case_id, actor, "triage", expected_version=expected_version, change=change)


# --- threshold decision and agency updates --------------------------------------------------

def decide(case_id: int, actor: Actor, *, accept: bool, ground: str | None = None, reason: str = "",
           expected_version: int | None = None) -> Done:
    """Accept (threshold met) or decline (not met, or a policy ground with a reason)."""
    policy = context.policy()
    reason = (reason or "").strip()
    if accept:
        ground = "threshold_met"
    else:
        ground = ground or "threshold_not_met"
        if ground != "threshold_not_met" and ground not in policy.decline_grounds:
            raise InvalidInput(f"ground: must be threshold_not_met or one of {', '.join(policy.decline_grounds)}", "ground")
        if ground != "threshold_not_met" and not reason:
            raise InvalidInput(f"reason: declining as {ground} needs a reason", "reason")

    def change(case: Case) -> dict:
        against = (accept != case.threshold_met) and ground in ("threshold_met", "threshold_not_met")
        if against and not reason:
            verdict = "met" if case.threshold_met else "not met"
            raise InvalidInput(f"reason: the computed verdict is that the threshold is {verdict}; "
                               "deciding otherwise needs a reason", "reason")
        today = clock.today()
        ThresholdDecision.create(
            case=case, decision="accepted" if accept else "declined", ground=ground, reason=reason,
            computed_met=case.threshold_met, against_verdict=against, decided_by=actor.username,
            decided_at=clock.now(), policy_name=policy.name, policy_version=policy.version)
        # The letter is owed when the decision was: after an upheld appeal, that is the fresh
        # decision's date (from the appeal decision), not the first one's (from receipt).
        owed = (Deadline.select(Deadline.due_on).where((Deadline.case == case) & (Deadline.step == "decide")
                                                       & Deadline.closed_at.is_null()).first())
        decide_by = owed.due_on if owed else policy.timescales.decide.due(
            case.received_at.date(), context.calendar())
        close_steps(case, "decide", "acknowledge")
        open_step(case, "notify_decision", decide_by)
        case.decided_on = today
        if accept:
            case.accepted_on = today
            review_time = policy.timescales.review
            due = review_time.due(case.received_at.date() if review_time.anchor == "received" else today,
                                  context.calendar())
            Review.delete().where(Review.case == case).execute()
            Review.create(case=case, due_on=due)
            open_step(case, "review", due)
        else:
            # Nobody chases agencies for a request that has been declined (as on closing).
            close_steps(case, "agency_update", how=NOT_RECEIVED)
        return {"ground": ground, "against_verdict": against}
    return _run(case_id, actor, "decide", expected_version=expected_version,
                to_stage="accepted" if accept else "declined", change=change, reason=reason)


def request_updates(case_id: int, actor: Actor, agencies: list[str], expected_version: int | None = None) -> Done:
    policy, calendar = context.policy(), context.calendar()
    if not agencies:
        raise InvalidInput("agencies: choose at least one agency", "agencies")
    unknown = [a for a in agencies if a not in policy.agencies]
    if unknown:
        raise InvalidInput(f"agencies: {unknown[0]!r} is not a known agency", "agencies")

    def change(case: Case) -> dict:
        today = clock.today()
        due = policy.timescales.agency_update.due(today, calendar)
        for agency in dict.fromkeys(agencies):
            request = AgencyUpdateRequest.create(case=case, agency=agency, requested_on=today, due_on=due,
                                                 requested_by=actor.username)
            open_step(case, "agency_update", due, agency=agency, agency_label=policy.agency_label(agency),
                      ref_id=request.id)
        return {"agencies": list(dict.fromkeys(agencies)), "due_on": due}
    return _run(case_id, actor, "request_updates", expected_version=expected_version, change=change)


def record_update(update_id: int, actor: Actor, answer: str) -> Done:
    answer = _text(answer, "answer")
    with transaction():
        request = AgencyUpdateRequest.get_or_none(AgencyUpdateRequest.id == update_id)
    if request is None:
        raise NotFound(f"no agency update request {update_id}")

    def change(case: Case) -> dict:
        row = AgencyUpdateRequest.get_by_id(update_id)
        if row.answered_on is not None:
            raise TransitionNotAllowed(f"The update from {row.agency} was already recorded on {row.answered_on}.")
        AgencyUpdateRequest.update(answered_on=clock.today(), answer=answer).where(
            AgencyUpdateRequest.id == update_id).execute()
        close_steps(case, "agency_update", ref_id=update_id)
        return {"agency": row.agency}
    return _run(request.case_id, actor, "record_update", expected_version=None, change=change)


# --- the review ------------------------------------------------------------------------------

def _review(case: Case) -> Review:
    review = Review.get_or_none(Review.case == case)
    if review is None:
        raise TransitionNotAllowed(f"{case.reference} has no review: it was not accepted.")
    return review


def schedule_review(case_id: int, actor: Actor, *, meeting_on: date, chair_name: str, agencies: list[str],
                    participation: str, not_invited_reason: str = "",
                    expected_version: int | None = None) -> Done:
    policy = context.policy()
    chair_name = _text(chair_name, "chair")
    with reading():
        chair_name = named_person(chair_name, field="chair_name", label="chair")
    if participation not in PARTICIPATION:
        raise InvalidInput(f"participation: must be one of {', '.join(PARTICIPATION)}", "participation")
    if participation == "not_invited":
        not_invited_reason = _text(not_invited_reason, "not_invited_reason")
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
        review.save()
        return {"meeting_on": meeting_on, "participation": participation}
    return _run(case_id, actor, "schedule_review", expected_version=expected_version, change=change)


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
    findings = _text(findings, "findings")

    def change(case: Case) -> None:
        review = _meeting_held(case, "Findings are recorded")
        review.findings = findings
        review.save()
        # The meeting has been held: an update still not in can no longer shape the review.
        close_steps(case, "agency_update", how=NOT_RECEIVED)
    return _run(case_id, actor, "record_findings", expected_version=expected_version, change=change)


def extend_review(case_id: int, actor: Actor, *, new_date: date, reason: str,
                  expected_version: int | None = None) -> Done:
    reason = _text(reason, "reason")
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
    return _run(case_id, actor, "extend_review", expected_version=expected_version,
                change=change, reason=reason)


@dataclass(frozen=True)
class RecommendationIn:
    agency: str
    action: str
    due_on: date


def draft_outcome(case_id: int, actor: Actor, *, summary: str, recommendations: list[RecommendationIn],
                  expected_version: int | None = None) -> Done:
    policy = context.policy()
    summary = _text(summary, "summary")
    for n, rec in enumerate(recommendations, start=1):
        if rec.agency not in policy.agencies:
            raise InvalidInput(f"recommendation {n}: agency {rec.agency!r} is not known", f"recommendations.{n}.agency")
        _text(rec.action, f"recommendation {n} action")

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
    return _run(case_id, actor, "draft_outcome", expected_version=expected_version, change=change)


def submit_outcome(case_id: int, actor: Actor, expected_version: int | None = None) -> Done:
    def change(case: Case) -> None:
        review = _review(case)
        review.submitted_at = clock.now()
        review.save()
        open_step(case, "chair_approval", review.extended_to or review.due_on)
    return _run(case_id, actor, "submit_outcome", expected_version=expected_version, change=change)


def approve_outcome(case_id: int, actor: Actor, expected_version: int | None = None) -> Done:
    """The chair approves: their name and the time are recorded; the outcome letter is unlocked."""
    policy = context.policy()

    def change(case: Case) -> None:
        review = _review(case)
        review.approved_by, review.approved_by_name, review.approved_at = (
            actor.username, actor.display_name, clock.now())
        review.returned_comments = ""
        review.save()
        close_steps(case, "chair_approval")
        for rec in Recommendation.select().where(Recommendation.case == case):
            open_step(case, "recommendation", rec.due_on, agency=rec.agency,
                      agency_label=policy.agency_label(rec.agency), ref_id=rec.id)
    return _run(case_id, actor, "approve_outcome", expected_version=expected_version, change=change)


def return_outcome(case_id: int, actor: Actor, comments: str, expected_version: int | None = None) -> Done:
    comments = _text(comments, "comments")

    def change(case: Case) -> None:
        Review.update(returned_comments=comments, submitted_at=None).where(Review.case == case).execute()
        close_steps(case, "chair_approval", how="returned")  # neither approved nor abandoned
    return _run(case_id, actor, "return_outcome", expected_version=expected_version, change=change, reason=comments)


def follow_up(recommendation_id: int, actor: Actor, note: str) -> Done:
    note = _text(note, "note")
    with transaction():
        rec = Recommendation.get_or_none(Recommendation.id == recommendation_id)
    if rec is None:
        raise NotFound(f"no recommendation {recommendation_id}")

    def change(case: Case) -> dict:
        row = Recommendation.get_by_id(recommendation_id)
        if row.done_on is not None:
            raise TransitionNotAllowed(f"Recommendation {row.position} was already followed up on {row.done_on}.")
        Recommendation.update(done_on=clock.today(), done_note=note, done_by=actor.username).where(
            Recommendation.id == recommendation_id).execute()
        close_steps(case, "recommendation", ref_id=recommendation_id)
        return {"recommendation": row.position}
    return _run(rec.case_id, actor, "follow_up", expected_version=None, change=change, reason=note)


# --- appeals, withdrawal and closure ----------------------------------------------------------

# The letters whose sending starts the appeal window, for a decision and for an outcome.
_APPEALABLE_LETTERS = {"decision": ("threshold_not_met",), "outcome": ("outcome",)}


def appeal_window_end(case: Case) -> date | None:
    """The last day an appeal can be lodged (None: nothing to appeal yet).

    The window counts from its anchor: the decision or the outcome's approval (`decided`), or
    the letter that told the applicant (`letter_sent`) — until that letter is sent, from the
    day it became owed, so the window is never shorter than the letter says."""
    window, calendar = context.policy().timescales.appeal_window, context.calendar()
    against = "decision" if case.accepted_on is None else "outcome"
    start = _appealed_on(case, against)
    if start is None:
        return None
    if window.anchor == "letter_sent":
        sent = (Letter.select(fn.MAX(Letter.sent_on)).where(
            (Letter.case == case) & Letter.kind.in_(_APPEALABLE_LETTERS[against])
            & Letter.sent_on.is_null(False)).scalar())
        if sent is not None and sent > start:
            start = sent
    return window.due(start, calendar)


def _appealed_on(case: Case, against: str) -> date | None:
    """The day of the decision or the approved outcome an appeal is against."""
    if against == "decision":
        return case.decided_on
    review = Review.get_or_none(Review.case == case)
    return review.approved_at.date() if review and review.approved_at else None


def _not_independent(case: Case, appeal: Appeal, chair: str) -> str | None:
    """Why `chair` cannot decide this appeal, or None: DOMAIN's three people are compared by name
    and by account, whoever is signed in."""
    involved: list[tuple[str, list[str | None]]] = []
    if appeal.against == "decision":
        decision = (ThresholdDecision.select().where(ThresholdDecision.case == case)
                    .order_by(ThresholdDecision.id.desc()).first())
        if decision is not None:
            maker = User.get_or_none(User.username == decision.decided_by)
            involved.append(("made the decision appealed",
                             [decision.decided_by, maker.display_name if maker else None]))
    else:
        review = Review.get_or_none(Review.case == case)
        if review is not None and review.approved_by:
            involved.append(("approved the outcome appealed", [review.approved_by, review.approved_by_name]))
    if case.assigned_to_id:
        assignee = User.get_by_id(case.assigned_to_id)
        involved.append(("is the caseworker assigned", [assignee.username, assignee.display_name]))
    for why, names in involved:
        if any(same_name(chair, n) for n in names):
            return why
    return None


def record_appeal(case_id: int, actor: Actor, *, lodged_on: date, grounds: str,
                  expected_version: int | None = None) -> Done:
    grounds = _text(grounds, "grounds")
    policy = context.policy()

    def change(case: Case) -> dict:
        if Appeal.select().where((Appeal.case == case) & Appeal.decided_on.is_null()).exists():
            raise TransitionNotAllowed(f"{case.reference} already has an appeal waiting for a decision.")
        if case.stage == "closed" and Appeal.select().where(Appeal.case == case).exists():
            raise TransitionNotAllowed("The appeal on this case has been decided; that decision is final.")
        last = appeal_window_end(case)
        if last is None:
            raise TransitionNotAllowed(f"{case.reference} has no decision or approved outcome to appeal against.")
        if lodged_on > clock.today():
            raise InvalidInput("lodged on: cannot be in the future", "lodged_on")
        if lodged_on > last:
            raise InvalidInput(f"lodged on: the appeal window closed on {last} "
                               f"({policy.timescales.appeal_window.words})", "lodged_on")
        against = "decision" if case.accepted_on is None else "outcome"
        appealed_on = _appealed_on(case, against)
        if appealed_on and lodged_on < appealed_on:
            raise InvalidInput(f"lodged on: an appeal against the {against} is lodged on or after it "
                               f"({appealed_on:%d %b %Y})", "lodged_on")
        Appeal.create(case=case, against=against, lodged_on=lodged_on, grounds=grounds,
                      stage_before=case.stage, recorded_by=actor.username)
        open_step(case, "appeal_decision", policy.timescales.appeal_decision.due(lodged_on, context.calendar()))
        return {"against": against, "lodged_on": lodged_on}
    return _run(case_id, actor, "record_appeal", expected_version=expected_version, change=change, reason=grounds)


def decide_appeal(case_id: int, actor: Actor, *, upheld: bool, independent_chair: str, reason: str,
                  expected_version: int | None = None) -> Done:
    """An independent chair decides: upheld sends the case back; not upheld is final (closed)."""
    independent_chair = _text(independent_chair, "independent_chair")
    reason = _text(reason, "reason")
    policy = context.policy()
    with reading():
        independent_chair = named_person(independent_chair, field="independent_chair",
                                         label="independent chair")

    def change(case: Case) -> dict:
        appeal = (Appeal.select().where((Appeal.case == case) & Appeal.decided_on.is_null())
                  .order_by(Appeal.id.desc()).first())
        review = Review.get_or_none(Review.case == case)
        if review and review.approved_by and actor.username == review.approved_by:
            raise InvalidInput("independent chair: the chair who approved the outcome cannot decide its appeal",
                               "independent_chair")
        why = _not_independent(case, appeal, independent_chair)
        if why:
            raise InvalidInput(f"independent chair: {independent_chair} {why}, so cannot decide the "
                               "appeal independently", "independent_chair")
        appeal.decided_on, appeal.upheld = clock.today(), upheld
        appeal.independent_chair, appeal.decision_reason = independent_chair, reason
        appeal.save()
        close_steps(case, "appeal_decision")
        today = clock.today()
        if not upheld:
            case.stage = "closed"
            case.closed_at = clock.now()
            # Final, as close() is: only the recommendations stay open for follow-up.
            close_steps(case, "notify_decision", "review", "notify_extension", "victim_update", how="cancelled")
            close_steps(case, "agency_update", how=NOT_RECEIVED)
        elif appeal.against == "decision":
            case.stage, case.decided_on = "acknowledged", None
            # The first decision's letter is superseded: the fresh decision owes one of its own.
            close_steps(case, "notify_decision", how="cancelled")
            open_step(case, "decide", policy.timescales.fresh_decision.due(today, context.calendar()))
        else:
            case.stage, case.closed_at = "under_review", None
            due = policy.timescales.review.due(today, context.calendar())
            if review:
                review.due_on, review.extended_to, review.approved_by = due, None, None
                review.approved_by_name, review.approved_at, review.submitted_at = None, None, None
                review.save()
            close_steps(case, "review", how="cancelled")
            # The outcome is reviewed afresh: its recommendations are no longer owed (a new
            # approval opens the new ones), and a redraft replaces them.
            close_steps(case, "recommendation", how="cancelled")
            open_step(case, "review", due)
        return {"upheld": upheld, "independent_chair": independent_chair}
    return _run(case_id, actor, "decide_appeal", expected_version=expected_version, change=change, reason=reason)


def withdraw(case_id: int, actor: Actor, reason: str, expected_version: int | None = None) -> Done:
    reason = _text(reason, "reason")

    def change(case: Case) -> None:
        case.closed_at = clock.now()
        close_steps(case, how="cancelled")
    return _run(case_id, actor, "withdraw", expected_version=expected_version, change=change, reason=reason)


def close(case_id: int, actor: Actor, reason: str = "", expected_version: int | None = None) -> Done:
    """Close a declined case or one whose outcome is approved; recommendations stay followed up."""
    def change(case: Case) -> None:
        case.closed_at = clock.now()
        if case.stage == "approved":  # closing an approved case says its outcome has gone out
            close_steps(case, "review")
        close_steps(case, "notify_decision", "review", "notify_extension", "victim_update", how="cancelled")
        close_steps(case, "agency_update", how=NOT_RECEIVED)
    return _run(case_id, actor, "close", expected_version=expected_version, change=change, reason=reason)
