"""Building a letter's context from the stored case, inside the caller's transaction.

One builder per kind of letter; each is handed what every letter shares (the letterhead, the
addressee, the signatory) and reads only what its own letter says. The caller has checked that
the letter fits the case, so a builder may rely on the rows that check looked for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from caseworker_tui.models import (
    AgencyUpdateRequest,
    Appeal,
    Applicant,
    AuditEvent,
    Case,
    Incident,
    Recommendation,
    Report,
    Review,
    User,
)
from caseworker_tui.services import audit, clock, context
from caseworker_tui.services.application import APPLICANT
from caseworker_tui.services.eligibility import Verdict, normalise_name
from caseworker_tui.services.grounds import NOT_MET_GROUND
from caseworker_tui.services.letters.contexts import (
    AcknowledgementContext,
    ActionPlanContext,
    AgencyUpdateRequestContext,
    AppealAcknowledgementContext,
    AppealDecisionContext,
    ClosureContext,
    ComplaintRoute,
    Contact,
    DeclinedContext,
    ExcludedLine,
    ExtensionContext,
    LetterContext,
    OutcomeContext,
    PartnershipInfo,
    Recipient,
    RecommendationLine,
    ReportLine,
    ReviewInvitationContext,
    RuleLine,
    Signatory,
    ThresholdMetContext,
    ThresholdNotMetContext,
    WithdrawalContext,
    clean,
    words_list,
)
from caseworker_tui.services.letters.facts import latest_appeal, latest_decision, open_due
from caseworker_tui.services.words import long_date, weekday_date
from caseworker_tui.services.workflow import PARTICIPATION, appeal_window_end, reply_by, spoc_of
from caseworker_tui.services.workflow.victim import reply_timescale

# How the applicant can take part in the review, as the invitation lists them.
TAKING_PART = {
    "in_person": "in person, at the review meeting",
    "virtual": "virtually, by video or telephone call",
    "written_statement": "by a written statement, sent to us before the meeting",
    "advocate": "through an advocate, who takes part for you",
}

SIGNING_ROLES = {"caseworker": "Community Trigger caseworker",
                 "supervisor": "Community Trigger supervisor", "chair": "Chair"}


@dataclass(frozen=True)
class Source:
    """What a builder starts from: the case, its applicant, the fields every letter shares."""

    case: Case
    applicant: Applicant
    common: dict[str, Any]
    agency: str | None = None  # the agency an agency letter goes to


Builder = Callable[[Source], LetterContext]


def build(builder: Builder, case: Case, *, agency: str | None = None,
          producer: str | None = None) -> LetterContext:
    """The context for one letter; the caller has checked the letter fits the case's stage.

    `producer` is the username of whoever produces it: they sign when nobody is assigned.
    """
    person = Applicant.get(Applicant.case == case)
    return builder(Source(case, person, common(case, person, producer), agency))


# --- what every letter shares ------------------------------------------------------------------

def _address(person: Applicant) -> str:
    lines = [clean(part) for part in re.split(r"[\n,]", person.address or "") if clean(part)]
    postcode = clean(person.postcode)
    written = "".join(lines).replace(" ", "").casefold()
    if postcode and postcode.replace(" ", "").casefold() not in written:
        lines.append(postcode)
    if not lines and person.email:
        lines.append(person.email)
    return "\n".join(lines)


def _sender(case: Case, producer: str | None) -> Signatory:
    """The assigned caseworker signs routine letters, else whoever produces it, else the team."""
    user = User.get_or_none(User.id == case.assigned_to_id) if case.assigned_to_id else None
    if user is None and producer:
        user = User.get_or_none(User.username == producer)
    if user is not None and user.role in SIGNING_ROLES:
        return Signatory(name=clean(user.display_name), role=SIGNING_ROLES[user.role])
    return Signatory(name="The Community Trigger team", role="Community safety team")


def _spoc(case: Case) -> Contact:
    """Named from the account; reached on the partnership's line and mailbox, which accounts do not hold
    and which someone answers when the contact is away."""
    partnership, user = context.policy().partnership, spoc_of(case)
    if user is None:
        return Contact(name="The Community Trigger team", role="Community safety team",
                       phone=partnership.phone, email=partnership.email)
    return Contact(name=clean(user.display_name), role=SIGNING_ROLES.get(user.role, "Community safety team"),
                   phone=partnership.phone, email=partnership.email)


def common(case: Case, person: Applicant, producer: str | None) -> dict[str, Any]:
    partnership = context.policy().partnership
    name = clean(person.name)
    return {
        "partnership": PartnershipInfo(name=partnership.name,
                                       address="\n".join(partnership.address),
                                       phone=partnership.phone, email=partnership.email,
                                       website=partnership.website),
        "reference": case.reference,
        "letter_date": long_date(clock.today()),
        "recipient": Recipient(name=name, address=_address(person)),
        "salutation": f"Dear {name}",
        "applicant_name": name,
        "received_on": long_date(case.received_at.date()),
        "sender": _sender(case, producer),
        "spoc": _spoc(case),
    }


def _decision_maker(case: Case, common: dict[str, Any]) -> Signatory:
    """A decision letter is signed by whoever took the decision, named from the record."""
    decision = latest_decision(case)
    user = User.get_or_none(User.username == decision.decided_by) if decision else None
    if user is None or user.role not in SIGNING_ROLES:
        return common["sender"]
    return Signatory(name=clean(user.display_name), role=SIGNING_ROLES[user.role])


def _complaint_routes(case: Case) -> list[ComplaintRoute]:
    """Each relevant agency's own complaints procedure, and any other agency the applicant used."""
    policy = context.policy()
    used = {r.agency for r in
            Report.select(Report.agency).join(Incident).where(Incident.case == case)}
    wanted = set(policy.threshold.relevant_agencies) | used
    return [ComplaintRoute(agency=agency.label, how=agency.complaints)
            for key, agency in policy.agencies.items() if key in wanted]


