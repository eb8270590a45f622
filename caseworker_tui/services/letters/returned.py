"""Letters that came back: GOV.UK Notify's returned-letter reports, recorded against the letters sent.

A letter Notify printed and posted may come back weeks later, long after its status settled at
`received`. Notify does not say so through its API's statuses (and its Python client has no call for
it): it lists returned letters on its Returned letters page, as a report a person downloads as CSV,
one row per letter, with the notification's id and the reference it was sent with. `record_report`
reads that file and records each of our letters it names as `returned-letter`, through the same
`delivery.record_status` a poll uses: the letter is no longer sent, the step it met opens again, and
the queue and the deadlines view warn ("⚠ letter returned"). A report read twice records nothing twice.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import Letter, LetterDelivery
from caseworker_tui.services.letters.delivery import Change, record_status
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.unit import reading

RETURNED = "returned-letter"
ID_COLUMN, REFERENCE_COLUMN = "notification id", "reference"  # Notify's headings, compared case-folded


@dataclass(frozen=True)
class ReturnedRow:
    """One returned letter as Notify's report gives it."""

    line: int
    notification_id: str
    reference: str


@dataclass
class ReturnedResult:
    recorded: list[Change] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # our letters the report names that were recorded before
    not_ours: list[ReturnedRow] = field(default_factory=list)  # rows for letters this database did not send


def read_report(data: bytes, name: str = "the report") -> list[ReturnedRow]:
    """The rows of Notify's returned-letters CSV, or InvalidInput naming what is wrong with the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"file: {name} is not a CSV file in UTF-8, as GOV.UK Notify's report is", "file") from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().casefold() for h in next(reader, [])]
    if ID_COLUMN not in header and REFERENCE_COLUMN not in header:
        raise InvalidInput(f"file: {name} has neither a 'Notification ID' nor a 'Reference' column; download the "
                           "report from GOV.UK Notify's Returned letters page", "file")
    at_id = header.index(ID_COLUMN) if ID_COLUMN in header else None
    at_ref = header.index(REFERENCE_COLUMN) if REFERENCE_COLUMN in header else None
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(at: int | None, cells: list[str] = cells) -> str:
            return cells[at].strip() if at is not None and at < len(cells) else ""
        row = ReturnedRow(line, cell(at_id), cell(at_ref))
        if not row.notification_id and not row.reference:
            raise InvalidInput(f"file: line {line} of {name} names no letter (no notification id or reference)", "file")
        rows.append(row)
    return rows


def record_report(path: Path, actor: Actor) -> ReturnedResult:
    """Record each letter Notify's returned-letters report names, found by Notify's id or our reference."""
    require(actor, "mark_letter_sent")
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"file: cannot read {path}: {exc.strerror}", "file") from None
    result = ReturnedResult()
    for row in read_report(data, str(path)):
        delivery = _delivery_of(row)
        if delivery is None:
            result.not_ours.append(row)
            continue
        change = record_status(delivery, RETURNED, actor)
        if change is None:
            result.already.append(row.reference or row.notification_id)
        else:
            result.recorded.append(change)
    return result


def _delivery_of(row: ReturnedRow) -> LetterDelivery | None:
    """Our send through Notify's post that the row is about: its Notify id, else the letter version's key."""
    posted = (LetterDelivery.carrier == "notify") & (LetterDelivery.channel == "post")
    with reading():
        if row.notification_id:
            found = LetterDelivery.select().where(posted & (LetterDelivery.provider_id == row.notification_id)).first()
            if found is not None:
                return found
        if row.reference:
            return (LetterDelivery.select().join(Letter).where(posted & (Letter.send_key == row.reference))
                    .order_by(LetterDelivery.sent_at.desc(), LetterDelivery.id.desc()).first())
    return None
