"""Delivery: what became of each letter handed to a carrier, followed until it settles.

Every send is a `LetterDelivery` row (the channel, the carrier, the kind of Notify key, the
carrier's id and its status). `poll` asks GOV.UK Notify about the unsettled ones and records each
change on the case's timeline. A letter meets its step when it is sent; a failed delivery (an
e-mail that bounced, a letter returned or refused) reopens the step, and the queue and the
deadlines view show why (`warnings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from caseworker_tui.errors import CaseworkerError
from caseworker_tui.models import Case, Deadline, Letter, LetterDelivery
from caseworker_tui.services import audit, clock
from caseworker_tui.services.deadlines import open_step, refresh_next_due
from caseworker_tui.services.letters.kinds import BY_KEY
from caseworker_tui.services.permissions import SYSTEM, Actor
from caseworker_tui.services.unit import reading, transaction

if TYPE_CHECKING:
    from caseworker_tui.config import Settings

# Notify's statuses (e-mail: created, sending, delivered and three failures; precompiled letters:
# pending-virus-check, accepted, received, and their failures), in the timeline's words.
WORDS = {
    "created": "queued by GOV.UK Notify",
    "sending": "on its way (Notify is waiting for the recipient's mail server)",
    "delivered": "delivered to the recipient's inbox",
    "pending-virus-check": "being checked by GOV.UK Notify",
    "accepted": "accepted by GOV.UK Notify for printing",
    "received": "printed and posted by Notify's printer",
    "permanent-failure": "not delivered: the e-mail address does not exist",
    "temporary-failure": "not delivered: the recipient's inbox would not take it for 72 hours",
    "technical-failure": "not sent: GOV.UK Notify had a technical failure",
    "validation-failed": "refused by GOV.UK Notify: the PDF is outside its letter layout",
    "virus-scan-failed": "refused by GOV.UK Notify: its virus scan failed",
    "cancelled": "cancelled in GOV.UK Notify before printing",
    "returned-letter": "returned: the letter could not be delivered",
}
# A delivery that did not reach the person: its step opens again.
FAILED = ("permanent-failure", "temporary-failure", "technical-failure", "validation-failed", "virus-scan-failed",
          "cancelled", "returned-letter")
SHORT = {"permanent-failure": "e-mail bounced", "temporary-failure": "e-mail not delivered",
         "technical-failure": "not sent by Notify", "validation-failed": "letter refused by Notify",
         "virus-scan-failed": "letter refused by Notify", "cancelled": "letter cancelled",
         "returned-letter": "letter returned"}
SETTLED = ("delivered", *FAILED)
# Notify answers about a notification for 7 days; a posted letter is followed that long for a return.
FOLLOW_DAYS = 7


@dataclass(frozen=True)
class Change:
    reference: str
    kind: str
    version_no: int
    status: str
    words: str
    reopened: str | None  # the step opened again, when the delivery failed


@dataclass(frozen=True)
class PollResult:
    asked: int
    changes: list[Change]
    problem: str | None = None  # why the poll stopped early (Notify refused or did not answer)


def record_handover(letter_id: int, *, channel: str, carrier: str, status: str, provider_id: str | None = None,
                    key_kind: str | None = None) -> None:
    """The send's row, inside the sender's transaction; only Notify's sends are followed further."""
    LetterDelivery.create(letter=letter_id, channel=channel, carrier=carrier, key_kind=key_kind,
                          provider_id=provider_id, status=status, sent_at=clock.now(),
                          settled=carrier != "notify" or status in SETTLED)


def key_kind_of(letter_id: int) -> str | None:
    """The kind of Notify key the letter's latest send went with (test | team | live), if through Notify."""
    with reading():
        row = (LetterDelivery.select(LetterDelivery.key_kind).where(LetterDelivery.letter == letter_id)
               .order_by(LetterDelivery.sent_at.desc(), LetterDelivery.id.desc()).first())
    return row.key_kind if row else None


