"""Across all cases: the supervisor's open steps and workload, and the chair's approvals.

Filtering, counting and paging happen in the database: a page reads the index of open
deadlines by due date as far as its last row, and each group's count one stretch of that index,
so no screen ever loads every open step.
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import reduce

from peewee import JOIN, Value, fn
from peewee import Case as SqlCase

from caseworker_tui.errors import InvalidInput, NotFound
from caseworker_tui.models import (
    Applicant,
    AuditEvent,
    Case,
    CaseView,
    Deadline,
    Incident,
    Recommendation,
    Report,
    Review,
    ThresholdDecision,
    User,
)
from caseworker_tui.services import clock, context
from caseworker_tui.services.calendar import Countdown, WorkingCalendar, countdown
from caseworker_tui.services.deadline_steps import step_label, step_tab, step_words
from caseworker_tui.services.eligibility import Verdict
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.stages import STAGE_LABELS, stage_label
from caseworker_tui.services.unit import reading, transaction
from caseworker_tui.services.workflow import PARTICIPATION

PAGE_SIZE = 50
UNASSIGNED = "unassigned"  # the assignee filter's word for "nobody has the case"
WEEK_DAYS = 7
APPROVALS_SHOWN = 100  # a chair reads a handful; a list this long already says what matters

GROUP_LABELS = {"overdue": "Overdue", "today": "Due today", "this_week": "This week", "later": "Later"}
GROUPS = tuple(GROUP_LABELS)

# --- the overdue view ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DeadlineFilter:
    assignee: str | None = None  # a username, or UNASSIGNED
    stage: str | None = None
    agency: str | None = None  # the agency an update or a recommendation is owed by
    group: str | None = None  # one of GROUPS


@dataclass(frozen=True)
class DeadlineRow:
    id: int
    case_id: int
    reference: str
    applicant: str
    stage: str
    stage_label: str
    step: str
    step_words: str
    label: str
    agency: str | None
    agency_label: str
    due_on: date
    countdown: Countdown
    group: str
    assignee: str | None
    assignee_name: str
    tab: str

    @property
    def overdue(self) -> bool:
        return self.group == "overdue"


@dataclass(frozen=True)
class DeadlinePage:
    rows: list[DeadlineRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # every group, in order, for the filter without its group


def _in_group(group: str, today: date):
    """The group as a range of due dates, so each count reads one stretch of the index."""
    week_end = today + timedelta(days=WEEK_DAYS)
    return {"overdue": Deadline.due_on < today, "today": Deadline.due_on == today,
            "this_week": (Deadline.due_on > today) & (Deadline.due_on <= week_end),
            "later": Deadline.due_on > week_end}[group]


def group_of(due_on: date, today: date) -> str:
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "today"
    return "this_week" if due_on <= today + timedelta(days=WEEK_DAYS) else "later"


def _check(flt: DeadlineFilter, page_size: int) -> None:
    if flt.stage and flt.stage not in STAGE_LABELS:
        raise InvalidInput(f"stage: must be one of {', '.join(STAGE_LABELS)}", "stage")
    agencies = context.policy().agencies
    if flt.agency and flt.agency not in agencies:
        raise InvalidInput(f"agency: must be one of {', '.join(agencies)}", "agency")
    if flt.group and flt.group not in GROUPS:
        raise InvalidInput(f"group: must be one of {', '.join(GROUPS)}", "group")
    if not 1 <= page_size <= 500:
        raise InvalidInput("page size: between 1 and 500 rows", "page_size")


def _open_steps(query, flt: DeadlineFilter):
    """`query` over open deadlines, narrowed by everything but the group.

    The case's assignee and stage are matched through a list of case ids read from their own
    indexes, which is cheaper than looking every open step's case up by its key.
    """
    query = query.where(Deadline.closed_at.is_null())
    cases = []
    if flt.assignee == UNASSIGNED:
        cases.append(Case.assigned_to.is_null())
    elif flt.assignee:
        cases.append(Case.assigned_to.in_(User.select(User.id).where(User.username == flt.assignee)))
    if flt.stage:
        cases.append(Case.stage == flt.stage)
    if cases:
        query = query.where(Deadline.case.in_(Case.select(Case.id).where(*cases)))
    if flt.agency:
        query = query.where(Deadline.agency == flt.agency)
    return query


def deadline_page(actor: Actor, flt: DeadlineFilter = DeadlineFilter(), page: int = 1,
                  page_size: int = PAGE_SIZE) -> DeadlinePage:
    """One page of every open step across all cases, soonest due first, with counts per group."""
    require(actor, "view_cases")
    _check(flt, page_size)
    today, calendar = clock.today(), context.calendar()
    with reading():
        # One statement, one count per group over its own range of due dates: cheaper than
        # grouping by an expression that must be worked out for every open step.
        counting = [_open_steps(Deadline.select(Value(g).alias("grp"), fn.COUNT(Deadline.id).alias("n")), flt)
                    .where(_in_group(g, today)) for g in GROUPS]
        found = {r["grp"]: r["n"] for r in reduce(operator.add, counting).dicts()}
        counts = {g: found.get(g, 0) for g in GROUPS}
        total = counts[flt.group] if flt.group else sum(counts.values())
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        query = _open_steps(
            Deadline.select(Deadline.id, Deadline.step, Deadline.agency, Deadline.due_on,
                            Case.id.alias("case_id"), Case.reference, Case.applicant_name, Case.stage,
                            User.username, User.display_name)
            .join(Case).join(User, JOIN.LEFT_OUTER, on=(Case.assigned_to == User.id)), flt)
        if flt.group:
            query = query.where(_in_group(flt.group, today))
        found_rows = list(query.order_by(Deadline.due_on, Deadline.id).paginate(page, page_size).dicts())
    rows = [_deadline_row(r, today, calendar) for r in found_rows]
    return DeadlinePage(rows=rows, total=total, page=page, pages=pages, counts=counts)


def _deadline_row(r: dict, today: date, calendar: WorkingCalendar) -> DeadlineRow:
    """A page's row, its label worded from its step and agency rather than read from the table."""
    agency_label = context.policy().agency_label(r["agency"]) if r["agency"] else None
    return DeadlineRow(
        id=r["id"], case_id=r["case_id"], reference=r["reference"], applicant=r["applicant_name"],
        stage=r["stage"], stage_label=stage_label(r["stage"]), step=r["step"],
        step_words=step_words(r["step"]), label=step_label(r["step"], agency_label),
        agency=r["agency"], agency_label=agency_label or "",
        due_on=r["due_on"], countdown=countdown(r["due_on"], today, calendar), group=group_of(r["due_on"], today),
        assignee=r["username"], assignee_name=r["display_name"] or "", tab=step_tab(r["step"]),
    )


