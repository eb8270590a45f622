"""Intake: a validated application becomes a case, with its verdict and first deadlines, at once.

All or nothing: one transaction per file, so a bad application anywhere in a file stores none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from peewee import IntegrityError, fn

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import Applicant, Case, Incident, Report, User, is_postgres
from caseworker_tui.services import audit, clock, context
from caseworker_tui.services.application import Application, parse_applications
from caseworker_tui.services.deadlines import (
    FirstDeadlines,
    first_deadlines,
    open_step,
    refresh_next_due,
)
from caseworker_tui.services.eligibility import Verdict, evaluate
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.unit import transaction


@dataclass(frozen=True)
class CreatedCase:
    id: int
    reference: str
    verdict: Verdict
    deadlines: FirstDeadlines


def search_text(reference: str, name: str, postcode: str) -> str:
    squeezed = postcode.replace(" ", "")
    return " ".join([reference, " ".join(name.split()), postcode, squeezed]).casefold()[:400]


def _next_reference(received_on: date, reserved: frozenset[str] = frozenset()) -> str:
    """CT-YYYY-NNNN, one more than the highest in use, skipping those a file names for itself."""
    prefix = f"CT-{received_on.year}-"
    taken = [c.reference for c in Case.select(Case.reference).where(Case.reference.startswith(prefix))]
    numbers = [int(m.group(1)) for r in taken if (m := re.fullmatch(rf"{prefix}(\d+)", r, re.I))]
    number = max(numbers, default=0) + 1
    while f"{prefix}{number:04d}" in reserved:
        number += 1
    return f"{prefix}{number:04d}"


def refuse_future(application: Application) -> None:
    """A request cannot arrive after today: a later date is a typing mistake, and every deadline
    would be counted from it. `caseworker check` asks this too, so it never passes what import refuses."""
    if application.received_on > clock.today():
        raise InvalidInput(f"received_at {application.received_at:%Y-%m-%d %H:%M} is in the future", "received_at")


def _store(application: Application, actor: Actor, assign_to_me: bool,
           reserved: frozenset[str] = frozenset()) -> CreatedCase:
    policy, calendar = context.policy(), context.calendar()
    if is_postgres():  # references are numbered one desk at a time (SQLite's write lock does this)
        Case._meta.database.execute_sql("SELECT pg_advisory_xact_lock(4242)")
    refuse_future(application)
    received_on = application.received_on
    verdict = evaluate(application, policy)
    reference = application.reference or _next_reference(received_on, reserved)
    if Case.select().where(fn.LOWER(Case.reference) == reference.lower()).exists():
        raise InvalidInput(f"reference {reference} is already used by another case", "reference")
    now = clock.now()
    person = application.applicant
    assignee = User.get_or_none(User.username == actor.username) if assign_to_me else None
    case = Case.create(
        reference=reference, received_at=application.received_at, stage="received", is_open=True,
        assigned_to=assignee, applicant_name=person.name, postcode=person.postcode,
        search_text=search_text(reference, person.name, person.postcode),
        dissatisfied=application.dissatisfied, dissatisfaction_reason=application.dissatisfaction_reason,
        threshold_met=verdict.threshold_met, verdict_json=verdict.model_dump_json(),
        policy_name=policy.name, policy_version=policy.version, channel=application.channel,
        created_at=now, updated_at=now, updated_by=actor.username,
    )
    Applicant.create(
        case=case, name=person.name, address=person.address, postcode=person.postcode,
        email=person.email, phone=person.phone, preferred_contact=person.preferred_contact,
        on_behalf_of=person.on_behalf_of, vulnerabilities=person.vulnerabilities,
        needs_json=json.dumps(person.needs), advocate=person.advocate,
        consent_to_share=person.consent_to_share,
    )
    for position, incident in enumerate(application.incidents, start=1):
        row = Incident.create(case=case, key=incident.id, position=position,
                              occurred_on=incident.occurred_on, description=incident.description,
                              location=incident.location, hate_related=incident.hate_related)
        Report.insert_many([
            {"incident": row, "position": n, "agency": r.agency, "reported_on": r.reported_on,
             "reporter": r.reporter, "agency_reference": r.agency_reference}
            for n, r in enumerate(incident.reports, start=1)
        ]).execute()
    due = first_deadlines(received_on, policy, calendar)
    open_step(case, "acknowledge", due.acknowledge_by)
    if due.decide_by is not None:  # else it opens when its anchor (the acknowledgement) happens
        open_step(case, "decide", due.decide_by)
    refresh_next_due(case)
    case.save()
    audit.record(case, actor, "received", to_stage="received",
                 threshold_met=verdict.threshold_met, policy=policy.version)
    return CreatedCase(case.id, reference, verdict, due)


def create_request(application: Application, actor: Actor, *, assign_to_me: bool = False) -> CreatedCase:
    """Store one application as a new case, in one transaction."""
    require(actor, "create_request")
    for attempt in range(3):
        try:
            with transaction():
                return _store(application, actor, assign_to_me)
        except IntegrityError as exc:
            # Another desk took the same reference at the same moment: an explicit one is refused,
            # an assigned one is simply assigned again.
            if application.reference or attempt == 2:
                raise InvalidInput(f"reference {application.reference or 'assigned'} is already used by "
                                   "another case", "reference") from exc
    raise AssertionError("unreachable")


def import_text(text: str | bytes, actor: Actor) -> list[CreatedCase]:
    """Every application in one file, all or nothing."""
    require(actor, "create_request")
    applications = parse_applications(text, context.policy())
    references = [a.reference.upper() for a in applications if a.reference]
    repeated = sorted({r for r in references if references.count(r) > 1})
    if repeated:
        raise InvalidInput(f"reference {repeated[0]} appears more than once in the file", "reference")
    reserved = frozenset(references)
    try:
        with transaction():
            return [_store(a, actor, assign_to_me=False, reserved=reserved) for a in applications]
    except IntegrityError as exc:
        raise InvalidInput(f"the file could not be stored: {exc}") from exc


def import_file(path: Path, actor: Actor) -> list[CreatedCase]:
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", "path") from None
    try:
        return import_text(text, actor)
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc}", exc.field) from None
