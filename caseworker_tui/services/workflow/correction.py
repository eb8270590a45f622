"""Correcting the record after it was saved: the applicant's details, an incident, its reports.

When the verdict is wrong because the record is wrong, the record is corrected, never the verdict
overruled (DOMAIN.md, Discretion). A correction is one transaction like any step: the case is
locked and its version checked, the corrected record is validated by the same model as intake
(`application.parse_application`), the rows are rewritten, and the verdict is recomputed from them.
A recorded decision is left as it was: the case then says the verdict has changed since it.

What changed (old → new, by the form's words) is personal data as often as not, so it is the
audit event's typed reason (`audit_reason`, erased by retention), with only the fields' labels in
the event itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from caseworker_tui.errors import InvalidInput, NotFound, TransitionNotAllowed
from caseworker_tui.models import Applicant, Case, Incident, Report
from caseworker_tui.services import audit, context
from caseworker_tui.services.application import Application, parse_application
from caseworker_tui.services.eligibility import evaluate
from caseworker_tui.services.intake import search_text
from caseworker_tui.services.lifecycle import step
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.stages import stage_label
from caseworker_tui.services.unit import reading, retried, transaction
from caseworker_tui.services.workflow.running import clean_text, load_case, save_case

ACTION = "correct_record"
# The import format's fields in the words the forms use: for errors and for what changed.
APPLICANT_WORDS = {
    "name": "name", "address": "address", "postcode": "postcode", "email": "e-mail",
    "phone": "phone", "preferred_contact": "preferred contact", "on_behalf_of": "on behalf of",
    "vulnerabilities": "vulnerabilities", "needs": "needs", "advocate": "advocate",
    "consent_to_share": "consent to share",
}
INCIDENT_WORDS = {"id": "id", "occurred_on": "date", "description": "description", "location": "location",
                  "hate_related": "hate-related"}
REPORT_WORDS = {"agency": "agency", "reported_on": "reported on", "reporter": "reporter",
                "agency_reference": "agency reference", "method": "method", "officer": "officer",
                "as_hate": "reported as hate"}
RECORD_WORDS = {"dissatisfied": "dissatisfied", "dissatisfaction_reason": "why dissatisfied"}
_ALL_WORDS = {**APPLICANT_WORDS, **INCIDENT_WORDS, **REPORT_WORDS, **RECORD_WORDS}
_KEYS = re.compile(r"\b(" + "|".join(sorted((k for k, w in _ALL_WORDS.items() if k != w), key=len, reverse=True))
                   + r")\b")


@dataclass(frozen=True)
class Corrected:
    """What a correction left: the case's new version, what changed in words, the verdict before and after."""

    case_id: int
    reference: str
    version: int
    changes: list[str]
    was_met: bool
    now_met: bool


# --- the record as stored, in the import format ------------------------------------------------


def _record(case: Case) -> dict[str, Any]:
    """The case's application as the import format holds it, read from its rows."""
    person = Applicant.get(Applicant.case == case)
    incidents = []
    for incident in Incident.select().where(Incident.case == case).order_by(Incident.position):
        reports = [{"agency": r.agency, "reported_on": r.reported_on.isoformat(), "reporter": r.reporter,
                    "agency_reference": r.agency_reference, "method": r.method, "officer": r.officer or "",
                    "as_hate": bool(r.as_hate)}
                   for r in Report.select().where(Report.incident == incident).order_by(Report.position)]
        incidents.append({"id": incident.key, "occurred_on": incident.occurred_on.isoformat(),
                          "description": incident.description, "location": incident.location,
                          "hate_related": bool(incident.hate_related), "reports": reports})
    applicant = {"type": "on_behalf" if person.on_behalf_of else "victim", "name": person.name,
                 "address": person.address, "postcode": person.postcode, "email": person.email,
                 "phone": person.phone, "preferred_contact": person.preferred_contact,
                 "on_behalf_of": person.on_behalf_of, "vulnerabilities": person.vulnerabilities,
                 "needs": json.loads(person.needs_json or "[]"), "advocate": person.advocate,
                 "consent_to_share": person.consent_to_share}
    return {"received_at": case.received_at.isoformat(), "channel": case.channel, "applicant": applicant,
            "dissatisfied": bool(case.dissatisfied), "dissatisfaction_reason": case.dissatisfaction_reason,
            "incidents": incidents}


def current_record(case_id: int, actor: Actor) -> dict[str, Any]:
    """The record as it is now, for a form to show before it is corrected."""
    require(actor, "view_cases")
    with reading():
        case = Case.get_or_none(Case.id == case_id)
        if case is None:
            raise NotFound(f"no case with id {case_id}")
        return _record(case)