@dataclass(frozen=True)
class WorkloadRow:
    username: str  # UNASSIGNED for the cases nobody has
    display_name: str
    open_cases: int
    open_steps: int
    overdue_steps: int


def workload(actor: Actor) -> list[WorkloadRow]:
    """Per caseworker (and the unassigned pile): open cases, open steps, overdue steps.

    It reads every open step's case, so screens ask for it when it may have moved, not per page.
    """
    require(actor, "view_cases")
    today = clock.today()
    overdue = fn.SUM(SqlCase(None, [(Deadline.due_on < today, 1)], 0))
    with reading():
        cases = {r["assigned_to"]: r["n"] for r in (
            Case.select(Case.assigned_to, fn.COUNT(Case.id).alias("n"))
            .where(Case.is_open == True)  # noqa: E712 - peewee expression
            .group_by(Case.assigned_to).dicts())}
        steps = {r["assigned_to"]: (r["n"], r["late"] or 0) for r in (
            Deadline.select(Case.assigned_to, fn.COUNT(Deadline.id).alias("n"), overdue.alias("late"))
            .join(Case).where(Deadline.closed_at.is_null())
            .group_by(Case.assigned_to).dicts())}
        busy = (set(cases) | set(steps)) - {None}
        people = list(User.select(User.id, User.username, User.display_name)
                      .where((User.active & User.role.in_(("caseworker", "supervisor"))) | User.id.in_(busy))
                      .order_by(User.display_name, User.username))

    def row(key: int | None, username: str, name: str) -> WorkloadRow:
        n_steps, n_late = steps.get(key, (0, 0))
        return WorkloadRow(username, name, cases.get(key, 0), n_steps, n_late)

    return [row(u.id, u.username, u.display_name) for u in people] + [row(None, UNASSIGNED, "Unassigned")]


# --- the chair's approvals -----------------------------------------------------------------------

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
class RecommendationLine:
    position: int
    agency: str
    agency_label: str
    action: str
    due_on: date


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
    recommendations: list[RecommendationLine]
    returns: list[ReturnedComment]


def _verdict_summary(verdict: Verdict) -> str:
    passed = [r.title.split(".", 1)[0] for r in verdict.rules if r.passed]
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
    reports: dict[int, list[Report]] = {}
    for report in (Report.select().join(Incident).where(Incident.case == case)
                   .order_by(Report.incident, Report.position)):
        reports.setdefault(report.incident_id, []).append(report)
    lines = []
    for i in Incident.select().where(Incident.case == case).order_by(Incident.position):
        told = ", ".join(f"{label(r.agency)} {r.reported_on:%d %b}" for r in reports.get(i.id, []))
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
        case = Case.get_or_none(Case.id == case_id)
        if case is None:
            raise NotFound(f"no case with id {case_id}")
        review = Review.get_or_none(Review.case == case)
        if review is None:
            raise NotFound(f"{case.reference} has no review: it was not accepted")
        applicant = Applicant.get_or_none(Applicant.case == case)
        decision = _decision_words(ThresholdDecision.select().where(ThresholdDecision.case == case)
                                   .order_by(ThresholdDecision.id.desc()).first())
        incidents = _incident_lines(case)
        recs = list(Recommendation.select().where(Recommendation.case == case).order_by(Recommendation.position))
        returns = list(AuditEvent.select(AuditEvent.at, AuditEvent.reason, AuditEvent.actor, User.display_name)
                       .join(User, JOIN.LEFT_OUTER, on=(User.username == AuditEvent.actor))
                       .where((AuditEvent.case == case) & (AuditEvent.action == "return_outcome"))
                       .order_by(AuditEvent.at, AuditEvent.id).dicts())
        submitted_by = _submitters([case.id]).get(case.id, "")
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
        recommendations=[RecommendationLine(r.position, r.agency, policy.agency_label(r.agency), r.action, r.due_on)
                         for r in recs],
        returns=[ReturnedComment(r["at"], r["display_name"] or r["actor"], r["reason"]) for r in returns],
    )
