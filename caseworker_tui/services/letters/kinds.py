"""The kinds of letter, declared once: everything else about letters is derived from this table.

Each `LetterKind` says what the letter is called, which template it is rendered from, what its
template may use and how that is read from the case, when the case calls for it, and which
deadline step sending it meets. The offers on the letters pane, the CLI's choices, the template
check and the template builder in tools/ all read this table, so a new letter is one entry
here, its context model and builder, its refusal rule and its wording.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import Case
from caseworker_tui.services.letters import builders, refusals
from caseworker_tui.services.letters import contexts as c
from caseworker_tui.services.letters.builders import Builder
from caseworker_tui.services.letters.refusals import Refusal


@dataclass(frozen=True)
class LetterKind:
    """One kind of letter the partnership sends."""

    key: str                           # the template's name, the Letter row's kind, the CLI's word
    label: str                         # how the letters pane names it
    context: type[c.LetterContext]     # what its template may use
    builder: Builder                   # reads that from the stored case
    refuse: Refusal                    # why the case does not call for it now, or None
    closes: str | None = None          # the deadline step that sending it meets
    to_agency: bool = False            # to an agency named when made; never in large print
    appealable: str | None = None      # "decision" or "outcome": its sending starts that appeal window
    after_withdrawal: bool = False     # goes out on a withdrawn request (confirming the withdrawal)

    @property
    def template(self) -> str:
        """The template's file name; one of this name in letters_dir replaces the shipped one."""
        return f"{self.key}.docx"

    def refusal(self, case: Case) -> str | None:
        """Why this letter does not fit the case now, or None when it does."""
        return (None if self.after_withdrawal else refusals.withdrawn(case)) or self.refuse(case, self.label)


LETTER_KINDS: tuple[LetterKind, ...] = (  # in lifecycle order, as the letters pane lists them
    LetterKind("acknowledgement", "Acknowledgement", c.AcknowledgementContext,
               builders.acknowledgement, refusals.acknowledgement, closes="acknowledge"),
    LetterKind("agency_update_request", "Request for an update (to an agency)",
               c.AgencyUpdateRequestContext, builders.agency_update_request,
               refusals.agency_update_request, to_agency=True),
    LetterKind("threshold_met", "Threshold met", c.ThresholdMetContext,
               builders.threshold_met, refusals.decided("accepted"), closes="notify_decision"),
    LetterKind("threshold_not_met", "Threshold not met", c.ThresholdNotMetContext,
               builders.threshold_not_met, refusals.decided("declined"), closes="notify_decision",
               appealable="decision"),
    LetterKind("declined", "Declined on a ground", c.DeclinedContext,
               builders.declined, refusals.decided("declined", on_ground=True), closes="notify_decision",
               appealable="decision"),
    LetterKind("review_invitation", "Invitation to the review", c.ReviewInvitationContext,
               builders.review_invitation, refusals.review_invitation),
    LetterKind("extension", "Extension of the review", c.ExtensionContext,
               builders.extension, refusals.extension, closes="notify_extension"),
    LetterKind("action_plan", "Draft action plan, for the victim's views", c.ActionPlanContext,
               builders.action_plan, refusals.action_plan),
    LetterKind("outcome", "Outcome, in the chair's name", c.OutcomeContext,
               builders.outcome, refusals.outcome, closes="review", appealable="outcome"),
    LetterKind("appeal_acknowledgement", "Appeal acknowledgement", c.AppealAcknowledgementContext,
               builders.appeal_acknowledgement, refusals.appeal_acknowledgement),
    LetterKind("appeal_decision", "Appeal decision", c.AppealDecisionContext,
               builders.appeal_decision, refusals.appeal_decision),
    LetterKind("withdrawal", "Withdrawal confirmation", c.WithdrawalContext,
               builders.withdrawal, refusals.withdrawal, after_withdrawal=True),
    LetterKind("closure", "Closure: when and why", c.ClosureContext, builders.closure, refusals.closure),
)
BY_KEY: dict[str, LetterKind] = {kind.key: kind for kind in LETTER_KINDS}
KINDS: tuple[str, ...] = tuple(BY_KEY)  # the keys, for choices and messages


def appealable_kinds(against: str) -> tuple[str, ...]:
    """The letters whose sending starts the window to appeal against the decision or the outcome."""
    return tuple(kind.key for kind in LETTER_KINDS if kind.appealable == against)


def letter_kind(key: str) -> LetterKind:
    """The kind named `key`, or InvalidInput listing the kinds there are."""
    kind = BY_KEY.get(key)
    if kind is None:
        raise InvalidInput(f"kind: must be one of {', '.join(KINDS)}, not {key!r}", "kind")
    return kind


def build_context(key: str, case: Case, *, agency: str | None = None,
                  producer: str | None = None) -> c.LetterContext:
    """The context for the `key` letter on `case`; the caller has checked that the letter fits."""
    return builders.build(letter_kind(key).builder, case, agency=agency, producer=producer)
