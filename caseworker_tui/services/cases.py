"""Reading cases: one case in full with its timeline, and every case for the command line.

Everything returned is a plain object; screens never see a peewee row. The intake queue's pages
are `services.queue`'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from peewee import fn

from caseworker_tui.errors import NotFound
from caseworker_tui.models import (
    AgencyUpdateRequest,
    Appeal,
    Applicant,
    AuditEvent,
    Case,
    CaseView,
    ContactLog,
    Deadline,
    Escalation,
    Letter,
    Note,
    Recommendation,
    Review,
    ThresholdDecision,
    User,
)
from caseworker_tui.services import audit, clock, context
from caseworker_tui.services.calendar import countdown
from caseworker_tui.services.case_view import (
    AppealInfo,
    ApplicantInfo,
    AuditInfo,
    CaseDetail,
    ContactInfo,
    DecisionInfo,
    IncidentInfo,
    LetterInfo,
    RecommendationInfo,
    ReportInfo,
    ReviewInfo,
    TimelineEntry,
    UpdateInfo,
)
from caseworker_tui.services.deadline_steps import step_words
from caseworker_tui.services.deadlines import view
from caseworker_tui.services.found import case_by_id, incidents_of
from caseworker_tui.services.lifecycle import STEPS, offered
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.stages import STAGE_LABELS, stage_label
from caseworker_tui.services.unit import reading, transaction
from caseworker_tui.services.workflow import CONTACT_CHANNELS, NOT_RECEIVED, reply_by, spoc_of, views_words

if TYPE_CHECKING:  # imported where a case is opened: the queue, the first screen, has no verdict
    from caseworker_tui.services.eligibility import Verdict

def find_case_id(text: str) -> int | None:
    """The case a reference names exactly (for "open by reference")."""
    with reading():
        row = Case.select(Case.id).where(fn.LOWER(Case.reference) == text.strip().lower()).first()
    return row.id if row else None


# --- one case in full --------------------------------------------------------------------------

def case_facts(*, assignee: str | None, actor: Actor, updates_pending: bool, meeting_on: date | None,
               recommendation_open: bool, today: date, appeal_final: bool = False,
               escalatable: bool = False, escalation_open: bool = False, consulted: bool = False) -> frozenset[str]:
    """The facts about a case that the lifecycle's `Step.needs` names.

    `appeal_final`: an appeal's decision is the case's last word (`workflow.record_appeal` refuses
    another); whether an appeal is still in time is the service's to say, with the date typed."""
    facts = {"letter_unsent"}
    # Taking an unassigned case is anyone's; taking a colleague's reassigns it, the supervisor's.
    if assignee is None or (assignee != actor.username and actor.role == "supervisor"):
        facts.add("takeable")
    if not appeal_final:
        facts.add("appealable")
    if updates_pending:
        facts.add("update_pending")
    if meeting_on is not None and meeting_on <= today:
        facts.add("meeting_held")
    if recommendation_open:
        facts.add("recommendation_open")
    if escalatable:
        facts.add("escalatable")
    if escalation_open:
        facts.add("escalation_open")
    if consulted:
        facts.add("consulted")
    return frozenset(facts)


SENT_WAYS = {"post": "by post", "email": "by e-mail", "hand": "by hand"}  # letters' CHANNELS, in words
ICONS = {"contact": "☏", "incident": "⚠", "report": "☎", "agency_update": "⇄", "decision": "⚖", "letter": "✉",
         "note": "✎", "stage": "➜", "review": "◆", "appeal": "↺", "recommendation": "★"}
TIMELINE_KINDS = tuple(ICONS)
# Steps of the review that change no stage, shown on the timeline from their audit events.
REVIEW_STEPS = {s.name: s.timeline for s in STEPS if s.timeline}


def _review_step(event: AuditEvent) -> str:
    details = json.loads(event.details_json or "{}")
    if "to" in details:
        details["to"] = f"{date.fromisoformat(details['to']):%d %b %Y}"
    return (REVIEW_STEPS[event.action].format(**details) + f" (by {event.actor})"
            + (f": {event.reason}" if event.reason else ""))


def _verdict(stored: str) -> Verdict:
    from caseworker_tui.services.eligibility import Verdict

    return Verdict.model_validate_json(stored)


def _entry(at: datetime | date, kind: str, text: str, *, after_the_days_steps: bool = False) -> TimelineEntry:
    """A date without a time goes first in its day (an incident, a report), or last when it records
    what answered a step taken that day (an update replied to, an appeal lodged or decided)."""
    if not isinstance(at, datetime):
        at = datetime.combine(at, datetime.max.time() if after_the_days_steps else datetime.min.time())
    return TimelineEntry(at=at, kind=kind, icon=ICONS[kind], text=text)