def poll(settings: Settings, actor: Actor = SYSTEM) -> PollResult:
    """Ask Notify for each unsettled send's status; record what changed. Stops at the first refusal
    (a wrong key, a rate limit, no answer), which it returns, so a later poll carries on."""
    from caseworker_tui.services.letters import notify

    with reading():
        rows = list(LetterDelivery.select().where((LetterDelivery.carrier == "notify") & ~LetterDelivery.settled
                                                  & LetterDelivery.provider_id.is_null(False))
                    .order_by(LetterDelivery.sent_at, LetterDelivery.id))
    if not rows:
        return PollResult(0, [])
    if not notify.notify_configured(settings):
        return PollResult(0, [], "GOV.UK Notify is not configured, so the letters sent through it cannot be followed.")
    try:
        carrier = notify.NotifyCarrier("status", notify.client_for(settings), settings.notify_key_kind or "")
    except CaseworkerError as exc:  # no key kind set: said, as a refusal is, rather than raised every few minutes
        return PollResult(0, [], str(exc))
    changes: list[Change] = []
    for asked, row in enumerate(rows, start=1):
        try:
            status = carrier.status(row.provider_id)
        except notify.NotifyUnreachable as exc:
            if exc.code == 404 and clock.now() - row.sent_at > timedelta(days=FOLLOW_DAYS):
                _settle(row)  # Notify has let it go: its last status stands
                continue
            return PollResult(asked, changes, str(exc))
        change = record_status(row, status, actor)
        if change:
            changes.append(change)
    return PollResult(len(rows), changes)


def _settle(row: LetterDelivery) -> None:
    with transaction():
        LetterDelivery.update(settled=True, checked_at=clock.now()).where(LetterDelivery.id == row.id).execute()


def record_status(row: LetterDelivery, status: str, actor: Actor) -> Change | None:
    """One answer from Notify (a poll's, or its returned-letters report's): a new status goes on the row,
    the letter and the timeline; the same status again changes nothing."""
    now = clock.now()
    old_enough = now - row.sent_at > timedelta(days=FOLLOW_DAYS)
    settled = status in SETTLED or old_enough
    with transaction():
        fresh = LetterDelivery.get_by_id(row.id)
        if fresh.status == status:
            LetterDelivery.update(checked_at=now, settled=settled).where(LetterDelivery.id == row.id).execute()
            return None
        LetterDelivery.update(status=status, checked_at=now, settled=settled).where(LetterDelivery.id == row.id).execute()
        letter = Letter.get_by_id(row.letter_id)
        Letter.update(delivery_status=status).where(Letter.id == letter.id).execute()
        reopened = _reopen(letter, actor) if status in FAILED else None
        words = WORDS.get(status, status)
        audit.record(letter.case, actor, "letter_delivery", kind=letter.kind, version=letter.version_no,
                     carrier=row.carrier, provider_id=row.provider_id, status=status, words=words,
                     reopened_step=reopened)
        return Change(letter.case.reference, letter.kind, letter.version_no, status, words, reopened)


def _reopen(letter: Letter, actor: Actor) -> str | None:
    """The letter did not reach the person: it is no longer sent, and the step it met is open again,
    due when it was due (so an overdue duty shows as overdue)."""
    Letter.update(sent_on=None, channel=None).where(Letter.id == letter.id).execute()
    kind = BY_KEY.get(letter.kind)
    step = kind.closes if kind else None
    if not step:
        return None
    case = Case.get_by_id(letter.case_id)
    if Deadline.select().where((Deadline.case == case) & (Deadline.step == step) & Deadline.closed_at.is_null()).exists():
        return step
    met = (Deadline.select().where((Deadline.case == case) & (Deadline.step == step) & (Deadline.closed_how == "done"))
           .order_by(Deadline.closed_at.desc(), Deadline.id.desc()).first())
    if met is None:
        return None  # the step was never open (nothing was due): nothing to reopen
    open_step(case, step, met.due_on, agency=met.agency, ref_id=met.ref_id)
    refresh_next_due(case)
    Case.update(next_due_on=case.next_due_on, next_due_step=case.next_due_step, updated_at=clock.now(),
                updated_by=actor.username, version=Case.version + 1).where(Case.id == case.id).execute()
    return step


def warnings(case_ids: list[int]) -> dict[int, dict[str, str]]:
    """For each case, the steps reopened by a failed delivery and the warning's words, e.g.
    {12: {"notify_decision": "⚠ letter returned"}}; a later version sent since clears it."""
    if not case_ids:
        return {}
    rows = list(Letter.select(Letter.case, Letter.kind, Letter.agency, Letter.version_no, Letter.delivery_status,
                              Letter.sent_on)
                .where(Letter.case.in_(case_ids) & (Letter.delivery_status.in_(FAILED) | Letter.sent_on.is_null(False)))
                .order_by(Letter.version_no))
    latest: dict[tuple, Letter] = {}
    for row in rows:
        latest[(row.case_id, row.kind, row.agency)] = row
    found: dict[int, dict[str, str]] = {}
    for (case_id, kind, _), row in latest.items():
        step = BY_KEY[kind].closes if kind in BY_KEY else None
        if step and row.sent_on is None and row.delivery_status in FAILED:
            found.setdefault(case_id, {})[step] = f"⚠ {SHORT[row.delivery_status]}"
    return found
