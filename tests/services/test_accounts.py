"""Signing in and the accounts' lifecycle: the lock, refusals that tell nothing, hashing outside
transactions, guesses in parallel, leavers, roles, new passphrases and the last administrator."""

from __future__ import annotations

import sqlite3
import statistics
import threading
import time

import pytest
from argon2 import PasswordHasher
from peewee import SqliteDatabase

from caseworker_tui.errors import InvalidInput, NotFound, PermissionDenied, SignInFailed
from caseworker_tui.models import AuditEvent, User, db
from caseworker_tui.services import accounts, auth, clock, context, intake, passphrases, preferences
from caseworker_tui.services.application import parse_application
from tests.factories import meets_rule_a

GOOD = "plum orchard at dusk"


def _pass_minutes(monkeypatch, minutes: float) -> None:
    """Move the fixed clock on: `clock.now()` counts from the moment the day was fixed."""
    monkeypatch.setattr(clock, "_fixed_since", clock._fixed_since - minutes * 60)


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    """The waits sign-in asks for, recorded instead of slept."""
    asked: list[float] = []
    monkeypatch.setattr(auth, "_pause", asked.append)
    return asked


def _actions(action: str) -> list[tuple[str, str]]:
    with db.connection_context():
        return [(e.actor, e.details_json) for e in AuditEvent.select().where(AuditEvent.action == action)
                .order_by(AuditEvent.id)]


def _row(username: str) -> User:
    with db.connection_context():
        return User.get(User.username == username)


# --- the lock ------------------------------------------------------------------------------------

def test_repeated_wrong_passphrases_lock_the_account_until_the_time_passes(users, monkeypatch, pauses):
    for _ in range(auth.MAX_FAILURES - 1):
        with pytest.raises(SignInFailed):
            auth.sign_in("casey", "wrong")
    assert auth.sign_in("casey", "demo").username == "casey"  # under the limit; the count starts again
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(SignInFailed):
            auth.sign_in("casey", "wrong")
    assert _row("casey").locked_until is not None
    with pytest.raises(SignInFailed):
        auth.sign_in("casey", "demo")  # even the right passphrase waits
    _pass_minutes(monkeypatch, auth.LOCK_MINUTES - 1)
    with pytest.raises(SignInFailed):
        auth.sign_in(" Casey ", "demo")
    assert auth.sign_in("jo", "demo").username == "jo"  # one account's lock is not another's
    _pass_minutes(monkeypatch, 1.1)
    assert auth.sign_in("casey", "demo").username == "casey"
    user = _row("casey")
    assert (user.failed_attempts, user.locked_until) == (0, None)
    assert len(_actions("sign_in_failed")) == 2 * auth.MAX_FAILURES - 1
    assert len(_actions("sign_in_refused")) == 2  # tried while locked: recorded, never checked


def test_every_refusal_reads_the_same_and_waits_the_same(users, pauses):
    accounts.deactivate("jo", users["ada"])
    messages = set()
    for name, passphrase in [("nobody", "demo"), ("casey", "nope"), ("jo", "demo")]:
        with pytest.raises(SignInFailed) as refused:
            auth.sign_in(name, passphrase)
        messages.add(str(refused.value))
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(SignInFailed) as refused:
            auth.sign_in("sam", "nope")
        messages.add(str(refused.value))
    with pytest.raises(SignInFailed) as refused:
        auth.sign_in("sam", "demo")  # locked
    messages.add(str(refused.value))
    assert messages == {auth.REFUSED}
    assert pauses == [auth.REFUSAL_PAUSE] * (3 + auth.MAX_FAILURES + 1)


