"""What the approvals screen reads: the outcomes awaiting the chair, and each one in full.

The list is read in a fixed number of queries however long it is; the detail records who read
the case, as opening any case does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from peewee import JOIN, fn

from caseworker_tui.errors import NotFound
from caseworker_tui.models import (
    Applicant,
    AuditEvent,
    AuditReason,
    Case,
    CaseView,
    Recommendation,
    Review,
    ThresholdDecision,
    User,
)
from caseworker_tui.services import clock, context
from caseworker_tui.services.calendar import Countdown, countdown
from caseworker_tui.services.case_view import RecommendationInfo
from caseworker_tui.services.eligibility import Verdict
from caseworker_tui.services.found import case_by_id, incidents_of
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.stages import stage_label
from caseworker_tui.services.unit import reading, transaction
from caseworker_tui.services.workflow import PARTICIPATION, approval_refusal, reply_by, views_words

APPROVALS_SHOWN = 100  # a chair reads a handful; a list this long already says what matters


@dataclass(frozen=True)
class ApprovalRow:
    case_id: int
    reference: str
    applicant: str
    submitted_by: str
    submitted_at: datetime | None
    age_days: int
    due_on: date
    countdown: Countdown

    @property
    def overdue(self) -> bool:
        return self.countdown.overdue


def _submitters(case_ids) -> dict[int, str]:
    """Who last submitted each case's outcome, from the audit trail, in one query."""
    latest = (AuditEvent.select(fn.MAX(AuditEvent.id))
              .where(AuditEvent.case.in_(case_ids) & (AuditEvent.action == "submit_outcome"))
              .group_by(AuditEvent.case))
    rows = (AuditEvent.select(AuditEvent.case, AuditEvent.actor, User.display_name)
            .join(User, JOIN.LEFT_OUTER, on=(User.username == AuditEvent.actor))
            .where(AuditEvent.id.in_(latest)).dicts())
    return {r["case"]: r["display_name"] or r["actor"] for r in rows}


def awaiting_approval(actor: Actor, limit: int = APPROVALS_SHOWN) -> list[ApprovalRow]:
    """The outcomes waiting for the chair, the longest waiting first (at most `limit` of them)."""
    require(actor, "view_cases")
    today, calendar = clock.today(), context.calendar()
    with reading():
        found = list(Case.select(Case.id, Case.reference, Case.applicant_name, Review.submitted_at,
                                 Review.due_on, Review.extended_to)
                     .join(Review, on=(Review.case == Case.id)).where(Case.stage == "awaiting_chair")
                     .order_by(Review.submitted_at, Case.id).limit(limit).dicts())
        who = _submitters([r["id"] for r in found])
    rows = []
    for r in found:
        due = r["extended_to"] or r["due_on"]
        submitted = r["submitted_at"]
        rows.append(ApprovalRow(
            case_id=r["id"], reference=r["reference"], applicant=r["applicant_name"],
            submitted_by=who.get(r["id"], ""), submitted_at=submitted,
            age_days=(today - submitted.date()).days if submitted else 0,
            due_on=due, countdown=countdown(due, today, calendar)))
    return rows


@dataclass(frozen=True)
class ReturnedComment:
    at: datetime
    by: str
    comments: str


@dataclass(frozen=True)
class ApprovalDetail:
    """What the chair reads before deciding: the case in brief, the review, and the draft."""

    case_id: int
    reference: str
    version: int
    applicant: str
    stage: str
    stage_label: str
    received_at: datetime
    verdict_summary: str
    decision: str
    incidents: list[str]
    meeting_on: date | None
    chair_name: str
    agencies: list[str]
    participation: str
    findings: str
    due_on: date
    countdown: Countdown
    extension_reason: str
    submitted_by: str
    submitted_at: datetime | None
    summary: str
    recommendations: list[RecommendationInfo]
    returns: list[ReturnedComment]
    victim_views: str = ""  # the victim's views on the draft action plan, as the chair reads them
    views_reply_by: date | None = None  # the last day for them, once consulted
    approval_refusal: str | None = None  # why the outcome cannot be approved yet


