"""Signing in: argon2-hashed passphrases, and a lock after repeated wrong passphrases.

Every refusal reads the same and takes as long, whether the name is unknown, the account a
leaver's or locked, or the passphrase wrong: the screen tells nobody which accounts exist.
The accounts themselves (adding, unlocking, roles, leavers) are `services.accounts`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import SqliteDatabase

from caseworker_tui.errors import SignInFailed
from caseworker_tui.models import User, db
from caseworker_tui.services import audit, clock, passphrases
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.unit import reading, transaction

MAX_FAILURES = 5
LOCK_MINUTES = 15
REFUSAL_PAUSE = 1.0  # seconds every refusal waits, after its transaction: a script guesses slowly
_pause = time.sleep  # replaced in tests
REFUSED = (f"Unknown user or wrong passphrase. After {MAX_FAILURES} wrong passphrases in a row an account "
           f"is locked for {LOCK_MINUTES} minutes; an administrator can unlock it sooner.")


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    role: str
    active: bool
    locked_until: datetime | None


def actor_of(user: User) -> Actor:
    return Actor(user.username, user.display_name, user.role)


def info(user: User) -> UserInfo:
    return UserInfo(user.username, user.display_name, user.role, user.active, user.locked_until)


def list_users() -> list[UserInfo]:
    with reading():
        return [info(u) for u in User.select().order_by(User.username)]


def has_accounts() -> bool:
    with reading():
        return User.select().exists()


def find_actor(username: str) -> Actor:
    """The actor for an existing, active account (demo sign-in and the CLI)."""
    with reading():
        user = User.get_or_none(User.username == username.strip().lower())
    if user is None or not user.active:
        raise SignInFailed(f"no active account named {username!r}")
    return actor_of(user)


def locked_row(username: str) -> User | None:
    """The account, its row locked until the transaction ends (FOR UPDATE on PostgreSQL; a SQLite
    write transaction holds the whole database already). Call inside `transaction()`."""
    query = User.select().where(User.username == username)
    if not isinstance(db.obj, SqliteDatabase):
        query = query.for_update()
    return query.first()


def sign_in(username: str, passphrase: str) -> Actor:
    """Check the passphrase; after MAX_FAILURES wrong ones in a row the account is locked a while.

    An attempt is counted, under the account's row lock, before its passphrase is checked, and one
    that would pass the limit is refused unchecked: guesses sent all at once from many desks are
    checked MAX_FAILURES times at most, not once each. The hash is checked between two short
    transactions, never inside one, so no desk waits on a lock while argon2 works."""
    name = username.strip().lower()
    now = clock.now()
    with transaction():
        user = locked_row(name)
        attempt = _claim_attempt(user, now)
        if user is not None and attempt is None:
            audit.record(None, actor_of(user), "sign_in_refused", locked=True)
    right = passphrases.verify(user.password_hash if attempt else None, passphrase)
    if right:
        with transaction():
            User.update(failed_attempts=0, locked_until=None).where(User.id == user.id).execute()
            audit.record(None, actor_of(user), "signed_in")
        return actor_of(user)
    if attempt is not None:
        with transaction():
            locked = attempt >= MAX_FAILURES
            if locked:
                User.update(failed_attempts=0, locked_until=now + timedelta(minutes=LOCK_MINUTES)).where(
                    User.id == user.id).execute()
            audit.record(None, actor_of(user), "sign_in_failed", locked=locked)
    _pause(REFUSAL_PAUSE)  # after the commits: a slowed refusal holds no lock
    raise SignInFailed(REFUSED)


def _claim_attempt(user: User | None, now: datetime) -> int | None:
    """Count one more attempt on an active, unlocked account and return its number; None when the
    account may not be tried now (no such account, a leaver's, locked, or at the limit already)."""
    if user is None or not user.active:
        return None
    if user.locked_until and user.locked_until > now:
        return None
    if user.failed_attempts >= MAX_FAILURES:  # attempts in flight reached the limit: lock now
        User.update(failed_attempts=0, locked_until=now + timedelta(minutes=LOCK_MINUTES)).where(
            User.id == user.id).execute()
        return None
    User.update(failed_attempts=User.failed_attempts + 1, locked_until=None).where(User.id == user.id).execute()
    return user.failed_attempts + 1