def _against_words(appeal: Appeal) -> str:
    return ("our decision not to carry out a review of your request" if appeal.against == "decision"
            else "the outcome of the review of your request")


def _review(case: Case) -> Review:
    return Review.get(Review.case == case)


# --- one builder per kind of letter ------------------------------------------------------------

def acknowledgement(src: Source) -> AcknowledgementContext:
    case, times = src.case, context.policy().timescales
    decide_by = open_due(case, "decide") or times.decide.due(case.received_at.date(), context.calendar())
    return AcknowledgementContext(**src.common, decide_by=weekday_date(decide_by))


def agency_update_request(src: Source) -> AgencyUpdateRequestContext:
    case, person, agency = src.case, src.applicant, src.agency or ""
    label = context.policy().agency_label(agency)
    request = (AgencyUpdateRequest.select()
               .where((AgencyUpdateRequest.case == case) & (AgencyUpdateRequest.agency == agency)
                      & AgencyUpdateRequest.answered_on.is_null())
               .order_by(AgencyUpdateRequest.id.desc()).first())
    rows = (Report.select(Report, Incident).join(Incident)
            .where((Incident.case == case) & (Report.agency == agency))
            .order_by(Incident.position, Report.position))

    def reporter(name: str) -> str:
        return clean(person.name) if normalise_name(name) == APPLICANT else clean(name)

    reports = [ReportLine(occurred_on=long_date(r.incident.occurred_on),
                          reported_on=long_date(r.reported_on), reporter=reporter(r.reporter),
                          agency_reference=clean(r.agency_reference),
                          description=clean(r.incident.description))
               for r in rows]
    references = sorted({line.agency_reference for line in reports if line.agency_reference})
    return AgencyUpdateRequestContext(
        **{**src.common, "recipient": Recipient(name=label, address=""),
           "salutation": "Dear colleague"},
        agency_label=label, applicant_address=_address(person).replace("\n", ", "),
        agency_references=", ".join(references) or "not known", reports=reports,
        due_on=weekday_date(request.due_on), overdue=request.due_on < clock.today(),
        review_under_way=case.accepted_on is not None)


def threshold_met(src: Source) -> ThresholdMetContext:
    case, review = src.case, _review(src.case)
    return ThresholdMetContext(
        **{**src.common, "sender": _decision_maker(case, src.common)}, decided_on=long_date(case.decided_on),
        review_within=context.policy().timescales.review.words,
        review_due=weekday_date(review.due_on),
        extended_to=weekday_date(review.extended_to) if review.extended_to else "",
        extension_reason=clean(review.extension_reason or ""))


