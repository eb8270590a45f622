"""Intake: a validated application becomes a case, with its verdict and first deadlines, at once.

All or nothing per file, so a bad application anywhere in a file stores none; a long file is
written aside in chunks and moved in at once (`staging`), so other desks never wait on it long.
References come from a counter per year, never from scanning the cases.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from peewee import IntegrityError, fn

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import Applicant, Case, Incident, ReferenceCounter, Report, User, is_postgres
from caseworker_tui.services import audit, clock, context, staging
from caseworker_tui.services.application import Application, parse_applications
from caseworker_tui.services.deadlines import (
    FirstDeadlines,
    first_deadlines,
    open_step,
    refresh_next_due,
)
from caseworker_tui.services.eligibility import Verdict, evaluate
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.unit import reading, transaction


@dataclass(frozen=True)
class CreatedCase:
    id: int
    reference: str
    verdict: Verdict
    deadlines: FirstDeadlines


def search_text(reference: str, name: str, postcode: str) -> str:
    squeezed = postcode.replace(" ", "")
    return " ".join([reference, " ".join(name.split()), postcode, squeezed]).casefold()[:400]


NUMBERED = re.compile(r"CT-(\d{4})-(\d+)", re.I)


def number_references(applications: list[Application]) -> list[str]:
    """Each application's reference, in order: its own, or CT-YYYY-NNNN from the year's counter, one
    more than the last given and never one the file names for itself. Inside the caller's transaction,
    which holds the counters (a row lock on PostgreSQL, the write lock on SQLite) until it ends."""
    named = {a.reference.upper() for a in applications if a.reference}
    years = {a.received_on.year for a in applications}
    years |= {int(m.group(1)) for r in named if (m := NUMBERED.fullmatch(r))}
    ReferenceCounter.insert_many([{"year": y, "last": 0} for y in sorted(years)]).on_conflict_ignore().execute()
    query = ReferenceCounter.select().where(ReferenceCounter.year.in_(sorted(years))).order_by(ReferenceCounter.year)
    last = {row.year: row.last for row in (query.for_update() if is_postgres() else query)}
    before = dict(last)
    references = []
    for application in applications:
        if application.reference:
            if m := NUMBERED.fullmatch(application.reference):
                year = int(m.group(1))
                last[year] = max(last[year], int(m.group(2)))
            references.append(application.reference)
            continue
        year = application.received_on.year
        last[year] += 1
        while f"CT-{year}-{last[year]:04d}" in named:
            last[year] += 1
        references.append(f"CT-{year}-{last[year]:04d}")
    for year, number in last.items():
        if number != before[year]:
            ReferenceCounter.update(last=number).where(ReferenceCounter.year == year).execute()
    return references


def refuse_future(application: Application) -> None:
    """A request cannot arrive after today: a later date is a typing mistake, and every deadline
    would be counted from it. `caseworker check` asks this too, so it never passes what import refuses."""
    if application.received_on > clock.today():
        raise InvalidInput(f"received_at {application.received_at:%Y-%m-%d %H:%M} is in the future", "received_at")


def _store(application: Application, actor: Actor, assign_to_me: bool, reference: str) -> CreatedCase:
    policy, calendar = context.policy(), context.calendar()
    refuse_future(application)
    received_on = application.received_on
    verdict = evaluate(application, policy)
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
             "reporter": r.reporter, "agency_reference": r.agency_reference, "method": r.method,
             "officer": r.officer, "as_hate": r.as_hate}
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


def _refuse_taken(references: list[str]) -> None:
    """A reference compares without regard to case; the unique index alone would let CT-1 and ct-1 be."""
    for start in range(0, len(references), 500):
        lowered = [r.lower() for r in references[start:start + 500]]
        taken = Case.select(Case.reference).where(fn.LOWER(Case.reference).in_(lowered)).first()
        if taken is not None:
            raise InvalidInput(f"reference {taken.reference} is already used by another case", "reference")


def create_request(application: Application, actor: Actor, *, assign_to_me: bool = False) -> CreatedCase:
    """Store one application as a new case, in one transaction that also numbers it."""
    require(actor, "create_request")
    try:
        with transaction():
            reference = number_references([application])[0]
            _refuse_taken([reference])
            return _store(application, actor, assign_to_me, reference)
    except IntegrityError as exc:  # another desk stored the same explicit reference a moment ago
        raise InvalidInput(f"reference {application.reference or 'assigned'} is already used by "
                           "another case", "reference") from exc


def import_text(text: str | bytes, actor: Actor) -> list[CreatedCase]:
    """Every application in one file, all or nothing, however long the file (see `staging`)."""
    require(actor, "create_request")
    applications = parse_applications(text, context.policy())
    references = [a.reference.upper() for a in applications if a.reference]
    repeated = sorted({r for r in references if references.count(r) > 1})
    if repeated:
        raise InvalidInput(f"reference {repeated[0]} appears more than once in the file", "reference")
    for application in applications:
        refuse_future(application)
    with reading():
        _refuse_taken([a.reference for a in applications if a.reference])
    with transaction():  # a moment's hold on the counters; numbers of a file that then fails stay unused
        numbered = number_references(applications)
    try:
        created, shift = staging.store_all(lambda i: _store(applications[i], actor, False, numbered[i]), len(applications))
    except IntegrityError as exc:
        raise InvalidInput(f"the file could not be stored: {exc}") from exc
    return [replace(c, id=c.id + shift) for c in created]


def import_file(path: Path, actor: Actor) -> list[CreatedCase]:
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", "path") from None
    try:
        return import_text(text, actor)
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc}", exc.field) from None
