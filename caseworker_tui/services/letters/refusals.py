"""When each kind of letter fits the case: one rule per kind, saying why not when it does not.

A rule is given the case and the letter's label and returns the reason in words a caseworker
reads on the letters pane, or None when the letter may go out now. The rule every letter shares
(nothing goes out on a withdrawn request) is `withdrawn`.
"""

from __future__ import annotations

from collections.abc import Callable

from caseworker_tui.models import Case, Letter, Review
from caseworker_tui.services import clock
from caseworker_tui.services.grounds import NOT_MET_GROUND
from caseworker_tui.services.letters.facts import (
    latest_appeal,
    latest_decision,
    step_owed,
    waiting_agencies,
)
from caseworker_tui.services.lifecycle import AFTER_APPROVAL, BEFORE_DECISION, CONSULTING, REVIEW_OPEN
from caseworker_tui.services.stages import stage_label
from caseworker_tui.services.words import long_date

Refusal = Callable[[Case, str], str | None]



def _now(case: Case) -> str:
    return f"{case.reference} is {stage_label(case.stage).lower()}"


def withdrawn(case: Case) -> str | None:
    if case.stage == "withdrawn":
        return f"{case.reference} was withdrawn; no further letters go out on it."
    return None


def acknowledgement(case: Case, label: str) -> str | None:
    """Owed from receipt until it is sent, even if the case has moved on meanwhile."""
    if case.stage not in BEFORE_DECISION and not step_owed(case, "acknowledge"):
        return ("The acknowledgement goes out while a request is received or acknowledged; "
                f"{_now(case)}.")
    return None


def agency_update_request(case: Case, label: str) -> str | None:
    if not waiting_agencies(case):
        return (f"No agency has an update request on {case.reference} that is still waiting "
                "for an answer.")
    return None


def decided(wanted: str, *, on_ground: bool = False) -> Refusal:
    """The decision letter for a request `wanted` ("accepted" or "declined"): a decline because the
    threshold is not met, or (`on_ground`) on one of the policy's grounds, has a letter of its own."""
    def refusal(case: Case, label: str) -> str | None:
        decision = latest_decision(case)
        if (decision is None or decision.decision != wanted
                or case.stage in BEFORE_DECISION):
            return f"The {label.lower()} letter needs the request to be {wanted}; {_now(case)}."
        on_a_ground = decision.ground != NOT_MET_GROUND
        if wanted == "declined" and on_a_ground != on_ground:
            why = (f"on the ground that it is {decision.ground.replace('_', ' ')}" if on_a_ground
                   else "because the threshold is not met")
            return f"{case.reference} was declined {why}: that decision has its own letter."
        return None
    return refusal


def review_invitation(case: Case, label: str) -> str | None:
    review = Review.get_or_none(Review.case == case)
    if review is None or review.meeting_on is None:
        return f"The invitation needs a review meeting to be scheduled; {_now(case)}."
    if case.stage != "under_review":
        return f"The invitation goes out while the review is under way; {_now(case)}."
    if review.meeting_on < clock.today():
        return f"The review meeting on {long_date(review.meeting_on)} has already taken place."
    return None


def extension(case: Case, label: str) -> str | None:
    """Owed from the extension until it is sent, even once the outcome is approved."""
    review = Review.get_or_none(Review.case == case)
    if review is None or review.extended_to is None:
        return (f"The extension letter needs the review to have been extended; "
                f"{case.reference}'s has not been.")
    if not step_owed(case, "notify_extension") and case.stage not in REVIEW_OPEN:
        return f"The extension letter goes out while the review is under way; {_now(case)}."
    return None


def outcome(case: Case, label: str) -> str | None:
    review = Review.get_or_none(Review.case == case)
    if case.stage not in AFTER_APPROVAL or review is None or not review.approved_by_name:
        return ("The outcome letter goes out only once the chair has approved the outcome; "
                f"{_now(case)}.")
    return None


def appeal_acknowledgement(case: Case, label: str) -> str | None:
    if latest_appeal(case) is None:
        return f"{case.reference} has no appeal to acknowledge."
    return None


def appeal_decision(case: Case, label: str) -> str | None:
    appeal = latest_appeal(case)
    if appeal is None or appeal.decided_on is None:
        return f"{case.reference} has no decided appeal."
    return None


def action_plan(case: Case, label: str) -> str | None:
    review = Review.get_or_none(Review.case == case)
    if case.stage not in CONSULTING or review is None or review.consulted_on is None:
        return (f"The draft action plan goes to the victim when they are consulted on the drafted outcome; "
                f"{_now(case)}.")
    return None


def closure(case: Case, label: str) -> str | None:
    if case.stage != "closed":
        return f"The closure letter goes out once the case is closed; {_now(case)}."
    return None


def withdrawal(case: Case, label: str) -> str | None:
    """The one letter a withdrawn request still gets, until it has gone."""
    if case.stage != "withdrawn":
        return f"The withdrawal confirmation goes out once the request is withdrawn; {_now(case)}."
    if Letter.select().where((Letter.case == case) & (Letter.kind == "withdrawal") & Letter.sent_on.is_null(False)).exists():
        return f"{case.reference} was withdrawn and its confirmation has been sent; no further letters go out on it."
    return None