def _taken_at(events: list[AuditEvent], action: str, day: date, detail: tuple[str, object] | None = None) -> datetime | date:
    """When the step that stored a date without a time was taken, if it was taken on that day (and
    its audit details hold `detail`, or list it): its audit event's time puts the entry among the
    day's other steps in the order they happened. Otherwise (an appeal lodged by post days before
    it was recorded, say) the day itself."""
    for e in events:
        if e.action != action or e.at.date() != day:
            continue
        if detail is not None:
            recorded = json.loads(e.details_json or "{}").get(detail[0])
            if recorded != detail[1] and not (isinstance(recorded, list) and detail[1] in recorded):
                continue
        return e.at
    return day


def open_case(case_id: int, actor: Actor, *, record_view: bool = True) -> CaseDetail:
    """Everything about one case, as one snapshot; the view is recorded (who looked, when)."""
    require(actor, "view_cases")
    policy, calendar, today = context.policy(), context.calendar(), clock.today()
    label = policy.agency_label
    if record_view:
        with transaction():
            if not Case.select().where(Case.id == case_id).exists():
                raise NotFound(f"no case with id {case_id}")
            CaseView.create(case=case_id, username=actor.username, at=clock.now())
    with reading():
        case = case_by_id(case_id)
        assignee = User.get_or_none(User.id == case.assigned_to_id) if case.assigned_to_id else None
        person = Applicant.get(Applicant.case == case)
        incidents_rows = incidents_of(case)
        deadlines = list(Deadline.select().where(Deadline.case == case).order_by(Deadline.due_on, Deadline.id))
        decisions = list(ThresholdDecision.select().where(ThresholdDecision.case == case).order_by(ThresholdDecision.id))
        updates = list(AgencyUpdateRequest.select().where(AgencyUpdateRequest.case == case)
                       .order_by(AgencyUpdateRequest.id))
        review = Review.get_or_none(Review.case == case)
        recs = list(Recommendation.select().where(Recommendation.case == case).order_by(Recommendation.position))
        letters = list(Letter.select().where(Letter.case == case).order_by(Letter.created_at, Letter.id))
        notes = list(Note.select().where(Note.case == case).order_by(Note.created_at, Note.id))
        appeals = list(Appeal.select().where(Appeal.case == case).order_by(Appeal.id))
        contacts = list(ContactLog.select().where(ContactLog.case == case).order_by(ContactLog.at, ContactLog.id))
        escalations = list(Escalation.select().where(Escalation.case == case))
        events = list(AuditEvent.select().where(AuditEvent.case == case).order_by(AuditEvent.at, AuditEvent.id))
        spoc = spoc_of(case)
        views_due = reply_by(case, review) if review else None
        said = audit.reasons(e.id for e in events)
        for e in events:  # the event keeps a digest; the words are kept beside it (services.audit)
            e.reason = said.get(e.id, "")

    incidents = [
        IncidentInfo(
            key=i.key, occurred_on=i.occurred_on, description=i.description, location=i.location,
            hate_related=i.hate_related,
            reports=[ReportInfo(r.position, r.agency, label(r.agency), r.reported_on, r.reporter,
                                r.agency_reference) for r in i.reports],
        )
        for i in incidents_rows
    ]
    timeline: list[TimelineEntry] = []
    for i in incidents:
        hate = " (hate-related)" if i.hate_related else ""
        where = f" at {i.location}" if i.location else ""
        timeline.append(_entry(i.occurred_on, "incident", f"Incident {i.key}{hate}{where}: {i.description or 'no description'}"))
        for r in i.reports:
            who = "The applicant" if r.reporter.strip().casefold() == "applicant" else r.reporter
            timeline.append(_entry(r.reported_on, "report",
                                   f"{who} reported incident {i.key} to {r.agency_label}"
                                   + (f" (ref {r.agency_reference})" if r.agency_reference else "")))
    for u in updates:
        timeline.append(_entry(_taken_at(events, "request_updates", u.requested_on, ("agencies", u.agency)), "agency_update",
                               f"Update requested from {label(u.agency)}, due {u.due_on:%d %b %Y}"))
        if u.answered_on:
            timeline.append(_entry(_taken_at(events, "record_update", u.answered_on, ("agency", u.agency)), "agency_update",
                                   f"{label(u.agency)} replied: {u.answer}", after_the_days_steps=True))
    for d in decisions:
        words = "Accepted: threshold met" if d.decision == "accepted" else (
            "Declined: threshold not met" if d.ground == "threshold_not_met" else f"Declined as {d.ground}")
        against = " — against the computed verdict" if d.against_verdict else ""
        timeline.append(_entry(d.decided_at, "decision", f"{words}{against} (by {d.decided_by})"
                               + (f": {d.reason}" if d.reason else "")))
    if review and review.meeting_on:
        # A meeting held the day it was set comes just after the setting (and the stage it moved to).
        scheduled = _taken_at(events, "schedule_review", review.meeting_on)
        timeline.append(_entry(scheduled + timedelta(microseconds=1) if isinstance(scheduled, datetime) else scheduled,
                               "review", f"Review meeting, chaired by {review.chair_name}"))
    for letter in letters:
        named = f"{letter.kind.replace('_', ' ')} (version {letter.version_no})" + (
            f" to {letter.recipient}" if letter.agency else "")  # which agency's, when several were asked
        timeline.append(_entry(letter.created_at, "letter", f"Letter produced: {named}"))
        if letter.sent_on:  # an entry of its own, on the day it went: the day the person gave
            timeline.append(_entry(_taken_at(events, "letter_sent", letter.sent_on, ("kind", letter.kind)), "letter",
                                   f"Letter sent {SENT_WAYS.get(letter.channel or '', letter.channel)}: {named}",
                                   after_the_days_steps=True))
    for c in contacts:
        timeline.append(_entry(c.at, "contact", f"Contact with the victim {CONTACT_CHANNELS.get(c.channel, c.channel)} "
                               f"(by {c.by}): {c.said}" + (f" — promised: {c.promised}" if c.promised else "")))
    for note in notes:
        timeline.append(_entry(note.created_at, "note", f"{note.author}: {note.text}"))
    for a in appeals:
        timeline.append(_entry(_taken_at(events, "record_appeal", a.lodged_on, ("lodged_on", a.lodged_on.isoformat())),
                               "appeal", f"Appeal against the {a.against} lodged: {a.grounds} "
                               f"(recorded by {a.recorded_by})", after_the_days_steps=True))
        if a.decided_on:
            result = "upheld" if a.upheld else "not upheld"
            timeline.append(_entry(_taken_at(events, "decide_appeal", a.decided_on,
                                             ("independent_chair", a.independent_chair)),
                                   "appeal", f"Appeal {result} by {a.independent_chair}: {a.decision_reason}",
                                   after_the_days_steps=True))
    for r in recs:
        if r.done_on:
            timeline.append(_entry(_taken_at(events, "follow_up", r.done_on, ("recommendation", r.position)), "recommendation",
                                   f"Recommendation {r.position} ({label(r.agency)}) done: {r.done_note}"
                                   + (f" (by {r.done_by})" if r.done_by else ""),
                                   after_the_days_steps=True))
    for e in events:
        if e.action in REVIEW_STEPS:
            timeline.append(_entry(e.at, "review", _review_step(e)))
        if e.action == "letter_delivery":  # what the carrier said of a letter sent (services/letters/delivery.py)
            said = json.loads(e.details_json)
            timeline.append(_entry(e.at, "letter", f"Letter {str(said.get('kind', '')).replace('_', ' ')} (version "
                                   f"{said.get('version')}) {said.get('words', said.get('status'))}"
                                   + ("; its step is open again" if said.get("reopened_step") else "")))
        if e.from_stage != e.to_stage and e.to_stage:
            came = f"{stage_label(e.from_stage)} → " if e.from_stage else ""
            timeline.append(_entry(e.at, "stage", f"{came}{stage_label(e.to_stage)} (by {e.actor})"
                                   + (f": {e.reason}" if e.reason else "")))
    timeline.sort(key=lambda t: t.at)

    unanswered = {d.ref_id for d in deadlines if d.step == "agency_update" and d.closed_how == NOT_RECEIVED}
    stage = case.stage
    return CaseDetail(
        id=case.id, reference=case.reference, version=case.version, received_at=case.received_at,
        stage=stage, stage_label=stage_label(stage),
        assignee=assignee.username if assignee else None,
        assignee_name=assignee.display_name if assignee else "",
        high_risk=case.high_risk, risk_score=case.risk_score,
        triage_answers=json.loads(case.triage_json) if case.triage_json else {},
        dissatisfied=case.dissatisfied, dissatisfaction_reason=case.dissatisfaction_reason,
        extended=case.extended,
        applicant=ApplicantInfo(person.name, person.address, person.postcode, person.email, person.phone,
                                person.preferred_contact, person.on_behalf_of, person.vulnerabilities,
                                json.loads(person.needs_json), person.advocate, person.consent_to_share),
        incidents=incidents,
        verdict=_verdict(case.verdict_json),
        deadlines=[view(d, today, calendar) for d in deadlines],
        decisions=[DecisionInfo(d.decision, d.ground, d.reason, d.against_verdict, d.decided_by, d.decided_at,
                                d.computed_met)
                   for d in decisions],
        updates=[UpdateInfo(u.id, u.agency, label(u.agency), u.requested_on, u.due_on, u.answered_on, u.answer,
                            late=u.answered_on is None and u.id not in unanswered and today > u.due_on,
                            not_received=u.id in unanswered) for u in updates],
        review=ReviewInfo(review.due_on, review.extended_to, review.extension_reason, review.meeting_on,
                          review.chair_name, json.loads(review.agencies_json), review.participation,
                          review.not_invited_reason, review.findings, review.summary, review.submitted_at,
                          review.approved_by_name, review.approved_at, review.returned_comments,
                          review.virtual_link, review.consulted_on, views_due, views_words(review) if review.views_on else "",
                          review.views_on is not None) if review else None,
        recommendations=[RecommendationInfo.of(r, label) for r in recs],
        letters=[LetterInfo(x.id, x.kind, x.version_no, x.path, x.created_by, x.created_at, x.sent_on,
                            x.channel, x.large_print) for x in letters],
        appeals=[AppealInfo(a.against, a.lodged_on, a.grounds, a.decided_on, a.upheld, a.independent_chair,
                            a.decision_reason) for a in appeals],
        timeline=timeline,
        contacts=[ContactInfo(c.at, c.channel, c.by, c.said, c.promised) for c in contacts],
        last_contact_working_days=(calendar.working_days_between(contacts[-1].at.date(), today)
                                   if contacts else None),
        spoc=spoc.username if spoc else None, spoc_name=spoc.display_name if spoc else "",
        audit=[AuditInfo(e.at, e.actor, e.action, e.from_stage, e.to_stage, e.reason) for e in events],
        actions=offered(stage, actor.role, case_facts(
            assignee=assignee.username if assignee else None, actor=actor,
            updates_pending=any(u.answered_on is None for u in updates),
            meeting_on=review.meeting_on if review else None,
            recommendation_open=any(r.done_on is None for r in recs), today=today,
            # As record_appeal refuses: a closed case that has had an appeal has had its final say.
            appeal_final=stage == "closed" and bool(appeals),
            escalatable=(context.policy().escalation is not None and not escalations
                         and any(a.upheld is False for a in appeals)),
            escalation_open=any(e.answered_on is None for e in escalations),
            consulted=bool(review and review.consulted_on))),
    )


