"""What each letter may say: one pydantic model per kind of letter, and the wording of its values.

A template can use the fields of its model and nothing else (`caseworker letters check` holds
every template to that), so a template edited in Word can never reach into the database. Dates
arrive formatted and text typed by users arrives as plain data: the renderer escapes it, so
`{{ 7*7 }}` or `<` in a note prints as typed.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

# Control characters other than tab and newline are not allowed in Word's XML; a pasted one would
# make the letter unreadable, and docxtpl reads \a and \f as paragraph and page breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str | None) -> str:
    """User text as data: stripped, without characters a Word document cannot hold."""
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()




def words_list(items: list[str]) -> str:
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


class Contact(_Model):
    """The victim's single point of contact: a named member of staff, reached through the partnership's
    line and mailbox (answered when they are away), asking for them by name and quoting the reference."""

    name: str
    role: str
    phone: str
    email: str


class LetterContext(_Model):
    """What every letter may use: the letterhead, the addressee, the reference, the date, and the
    victim's single point of contact."""

    partnership: PartnershipInfo
    reference: str
    letter_date: str
    recipient: Recipient
    salutation: str
    applicant_name: str
    received_on: str
    sender: Signatory
    spoc: Contact


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
    review_within: str  # "28 days", "20 working days"
    review_due: str  # the usual date, the decision + review_within
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
    not_met_by_threshold: bool  # always True since declining on a ground has its own letter; kept for
    ground_words: str           # councils' own templates written for the first release
    decision_reason: str
    rules: list[RuleLine]
    excluded: list[ExcludedLine]
    appeal_within: str  # "20 working days"
    appeal_by: str
    complaints: list[ComplaintRoute]


class DeclinedContext(LetterContext):
    """A request declined on a named ground (vexatious, malicious, …), whatever the threshold says."""

    decided_on: str
    ground_words: str  # "vexatious"
    decision_reason: str
    appeal_within: str
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
    virtual: bool = False  # taking part virtually: the link, or that it follows
    virtual_link: str = ""


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
    appeal_within: str  # "20 working days"
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


class ActionPlanContext(LetterContext):
    summary: str
    recommendations: list[RecommendationLine]
    reply_by: str
    reply_within: str  # "10 working days"


class ClosureContext(LetterContext):
    closed_on: str
    reason: str  # why, in the words typed when closing, else the stage's own
    reviewed: bool  # closed after a review (else after a decision against the request)
    still_open: list[RecommendationLine]  # recommendations still followed up after closure


class WithdrawalContext(LetterContext):
    withdrawn_on: str
    reason: str
