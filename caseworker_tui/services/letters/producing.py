"""Producing a letter and recording that it went out.

A letter is written under a new version number, never over an earlier one, and recorded with its
checksum in the same transaction as its audit event; if the record cannot be written, the file
goes. The case is read twice: once to build the letter outside any write, and again in the
write, so a letter the case stopped calling for meanwhile is refused rather than kept. Its PDF is
made from the Word document on demand (`make_pdf`). Marking a letter sent, by hand or by `sending`,
meets the deadline step its kind closes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from peewee import fn

from caseworker_tui.errors import InvalidInput, NotFound, TransitionNotAllowed
from caseworker_tui.models import Applicant, Case, FileSweep, Letter
from caseworker_tui.services import audit, clock, lifecycle, sweep
from caseworker_tui.services.deadlines import close_steps, refresh_next_due
from caseworker_tui.services.found import case_by_id, letter_by_id
from caseworker_tui.services.letters.facts import waiting_agencies
from caseworker_tui.services.letters.kinds import BY_KEY, build_context, letter_kind
from caseworker_tui.services.letters.pdf import to_pdf
from caseworker_tui.services.letters.rendering import render
from caseworker_tui.services.letters.templates import template_path
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.retention import refuse_if_anonymised
from caseworker_tui.services.unit import reading, retried, transaction

CHANNELS = ("post", "email", "hand")


@dataclass(frozen=True)
class ProducedLetter:
    id: int
    case_id: int
    reference: str
    kind: str
    version_no: int
    path: str
    checksum: str
    large_print: bool
    recipient: str
    created_by: str
    created_at: datetime
    sent_on: date | None
    channel: str | None
    pdf_path: str | None = None
    agency: str | None = None
    sent_via: str | None = None
    sent_at: datetime | None = None
    sent_to: str | None = None
    provider_id: str | None = None
    delivery_status: str | None = None


def _info(row: Letter, reference: str) -> ProducedLetter:
    return ProducedLetter(row.id, row.case_id, reference, row.kind, row.version_no, row.path,
                          row.checksum, row.large_print, row.recipient, row.created_by,
                          row.created_at, row.sent_on, row.channel, row.pdf_path, row.agency,
                          row.sent_via, row.sent_at, row.sent_to, row.provider_id, row.delivery_status)


def _pick_agency(case: Case, agency: str | None) -> str:
    waiting = waiting_agencies(case)
    if agency is None and len(waiting) == 1:
        return waiting[0]
    if agency is None:
        raise InvalidInput(f"agency: choose the agency the letter goes to: {', '.join(waiting)}",
                           "agency")
    if agency not in waiting:
        raise InvalidInput(f"agency: {agency!r} has no update request waiting on {case.reference}; "
                           f"waiting: {', '.join(waiting)}", "agency")
    return agency


def _large_print(case: Case) -> bool:
    person = Applicant.get(Applicant.case == case)
    needs = json.loads(person.needs_json or "[]")
    return any(str(n).casefold().replace("-", "_").replace(" ", "_") == "large_print"
               for n in needs)


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip(".-") or "letter"


def _locked_case(case_id: int) -> Case:
    """The case, its row locked first as every writer does (PostgreSQL; SQLite's write transaction
    already holds the database), so a producer or a sender queues behind a step, never across it."""
    case = case_by_id(case_id, locked=True)
    refuse_if_anonymised(case)
    return case


def _temp_name(stem: str) -> str:
    return f".{stem}.{os.getpid()}.{secrets.token_hex(4)}.part"


def _remove_stale_parts(out_dir: Path, stem: str) -> None:
    """A `.part` is a letter still being written; one whose process is gone never will be."""
    for part in out_dir.glob(f".{stem}.*.part"):
        pid = part.name[len(stem) + 2:].split(".")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not sweep.alive(int(pid)):
            part.unlink(missing_ok=True)


def _sync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (where the system allows a directory to be opened)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _refuse_unless_called_for(kind: str, case: Case) -> None:
    refusal = letter_kind(kind).refusal(case)
    if refusal:
        raise TransitionNotAllowed(refusal)


def produce(case_id: int, kind: str, actor: Actor, out_dir: Path, letters_dir: Path | None = None,
            agency: str | None = None) -> ProducedLetter:
    """Render the letter, write it as a new version in `out_dir` and record it with the case."""
    require(actor, "produce_letter")
    template = template_path(kind, letters_dir)
    with reading():
        case = case_by_id(case_id)
        refuse_if_anonymised(case)
        _refuse_unless_called_for(kind, case)
        agency = _pick_agency(case, agency) if letter_kind(kind).to_agency else None
        letter = build_context(kind, case, agency=agency, producer=actor.username)
        large = agency is None and _large_print(case)
        reference = case.reference
    data = render(kind, letter, template, large_print=large)
    out_dir = Path(out_dir).expanduser().resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = _safe_name(f"{reference}_{kind}" + (f"_{agency}" if agency else ""))
    sweep.sweep_files()  # what killed producers (and retention) left
    _remove_stale_parts(out_dir, stem)
    tmp = out_dir / _temp_name(stem)
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        row = _record(case_id, kind, actor, tmp, out_dir, stem, data, large, letter.recipient.name, agency)
        return _info(row, reference)
    finally:
        tmp.unlink(missing_ok=True)


@retried
def _record(case_id: int, kind: str, actor: Actor, tmp: Path, out_dir: Path, stem: str, data: bytes,
            large: bool, recipient: str, agency: str | None) -> Letter:
    """Give the written letter its version, in two short transactions, the case locked in each.

    The first picks the version and records, in `file_sweep`, the file about to be made; the second
    records the letter, gives the file its name and drops that intent, all at once. A process
    killed between the rename and the commit leaves a file no letter row records, and the intent
    saying so: the next sweep deletes the file, so it is never taken for a letter. A name already
    taken (a file another database left in a shared folder) is skipped, never overwritten."""
    with transaction():
        case = _locked_case(case_id)
        _refuse_unless_called_for(kind, case)
        latest = Letter.select(fn.MAX(Letter.version_no)).where(
            (Letter.case == case) & (Letter.kind == kind)).scalar()
        version = (latest or 0) + 1
        while (final := out_dir / f"{stem}_v{version}.docx").exists() or FileSweep.select().where(
                FileSweep.path == str(final)).exists():
            version += 1
        intent = FileSweep.create(path=str(final), recorded_at=clock.now(), owner=sweep.owner())
    renamed = False
    try:
        with transaction():
            case = _locked_case(case_id)
            _refuse_unless_called_for(kind, case)
            row = Letter.create(case=case, kind=kind, version_no=version, path=str(final),
                                checksum=hashlib.sha256(data).hexdigest(), large_print=large,
                                recipient=recipient[:200], created_by=actor.username,
                                created_at=clock.now(), agency=agency)
            audit.record(case, actor, "letter_produced", kind=kind, version=version,
                         path=str(final), large_print=large, agency=agency)
            FileSweep.delete().where(FileSweep.id == intent.id).execute()
            os.replace(tmp, final)
            renamed = True
            _sync_dir(out_dir)
        return row
    except BaseException:
        if renamed:
            final.unlink(missing_ok=True)  # renamed, then not committed
        with transaction():
            FileSweep.delete().where(FileSweep.id == intent.id).execute()
        raise


def produce_for_step(step: str, case_id: int, actor: Actor, out_dir: Path,
                     letters_dir: Path | None = None) -> ProducedLetter | None:
    """The letter taking `step` sends (the lifecycle's `Step.letter`), made once the step is taken.

    None when the step sends no letter or the case no longer calls for it (a letter made meanwhile
    by someone else is not made twice)."""
    kind = lifecycle.step(step).letter
    if kind is None:
        return None
    with reading():
        case = case_by_id(case_id)
        if letter_kind(kind).refusal(case) or Letter.select().where(
                (Letter.case == case) & (Letter.kind == kind) & Letter.sent_on.is_null()).exists():
            return None
    return produce(case_id, kind, actor, out_dir, letters_dir)


@retried
def mark_sent(letter_id: int, actor: Actor, on: date, channel: str) -> ProducedLetter:
    """Record that the letter went out; the deadline it answers is then met."""
    require(actor, "mark_letter_sent")
    with transaction():
        return record_sent(letter_id, actor, on, channel)


def record_sent(letter_id: int, actor: Actor, on: date, channel: str, **details: object) -> ProducedLetter:
    """What marking a letter sent does, inside the caller's transaction: by hand (`mark_sent`) or once
    `sending` has handed it over. `details` (how it was carried) go into the audit event."""
    if channel not in CHANNELS:
        raise InvalidInput(f"channel: must be one of {', '.join(CHANNELS)}", "channel")
    if on > clock.today():
        raise InvalidInput("sent on: cannot be in the future", "sent_on")
    case = _locked_case(letter_row(letter_id).case_id)  # the case first, as every writer locks
    row = letter_row(letter_id)
    if row.sent_on is not None:
        raise TransitionNotAllowed(
            f"Version {row.version_no} of this {row.kind.replace('_', ' ')} letter "
            f"was already marked sent on {row.sent_on} by {row.channel}.")
    if on < row.created_at.date():
        raise InvalidInput(f"sent on: the letter was produced on {row.created_at.date()}",
                           "sent_on")
    Letter.update(sent_on=on, channel=channel).where(Letter.id == letter_id).execute()
    kind = BY_KEY.get(row.kind)
    step = kind.closes if kind else None
    closed = close_steps(case, step, on=on) if step else 0
    if closed:
        refresh_next_due(case)
        Case.update(next_due_on=case.next_due_on, next_due_step=case.next_due_step,
                    updated_at=clock.now(), updated_by=actor.username,
                    version=Case.version + 1).where(Case.id == case.id).execute()
    audit.record(case, actor, "letter_sent", kind=row.kind, version=row.version_no,
                 channel=channel, sent_on=on, closed_step=step if closed else None, **details)
    return _info(Letter.get_by_id(letter_id), case.reference)


def letter_row(letter_id: int) -> Letter:
    """The letter's row, inside the caller's transaction, or NotFound."""
    return letter_by_id(letter_id)


def get_letter(letter_id: int) -> ProducedLetter:
    """One letter as it stands now: its files, and how far its sending has got."""
    with reading():
        row = letter_row(letter_id)
        return _info(row, row.case.reference)


def make_pdf(letter_id: int, actor: Actor) -> ProducedLetter:
    """The letter's PDF, made beside its Word document and recorded with it.

    Made again when the Word document was changed after it (staff may edit a letter in Word before
    it goes). A missing LibreOffice is `pdf.PdfUnavailable`, one message saying what to install; the
    Word letter is untouched either way."""
    require(actor, "produce_letter")
    letter = get_letter(letter_id)
    docx = Path(letter.path)
    if not docx.is_file():
        raise NotFound(f"the Word letter {docx} is missing; produce the letter again")
    current = Path(letter.pdf_path) if letter.pdf_path else None
    if current and current.is_file() and current.stat().st_mtime >= docx.stat().st_mtime:
        return letter
    made = to_pdf(docx)
    with transaction():
        Letter.update(pdf_path=str(made)).where(Letter.id == letter_id).execute()
    return get_letter(letter_id)


def list_letters(case_id: int) -> list[ProducedLetter]:
    """The case's letters, oldest first."""
    with reading():
        case = case_by_id(case_id)
        rows = list(Letter.select().where(Letter.case == case)
                    .order_by(Letter.created_at, Letter.id))
    return [_info(row, case.reference) for row in rows]