# --- what changed, in words ---------------------------------------------------------------------


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _fields(before: Any, after: Any, words: dict[str, str], where: str) -> list[tuple[str, str]]:
    """(label, "label old → new") for each field that differs."""
    changed = []
    for key, label in words.items():
        old, new = getattr(before, key), getattr(after, key)
        if old != new:
            place = f"{where} {label}".strip()
            changed.append((place, f"{place} {_shown(old)} → {_shown(new)}"))
    return changed


def _report_words(report: Any) -> str:
    return f"{report.agency}, {_shown(report.reported_on)}, {report.reporter}"


def _differences(before: Application, after: Application) -> list[tuple[str, str]]:
    changed = _fields(before.applicant, after.applicant, APPLICANT_WORDS, "applicant")
    changed += _fields(before, after, RECORD_WORDS, "")
    old = {i.id: i for i in before.incidents}
    new = {i.id: i for i in after.incidents}
    for key, incident in new.items():
        where = f"incident {key}"
        if key not in old:
            changed.append((where, f"{where} added ({_shown(incident.occurred_on)}, "
                                   f"{len(incident.reports)} report{'s' if len(incident.reports) != 1 else ''})"))
            continue
        was = old[key]
        changed += _fields(was, incident, {k: w for k, w in INCIDENT_WORDS.items() if k != "id"}, where)
        for n in range(max(len(was.reports), len(incident.reports))):
            spot = f"{where} report {n + 1}"
            if n >= len(was.reports):
                changed.append((spot, f"{spot} added ({_report_words(incident.reports[n])})"))
            elif n >= len(incident.reports):
                changed.append((spot, f"{spot} removed ({_report_words(was.reports[n])})"))
            else:
                changed += _fields(was.reports[n], incident.reports[n], REPORT_WORDS, spot)
    for key, incident in old.items():
        if key not in new:
            changed.append((f"incident {key}", f"incident {key} removed ({_shown(incident.occurred_on)})"))
    return changed


def in_form_words(exc: InvalidInput) -> InvalidInput:
    """Intake's refusal with the import format's field names put in the form's words."""
    return InvalidInput(_KEYS.sub(lambda m: _ALL_WORDS[m.group(1)], str(exc)), exc.field)


# --- writing the corrected record ---------------------------------------------------------------


def _write(case: Case, after: Application, before: Application) -> None:
    person = after.applicant
    Applicant.update(
        name=person.name, address=person.address, postcode=person.postcode, email=person.email,
        phone=person.phone, preferred_contact=person.preferred_contact, on_behalf_of=person.on_behalf_of,
        vulnerabilities=person.vulnerabilities, needs_json=json.dumps(person.needs), advocate=person.advocate,
        consent_to_share=person.consent_to_share).where(Applicant.case == case).execute()
    case.applicant_name, case.postcode = person.name, person.postcode
    case.search_text = search_text(case.reference, person.name, person.postcode)
    case.dissatisfied, case.dissatisfaction_reason = after.dissatisfied, after.dissatisfaction_reason
    rows = {i.key: i for i in Incident.select().where(Incident.case == case)}
    kept = {i.id for i in after.incidents}
    gone = [row.id for key, row in rows.items() if key not in kept]
    if gone:  # its reports first: the cascade is the database's, and not every connection enforces it
        Report.delete().where(Report.incident.in_(gone)).execute()
        Incident.delete().where(Incident.id.in_(gone)).execute()
    old = {i.id: i for i in before.incidents}
    for position, incident in enumerate(after.incidents, start=1):
        fields = {"position": position, "occurred_on": incident.occurred_on, "description": incident.description,
                  "location": incident.location, "hate_related": incident.hate_related}
        row = rows.get(incident.id)
        if row is None:
            row = Incident.create(case=case, key=incident.id, **fields)
        else:
            Incident.update(**fields).where(Incident.id == row.id).execute()
            if old[incident.id].reports == incident.reports:
                continue
            Report.delete().where(Report.incident == row.id).execute()
        Report.insert_many([
            {"incident": row.id, "position": n, "agency": r.agency, "reported_on": r.reported_on,
             "reporter": r.reporter, "agency_reference": r.agency_reference, "method": r.method,
             "officer": r.officer, "as_hate": r.as_hate}
            for n, r in enumerate(incident.reports, start=1)]).execute()


