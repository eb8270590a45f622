"""Numbering without scanning, one row per letter version, reasons retention can erase, files it deletes.

- `reference_counter`: the last CT-YYYY-NNNN number given each year, started from the highest in use.
- `letter`: a unique index on (case, kind, version); duplicates an earlier release let two producers
  make are renumbered first, after the highest version of their kind.
- `audit_reason`: the words typed for a step, moved out of `audit_event.reason`, which keeps a salted
  digest of them instead (the one rewrite of the trail, by this migration alone, with its triggers
  set aside and put back): anonymising a case then erases the words and the salt together.
- `file_sweep`: files a transaction stopped recording (or a letter being written), deleted after it commits.
"""

import hashlib
import hmac
import re
import secrets

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model, PostgresqlDatabase, TextField

APPEND_ONLY_TRIGGERS_SQLITE = {
    "audit_event_no_update": "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
                             "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END",
}


def digest(salt: str, text: str) -> str:
    """As `services.audit.digest`: kept here so the migration never imports the services."""
    return "sha256:" + hmac.new(salt.encode(), text.encode(), hashlib.sha256).hexdigest()


def up(migrator, db):
    class Case(Model):
        reference = CharField()

        class Meta:
            database = db
            table_name = "case_request"

    class AuditEvent(Model):
        case = ForeignKeyField(Case, null=True, on_delete="CASCADE")
        reason = TextField(default="")

        class Meta:
            database = db
            table_name = "audit_event"

    class AuditReason(Model):
        event = ForeignKeyField(AuditEvent, unique=True, on_delete="CASCADE")
        case = ForeignKeyField(Case, null=True, on_delete="CASCADE")
        salt = CharField(max_length=32)
        text = TextField()

        class Meta:
            database = db
            table_name = "audit_reason"

    class ReferenceCounter(Model):
        year = IntegerField(primary_key=True)
        last = IntegerField()

        class Meta:
            database = db
            table_name = "reference_counter"

    class FileSweep(Model):
        path = TextField()
        recorded_at = DateTimeField()
        owner = CharField(max_length=300, default="")

        class Meta:
            database = db
            table_name = "file_sweep"

    db.create_tables([AuditReason, ReferenceCounter, FileSweep])

    highest: dict[int, int] = {}
    for (reference,) in db.execute_sql("SELECT reference FROM case_request"):
        if m := re.fullmatch(r"CT-(\d{4})-(\d+)", reference, re.I):
            year, number = int(m.group(1)), int(m.group(2))
            highest[year] = max(highest.get(year, 0), number)
    if highest:
        ReferenceCounter.insert_many([{"year": y, "last": n} for y, n in highest.items()]).execute()

    _renumber_duplicate_letters(db)
    migrator.migrate(migrator.add_index("letter", ("case_id", "kind", "version_no"), True))

    _move_reasons(db, AuditEvent, AuditReason)


def _renumber_duplicate_letters(db):
    rows = db.execute_sql("SELECT id, case_id, kind, version_no FROM letter ORDER BY case_id, kind, version_no, id")
    seen: dict[tuple[int, str], set[int]] = {}
    top: dict[tuple[int, str], int] = {}
    moves = []
    rows = list(rows)
    for _id, case_id, kind, version in rows:
        top[(case_id, kind)] = max(top.get((case_id, kind), 0), version)
    for letter_id, case_id, kind, version in rows:
        used = seen.setdefault((case_id, kind), set())
        if version in used:
            top[(case_id, kind)] += 1
            moves.append((top[(case_id, kind)], letter_id))
        used.add(version)
    for version, letter_id in moves:
        db.execute_sql(f"UPDATE letter SET version_no = {int(version)} WHERE id = {int(letter_id)}")


def _move_reasons(db, AuditEvent, AuditReason):
    typed = list(AuditEvent.select(AuditEvent.id, AuditEvent.case, AuditEvent.reason)
                 .where(AuditEvent.reason != "").tuples())
    if not typed:
        return
    postgres = isinstance(db, PostgresqlDatabase)
    if postgres:
        db.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS audit_event_no_update")
    for event_id, case_id, reason in typed:
        salt = secrets.token_hex(16)
        AuditReason.create(event=event_id, case=case_id, salt=salt, text=reason)
        AuditEvent.update(reason=digest(salt, reason)).where(AuditEvent.id == event_id).execute()
    if postgres:
        db.execute_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
    else:
        for sql in APPEND_ONLY_TRIGGERS_SQLITE.values():
            db.execute_sql(sql)