def threshold_not_met(src: Source) -> ThresholdNotMetContext:
    case, policy = src.case, context.policy()
    label = policy.agency_label
    decision = latest_decision(case)
    verdict = Verdict.model_validate_json(case.verdict_json)
    by_threshold = decision.ground == NOT_MET_GROUND
    return ThresholdNotMetContext(
        **{**src.common, "sender": _decision_maker(case, src.common)},
        decided_on=long_date(case.decided_on or decision.decided_at.date()),
        not_met_by_threshold=by_threshold,
        ground_words="" if by_threshold else decision.ground.replace("_", " "),
        decision_reason=clean(decision.reason),
        # In the applicant's terms: "you reported…", never incident or rule ids (a verdict stored
        # by the first release has no letter sentences, and keeps its own words).
        rules=[RuleLine(title=r.title, result="Met" if r.passed else "Not met",
                        explanation=r.letter_sentence or r.explanation) for r in verdict.all_rules],
        excluded=[ExcludedLine(what=f"A report to {label(x.agency)} on {long_date(x.reported_on)}",
                               reason=x.letter_reason or x.reason)
                  for x in verdict.excluded],
        appeal_within=policy.timescales.appeal_window.words,
        appeal_by=weekday_date(appeal_window_end(case)), complaints=_complaint_routes(case))


def declined(src: Source) -> DeclinedContext:
    case, policy = src.case, context.policy()
    decision = latest_decision(case)
    return DeclinedContext(
        **{**src.common, "sender": _decision_maker(case, src.common)},
        decided_on=long_date(case.decided_on or decision.decided_at.date()),
        ground_words=decision.ground.replace("_", " "), decision_reason=clean(decision.reason),
        appeal_within=policy.timescales.appeal_window.words,
        appeal_by=weekday_date(appeal_window_end(case)), complaints=_complaint_routes(case))


def review_invitation(src: Source) -> ReviewInvitationContext:
    policy, review = context.policy(), _review(src.case)
    invited = review.participation != "not_invited"
    agencies = [policy.agency_label(a) for a in json.loads(review.agencies_json)]
    return ReviewInvitationContext(
        **src.common, meeting_on=weekday_date(review.meeting_on), chair_name=clean(review.chair_name),
        agencies=words_list(agencies), invited=invited,
        participation_words=PARTICIPATION.get(review.participation, "") if invited else "",
        not_invited_reason=clean(review.not_invited_reason), options=list(TAKING_PART.values()),
        review_due=weekday_date(review.extended_to or review.due_on),
        virtual=review.participation == "virtual", virtual_link=clean(review.virtual_link))


def extension(src: Source) -> ExtensionContext:
    review = _review(src.case)
    return ExtensionContext(**src.common, previous_due=weekday_date(review.due_on),
                            new_due=weekday_date(review.extended_to),
                            reason=clean(review.extension_reason))


def outcome(src: Source) -> OutcomeContext:
    """Signed by the chair who approved it, not by the caseworker."""
    case, policy, review = src.case, context.policy(), _review(src.case)
    recs = (Recommendation.select().where(Recommendation.case == case)
            .order_by(Recommendation.position))
    lines = [RecommendationLine(number=r.position, agency=policy.agency_label(r.agency),
                                action=clean(r.action), due_on=long_date(r.due_on)) for r in recs]
    return _outcome(src, clean(review.findings), clean(review.summary), lines, chair=clean(review.approved_by_name),
                    approved_on=long_date(review.approved_at.date()), appeal_by=weekday_date(appeal_window_end(case)))


# How a draft's preview names what only the chair's approval settles.
UNTIL_APPROVED = "(once the chair approves)"


def outcome_draft(src: Source, summary: str, recommendations: list[tuple[str, str, date | None]]) -> OutcomeContext:
    """The outcome letter as it would read with this draft, before the chair approves it."""
    policy, review = context.policy(), _review(src.case)
    lines = [RecommendationLine(number=n, agency=policy.agency_label(agency) if agency else "(agency?)",
                                action=clean(action) or "(action?)", due_on=long_date(due) if due else "(date?)")
             for n, (agency, action, due) in enumerate(recommendations, start=1)]
    return _outcome(src, clean(review.findings), clean(summary) or "(no summary yet)", lines, chair=UNTIL_APPROVED,
                    approved_on=UNTIL_APPROVED, appeal_by=UNTIL_APPROVED)


