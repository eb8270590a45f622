"""Retention: a case closed longer ago than the policy's years keeps its figures, not its people.

Anonymising replaces what identifies or describes a person (the applicant's details, incident
descriptions and places, other reporters' and officers' names, notes, agency answers and every free-text
reason) with neutral placeholders, and deletes the case's letters. It keeps what the yearly
public figures count: stage, dates, decisions, grounds, reviews and how many recommendations.
Nothing is deleted from the audit trail, which is append-only; the words typed for its steps are
kept beside it (`audit_reason`) and erased with their salt. Its `anonymised` event marks a case as
done, so a second run finds nothing new, and no personal data is added to the case afterwards.

What is forgotten must be gone from the disk too. Letter files are deleted through `file_sweep`:
their paths are recorded in the transaction that forgets the letters and deleted after it commits,
so a run killed in between is finished by the next one. On SQLite the anonymising connection
overwrites what it frees (`secure_delete`), then the write-ahead log is checkpointed and truncated
and the freed pages are handed back, so no copy of the old text stays in the file or its `-wal`.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from peewee import Case as SqlCase
from peewee import Field, SqliteDatabase, fn

from caseworker_tui.errors import TransitionNotAllowed
from caseworker_tui.models import (
    AgencyUpdateRequest,
    Appeal,
    Applicant,
    AuditEvent,
    AuditReason,
    Case,
    ContactLog,
    Escalation,
    FileSweep,
    Incident,
    Letter,
    Note,
    Recommendation,
    Report,
    Review,
    ThresholdDecision,
    db,
)
from caseworker_tui.services import audit, clock, context, sweep
from caseworker_tui.services.application import APPLICANT
from caseworker_tui.services.calendar import add_months
from caseworker_tui.services.eligibility import normalise_name
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.stages import FINISHED
from caseworker_tui.services.unit import reading, transaction

ANONYMOUS = "Anonymised applicant"
REMOVED = "[removed]"
ANONYMISED = "anonymised"  # the audit action that marks a case as done
BATCH = 500
CHECKPOINT_ATTEMPTS = 25


@dataclass(frozen=True)
class DueCase:
    """One case retention anonymises (or would), and how much it holds."""

    case_id: int
    reference: str
    stage: str
    closed_on: date
    held: dict[str, int] = field(default_factory=dict)  # e.g. {"incidents": 3, "notes": 2}


@dataclass(frozen=True)
class RetentionRun:
    cutoff: date  # cases closed before this day are due
    years: int
    applied: bool
    cases: list[DueCase]
    letter_files_deleted: int = 0


def cutoff_day(today: date, years: int) -> date:
    return add_months(today, -12 * years)


def _due_query(cutoff: date):
    done = AuditEvent.select(AuditEvent.case).where(
        (AuditEvent.action == ANONYMISED) & AuditEvent.case.is_null(False))
    return (Case.select(Case.id, Case.reference, Case.stage, Case.closed_at)
            .where(Case.stage.in_(sorted(FINISHED)) & Case.closed_at.is_null(False)
                   & (Case.closed_at < datetime.combine(cutoff, datetime.min.time()))
                   & Case.id.not_in(done))
            .order_by(Case.closed_at, Case.id))


def _held(ids: list[int]) -> dict[int, dict[str, int]]:
    """How many incidents, other reporters, notes and letters each case holds."""
    held: dict[int, dict[str, int]] = {i: {} for i in ids}
    counts = [
        ("incidents", Incident.select(Incident.case, fn.COUNT(Incident.id)).where(Incident.case.in_(ids))
         .group_by(Incident.case)),
        ("reports by others", Report.select(Incident.case, fn.COUNT(Report.id)).join(Incident)
         .where(Incident.case.in_(ids) & (fn.LOWER(Report.reporter) != APPLICANT)).group_by(Incident.case)),
        ("notes", Note.select(Note.case, fn.COUNT(Note.id)).where(Note.case.in_(ids)).group_by(Note.case)),
        ("letters", Letter.select(Letter.case, fn.COUNT(Letter.id)).where(Letter.case.in_(ids))
         .group_by(Letter.case)),
    ]
    for label, query in counts:
        for case_id, n in query.tuples():
            held[case_id][label] = n
    return held


def _due(cutoff: date) -> list[DueCase]:
    rows = list(_due_query(cutoff).tuples())
    held: dict[int, dict[str, int]] = {}
    for start in range(0, len(rows), BATCH):
        held.update(_held([r[0] for r in rows[start:start + BATCH]]))
    return [DueCase(i, ref, stage, closed.date(), held.get(i, {})) for i, ref, stage, closed in rows]


def preview(actor: Actor) -> RetentionRun:
    """What `apply` would anonymise today; changes nothing."""
    require(actor, "preview_retention")
    years = context.policy().retention.closed_case_years
    cutoff = cutoff_day(clock.today(), years)
    with reading():
        cases = _due(cutoff)
    return RetentionRun(cutoff, years, applied=False, cases=cases)


def apply(actor: Actor) -> RetentionRun:
    """Anonymise every due case in one transaction; then delete their letter files."""
    require(actor, "apply_retention")
    years = context.policy().retention.closed_case_years
    cutoff = cutoff_day(clock.today(), years)
    sqlite = isinstance(db.obj, SqliteDatabase)
    with db.connection_context():
        if sqlite:  # per connection: this one zeroes what it frees, whoever else is connected
            db.execute_sql("PRAGMA secure_delete = ON")
        try:
            with transaction():
                cases = _due(cutoff)
                for start in range(0, len(cases), BATCH):
                    _anonymise([c.case_id for c in cases[start:start + BATCH]], actor)
                for case in cases:
                    audit.record(Case(id=case.case_id), actor, ANONYMISED, reason=f"closed more than {years} years ago",
                                 **case.held)
            deleted = sweep.sweep_files()
            if sqlite and cases:
                _reclaim()
        finally:
            if sqlite:
                db.execute_sql("PRAGMA secure_delete = OFF")
    return RetentionRun(cutoff, years, applied=True, cases=cases, letter_files_deleted=deleted)


def _reclaim() -> None:
    """Give back the freed pages: by incremental vacuum where the database was made for it, else one
    full VACUUM, which also makes it so (`auto_vacuum` is set on every connection, and VACUUM applies
    it), so only the first run on a database from an earlier release takes that long. Then copy the
    log into the file and empty it (TRUNCATE)."""
    if db.execute_sql("PRAGMA auto_vacuum").fetchone()[0] == 2:
        db.execute_sql("PRAGMA incremental_vacuum")
    else:
        db.execute_sql("VACUUM")
    for _attempt in range(CHECKPOINT_ATTEMPTS):  # a desk in the middle of a read holds the log back
        busy, _log, _done = db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return
        time.sleep(0.2)


def refuse_if_anonymised(case: Case) -> None:
    """Inside the caller's transaction: an anonymised case takes no new personal data, which would
    otherwise be kept for ever (retention has already passed it by)."""
    if AuditEvent.select().where((AuditEvent.case == case.id) & (AuditEvent.action == ANONYMISED)).exists():
        raise TransitionNotAllowed(f"{case.reference} was anonymised under the retention policy: nothing "
                                   "about a person (a note, a letter, a contact) can be added to it.")


def _removed(column: Field) -> SqlCase:
    """The placeholder where the column holds text; empty stays empty, so it says nothing."""
    return SqlCase(None, [(column.is_null() | (column == ""), column)], REMOVED)


def _anonymise(ids: list[int], actor: Actor) -> None:
    """Replace the personal data of these cases; record their letter files for the sweep."""
    now = clock.now()
    Applicant.update(name=ANONYMOUS, address="", postcode="", email=None, phone=None, on_behalf_of=None,
                     vulnerabilities=None, needs_json="[]", advocate=None).where(
        Applicant.case.in_(ids)).execute()
    Incident.update(description=_removed(Incident.description), location=_removed(Incident.location)).where(
        Incident.case.in_(ids)).execute()
    Note.update(text=REMOVED).where(Note.case.in_(ids)).execute()
    AgencyUpdateRequest.update(answer=_removed(AgencyUpdateRequest.answer)).where(
        AgencyUpdateRequest.case.in_(ids)).execute()
    ThresholdDecision.update(reason=_removed(ThresholdDecision.reason)).where(
        ThresholdDecision.case.in_(ids)).execute()
    Review.update(findings=_removed(Review.findings), summary=_removed(Review.summary),
                  extension_reason=_removed(Review.extension_reason),
                  not_invited_reason=_removed(Review.not_invited_reason),
                  returned_comments=_removed(Review.returned_comments)).where(Review.case.in_(ids)).execute()
    Recommendation.update(action=_removed(Recommendation.action), done_note=_removed(Recommendation.done_note)
                          ).where(Recommendation.case.in_(ids)).execute()
    Appeal.update(grounds=_removed(Appeal.grounds), decision_reason=_removed(Appeal.decision_reason)).where(
        Appeal.case.in_(ids)).execute()
    ContactLog.update(said=REMOVED, promised=_removed(ContactLog.promised)).where(ContactLog.case.in_(ids)).execute()
    AuditReason.update(text=REMOVED, salt="").where(AuditReason.case.in_(ids)).execute()
    FileSweep.insert_many([{"path": path, "recorded_at": now, "owner": ""} for path in _letter_files(ids)]).execute()
    Escalation.update(note=_removed(Escalation.note), answer=_removed(Escalation.answer)).where(
        Escalation.case.in_(ids)).execute()
    Letter.delete().where(Letter.case.in_(ids)).execute()
    for case in Case.select(Case.id, Case.verdict_json, Case.dissatisfaction_reason).where(Case.id.in_(ids)):
        names = _rename_reporters(case.id)
        verdict = _scrub_verdict(case.verdict_json, names, quoted=case.dissatisfaction_reason.strip())
        Case.update(verdict_json=verdict).where(Case.id == case.id).execute()
    Case.update(applicant_name=ANONYMOUS, postcode="", search_text=fn.LOWER(Case.reference),
                dissatisfaction_reason=_removed(Case.dissatisfaction_reason), triage_json=None,
                version=Case.version + 1, updated_at=now, updated_by=actor.username).where(
        Case.id.in_(ids)).execute()


def _letter_files(ids: list[int]) -> list[str]:
    """Every file these cases' letters left: the Word document, its PDF, and the print packs (PDF and
    list) of the days one of them was posted, which name the person too; a pack goes whole."""
    paths: list[str] = []
    for path, pdf, via, sent_on in Letter.select(Letter.path, Letter.pdf_path, Letter.sent_via, Letter.sent_on).where(
            Letter.case.in_(ids)).tuples():
        paths += [path, *([pdf] if pdf else [])]
        if via == "print_pack" and sent_on is not None:
            for folder in {Path(path).parent, *([Path(pdf).parent] if pdf else [])}:
                paths += [str(folder / f"print-pack-{sent_on.isoformat()}.{ext}") for ext in ("pdf", "csv")]
    return list(dict.fromkeys(paths))


def _rename_reporters(case_id: int) -> dict[str, str]:
    """Reporters other than the applicant become "Person 1", "Person 2" … in order of appearance.

    Returns each original name (normalised) with its replacement, the applicant's included.
    """
    applicant = Applicant.get(Applicant.case == case_id)
    names = {normalise_name(applicant.name): APPLICANT}
    reports = (Report.select(Report.id, Report.reporter, Report.agency_reference, Report.officer).join(Incident)
               .where(Incident.case == case_id).order_by(Incident.position, Report.position))
    for report in reports:
        key = normalise_name(report.reporter)
        if key != APPLICANT:
            names.setdefault(key, f"Person {sum(v != APPLICANT for v in names.values()) + 1}")
        Report.update(reporter=APPLICANT if key == APPLICANT else names[key],
                      agency_reference=REMOVED if report.agency_reference else "",
                      officer=REMOVED if report.officer else "").where(
            Report.id == report.id).execute()
    return names


def _scrub_verdict(verdict_json: str, names: dict[str, str], quoted: str) -> str:
    """The recorded verdict with every name, and the reason it quotes, replaced; its outcome kept."""
    words = sorted((k for k in names if k), key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
                         + r")(?!\w)", re.IGNORECASE)

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            if quoted:
                value = value.replace(quoted, REMOVED)
            return pattern.sub(lambda m: names.get(normalise_name(m.group(0)), REMOVED), value) if words else value
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    return json.dumps(scrub(json.loads(verdict_json)))
