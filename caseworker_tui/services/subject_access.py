"""A subject access request: everything held about one person, gathered into one JSON file.

The person is found as the applicant of a case (by name, case- and whitespace-insensitively,
or by the case's reference) and as a named reporter in other people's cases. For their own
cases everything is included; for reports they made in someone else's case, only the report
itself, since the rest is about the other applicant. Free text that merely mentions the name
(notes, descriptions) is not searched: whoever answers the request reviews the file.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from peewee import Model, fn
from playhouse.shortcuts import model_to_dict

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import (
    AgencyUpdateRequest,
    Appeal,
    Applicant,
    AuditEvent,
    Case,
    CaseView,
    Deadline,
    Incident,
    Letter,
    Note,
    Recommendation,
    Report,
    Review,
    ThresholdDecision,
)
from caseworker_tui.services import audit, clock, private_files, typed_text
from caseworker_tui.services.application import APPLICANT
from caseworker_tui.services.eligibility import normalise_name
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.unit import transaction

LONGEST_NAME = 200  # the import format's longest name; a reference is shorter
NARROWING_WORDS = 3


@dataclass(frozen=True)
class SubjectAccess:
    query: str
    generated_at: datetime
    generated_by: str
    cases: list[dict[str, Any]]  # cases where the person is the applicant, in full
    reports: list[dict[str, Any]]  # reports the person made in other people's cases

    def as_json(self) -> dict[str, Any]:
        return {"query": self.query, "generated_at": self.generated_at.isoformat(),
                "generated_by": self.generated_by, "cases_as_applicant": self.cases,
                "reports_made_in_other_cases": self.reports}


def gather(actor: Actor, who: str) -> SubjectAccess:
    """Everything held about `who` (a name or a case reference); the search is audited."""
    require(actor, "subject_access")
    who = " ".join(typed_text.checked(who or "", "person").split())
    if not who:
        raise InvalidInput("person: give a name or a case reference", "person")
    if len(who) > LONGEST_NAME:
        raise InvalidInput(f"person: at most {LONGEST_NAME} characters; no name or reference held is longer", "person")
    key = normalise_name(who)
    with transaction():
        by_reference = Case.select(Case.id).where(fn.LOWER(Case.reference) == who.lower())
        by_name = [a.case_id for a in _named(Applicant.select(Applicant.case, Applicant.name), Applicant.name, who)
                   if normalise_name(a.name) == key]
        ids = sorted({c.id for c in by_reference} | set(by_name))
        cases = [_case(case_id) for case_id in ids]
        reports = [] if key == APPLICANT else _reports_made(who, key, exclude=ids)
        # The audit trail is permanent, so it records what was found, never the name asked for.
        audit.record(None, actor, "subject_access", cases=[c["reference"] for c in cases], reports=len(reports))
    return SubjectAccess(who, clock.now(), actor.username, cases, reports)


def default_path(folder: Path) -> Path:
    """A new file in `folder` named for when it was made, never for whom: a listing of the folder
    (or a backup's, or a log's mention of the path) must not say whose data was asked for."""
    return Path(folder) / f"subject-access-{clock.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}.json"


def write(result: SubjectAccess, path: Path | str) -> Path:
    """Save the result as JSON readable by its owner only; an existing file is never replaced."""
    path = Path(path).expanduser()
    try:
        private_files.make_folder(path.parent)
        handle = private_files.create(path)
    except FileExistsError:
        raise InvalidInput(f"out: {path} already exists; name a new file", "out") from None
    except OSError as exc:
        raise InvalidInput(f"out: cannot write {path}: {exc.strerror}", "out") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(result.as_json(), out, indent=2, ensure_ascii=False, default=_plain)
    except BaseException:  # a full disk: no half-written file of personal data is left behind
        path.unlink(missing_ok=True)
        raise
    return path


def _plain(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _named(query, column, who: str):
    """Narrow `query` in the database by the name's longest plain-ASCII words; the caller compares
    exactly. A few words narrow enough, and each is one more condition nested in the query. A word
    holding a LIKE wildcard or escape is left out: the two databases escape differently."""
    words = sorted({word for word in who.lower().split() if word.isascii() and not set(word) & set("%_\\")},
                   key=lambda w: (-len(w), w))
    for word in words[:NARROWING_WORDS]:
        query = query.where(column ** f"%{word}%")
    return query


def _rows(model: type[Model], where, order, exclude=()) -> list[dict[str, Any]]:
    return [model_to_dict(row, recurse=False, exclude=list(exclude)) for row in
            model.select().where(where).order_by(*order)]


def _case(case_id: int) -> dict[str, Any]:
    case = Case.get_by_id(case_id)
    data = model_to_dict(case, recurse=False, exclude=[Case.search_text, Case.verdict_json, Case.triage_json])
    data["verdict"] = json.loads(case.verdict_json)
    data["triage"] = json.loads(case.triage_json) if case.triage_json else None
    person = model_to_dict(Applicant.get(Applicant.case == case_id), recurse=False, exclude=[Applicant.case])
    person["needs"] = json.loads(person.pop("needs_json"))
    data["applicant"] = person
    data["incidents"] = _rows(Incident, Incident.case == case_id, [Incident.position], [Incident.case])
    for incident in data["incidents"]:
        incident["reports"] = _rows(Report, Report.incident == incident["id"], [Report.position], [Report.incident])
    for name, model in [("decisions", ThresholdDecision), ("agency_updates", AgencyUpdateRequest),
                        ("reviews", Review), ("recommendations", Recommendation), ("appeals", Appeal),
                        ("notes", Note), ("letters", Letter), ("deadlines", Deadline)]:
        data[name] = _rows(model, model.case == case_id, [model.id], [model.case])
    data["history"] = _rows(AuditEvent, AuditEvent.case == case_id, [AuditEvent.at, AuditEvent.id],
                            [AuditEvent.case])
    said = audit.reasons(event["id"] for event in data["history"])
    for event in data["history"]:  # the words typed, not the digest the trail keeps of them
        event["reason"] = said.get(event["id"], "")
    data["viewed_by"] = _rows(CaseView, CaseView.case == case_id, [CaseView.at, CaseView.id], [CaseView.case])
    return data


def _reports_made(who: str, key: str, exclude: list[int]) -> list[dict[str, Any]]:
    query = (Report.select(Report, Incident.key, Incident.occurred_on, Case.reference)
             .join(Incident).join(Case).order_by(Case.reference, Incident.position, Report.position))
    if exclude:
        query = query.where(Case.id.not_in(exclude))
    return [
        {"reference": r.incident.case.reference, "incident": r.incident.key,
         "incident_occurred_on": r.incident.occurred_on, "agency": r.agency, "reported_on": r.reported_on,
         "reporter": r.reporter, "agency_reference": r.agency_reference}
        for r in _named(query, Report.reporter, who) if normalise_name(r.reporter) == key
    ]