@retried
def correct_record(case_id: int, actor: Actor, revise: Callable[[dict[str, Any]], dict[str, Any]], *,
                   expected_version: int | None, why: str = "") -> Corrected:
    """Correct the case's record: `revise` is given the record as stored (import format) and returns
    it corrected. Bad input names the field in the form's words and saves nothing; so does a
    correction that changes nothing."""
    require(actor, ACTION)
    why = clean_text(why, "why", required=False)
    policy = context.policy()
    with transaction():
        case = load_case(case_id, expected_version)
        taken = step(ACTION)
        if case.stage not in taken.stages:
            raise TransitionNotAllowed(f"Cannot {taken.words}: {case.reference} is {stage_label(case.stage).lower()}.")
        stored = _record(case)
        before = parse_application(stored, policy)
        try:
            revised = revise(json.loads(json.dumps(stored)))
            # Who applies follows from on_behalf_of, as the application model reads it when absent.
            if isinstance(revised.get("applicant"), dict) and revised["applicant"].get("type") in ("victim", "on_behalf"):
                revised["applicant"]["type"] = None
            after = parse_application(revised, policy)
        except InvalidInput as exc:
            raise in_form_words(exc) from None
        if after.received_at != before.received_at:
            raise InvalidInput("received: the date a request was received is not corrected here", "received_at")
        changes = _differences(before, after)
        if not changes:
            raise InvalidInput("Nothing was changed, so there is nothing to save.")
        was_met = case.threshold_met
        _write(case, after, before)
        verdict = evaluate(after, policy)
        case.threshold_met, case.verdict_json = verdict.threshold_met, verdict.model_dump_json()
        case.policy_name, case.policy_version = policy.name, policy.version
        words = [text for _, text in changes]
        said = "; ".join(words)
        if was_met != verdict.threshold_met:
            said += f"; the verdict is now {'met' if verdict.threshold_met else 'not met'}"
        if why:
            said += f" — {why}"
        save_case(case, actor)
        audit.record(case, actor, ACTION, from_stage=case.stage, to_stage=case.stage, reason=said,
                     fields=[label for label, _ in changes], threshold_met_before=was_met,
                     threshold_met=verdict.threshold_met, policy=policy.version)
        return Corrected(case.id, case.reference, case.version, words, was_met, verdict.threshold_met)


# --- one kind of correction each ----------------------------------------------------------------


def _incident(record: dict[str, Any], key: str) -> dict[str, Any]:
    for incident in record["incidents"]:
        if incident["id"] == key:
            return incident
    raise InvalidInput(f"incident: there is no incident {key} on this case", "incidents")


def _report(incident: dict[str, Any], position: int) -> dict[str, Any]:
    if not 1 <= position <= len(incident["reports"]):
        raise InvalidInput(f"incident {incident['id']}: there is no report {position}", "reports")
    return incident["reports"][position - 1]


def correct_applicant(case_id: int, actor: Actor, values: dict[str, Any], *, expected_version: int | None,
                      why: str = "") -> Corrected:
    """The applicant's details: name, address, contact details, on whose behalf, needs …"""
    def revise(record: dict[str, Any]) -> dict[str, Any]:
        record["applicant"].update(values)
        return record
    return correct_record(case_id, actor, revise, expected_version=expected_version, why=why)


def correct_incident(case_id: int, actor: Actor, key: str, values: dict[str, Any], *,
                     expected_version: int | None, why: str = "") -> Corrected:
    """One incident's date, description, place or hate flag (its reports: the report functions)."""
    def revise(record: dict[str, Any]) -> dict[str, Any]:
        _incident(record, key).update(values)
        return record
    return correct_record(case_id, actor, revise, expected_version=expected_version, why=why)


def add_report(case_id: int, actor: Actor, key: str, report: dict[str, Any], *, expected_version: int | None,
               why: str = "") -> Corrected:
    def revise(record: dict[str, Any]) -> dict[str, Any]:
        _incident(record, key)["reports"].append(report)
        return record
    return correct_record(case_id, actor, revise, expected_version=expected_version, why=why)


def edit_report(case_id: int, actor: Actor, key: str, position: int, values: dict[str, Any], *,
                expected_version: int | None, why: str = "") -> Corrected:
    def revise(record: dict[str, Any]) -> dict[str, Any]:
        _report(_incident(record, key), position).update(values)
        return record
    return correct_record(case_id, actor, revise, expected_version=expected_version, why=why)


def remove_report(case_id: int, actor: Actor, key: str, position: int, *, expected_version: int | None,
                  why: str = "") -> Corrected:
    """An incident keeps at least one report: intake's model refuses one without."""
    def revise(record: dict[str, Any]) -> dict[str, Any]:
        incident = _incident(record, key)
        _report(incident, position)
        del incident["reports"][position - 1]
        return record
    return correct_record(case_id, actor, revise, expected_version=expected_version, why=why)
