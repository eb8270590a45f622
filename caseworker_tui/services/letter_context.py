"""What each letter may say: one pydantic model per letter kind, built from the stored case.

A template can use the fields of its model and nothing else (`caseworker letters check` holds
every template to that), so a template edited in Word can never reach into the database. Dates
arrive formatted and text typed by users arrives as plain data: the renderer escapes it, so
`{{ 7*7 }}` or `<` in a note prints as typed.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from caseworker_tui.models import (
    AgencyUpdateRequest,
    Appeal,
    Applicant,
    Case,
    Deadline,
    Incident,
    Recommendation,
    Report,
    Review,
    ThresholdDecision,
    User,
)
from caseworker_tui.services import clock, context
from caseworker_tui.services.application import APPLICANT
from caseworker_tui.services.eligibility import Verdict, normalise_name
from caseworker_tui.services.workflow import PARTICIPATION, appeal_window_end

# Control characters other than tab and newline are not allowed in Word's XML; a pasted one would
# make the letter unreadable, and docxtpl reads \a and \f as paragraph and page breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# How the applicant can take part in the review, as the invitation lists them.
TAKING_PART = {
    "in_person": "in person, at the review meeting",
    "virtual": "virtually, by video or telephone call",
    "written_statement": "by a written statement, sent to us before the meeting",
    "advocate": "through an advocate, who takes part for you",
}


def clean(text: str | None) -> str:
    """User text as data: stripped, without characters a Word document cannot hold."""
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def long_date(day: date | None) -> str:
    """25 November 2026: the form a letter uses."""
    return f"{day.day} {day:%B %Y}" if day else ""


def due_date(day: date | None) -> str:
    """Friday 4 December 2026: deadlines carry the weekday, so nobody has to look it up."""
    return f"{day:%A} {long_date(day)}" if day else ""


def _words_list(items: list[str]) -> str:
    """"a, b and c", as a sentence lists things."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartnershipInfo(_Model):
    name: str
    address: str  # one line per line of the address
    phone: str
    email: str
    website: str


class Recipient(_Model):
    name: str
    address: str


class Signatory(_Model):
    name: str
    role: str


class LetterContext(_Model):
    """What every letter may use: the letterhead, the addressee, the reference and the date."""

    partnership: PartnershipInfo
    reference: str
    letter_date: str
    recipient: Recipient
    salutation: str
    applicant_name: str
    received_on: str
    sender: Signatory


class AcknowledgementContext(LetterContext):
    decide_by: str


class ReportLine(_Model):
    occurred_on: str
    reported_on: str
    reporter: str
    agency_reference: str
    description: str


class AgencyUpdateRequestContext(LetterContext):
    agency_label: str
    applicant_address: str
    agency_references: str
    reports: list[ReportLine]
    due_on: str
    overdue: bool  # the due date has passed: the letter chases rather than asks
    review_under_way: bool  # accepted: the update serves the review, not the threshold decision


class ThresholdMetContext(LetterContext):
    decided_on: str
    review_days: int
    review_due: str  # the usual date, decision + review_days
    extended_to: str  # "" unless the review has since been extended
    extension_reason: str


class RuleLine(_Model):
    title: str
    result: str  # "Met" or "Not met"
    explanation: str


class ExcludedLine(_Model):
    what: str
    reason: str


class ComplaintRoute(_Model):
    agency: str
    how: str


class ThresholdNotMetContext(LetterContext):
    decided_on: str
    not_met_by_threshold: bool  # False: declined on another ground, e.g. vexatious
    ground_words: str
    decision_reason: str
    rules: list[RuleLine]
    excluded: list[ExcludedLine]
    appeal_days: int
    appeal_by: str
    complaints: list[ComplaintRoute]


class ReviewInvitationContext(LetterContext):
    meeting_on: str
    chair_name: str
    agencies: str
    invited: bool
    participation_words: str
    not_invited_reason: str
    options: list[str]
    review_due: str


class ExtensionContext(LetterContext):
    previous_due: str
    new_due: str
    reason: str


class RecommendationLine(_Model):
    number: int
    agency: str
    action: str
    due_on: str


class OutcomeContext(LetterContext):
    findings: str
    summary: str
    recommendations: list[RecommendationLine]
    chair_name: str
    approved_on: str
    appeal_days: int
    appeal_by: str
    complaints: list[ComplaintRoute]


class AppealAcknowledgementContext(LetterContext):
    lodged_on: str
    against_words: str
    grounds: str
    decide_by: str


class AppealDecisionContext(LetterContext):
    lodged_on: str
    against_words: str
    against_decision: bool
    decided_on: str
    upheld: bool
    independent_chair: str
    decision_reason: str
    next_due: str
    complaints: list[ComplaintRoute]