def _outcome(src: Source, findings: str, summary: str, lines: list[RecommendationLine], *, chair: str,
             approved_on: str, appeal_by: str) -> OutcomeContext:
    policy = context.policy()
    return OutcomeContext(
        **{**src.common, "sender": Signatory(name=chair, role="Chair")},
        findings=findings, summary=summary, recommendations=lines, chair_name=chair, approved_on=approved_on,
        appeal_within=policy.timescales.appeal_window.words, appeal_by=appeal_by,
        complaints=_complaint_routes(src.case))


def _recommendations(case: Case, *, open_only: bool = False) -> list[RecommendationLine]:
    label = context.policy().agency_label
    recs = Recommendation.select().where(Recommendation.case == case)
    if open_only:
        recs = recs.where(Recommendation.done_on.is_null())
    return [RecommendationLine(number=r.position, agency=label(r.agency), action=clean(r.action),
                               due_on=long_date(r.due_on)) for r in recs.order_by(Recommendation.position)]


def action_plan(src: Source) -> ActionPlanContext:
    """The drafted outcome's recommendations, for the victim's views by the reply-by date."""
    review = _review(src.case)
    return ActionPlanContext(**src.common, summary=clean(review.summary), recommendations=_recommendations(src.case),
                             reply_by=weekday_date(reply_by(src.case, review)), reply_within=reply_timescale().words)


def _ending(case: Case, action: str) -> tuple[AuditEvent | None, str]:
    """The step that ended the case, and the reason typed for it (kept beside the audit trail)."""
    event = (AuditEvent.select().where((AuditEvent.case == case) & (AuditEvent.action == action))
             .order_by(AuditEvent.id.desc()).first())
    return event, (audit.reasons([event.id]).get(event.id, "") if event else "")


def closure(src: Source) -> ClosureContext:
    """When and why the case closed, and the recommendations still followed up."""
    case, (event, typed) = src.case, _ending(src.case, "close")
    reviewed = event.from_stage == "approved" if event else case.accepted_on is not None
    why = clean(typed) or (
        "The review of your request is complete and its outcome has been sent to you." if reviewed
        else "We decided that your request would not go to a review, as our decision letter explained.")
    closed = case.closed_at or (event.at if event else clock.now())
    return ClosureContext(**src.common, closed_on=long_date(closed.date()), reason=why, reviewed=reviewed,
                          still_open=_recommendations(case, open_only=True))


def withdrawal(src: Source) -> WithdrawalContext:
    case, (event, typed) = src.case, _ending(src.case, "withdraw")
    withdrawn = case.closed_at or (event.at if event else clock.now())
    return WithdrawalContext(**src.common, withdrawn_on=long_date(withdrawn.date()), reason=clean(typed))


def appeal_acknowledgement(src: Source) -> AppealAcknowledgementContext:
    appeal, times = latest_appeal(src.case), context.policy().timescales
    decide_by = open_due(src.case, "appeal_decision") or times.appeal_decision.due(appeal.lodged_on,
                                                                                    context.calendar())
    return AppealAcknowledgementContext(
        **src.common, lodged_on=long_date(appeal.lodged_on), against_words=_against_words(appeal),
        grounds=clean(appeal.grounds), decide_by=weekday_date(decide_by))


def appeal_decision(src: Source) -> AppealDecisionContext:
    """Signed by the independent chair who decided it."""
    case, appeal = src.case, latest_appeal(src.case)
    next_step = "decide" if appeal.against == "decision" else "review"
    chair = clean(appeal.independent_chair)
    return AppealDecisionContext(
        **{**src.common, "sender": Signatory(name=chair, role="Independent chair")},
        lodged_on=long_date(appeal.lodged_on), against_words=_against_words(appeal),
        against_decision=appeal.against == "decision", decided_on=long_date(appeal.decided_on),
        upheld=bool(appeal.upheld), independent_chair=chair,
        decision_reason=clean(appeal.decision_reason),
        next_due=weekday_date(open_due(case, next_step)) if appeal.upheld else "",
        complaints=_complaint_routes(case))
