"""Migration 0008 and what it serves: numbering from a counter, one row per letter version, reasons apart.

An older database upgrades without losing a row: its counters start from the references in use,
letters two producers once gave the same version are renumbered, and typed reasons move out of
the audit trail, which keeps a digest of them and stays append-only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from peewee import IntegrityError
from playhouse.migrations import Runner

from caseworker_tui.models import AuditEvent, AuditReason, Letter, ReferenceCounter, bind, db
from caseworker_tui.models.schema import MIGRATIONS, upgrade
from caseworker_tui.services import audit, context, intake
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.permissions import Actor
from tests.factories import meets_rule_a

CASEY = Actor("casey", "Casey Morgan", "caseworker")
CASE = ("INSERT INTO case_request (reference, received_at, stage, is_open, applicant_name, postcode, search_text, "
        "dissatisfied, dissatisfaction_reason, threshold_met, verdict_json, policy_name, policy_version, high_risk, "
        "extended, version, created_at, updated_at, updated_by) VALUES ('{ref}', '2026-11-20 09:00:00', "
        "'received', 1, 'Ann Lee', '', '', 1, '', 1, '{{}}', 'p', '1', 0, 0, 1, '2026-11-20 09:00:00', "
        "'2026-11-20 09:00:00', 'casey')")
LETTER = ("INSERT INTO letter (case_id, kind, version_no, path, checksum, large_print, recipient, created_by, "
          "created_at) VALUES (1, 'acknowledgement', {v}, '/srv/letters/{name}.docx', 'abc', 0, 'Ann Lee', 'casey', "
          "'2026-11-20 10:00:00')")


def test_an_older_database_gains_counters_unique_versions_and_reasons_apart(tmp_path):
    database = bind(f"sqlite:///{tmp_path / 'older.sqlite'}")
    with database.connection_context():
        Runner(database, str(MIGRATIONS)).up(target="0005_contact_log")
        for ref in ("CT-2026-0007", "ct-2026-0003", "CT-2025-0012", "OLD-1"):
            database.execute_sql(CASE.format(ref=ref))
        for version, name in ((1, "a"), (1, "b"), (2, "c")):
            database.execute_sql(LETTER.format(v=version, name=name))
        database.execute_sql("INSERT INTO audit_event (case_id, actor, at, action, reason, details_json) VALUES "
                             "(1, 'casey', '2026-11-20 11:00:00', 'withdraw', 'Moved to 12 Acacia Avenue', '{}')")

    assert "0008_counters_reasons_sweep" in upgrade(database)

    with database.connection_context():
        assert dict(ReferenceCounter.select(ReferenceCounter.year, ReferenceCounter.last).tuples()) == {2026: 7, 2025: 12}
        assert sorted(Letter.select(Letter.path, Letter.version_no).tuples()) == [
            ("/srv/letters/a.docx", 1), ("/srv/letters/b.docx", 3), ("/srv/letters/c.docx", 2)]
        with pytest.raises(IntegrityError), database.atomic():
            database.execute_sql(LETTER.format(v=2, name="d"))
        event, = AuditEvent.select()
        kept = AuditReason.get(AuditReason.event == event.id)
        assert kept.text == "Moved to 12 Acacia Avenue" and event.reason == audit.digest(kept.salt, kept.text)
        with pytest.raises(IntegrityError, match="append-only"), database.atomic():
            database.execute_sql("UPDATE audit_event SET reason = ''")
    created = intake.create_request(parse_application(meets_rule_a(), context.policy()), CASEY)
    assert created.reference == "CT-2026-0008"


def test_references_come_from_the_counter_not_from_the_cases(database):
    with db.connection_context():
        ReferenceCounter.create(year=2026, last=41)
    assert intake.create_request(parse_application(meets_rule_a(), context.policy()), CASEY).reference == "CT-2026-0042"
    created = intake.import_text(json.dumps([meets_rule_a(), meets_rule_a(reference="CT-2026-0100"), meets_rule_a()]), CASEY)
    assert [c.reference for c in created] == ["CT-2026-0043", "CT-2026-0100", "CT-2026-0101"]
    with db.connection_context():
        assert ReferenceCounter.get_by_id(2026).last == 101


def test_an_import_leaves_no_staging_file_and_removes_one_a_dead_import_left(database_url, users):
    if not database_url.startswith("sqlite"):
        pytest.skip("only SQLite imports are staged in a file")
    main = Path(database_url[len("sqlite:///"):])
    dead = main.with_name(f".{main.name}.import-{_dead_pid()}-abcd")
    dead.write_bytes(b"personal data nobody will move in")

    created = intake.import_text(json.dumps([meets_rule_a() for _ in range(3)]), users["casey"])

    assert len(created) == 3 and not dead.exists()
    assert [p.name for p in main.parent.iterdir() if ".import-" in p.name] == []
    with db.connection_context():  # the ids handed back are the stored cases' own
        from caseworker_tui.models import Case

        assert [Case.get_by_id(c.id).reference for c in created] == [c.reference for c in created]


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_a_real_deadlock_is_tried_again_and_other_refusals_are_not(database_url):
    """Two connections that lock two rows in opposite orders: PostgreSQL picks one to fail."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one write lock: it never deadlocks")
    import threading

    import psycopg2

    from caseworker_tui.services.unit import retried, transient

    setup = psycopg2.connect(database_url)
    setup.autocommit = True
    with setup.cursor() as cursor:
        cursor.execute("INSERT INTO reference_counter (year, last) VALUES (1901, 0), (1902, 0)")
    refusals: list[BaseException] = []
    both = threading.Barrier(2)

    def lock(first: int, second: int) -> None:
        conn = psycopg2.connect(database_url)
        try:
            with conn.cursor() as cursor:
                cursor.execute("UPDATE reference_counter SET last = last + 1 WHERE year = %s", (first,))
                both.wait()
                cursor.execute("UPDATE reference_counter SET last = last + 1 WHERE year = %s", (second,))
            conn.commit()
        except psycopg2.Error as exc:
            refusals.append(exc)
            conn.rollback()
        finally:
            conn.close()

    threads = [threading.Thread(target=lock, args=pair) for pair in ((1901, 1902), (1902, 1901))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    setup.close()
    assert len(refusals) == 1 and transient(refusals[0])

    calls: list[int] = []

    @retried
    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise refusals[0]
        return "saved"

    assert flaky() == "saved" and len(calls) == 3

    @retried
    def wrong() -> None:
        calls.append(1)
        raise IntegrityError("a real refusal")

    calls.clear()
    with pytest.raises(IntegrityError):
        wrong()
    assert len(calls) == 1
