"""Steps on a new request: acknowledge, assign or take, note, log a contact with the victim, triage."""

from __future__ import annotations

import json
from datetime import date, datetime

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import (
    Case,
    ContactLog,
    Note,
    User,
)
from caseworker_tui.services import audit, clock, context
from caseworker_tui.services.deadlines import close_steps, open_step
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.unit import transaction
from caseworker_tui.services.workflow.running import Done, clean_text, load_case, run_step


def acknowledge(case_id: int, actor: Actor, expected_version: int | None = None) -> Done:
    decide = context.policy().timescales.decide

    def change(case: Case) -> None:
        # The acknowledge step stays owed until its letter is sent (the letter kind closes it).
        _victim_update_from(case, clock.today())  # before any contact, from the acknowledgement
        if decide.anchor == "acknowledged":  # Gosport: the decision counts from here
            open_step(case, "decide", decide.due(clock.today(), context.calendar()))
    return run_step(case_id, actor, "acknowledge", expected_version=expected_version, change=change)


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
    return run_step(case_id, actor, "take" if taking else "assign", expected_version=expected_version, change=change)


def add_note(case_id: int, actor: Actor, text: str) -> None:
    require(actor, "add_note")
    text = clean_text(text, "note")
    with transaction():
        case = load_case(case_id, None)
        Note.create(case=case, author=actor.username, created_at=clock.now(), text=text)
        audit.record(case, actor, "note_added")


# How a contact with the victim was made, and how the timeline says it.
CONTACT_CHANNELS = {"phone": "by phone", "email": "by e-mail", "letter": "by letter",
                    "in_person": "in person", "text_message": "by text message", "video": "by video call"}


def record_contact(case_id: int, actor: Actor, *, at: datetime, channel: str, said: str, promised: str = "",
                   expected_version: int | None = None) -> Done:
    """Log a contact with the victim; the next update the policy asks for counts from it."""
    said = clean_text(said, "said")
    promised = clean_text(promised, "promised", required=False)
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
    return run_step(case_id, actor, "record_contact", expected_version=expected_version, change=change)


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
    return run_step(case_id, actor, "triage", expected_version=expected_version, change=change)


