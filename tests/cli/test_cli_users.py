"""`caseworker users …` from first day to last, and the commands only an administrator runs."""

from __future__ import annotations

import io
import json
import sys

import pytest

from caseworker_tui import cli
from caseworker_tui.cli import common
from caseworker_tui.errors import SignInFailed
from caseworker_tui.models import AuditEvent, User, db
from caseworker_tui.services import auth

GOOD = "plum orchard at dusk"


@pytest.fixture
def configured(database_url, users, monkeypatch) -> str:
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setattr(auth, "_pause", lambda _: None)
    return database_url


def run(capsys, monkeypatch, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8"))
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _audit(action: str) -> list[tuple[str, dict]]:
    with db.connection_context():
        return [(e.actor, json.loads(e.details_json))
                for e in AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)]


def _lock(name: str) -> None:
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(SignInFailed):
            auth.sign_in(name, "wrong")


def test_an_admin_closes_reopens_changes_the_role_and_resets_the_passphrase(configured, capsys, monkeypatch):
    assert run(capsys, monkeypatch, "--as", "ada", "users", "close", "jo") == (
        0, "jo closed: they can no longer sign in; their name stays on what they did.\n", "")
    assert "jo               caseworker  Jo Patel (closed)" in run(capsys, monkeypatch, "users", "list")[1]
    with pytest.raises(SignInFailed):
        auth.sign_in("jo", "demo")
    assert run(capsys, monkeypatch, "--as", "ada", "users", "reopen", "jo")[0] == 0
    assert run(capsys, monkeypatch, "--as", "ada", "users", "role", "jo", "supervisor")[1] == "jo now supervisor.\n"
    assert run(capsys, monkeypatch, "--as", "ada", "users", "passphrase", "jo", stdin=GOOD + "\n")[0] == 0
    assert auth.sign_in("jo", GOOD).role == "supervisor"
    assert [actor for action in ("user_deactivated", "user_reactivated", "role_changed", "passphrase_reset")
            for actor, _ in _audit(action)] == ["ada"] * 4


def test_a_weak_new_passphrase_is_refused_in_one_line(configured, capsys, monkeypatch):
    status, out, err = run(capsys, monkeypatch, "--as", "ada", "users", "passphrase", "jo", stdin="letmein12345\n")
    assert (status, out) == (2, "")
    assert err == "caseworker: passphrase: this one is among the first any guessing tool tries; choose another\n"
    assert auth.sign_in("jo", "demo").username == "jo"


def test_the_only_admin_locked_out_is_unlocked_from_the_command_line(configured, capsys, monkeypatch):
    _lock("ada")
    assert "(locked until" in run(capsys, monkeypatch, "users", "list")[1]
    # Nobody named and no account for the operating-system user: the database's own access unlocks.
    assert run(capsys, monkeypatch, "users", "unlock", "ada") == (0, "ada unlocked.\n", "")
    assert auth.sign_in("ada", "demo").username == "ada"
    assert _audit("user_unlocked") == [(f"cli:{common.shell_user()}", {"username": "ada"})]
    _lock("casey")
    assert run(capsys, monkeypatch, "--as", "ada", "users", "unlock", "casey")[0] == 0
    assert _audit("user_unlocked")[-1][0] == "ada"


def test_the_only_admin_cannot_be_closed_or_demoted(configured, capsys, monkeypatch):
    for argv in (("users", "close", "ada"), ("users", "role", "ada", "chair")):
        status, _, err = run(capsys, monkeypatch, "--as", "ada", *argv)
        assert status == 2 and "only active administrator" in err
    with db.connection_context():
        assert User.get(User.username == "ada").role == "admin"


@pytest.mark.parametrize("argv", [
    ("users", "close", "jo"), ("users", "unlock", "jo"), ("users", "role", "jo", "admin"), ("users", "add", "eve",
                                                                                             "--role", "admin"),
    ("retention",), ("subject-access", "Ann Lee"), ("access-log",), ("db", "backup", "copy.sqlite"),
    ("demo", "--database-here", "--confirm", "x"),
])
def test_admin_commands_refuse_every_other_role_before_doing_anything(configured, capsys, monkeypatch, argv,
                                                                       tmp_path):
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    with db.connection_context():
        events = AuditEvent.select().count()
    for name, words in [("casey", "Casey Morgan (caseworker)"), ("sam", "Sam Okafor (supervisor)"),
                        ("chris", "Chris Hall (chair)")]:
        status, out, err = run(capsys, monkeypatch, "--as", name, *argv, stdin=GOOD + "\n")
        command = " ".join(a for a in argv if not a.startswith("-") and a not in ("jo", "eve", "admin", "x",
                                                                                  "Ann Lee", "copy.sqlite"))
        assert (status, out) == (2, "")
        assert err == f"caseworker: {words} may not run `caseworker {command}`: it is for administrators.\n"
    with db.connection_context():
        assert AuditEvent.select().count() == events
        assert User.get(User.username == "jo").active and User.get(User.username == "jo").role == "caseworker"
    assert list((tmp_path / "here").iterdir()) == []  # no backup, no subject-access file


def test_a_person_not_named_is_the_operating_system_users_account(configured, capsys, monkeypatch):
    from caseworker_tui.services import accounts

    me = common.shell_user()
    status, _, err = run(capsys, monkeypatch, "users", "close", "jo")
    assert status == 2 and f"the operating-system user {me!r} has no account" in err
    accounts.add_user(me, "admin", GOOD, by=auth.find_actor("ada"))
    assert run(capsys, monkeypatch, "users", "close", "jo")[0] == 0
    assert _audit("user_deactivated")[-1][0] == me