def _verdict_summary(verdict: Verdict) -> str:
    passed = [("s.104(4)" if r.id == "statutory" else r.title.split(".", 1)[0])
              for r in verdict.all_rules if r.passed]
    mark = "✓" if verdict.threshold_met else "✗"
    return f"{mark} {verdict.summary} (rules passed: {', '.join(passed) or 'none'})"


def _decision_words(row: ThresholdDecision | None) -> str:
    if row is None:
        return "not recorded"
    decider = User.get_or_none(User.username == row.decided_by)
    words = "Accepted" if row.decision == "accepted" else f"Declined ({row.ground.replace('_', ' ')})"
    against = ", against the computed verdict" if row.against_verdict else ""
    return f"{words} by {decider.display_name if decider else row.decided_by} on {row.decided_at:%d %b %Y}{against}"


def _incident_lines(case: Case) -> list[str]:
    label = context.policy().agency_label
    lines = []
    for i in incidents_of(case):
        told = ", ".join(f"{label(r.agency)} {r.reported_on:%d %b}" for r in i.reports)
        hate = " (hate-related)" if i.hate_related else ""
        where = f" at {i.location}" if i.location else ""
        lines.append(f"{i.key} {i.occurred_on:%d %b %Y}{hate}{where}: {i.description or 'no description'}"
                     f" — reported to {told or 'nobody'}")
    return lines


def approval_detail(actor: Actor, case_id: int) -> ApprovalDetail:
    """One case as the chair reviews it; the version is the one an approval must match."""
    require(actor, "view_cases")
    policy, calendar, today = context.policy(), context.calendar(), clock.today()
    with transaction():  # the chair reads personal data here too: who looked is recorded
        if Case.select().where(Case.id == case_id).exists():
            CaseView.create(case=case_id, username=actor.username, at=clock.now())
    with reading():
        case = case_by_id(case_id)
        review = Review.get_or_none(Review.case == case)
        if review is None:
            raise NotFound(f"{case.reference} has no review: it was not accepted")
        applicant = Applicant.get_or_none(Applicant.case == case)
        decision = _decision_words(ThresholdDecision.select().where(ThresholdDecision.case == case)
                                   .order_by(ThresholdDecision.id.desc()).first())
        incidents = _incident_lines(case)
        recs = list(Recommendation.select().where(Recommendation.case == case).order_by(Recommendation.position))
        returns = list(AuditEvent.select(AuditEvent.at, AuditReason.text.alias("reason"), AuditEvent.actor,
                                         User.display_name)
                       .join(User, JOIN.LEFT_OUTER, on=(User.username == AuditEvent.actor))
                       .switch(AuditEvent).join(AuditReason, JOIN.LEFT_OUTER, on=(AuditReason.event == AuditEvent.id))
                       .where((AuditEvent.case == case) & (AuditEvent.action == "return_outcome"))
                       .order_by(AuditEvent.at, AuditEvent.id).dicts())
        submitted_by = _submitters([case.id]).get(case.id, "")
        views_reply_by, refusal = reply_by(case, review), approval_refusal(case, review)
    due = review.extended_to or review.due_on
    return ApprovalDetail(
        case_id=case.id, reference=case.reference, version=case.version,
        applicant=applicant.name if applicant else case.applicant_name,
        stage=case.stage, stage_label=stage_label(case.stage), received_at=case.received_at,
        verdict_summary=_verdict_summary(Verdict.model_validate_json(case.verdict_json)),
        decision=decision, incidents=incidents,
        meeting_on=review.meeting_on, chair_name=review.chair_name,
        agencies=[policy.agency_label(a) for a in json.loads(review.agencies_json)],
        participation=(PARTICIPATION.get(review.participation, review.participation)
                       + (f" ({review.not_invited_reason})" if review.not_invited_reason else "")),
        findings=review.findings, due_on=due, countdown=countdown(due, today, calendar),
        extension_reason=review.extension_reason if review.extended_to else "",
        submitted_by=submitted_by, submitted_at=review.submitted_at, summary=review.summary,
        recommendations=[RecommendationInfo.of(r, policy.agency_label) for r in recs],
        returns=[ReturnedComment(r["at"], r["display_name"] or r["actor"], r["reason"] or "") for r in returns],
        victim_views=views_words(review), views_reply_by=views_reply_by, approval_refusal=refusal,
    )
