"""Accounts: argon2-hashed passphrases, roles, and a lock after repeated wrong passphrases."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from caseworker_tui.errors import InvalidInput, SignInFailed
from caseworker_tui.models import ROLES, User
from caseworker_tui.services import audit, clock
from caseworker_tui.services.permissions import SYSTEM, Actor, require
from caseworker_tui.services.unit import reading, transaction

MAX_FAILURES = 5
LOCK_MINUTES = 15
# Seconds a refusal waits after the 1st, 2nd, 3rd … wrong passphrase in a row, before the lock:
# a person who mistyped once waits for nothing; a script guessing waits longer each time.
FAILURE_DELAYS = (0.0, 1.0, 2.0, 4.0)
_pause = time.sleep  # replaced in tests
_hasher = PasswordHasher()


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    role: str
    active: bool
    locked_until: datetime | None


def _actor(user: User) -> Actor:
    return Actor(user.username, user.display_name, user.role)


def hash_passphrase(passphrase: str) -> str:
    return _hasher.hash(passphrase)


def add_user(username: str, role: str, passphrase: str, display_name: str | None = None,
             by: Actor = SYSTEM) -> UserInfo:
    """Create an account; the name is unique, the role one of ROLES, the passphrase not empty."""
    return add_users([(username, role, display_name)], passphrase, by=by)[0]


def add_users(accounts: Sequence[tuple[str, str, str | None]], passphrase: str,
              by: Actor = SYSTEM) -> list[UserInfo]:
    """Create several accounts (name, role, display name) that start with one passphrase.

    The passphrase is hashed once and the accounts share that salted hash: argon2 is slow on
    purpose, a fifth of a second a hash, and the demo's five accounts share a passphrase that is
    published anyway. Each account still signs in, and is locked after wrong tries, on its own."""
    require(by, "manage_users")
    checked = [(_checked_username(username), _checked_role(role), display_name)
               for username, role, display_name in accounts]
    if len(passphrase) < 4:
        raise InvalidInput("passphrase: at least 4 characters", "passphrase")
    password_hash = hash_passphrase(passphrase)
    with transaction():
        return [_create(username, role, display_name, password_hash, by)
                for username, role, display_name in checked]


def _checked_username(username: str) -> str:
    username = username.strip().lower()
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InvalidInput("username: letters, digits, '.', '-' or '_' only", "username")
    if username in ("unassigned", "system", "cli"):
        raise InvalidInput(f"username: {username!r} is reserved", "username")
    return username


def _checked_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role: must be one of {', '.join(ROLES)}", "role")
    return role


def _create(username: str, role: str, display_name: str | None, password_hash: str, by: Actor) -> UserInfo:
    if User.select().where(User.username == username).exists():
        raise InvalidInput(f"username: {username!r} is taken", "username")
    user = User.create(
        username=username,
        display_name=(display_name or username.title()).strip(),
        role=role,
        password_hash=password_hash,
        created_at=clock.now(),
    )
    audit.record(None, by, "user_added", username=username, role=role)
    return _info(user)


def _info(user: User) -> UserInfo:
    return UserInfo(user.username, user.display_name, user.role, user.active, user.locked_until)


def list_users() -> list[UserInfo]:
    with reading():
        return [_info(u) for u in User.select().order_by(User.username)]


def has_accounts() -> bool:
    with reading():
        return User.select().exists()


def find_actor(username: str) -> Actor:
    """The actor for an existing, active account (demo sign-in and the CLI)."""
    with reading():
        user = User.get_or_none(User.username == username.strip().lower())
    if user is None or not user.active:
        raise SignInFailed(f"no active account named {username!r}")
    return _actor(user)


def sign_in(username: str, passphrase: str) -> Actor:
    """Check the passphrase; repeated failures slow the refusals down, then lock the account.

    A failure is committed before it is reported, so the count survives the refusal.
    """
    now = clock.now()
    refusal: str | None = None
    delay = 0.0
    with transaction():
        user = User.get_or_none(User.username == username.strip().lower())
        if user is None or not user.active:
            _hasher.hash(passphrase)  # same cost whether or not the name exists
            refusal = "Unknown user or wrong passphrase."
        elif user.locked_until and user.locked_until > now:
            minutes = max(1, -(-int((user.locked_until - now).total_seconds()) // 60))
            refusal = (f"This account is locked after repeated wrong passphrases; "
                       f"try again in {minutes} minute{'s' if minutes != 1 else ''}.")
        elif not _verify(user.password_hash, passphrase):
            # Counted in the database, so wrong tries from several desks at once all count.
            User.update(failed_attempts=User.failed_attempts + 1).where(User.id == user.id).execute()
            failures = User.get_by_id(user.id).failed_attempts
            locked = now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
            if locked:
                User.update(failed_attempts=0, locked_until=locked).where(User.id == user.id).execute()
            audit.record(None, _actor(user), "sign_in_failed", locked=bool(locked))
            if not locked:
                delay = FAILURE_DELAYS[min(failures, len(FAILURE_DELAYS)) - 1]
            refusal = (f"Wrong passphrase. The account is now locked for {LOCK_MINUTES} minutes."
                       if locked else "Unknown user or wrong passphrase.")
        else:
            if user.failed_attempts or user.locked_until:
                User.update(failed_attempts=0, locked_until=None).where(User.id == user.id).execute()
            audit.record(None, _actor(user), "signed_in")
    if refusal:
        if delay:
            _pause(delay)  # after the commit: a slowed refusal holds no lock on the account
        raise SignInFailed(refusal)
    return _actor(user)


def _verify(password_hash: str, passphrase: str) -> bool:
    try:
        return _hasher.verify(password_hash, passphrase)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
