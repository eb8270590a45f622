"""`caseworker demo --database-here`: the configured database is wiped for a demo only with its name
typed back, with nobody else connected, and with the wipe in its audit trail before anything is
dropped; its accounts never get the published passphrase. On both databases."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from caseworker_tui import cli
from caseworker_tui.config import demo_database_url
from caseworker_tui.errors import InvalidInput, SignInFailed
from caseworker_tui.models import AuditEvent, Case, User, db
from caseworker_tui.services import auth, context, demo, intake
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.demo import build_demo
from caseworker_tui.services.demo_plan import DEMO_USERS
from caseworker_tui.services.demo_ready import ensure_demo
from caseworker_tui.services.demo_rebuild import ACTION, database_name
from tests.conftest import POSTGRES_URL
from tests.factories import meets_rule_a

CASES = "3"  # a small demo: what is under test is where it goes, not what it holds


@pytest.fixture
def configured(database_url, users, monkeypatch) -> str:
    """The configured database, holding one real case; its name is what must be typed back. The
    command acts as its administrator."""
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_USER", "ada")
    intake.create_request(parse_application(meets_rule_a(name="Real Person"), context.policy()), users["casey"])
    return database_url


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _untouched(url: str) -> None:
    """The real case is still there, and no wipe was recorded."""
    from caseworker_tui.models import bind

    database = bind(url)
    with database.connection_context():
        assert [c.applicant_name for c in Case.select()] == ["Real Person"]
        assert not AuditEvent.select().where(AuditEvent.action == ACTION).exists()
    database.close()


def _refused(status: int, out: str, err: str) -> str:
    assert status == 2 and out == "" and "Traceback" not in err
    return err


def test_without_a_terminal_or_confirm_the_configured_database_is_left_alone(configured, capsys):
    err = _refused(*_run(capsys, "demo", "--database-here", "--cases", CASES))
    assert f"--confirm {database_name(configured)}" in err
    _untouched(configured)


def test_a_wrong_name_typed_back_leaves_it_alone(configured, capsys):
    err = _refused(*_run(capsys, "demo", "--database-here", "--confirm", "not-this-one", "--cases", CASES))
    assert "'not-this-one' is not the database's name" in err and "nothing was changed" in err
    _untouched(configured)


def test_a_terminal_asks_for_the_name_and_a_wrong_answer_changes_nothing(configured, capsys, monkeypatch):
    asked = []
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "yes")
    err = _refused(*_run(capsys, "demo", "--database-here", "--cases", CASES))
    assert asked == [f"Type the database's name ({database_name(configured)}) to go on: "]
    assert "every case, every account and the audit trail" in err
    _untouched(configured)


def test_another_session_connected_stops_the_wipe(configured, capsys):
    other = _other_session(configured)
    try:
        err = _refused(*_run(capsys, "demo", "--database-here", "--confirm", database_name(configured),
                             "--cases", CASES))
    finally:
        other.close()
    assert ("another program has" in err or "other session" in err) and "close them first" in err
    _untouched(configured)


def test_the_name_typed_back_rebuilds_it_audited_first_and_without_the_published_passphrase(
        configured, capsys, monkeypatch):
    seen_at_the_wipe = []
    wipe = demo._reset

    def watched(url: str) -> str:
        with db.connection_context():
            seen_at_the_wipe.extend(json.loads(e.details_json) | {"actor": e.actor}
                                    for e in AuditEvent.select().where(AuditEvent.action == ACTION))
        return wipe(url)

    monkeypatch.setattr(demo, "_reset", watched)
    status, out, err = _run(capsys, "demo", "--database-here", "--confirm", database_name(configured),
                            "--cases", CASES)
    assert status == 0, err
    held = {"database": database_name(configured), "cases": 1, "accounts": len(DEMO_USERS), "audit_events": 6}
    assert seen_at_the_wipe == [held | {"actor": "ada"}]
    assert "passphrase 'demo'" not in out and "--demo" not in out
    shown = dict(line.split() for line in out.splitlines() if line.startswith("  "))
    assert set(shown) == {username for username, _, _ in DEMO_USERS}
    with db.connection_context():
        first = AuditEvent.select().order_by(AuditEvent.id).first()
        assert (first.action, json.loads(first.details_json)) == (ACTION, held)
        assert Case.select().count() == int(CASES) and "Real Person" not in [c.applicant_name for c in Case.select()]
        assert User.select().count() == len(DEMO_USERS)
    for username, passphrase in shown.items():
        with pytest.raises(SignInFailed):
            auth.sign_in(username, "demo")
        assert auth.sign_in(username, passphrase).username == username
    if hasattr(db.obj, "close_all"):  # the build's own pool; the next test binds the session's again
        db.obj.close_all()


def test_the_demo_database_itself_is_rebuilt_without_asking(configured, capsys):
    status, out, err = _run(capsys, "demo", "--cases", CASES)
    assert status == 0, err
    assert "passphrase 'demo'" in out
    _untouched(configured)


def test_confirm_goes_only_with_database_here(capsys):
    assert "--confirm names the database" in _refused(*_run(capsys, "demo", "--confirm", "x"))


def test_the_builder_and_the_demo_opener_refuse_any_database_but_the_demo_one(configured, tmp_path):
    with pytest.raises(InvalidInput, match="is not the demo database"):
        build_demo(configured, cases=1, letters_out=tmp_path / "letters")
    with pytest.raises(InvalidInput, match="is not the demo database"):
        ensure_demo(configured)
    _untouched(configured)
    ensure_demo(demo_database_url())  # the demo database is built when missing
    with db.connection_context():
        assert User.select().count() == len(DEMO_USERS)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _other_session(url: str):
    """A connection of another program's kind, open (and idle) on the database."""
    if url.startswith("sqlite:///"):
        other = sqlite3.connect(Path(url[len("sqlite:///"):]))
        other.execute("PRAGMA journal_mode=wal")
        other.execute("SELECT COUNT(*) FROM case_request").fetchall()
        return other
    import psycopg2

    return psycopg2.connect(POSTGRES_URL)