CONTEXTS: dict[str, type[LetterContext]] = {
    "acknowledgement": AcknowledgementContext,
    "agency_update_request": AgencyUpdateRequestContext,
    "threshold_met": ThresholdMetContext,
    "threshold_not_met": ThresholdNotMetContext,
    "review_invitation": ReviewInvitationContext,
    "extension": ExtensionContext,
    "outcome": OutcomeContext,
    "appeal_acknowledgement": AppealAcknowledgementContext,
    "appeal_decision": AppealDecisionContext,
}


# --- building a context from the stored case (inside the caller's transaction) ------------------

def _address(person: Applicant) -> str:
    lines = [clean(part) for part in re.split(r"[\n,]", person.address or "") if clean(part)]
    postcode = clean(person.postcode)
    if postcode and postcode.replace(" ", "").casefold() not in "".join(lines).replace(" ", "").casefold():
        lines.append(postcode)
    if not lines and person.email:
        lines.append(person.email)
    return "\n".join(lines)


SIGNING_ROLES = {"caseworker": "Community Trigger caseworker", "supervisor": "Community Trigger supervisor",
                 "chair": "Chair"}


def _sender(case: Case, producer: str | None) -> Signatory:
    """The assigned caseworker signs routine letters, else whoever produces it, else the team."""
    user = User.get_or_none(User.id == case.assigned_to_id) if case.assigned_to_id else None
    if user is None and producer:
        user = User.get_or_none(User.username == producer)
    if user is not None and user.role in SIGNING_ROLES:
        return Signatory(name=clean(user.display_name), role=SIGNING_ROLES[user.role])
    return Signatory(name="The Community Trigger team", role="Community safety team")


def _common(case: Case, person: Applicant, producer: str | None) -> dict:
    partnership = context.policy().partnership
    name = clean(person.name)
    return {
        "partnership": PartnershipInfo(name=partnership.name, address="\n".join(partnership.address),
                                       phone=partnership.phone, email=partnership.email,
                                       website=partnership.website),
        "reference": case.reference,
        "letter_date": long_date(clock.today()),
        "recipient": Recipient(name=name, address=_address(person)),
        "salutation": f"Dear {name}",
        "applicant_name": name,
        "received_on": long_date(case.received_at.date()),
        "sender": _sender(case, producer),
    }


def _complaint_routes(case: Case) -> list[ComplaintRoute]:
    """Each relevant agency's own complaints procedure, and any other agency the applicant used."""
    policy = context.policy()
    used = {r.agency for r in Report.select(Report.agency).join(Incident).where(Incident.case == case)}
    wanted = set(policy.threshold.relevant_agencies) | used
    return [ComplaintRoute(agency=agency.label, how=agency.complaints)
            for key, agency in policy.agencies.items() if key in wanted]


def _open_due(case: Case, step: str) -> date | None:
    row = (Deadline.select(Deadline.due_on).where((Deadline.case == case) & (Deadline.step == step)
                                                   & Deadline.closed_at.is_null())
           .order_by(Deadline.id.desc()).first())
    return row.due_on if row else None


def latest_decision(case: Case) -> ThresholdDecision | None:
    return (ThresholdDecision.select().where(ThresholdDecision.case == case)
            .order_by(ThresholdDecision.id.desc()).first())


def latest_appeal(case: Case) -> Appeal | None:
    return Appeal.select().where(Appeal.case == case).order_by(Appeal.id.desc()).first()


def _against_words(appeal: Appeal) -> str:
    return ("our decision not to carry out a review of your request" if appeal.against == "decision"
            else "the outcome of the review of your request")