@dataclass(frozen=True)
class CaseLine:
    """One case for `caseworker cases`: enough to script against."""

    reference: str
    applicant: str
    stage: str
    stage_label: str
    received_on: date
    next_due_on: date | None
    next_step: str
    countdown: str

    def as_json(self) -> dict:
        return {"reference": self.reference, "applicant": self.applicant, "stage": self.stage,
                "received": self.received_on.isoformat(),
                "next_deadline": self.next_due_on.isoformat() if self.next_due_on else None,
                "next_step": self.next_step or None, "countdown": self.countdown}


def list_cases(stage: str | None = None, overdue: bool = False) -> list[CaseLine]:
    """Every case (or those at a stage, or overdue), oldest first."""
    today, calendar = clock.today(), context.calendar()
    with reading():
        query = Case.select(Case.reference, Case.applicant_name, Case.stage, Case.received_at,
                            Case.next_due_on, Case.next_due_step).order_by(Case.received_at, Case.id)
        if stage:
            if stage not in STAGE_LABELS:
                from caseworker_tui.errors import InvalidInput

                raise InvalidInput(f"stage: must be one of {', '.join(STAGE_LABELS)}", "stage")
            query = query.where(Case.stage == stage)
        if overdue:
            query = query.where(Case.next_due_on < today)
        rows = list(query.dicts())
    return [
        CaseLine(r["reference"], r["applicant_name"], r["stage"], stage_label(r["stage"]),
                 r["received_at"].date(), r["next_due_on"], step_words(r["next_due_step"]),
                 countdown(r["next_due_on"], today, calendar).words if r["next_due_on"] else "")
        for r in rows
    ]


def appeal_window(case_id: int) -> date | None:
    """The last day an appeal can be lodged for this case (None: nothing to appeal yet)."""
    from caseworker_tui.services.workflow import appeal_window_end

    with reading():
        case = Case.get_or_none(Case.id == case_id)
        return appeal_window_end(case) if case else None
