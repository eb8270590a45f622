"""Access: argon2 passphrases, the lock after repeated failures, who may touch personal data as a
whole, the access log, and an audit trail that neither the models nor the database let change."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from peewee import IntegrityError

from caseworker_tui import cli
from caseworker_tui.errors import InvalidInput, NotFound, PermissionDenied
from caseworker_tui.models import AuditEvent, Case, User, db
from caseworker_tui.services import (
    backup,
    context,
    intake,
    retention,
    subject_access,
    workflow,
)
from caseworker_tui.services.access_log import access_log
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.cases import open_case
from tests.factories import meets_rule_a


def _new(actor) -> int:
    return intake.create_request(parse_application(meets_rule_a(), context.policy()), actor).id


def _events() -> int:
    with db.connection_context():
        return AuditEvent.select().count()


# --- passphrases and the lock --------------------------------------------------------------------

def test_passphrases_are_stored_as_salted_argon2id_hashes(users):
    with db.connection_context():
        stored = {u.username: u.password_hash for u in User.select()}
    assert all(h.startswith("$argon2id$v=19$m=") for h in stored.values())
    assert len(set(stored.values())) == len(stored)  # one passphrase, five different hashes
    assert all("demo" not in h for h in stored.values())
    assert PasswordHasher().verify(stored["casey"], "demo")


# --- who may handle personal data as a whole ---------------------------------------------------

ALLOWED = {
    "preview_retention": {"supervisor", "admin"},
    "apply_retention": {"admin"},
    "subject_access": {"supervisor", "admin"},
    "backup": {"admin"},
    "access_log": {"admin"},
}


def _attempt(operation: str, actor, tmp_path):
    if operation == "preview_retention":
        return retention.preview(actor)
    if operation == "apply_retention":
        return retention.apply(actor)
    if operation == "subject_access":
        return subject_access.gather(actor, "Ann Lee")
    if operation == "backup":
        return backup.backup(actor, tmp_path / f"copy-{actor.username}.sqlite")
    return access_log(actor)


@pytest.mark.parametrize("operation", sorted(ALLOWED))
def test_personal_data_operations_check_the_role(users, operation, tmp_path):
    _new(users["casey"])
    for actor in (users[name] for name in ("casey", "sam", "chris", "ada")):
        before = _events()
        if actor.role in ALLOWED[operation]:
            try:
                _attempt(operation, actor, tmp_path)
            except InvalidInput as exc:  # PostgreSQL is backed up with pg_dump, not here
                assert operation == "backup" and "pg_dump" in str(exc)
        else:
            with pytest.raises(PermissionDenied, match=actor.role):
                _attempt(operation, actor, tmp_path)
            assert _events() == before  # a refusal writes nothing
            assert not list(tmp_path.glob("copy-*"))


# --- the access log ------------------------------------------------------------------------------

def test_the_access_log_shows_who_opened_which_case_newest_first(users):
    first, second = _new(users["casey"]), _new(users["casey"])
    open_case(first, users["casey"])
    open_case(second, users["jo"])
    open_case(first, users["chris"])
    open_case(second, users["sam"], record_view=False)  # a refresh, not a new look

    log = access_log(users["ada"])
    assert [(e.username, e.case_id) for e in log] == [("chris", first), ("jo", second), ("casey", first)]
    assert log[0].reference == "CT-2026-0001" and log[0].at >= log[1].at >= log[2].at
    assert [e.username for e in access_log(users["ada"], case_id=first)] == ["chris", "casey"]
    assert len(access_log(users["ada"], limit=1)) == 1
    with pytest.raises(InvalidInput, match="limit"):
        access_log(users["ada"], limit=0)
    assert [e.username for e in access_log(users["ada"], reference=" ct-2026-0001 ")] == ["chris", "casey"]
    with pytest.raises(NotFound, match="CT-1999-0001"):
        access_log(users["ada"], reference="CT-1999-0001")


def test_an_admin_reads_the_access_log_on_the_command_line(users, database_url, monkeypatch, capsys):
    first, second = _new(users["casey"]), _new(users["casey"])
    open_case(first, users["casey"])
    open_case(second, users["jo"])
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_USER", "ada")

    assert cli.main(["access-log"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["When", "Who", "Case"]
    assert [line.split()[2:] for line in lines[1:]] == [["jo", "CT-2026-0002"], ["casey", "CT-2026-0001"]]

    assert cli.main(["access-log", "--case", "CT-2026-0001", "--limit", "5"]) == 0
    assert [line.split()[2:] for line in capsys.readouterr().out.splitlines()[1:]] == [["casey", "CT-2026-0001"]]
    assert cli.main(["access-log", "--case", "CT-1999-0001"]) == 2
    assert "no case with reference" in capsys.readouterr().err


def test_a_named_account_reads_the_access_log_only_if_an_admin(users, database_url, monkeypatch, capsys):
    open_case(_new(users["casey"]), users["casey"])
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    assert cli.main(["--as", "ada", "access-log"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[2:] == ["casey", "CT-2026-0001"]
    assert cli.main(["--as", "sam", "access-log"]) == 2
    assert capsys.readouterr().err == ("caseworker: Sam Okafor (supervisor) may not run `caseworker access-log`: "
                                       "it is for administrators.\n")


# --- the audit trail cannot be changed -----------------------------------------------------------

def test_the_models_refuse_to_change_or_delete_an_audit_event(users):
    case_id = _new(users["casey"])
    with db.connection_context():
        event = AuditEvent.get(AuditEvent.case == case_id)
        event.reason = "rewritten"
        # The models refuse before any SQL is sent (the database's own refusal reads differently).
        with pytest.raises(IntegrityError, match="an event cannot be changed"):
            event.save()
        with pytest.raises(IntegrityError, match="an event cannot be deleted"):
            event.delete_instance()
        with pytest.raises(IntegrityError, match="an event cannot be changed"):
            AuditEvent.update(actor="someone else").execute()
        with pytest.raises(IntegrityError, match="an event cannot be deleted"):
            AuditEvent.delete().execute()
        with pytest.raises(IntegrityError, match="an event cannot be changed"):
            Case.get_by_id(case_id).delete_instance(recursive=True)
        assert AuditEvent.get_by_id(event.id).reason == ""
        assert Case.select().count() == 1


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET reason = 'rewritten'",
    "DELETE FROM audit_event",
    "DELETE FROM case_request",  # cascades to the case's events
])
def test_the_database_itself_refuses_to_change_the_audit_trail(users, statement):
    case_id = _new(users["casey"])
    workflow.acknowledge(case_id, users["casey"])
    before = _events()
    with db.connection_context():
        with pytest.raises(IntegrityError, match="append-only: (UPDATE|DELETE) refused"), db.atomic():
            db.execute_sql(statement)
        assert AuditEvent.select().where(AuditEvent.reason == "rewritten").count() == 0
        assert Case.select().count() == 1
    assert _events() == before
    workflow.add_note(case_id, users["casey"], "Adding is still allowed.")
    assert _events() == before + 1
