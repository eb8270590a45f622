"""Accounts from first to last day: added, unlocked, given another role, a new passphrase, or
closed when a person leaves (their name stays on every record they made).

Only an administrator manages accounts, and never so that no active administrator is left: the
last one cannot be closed or given another role, and anyone locked out, the last administrator
included, is unlocked by another administrator or from the command line on the server.
"""

from __future__ import annotations

from collections.abc import Sequence

from caseworker_tui.errors import InvalidInput, NotFound
from caseworker_tui.models import ROLES, User
from caseworker_tui.services import audit, clock, passphrases
from caseworker_tui.services.auth import UserInfo, info, locked_row
from caseworker_tui.services.permissions import SYSTEM, Actor, require
from caseworker_tui.services.unit import transaction

RESERVED = ("unassigned", "system", "cli")


def add_user(username: str, role: str, passphrase: str, display_name: str | None = None,
             by: Actor = SYSTEM) -> UserInfo:
    """Create an account; the name unique, the role one of ROLES, the passphrase a good one."""
    require(by, "manage_users")
    username = _checked_username(username)
    password_hash = passphrases.hash_passphrase(passphrases.check_new(passphrase, username))
    with transaction():
        return _create(username, _checked_role(role), display_name, password_hash, by)


def add_demo_users(accounts: Sequence[tuple[str, str, str | None]], passphrase: str) -> list[UserInfo]:
    """The demo database's accounts, which share one published passphrase (`demo`), hashed once.

    Only the demo build calls this, and only for the demo database: no other ever holds an account
    whose passphrase is known to all."""
    checked = [(_checked_username(u), _checked_role(r), d) for u, r, d in accounts]
    password_hash = passphrases.hash_passphrase(passphrase)
    with transaction():
        return [_create(u, r, d, password_hash, SYSTEM) for u, r, d in checked]


def unlock(username: str, by: Actor) -> UserInfo:
    """Clear the lock and the count of wrong passphrases."""
    return _change(username, by, "user_unlocked", failed_attempts=0, locked_until=None)


def deactivate(username: str, by: Actor) -> UserInfo:
    """A leaver: they can no longer sign in or be given cases; what they did keeps their name."""
    return _change(username, by, "user_deactivated", active=False)


def reactivate(username: str, by: Actor) -> UserInfo:
    return _change(username, by, "user_reactivated", active=True, failed_attempts=0, locked_until=None)


def change_role(username: str, role: str, by: Actor) -> UserInfo:
    return _change(username, by, "role_changed", role=_checked_role(role))


def reset_passphrase(username: str, passphrase: str, by: Actor) -> UserInfo:
    """A new passphrase (told to the person by the administrator), and the lock cleared.
    Hashed before the transaction opens; the audit trail records that it changed, never the text."""
    password_hash = passphrases.hash_passphrase(passphrases.check_new(passphrase, username.strip().lower()))
    return _change(username, by, "passphrase_reset", password_hash=password_hash, failed_attempts=0,
                   locked_until=None)


def _change(username: str, by: Actor, action: str, **values) -> UserInfo:
    require(by, "manage_users")
    name = username.strip().lower()
    with transaction():
        user = locked_row(name)
        if user is None:
            raise NotFound(f"user: no account named {username.strip()!r}")
        leaves_admins = user.role == "admin" and user.active and (
            values.get("active") is False or values.get("role", "admin") != "admin")
        if leaves_admins and _other_active_admins(user) == 0:
            raise InvalidInput(f"user: {name} is the only active administrator; make another first", "user")
        before = {key: getattr(user, key) for key in ("role", "active") if key in values}
        User.update(**values).where(User.id == user.id).execute()
        details = {key: {"from": before[key], "to": values[key]} for key in before}
        audit.record(None, by, action, username=name, **details)
        return info(User.get_by_id(user.id))


def _other_active_admins(user: User) -> int:
    return User.select().where((User.role == "admin") & User.active & (User.id != user.id)).count()


def _checked_username(username: str) -> str:
    username = username.strip().lower()
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InvalidInput("username: letters, digits, '.', '-' or '_' only", "username")
    if len(username) > 60:
        raise InvalidInput("username: at most 60 characters", "username")
    if username in RESERVED:
        raise InvalidInput(f"username: {username!r} is reserved", "username")
    return username


def _checked_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role: must be one of {', '.join(ROLES)}", "role")
    return role


def _create(username: str, role: str, display_name: str | None, password_hash: str, by: Actor) -> UserInfo:
    if User.select().where(User.username == username).exists():
        raise InvalidInput(f"username: {username!r} is taken", "username")
    user = User.create(username=username, display_name=(display_name or username.title()).strip(), role=role,
                       password_hash=password_hash, created_at=clock.now())
    audit.record(None, by, "user_added", username=username, role=role)
    return info(user)