def test_an_unknown_name_takes_as_long_as_a_known_one(users, monkeypatch):
    """A real argon2 hash is checked either way: against the account's, or a dummy one."""
    monkeypatch.setattr(passphrases, "_hasher", PasswordHasher())
    monkeypatch.setattr(auth, "_pause", lambda _: None)
    with db.connection_context():
        User.update(password_hash=PasswordHasher().hash("demo")).execute()

    def timed(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(SignInFailed):
            auth.sign_in(name, "not it")
        return time.perf_counter() - start

    timed("nobody")  # the dummy hash is made once
    known, unknown = [], []
    for name, other in [("casey", "nobody"), ("sam", "noone"), ("chris", "whoever"), ("jo", "nemo"), ("ada", "anon")]:
        known.append(timed(name))  # interleaved, so a busy moment of the machine falls on both
        unknown.append(timed(other))
    assert 0.5 < statistics.median(unknown) / statistics.median(known) < 2, (known, unknown)


# --- no lock held while hashing --------------------------------------------------------------------

class _Watching(PasswordHasher):
    """argon2 as it is, noting at each hash whether a transaction is open and whether another
    connection could write to the SQLite file at that moment."""

    def __init__(self, sqlite_path: str | None) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.sqlite_path = sqlite_path
        self.seen: list[bool] = []

    def _note(self) -> None:
        free = not db.obj.in_transaction()
        if self.sqlite_path:
            other = sqlite3.connect(self.sqlite_path, timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
            except sqlite3.OperationalError:
                free = False
            finally:
                other.close()
        self.seen.append(free)

    def hash(self, *args, **kwargs):
        self._note()
        return super().hash(*args, **kwargs)

    def verify(self, *args, **kwargs):
        self._note()
        return super().verify(*args, **kwargs)


def test_passphrases_are_hashed_and_checked_outside_any_transaction(users, monkeypatch, pauses):
    path = db.obj.database if isinstance(db.obj, SqliteDatabase) else None
    watching = _Watching(path)
    monkeypatch.setattr(passphrases, "_hasher", watching)
    auth.sign_in("casey", "demo")
    for name in ("casey", "nobody"):
        with pytest.raises(SignInFailed):
            auth.sign_in(name, "wrong")
    accounts.add_user("dana", "caseworker", GOOD, by=users["ada"])
    accounts.reset_passphrase("dana", "another plum orchard", users["ada"])
    assert len(watching.seen) >= 5 and all(watching.seen)


# --- guesses in parallel -----------------------------------------------------------------------------

def test_parallel_wrong_passphrases_are_checked_no_more_often_than_the_limit(users, monkeypatch):
    """Sixteen desks guess at once, each thread on its own connection: only MAX_FAILURES are checked."""
    monkeypatch.setattr(auth, "_pause", lambda _: None)
    slow = PasswordHasher(time_cost=2, memory_cost=4096, parallelism=1)  # long enough for guesses to overlap
    monkeypatch.setattr(passphrases, "_hasher", slow)
    with db.connection_context():
        User.update(password_hash=slow.hash("demo")).where(User.username == "casey").execute()
    start = threading.Barrier(16)
    refused: list[str] = []

    def guess(n: int) -> None:
        start.wait()
        try:
            auth.sign_in("casey", f"guess {n}")
        except SignInFailed as exc:
            refused.append(str(exc))
        finally:
            if not db.obj.is_closed():
                db.obj.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert refused == [auth.REFUSED] * 16
    assert len(_actions("sign_in_failed")) == auth.MAX_FAILURES
    assert len(_actions("sign_in_refused")) == 16 - auth.MAX_FAILURES
    assert _row("casey").locked_until is not None
    with pytest.raises(SignInFailed):
        auth.sign_in("casey", "demo")


# --- the lifecycle ------------------------------------------------------------------------------------

def test_an_admin_unlocks_an_account_and_it_is_audited(users, pauses):
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(SignInFailed):
            auth.sign_in("ada", "wrong")  # the only admin, locked by anyone who knows the name
    accounts.add_demo_users([("bea", "admin", "Bea Admin")], "demo")
    assert accounts.unlock("ada", auth.sign_in("bea", "demo")).locked_until is None
    assert auth.sign_in("ada", "demo").username == "ada"
    assert _actions("user_unlocked") == [("bea", '{"username": "ada"}')]


def test_a_leaver_cannot_sign_in_and_keeps_their_name_on_the_records(users, pauses):
    intake.create_request(parse_application(meets_rule_a(), context.policy()), users["jo"])
    info = accounts.deactivate("jo", users["ada"])
    assert not info.active
    with pytest.raises(SignInFailed):
        auth.sign_in("jo", "demo")
    with pytest.raises(SignInFailed):
        auth.find_actor("jo")  # nor act on the command line
    with db.connection_context():
        assert AuditEvent.get(AuditEvent.action == "received").actor == "jo"
    assert [u.username for u in auth.list_users() if not u.active] == ["jo"]
    accounts.reactivate("jo", users["ada"])
    assert auth.sign_in("jo", "demo").username == "jo"
    assert [a for a, _ in _actions("user_deactivated") + _actions("user_reactivated")] == ["ada", "ada"]


def test_a_role_changes_and_the_change_is_audited(users):
    assert accounts.change_role("jo", "supervisor", users["ada"]).role == "supervisor"
    assert auth.sign_in("jo", "demo").role == "supervisor"
    assert _actions("role_changed") == [
        ("ada", '{"role": {"from": "caseworker", "to": "supervisor"}, "username": "jo"}')]
    with pytest.raises(InvalidInput, match="role: must be one of"):
        accounts.change_role("jo", "overlord", users["ada"])


def test_the_only_active_admin_is_never_closed_or_demoted(users):
    for attempt in (lambda: accounts.deactivate("ada", users["ada"]),
                    lambda: accounts.change_role("ada", "supervisor", users["ada"])):
        with pytest.raises(InvalidInput, match="only active administrator"):
            attempt()
    assert _row("ada").active and _row("ada").role == "admin"
    accounts.change_role("sam", "admin", users["ada"])
    accounts.deactivate("ada", users["ada"])  # now there is another
    assert not _row("ada").active


def test_a_reset_passphrase_replaces_the_old_and_clears_the_lock(users, pauses):
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(SignInFailed):
            auth.sign_in("casey", "wrong")
    accounts.reset_passphrase("casey", GOOD, users["ada"])
    assert auth.sign_in("casey", GOOD).username == "casey"
    with pytest.raises(SignInFailed):
        auth.sign_in("casey", "demo")
    ((actor, details),) = _actions("passphrase_reset")
    assert actor == "ada" and GOOD not in details


def test_only_an_admin_manages_accounts_and_a_refusal_writes_nothing(users):
    before = len(_actions("user_unlocked"))
    for name in ("casey", "sam", "chris"):
        for change in (accounts.unlock, accounts.deactivate):
            with pytest.raises(PermissionDenied, match="may not manage users"):
                change("jo", users[name])
        with pytest.raises(PermissionDenied):
            accounts.change_role("jo", "admin", users[name])
        with pytest.raises(PermissionDenied):
            accounts.reset_passphrase("jo", GOOD, users[name])
    assert len(_actions("user_unlocked")) == before and _row("jo").active
    with pytest.raises(NotFound, match="no account named 'nobody'"):
        accounts.unlock("nobody", users["ada"])


# --- what a new passphrase must be ----------------------------------------------------------------

@pytest.mark.parametrize("passphrase, why", [
    ("short", "at least 12 characters"),
    ("elevenchars", "at least 12 characters"),
    ("password1234", "guessing tool"),
    ("Correct Horse Battery Staple", "guessing tool"),
    ("PASSWORD-1234!", "guessing tool"),
    ("aaaaaaaaaaaaaaaa", "guessing tool"),
    ("dana20262026", "user name"),
])
def test_a_weak_passphrase_is_refused_naming_the_field(users, passphrase, why):
    with pytest.raises(InvalidInput, match=why) as refused:
        accounts.add_user("dana", "caseworker", passphrase, by=users["ada"])
    assert refused.value.field == "passphrase"
    with pytest.raises(InvalidInput, match=why):
        accounts.reset_passphrase("casey", passphrase.replace("dana", "casey"), users["ada"])
    assert "dana" not in [u.username for u in auth.list_users()]


def test_the_deny_list_ships_with_the_package():
    assert "password1234" in passphrases.common_passphrases()
    assert len(passphrases.common_passphrases()) > 50


# --- a person's own choices -----------------------------------------------------------------------

def test_choices_are_kept_per_account_and_only_known_ones(users):
    preferences.remember(users["casey"], "theme", "nord")
    preferences.remember(users["sam"], "theme", "gruvbox")
    preferences.remember(users["casey"], "theme", "dracula")
    assert (preferences.of(users["casey"]), preferences.of(users["sam"]), preferences.of(users["jo"])) == (
        {"theme": "dracula"}, {"theme": "gruvbox"}, {})
    with pytest.raises(InvalidInput, match="not one a person chooses"):
        preferences.remember(users["casey"], "database_url", "sqlite:///elsewhere")
    with pytest.raises(InvalidInput, match="theme: a name of at most 60"):
        preferences.remember(users["casey"], "theme", "x" * 61)
    assert preferences.of(users["casey"]) == {"theme": "dracula"}
