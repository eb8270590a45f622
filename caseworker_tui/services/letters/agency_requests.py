"""Asking agencies for an update reaches them: each agency asked gets its update-request letter, e-mailed
with the PDF attached where the policy gives the agency an address and a mail server is configured.

The request itself is `workflow.request_updates` (one transaction); this follows it, a letter at a time,
through the same `produce` and `send` as any letter. So the e-mail is a recorded delivery on the
timeline, its letter version's key stops a second send of it, and a send that failed is left, said,
for the person to send again from the Letters tab, never repeated here by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from caseworker_tui.errors import CaseworkerError
from caseworker_tui.services import context
from caseworker_tui.services.letters.producing import ProducedLetter, produce
from caseworker_tui.services.letters.sending import carrier_for, send
from caseworker_tui.services.permissions import Actor

if TYPE_CHECKING:
    from caseworker_tui.config import Settings

KIND = "agency_update_request"


@dataclass(frozen=True)
class Route:
    """How one agency's request will go: e-mailed to `email`, or made for a person to send, and why."""

    agency: str
    label: str
    email: str | None
    why_not: str | None = None

    def words(self) -> str:
        if self.email:
            return f"{self.label}: e-mailed to {self.email}, the PDF attached"
        return f"{self.label}: made for you to send ({self.why_not})"


@dataclass(frozen=True)
class Outcome:
    """What became of one agency's request letter."""

    agency: str
    label: str
    letter: ProducedLetter | None
    emailed_to: str | None = None
    left: str | None = None  # why it was not e-mailed, when it was not

    def words(self) -> str:
        if self.emailed_to:
            return f"The request to {self.label} was e-mailed to {self.emailed_to}."
        if self.letter is None:
            return f"The request letter to {self.label} could not be made: {self.left}"
        return f"The request letter to {self.label} is made: send it from the Letters tab ({self.left})."


def no_mail_server(settings: Settings) -> str | None:
    """Why nothing can be e-mailed with these settings, or None when a mail server is configured."""
    try:
        carrier_for(settings)
    except CaseworkerError as exc:
        return str(exc)
    return None


def routes(agencies: list[str], settings: Settings) -> list[Route]:
    """For the confirmation: where each agency's request will go, before anything is done."""
    policy = context.policy()
    unset = no_mail_server(settings)
    found = []
    for key in dict.fromkeys(agencies):
        agency = policy.agencies.get(key)
        label = agency.label if agency else key
        email = agency.email if agency else None
        if not email:
            found.append(Route(key, label, None, f"the policy gives no e-mail address: [agencies.{key}] email"))
        elif unset:
            found.append(Route(key, label, None, "no mail server is configured: smtp_url and smtp_sender"))
        else:
            found.append(Route(key, label, email))
    return found


def send_update_requests(case_id: int, actor: Actor, agencies: list[str], settings: Settings, *,
                         email: bool = True) -> list[Outcome]:
    """After the request is recorded: each agency's letter made and, when `email` and it can be, e-mailed.

    A letter that cannot be made or sent is said in its outcome, and the others still go: the request
    stands either way, and what was not sent waits on the Letters tab."""
    outcomes = []
    for route in routes(agencies, settings):
        try:
            letter = produce(case_id, KIND, actor, settings.output_dir, settings.letters_dir, agency=route.agency)
        except CaseworkerError as exc:
            outcomes.append(Outcome(route.agency, route.label, None, left=str(exc)))
            continue
        if not route.email or not email:
            outcomes.append(Outcome(route.agency, route.label, letter,
                                    left=route.why_not if route.email is None else "you chose to send it yourself"))
            continue
        try:
            sent = send(letter.id, actor, "email", settings)
        except CaseworkerError as exc:  # refused, failed or uncertain: recorded by `send`, said here
            outcomes.append(Outcome(route.agency, route.label, letter, left=f"it was not e-mailed: {str(exc).rstrip('.')}"))
            continue
        outcomes.append(Outcome(route.agency, route.label, sent.letter, emailed_to=route.email))
    return outcomes


def outcome_words(outcomes: list[Outcome]) -> str:
    return " ".join(o.words() for o in outcomes)
