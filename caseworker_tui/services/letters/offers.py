"""Which letters a case calls for now: every kind, offered or refused with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from caseworker_tui.services.found import case_by_id
from caseworker_tui.services.letters.facts import waiting_agencies
from caseworker_tui.services.letters.kinds import LETTER_KINDS
from caseworker_tui.services.unit import reading


@dataclass(frozen=True)
class LetterOption:
    """One kind of letter as a letter pane lists it: offered, or not and why."""

    kind: str
    label: str
    offered: bool
    reason: str


def letter_options(case_id: int) -> list[LetterOption]:
    """Every kind of letter, in lifecycle order, with whether it fits the case now and why not."""
    with reading():
        case = case_by_id(case_id)
        refusals = [(kind, kind.refusal(case)) for kind in LETTER_KINDS]
    return [LetterOption(kind.key, kind.label, refusal is None, refusal or "")
            for kind, refusal in refusals]


def offered_letters(case_id: int) -> list[str]:
    """The kinds of letter the case's stage calls for now."""
    return [option.kind for option in letter_options(case_id) if option.offered]


def update_request_agencies(case_id: int) -> list[str]:
    """The agencies an update-request letter can go to: asked, and not yet answered."""
    with reading():
        return waiting_agencies(case_by_id(case_id))