def build(kind: str, case: Case, *, agency: str | None = None, producer: str | None = None) -> LetterContext:
    """The context for one letter; the caller has checked the letter fits the case's stage.

    `producer` is the username of whoever produces it: they sign when nobody is assigned.
    """
    policy = context.policy()
    person = Applicant.get(Applicant.case == case)
    review = Review.get_or_none(Review.case == case)
    common = _common(case, person, producer)
    times = policy.timescales
    if kind == "acknowledgement":
        decide_by = _open_due(case, "decide") or case.received_at.date() + timedelta(days=times.decide_calendar_days)
        return AcknowledgementContext(**common, decide_by=due_date(decide_by))
    if kind == "agency_update_request":
        return _agency_request(case, person, agency or "", common)
    if kind == "threshold_met":
        return ThresholdMetContext(**common, decided_on=long_date(case.decided_on),
                                   review_days=times.review_calendar_days, review_due=due_date(review.due_on),
                                   extended_to=due_date(review.extended_to) if review.extended_to else "",
                                   extension_reason=clean(review.extension_reason or ""))
    if kind == "threshold_not_met":
        return _not_met(case, common)
    if kind == "review_invitation":
        invited = review.participation != "not_invited"
        agencies = [policy.agency_label(a) for a in json.loads(review.agencies_json)]
        return ReviewInvitationContext(
            **common, meeting_on=due_date(review.meeting_on), chair_name=clean(review.chair_name),
            agencies=_words_list(agencies), invited=invited,
            participation_words=PARTICIPATION.get(review.participation, "") if invited else "",
            not_invited_reason=clean(review.not_invited_reason), options=list(TAKING_PART.values()),
            review_due=due_date(review.extended_to or review.due_on))
    if kind == "extension":
        return ExtensionContext(**common, previous_due=due_date(review.due_on),
                                new_due=due_date(review.extended_to), reason=clean(review.extension_reason))
    if kind == "outcome":
        recs = Recommendation.select().where(Recommendation.case == case).order_by(Recommendation.position)
        return OutcomeContext(
            **{**common, "sender": Signatory(name=clean(review.approved_by_name), role="Chair")},
            findings=clean(review.findings), summary=clean(review.summary),
            recommendations=[RecommendationLine(number=r.position, agency=policy.agency_label(r.agency),
                                                action=clean(r.action), due_on=long_date(r.due_on))
                             for r in recs],
            chair_name=clean(review.approved_by_name), approved_on=long_date(review.approved_at.date()),
            appeal_days=times.appeal_window_working_days, appeal_by=due_date(appeal_window_end(case)),
            complaints=_complaint_routes(case))
    appeal = latest_appeal(case)
    if kind == "appeal_acknowledgement":
        decide_by = (_open_due(case, "appeal_decision")
                     or appeal.lodged_on + timedelta(days=times.appeal_decision_calendar_days))
        return AppealAcknowledgementContext(**common, lodged_on=long_date(appeal.lodged_on),
                                            against_words=_against_words(appeal), grounds=clean(appeal.grounds),
                                            decide_by=due_date(decide_by))
    if kind == "appeal_decision":
        next_step = "decide" if appeal.against == "decision" else "review"
        chair = clean(appeal.independent_chair)
        return AppealDecisionContext(
            **{**common, "sender": Signatory(name=chair, role="Independent chair")},
            lodged_on=long_date(appeal.lodged_on), against_words=_against_words(appeal),
            against_decision=appeal.against == "decision", decided_on=long_date(appeal.decided_on),
            upheld=bool(appeal.upheld), independent_chair=chair, decision_reason=clean(appeal.decision_reason),
            next_due=due_date(_open_due(case, next_step)) if appeal.upheld else "",
            complaints=_complaint_routes(case))
    raise ValueError(f"no letter context for {kind!r}")


def _agency_request(case: Case, person: Applicant, agency: str, common: dict) -> AgencyUpdateRequestContext:
    policy = context.policy()
    label = policy.agency_label(agency)
    request = (AgencyUpdateRequest.select().where((AgencyUpdateRequest.case == case)
                                                  & (AgencyUpdateRequest.agency == agency)
                                                  & AgencyUpdateRequest.answered_on.is_null())
               .order_by(AgencyUpdateRequest.id.desc()).first())
    rows = (Report.select(Report, Incident).join(Incident)
            .where((Incident.case == case) & (Report.agency == agency))
            .order_by(Incident.position, Report.position))
    reports = [ReportLine(occurred_on=long_date(r.incident.occurred_on), reported_on=long_date(r.reported_on),
                          reporter=clean(person.name) if normalise_name(r.reporter) == APPLICANT else clean(r.reporter),
                          agency_reference=clean(r.agency_reference), description=clean(r.incident.description))
               for r in rows]
    references = sorted({line.agency_reference for line in reports if line.agency_reference})
    return AgencyUpdateRequestContext(
        **{**common, "recipient": Recipient(name=label, address=""), "salutation": "Dear colleague"},
        agency_label=label, applicant_address=_address(person).replace("\n", ", "),
        agency_references=", ".join(references) or "not known", reports=reports,
        due_on=due_date(request.due_on), overdue=request.due_on < clock.today(),
        review_under_way=case.accepted_on is not None)


def _not_met(case: Case, common: dict) -> ThresholdNotMetContext:
    policy = context.policy()
    decision = latest_decision(case)
    verdict = Verdict.model_validate_json(case.verdict_json)
    by_threshold = decision.ground == "threshold_not_met"
    return ThresholdNotMetContext(
        **common, decided_on=long_date(case.decided_on or decision.decided_at.date()),
        not_met_by_threshold=by_threshold, ground_words="" if by_threshold else decision.ground.replace("_", " "),
        decision_reason=clean(decision.reason),
        rules=[RuleLine(title=r.title, result="Met" if r.passed else "Not met", explanation=r.explanation)
               for r in verdict.rules],
        excluded=[ExcludedLine(what=f"Incident {x.incident}, report to {policy.agency_label(x.agency)} on "
                                    f"{long_date(x.reported_on)}", reason=x.reason) for x in verdict.excluded],
        appeal_days=policy.timescales.appeal_window_working_days, appeal_by=due_date(appeal_window_end(case)),
        complaints=_complaint_routes(case))
