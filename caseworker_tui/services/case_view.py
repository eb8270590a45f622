"""What reading a case returns: plain objects, one per part of a case, for the screens and the CLI.

Screens never see a peewee row; `services.cases` makes these from the rows (`open_case`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from caseworker_tui.services.deadlines import DeadlineView
from caseworker_tui.services.words import long_date, plural

if TYPE_CHECKING:
    from caseworker_tui.services.eligibility import Verdict


@dataclass(frozen=True)
class ReportInfo:
    position: int
    agency: str
    agency_label: str
    reported_on: date
    reporter: str
    agency_reference: str


@dataclass(frozen=True)
class IncidentInfo:
    key: str
    occurred_on: date
    description: str
    location: str
    hate_related: bool
    reports: list[ReportInfo]


@dataclass(frozen=True)
class ApplicantInfo:
    name: str
    address: str
    postcode: str
    email: str | None
    phone: str | None
    preferred_contact: str
    on_behalf_of: str | None
    vulnerabilities: str | None
    needs: list[str]
    advocate: str | None
    consent_to_share: bool | None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    icon: str
    text: str


@dataclass(frozen=True)
class AuditInfo:
    at: datetime
    actor: str
    action: str
    from_stage: str | None
    to_stage: str | None
    reason: str


@dataclass(frozen=True)
class UpdateInfo:
    id: int
    agency: str
    agency_label: str
    requested_on: date
    due_on: date
    answered_on: date | None
    answer: str
    late: bool
    not_received: bool = False  # closed unanswered: the review went ahead without it


@dataclass(frozen=True)
class RecommendationInfo:
    id: int
    position: int
    agency: str
    agency_label: str
    action: str
    due_on: date
    done_on: date | None
    done_note: str

    @classmethod
    def of(cls, row, agency_label: Callable[[str], str]) -> RecommendationInfo:
        """A recommendation row as every screen shows it: the case's tabs, the approvals pane."""
        return cls(row.id, row.position, row.agency, agency_label(row.agency), row.action, row.due_on,
                   row.done_on, row.done_note)


@dataclass(frozen=True)
class ReviewInfo:
    due_on: date
    extended_to: date | None
    extension_reason: str
    meeting_on: date | None
    chair_name: str
    agencies: list[str]
    participation: str
    not_invited_reason: str
    findings: str
    summary: str
    submitted_at: datetime | None
    approved_by_name: str | None
    approved_at: datetime | None
    returned_comments: str
    virtual_link: str = ""
    consulted_on: date | None = None  # the victim was sent the draft action plan
    reply_by: date | None = None  # the last day for their views
    views: str = ""  # their views, or "" (see `views_recorded`)
    views_recorded: bool = False  # their views, or no reply by the date, are recorded


@dataclass(frozen=True)
class DecisionInfo:
    decision: str
    ground: str
    reason: str
    against_verdict: bool
    decided_by: str
    decided_at: datetime
    computed_met: bool | None = None  # the verdict when it was taken


@dataclass(frozen=True)
class LetterInfo:
    id: int
    kind: str
    version_no: int
    path: str
    created_by: str
    created_at: datetime
    sent_on: date | None
    channel: str | None
    large_print: bool


@dataclass(frozen=True)
class AppealInfo:
    against: str
    lodged_on: date
    grounds: str
    decided_on: date | None
    upheld: bool | None
    independent_chair: str | None
    decision_reason: str


@dataclass(frozen=True)
class ContactInfo:
    at: datetime
    channel: str
    by: str
    said: str
    promised: str


@dataclass(frozen=True)
class CaseDetail:
    id: int
    reference: str
    version: int
    received_at: datetime
    stage: str
    stage_label: str
    assignee: str | None
    assignee_name: str
    high_risk: bool
    risk_score: int | None
    triage_answers: dict[str, bool]
    dissatisfied: bool
    dissatisfaction_reason: str
    extended: bool
    applicant: ApplicantInfo
    incidents: list[IncidentInfo]
    verdict: Verdict
    deadlines: list[DeadlineView]
    decisions: list[DecisionInfo]
    updates: list[UpdateInfo]
    review: ReviewInfo | None
    recommendations: list[RecommendationInfo]
    letters: list[LetterInfo]
    appeals: list[AppealInfo]
    timeline: list[TimelineEntry]
    audit: list[AuditInfo]
    actions: list[str] = field(default_factory=list)
    contacts: list[ContactInfo] = field(default_factory=list)
    last_contact_working_days: int | None = None  # working days since the victim was last contacted
    spoc: str | None = None  # the victim's single point of contact: username, and name as shown
    spoc_name: str = ""

    @property
    def last_contact_words(self) -> str:
        """The header's and the command line's words: today, 3 working days ago, or none logged."""
        days = self.last_contact_working_days
        if days is None:
            return "none logged"
        return "today" if days == 0 else f"{plural(days, 'working day')} ago"

    @property
    def verdict_since_decision(self) -> str:
        """When the record was corrected after the threshold decision and the verdict recomputed from it
        now differs from the one the decision was taken on, that in one plain line; else "". The
        decision itself stands until someone takes it again."""
        taken = self.decisions[-1] if self.decisions else None
        if taken is None or taken.computed_met is None or taken.computed_met == self.verdict.threshold_met:
            return ""
        when = long_date(taken.decided_at.date())
        return (f"The verdict has changed since the decision on {when}: now "
                f"{'met' if self.verdict.threshold_met else 'not met'}.")
