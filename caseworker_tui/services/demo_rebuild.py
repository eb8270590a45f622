"""A demo built in a database that is not the demo one (`caseworker demo --database-here`).

It wipes every case, every account and the audit trail there, so it is done only with leave: the
database's own name typed back, no other session connected, and the wipe recorded in the audit
trail before anything is dropped (and again as the first event of the trail that replaces it).
Its accounts get passphrases of their own, shown once: the published passphrase `demo` belongs
to the demo database alone, which no one's real cases are ever in.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from peewee import Database, SqliteDatabase

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import AuditEvent, Case, User, bind
from caseworker_tui.models.schema import upgrade
from caseworker_tui.services import accounts, audit
from caseworker_tui.services.permissions import SYSTEM, Actor
from caseworker_tui.services.unit import transaction

ACTION = "rebuild_as_demo"  # the audit trail's word for the wipe, in the old trail and the new
NOTHING_CHANGED = "nothing was changed"


@dataclass(frozen=True)
class Rebuild:
    """Leave to wipe a database that is not the demo one: its name as the person typed it back,
    and who they are, for the audit trail."""

    typed_name: str
    actor: Actor


def database_name(url: str) -> str:
    """The name a person types back: the SQLite file's name, or the PostgreSQL database's."""
    if url.startswith("sqlite:///"):
        return Path(unquote(url[len("sqlite:///"):])).expanduser().name
    return unquote(urlparse(url).path.lstrip("/"))


def location(url: str) -> str:
    """Where the database is, for a person to read: its file, or host and database (no password)."""
    if url.startswith("sqlite:///"):
        return str(Path(unquote(url[len("sqlite:///"):])).expanduser())
    return url.split("@")[-1]


def authorise(url: str, rebuild: Rebuild) -> dict[str, Any]:
    """Check the leave and record the wipe, just before it; return what the database held.

    Refused, with nothing changed, unless the name typed back is the database's own and no other
    session is connected to it."""
    name = database_name(url)
    if rebuild.typed_name.strip() != name:
        raise InvalidInput(f"confirm: {rebuild.typed_name.strip()!r} is not the database's name; type {name} "
                           f"to wipe it ({NOTHING_CHANGED})", "confirm")
    database = bind(url)
    busy = other_sessions(database)
    if busy:
        raise InvalidInput(f"database: {busy}; close them first ({NOTHING_CHANGED})", "database")
    upgrade(database)  # a database of an older release gains the audit trail the wipe is recorded in
    with transaction():
        held = {"database": name, "cases": Case.select().count(), "accounts": User.select().count(),
                "audit_events": AuditEvent.select().count()}
        audit.record(None, rebuild.actor, ACTION, **held)
    return held


def other_sessions(database: Database) -> str | None:
    """Who else has the database open, in words; None when nobody does, as far as can be seen.

    PostgreSQL lists every client connected to the database. SQLite has no list: the check asks
    for the file exclusively, which any other connection to it prevents. The app holds its SQLite
    connection only while it reads or writes, so an app open between two actions is not seen."""
    if isinstance(database, SqliteDatabase):
        return _sqlite_in_use(Path(database.database))
    with database.connection_context():
        (count,) = database.execute_sql(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchone()
    if not count:
        return None
    return f"{count} other session{'s are' if count > 1 else ' is'} connected to it (the app, a script, psql)"


def _sqlite_in_use(path: Path) -> str | None:
    if not path.exists():
        return None
    probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=0, isolation_level=None)
    try:
        probe.execute("PRAGMA locking_mode=EXCLUSIVE")
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return f"another program has {path.name} open (the app, a backup, a script)"
        raise
    finally:
        probe.close()
    return None


def record_in_new_trail(rebuild: Rebuild, held: dict[str, Any]) -> None:
    """The rebuilt database's first event: who wiped it, and what it held before."""
    with transaction():
        audit.record(None, rebuild.actor, ACTION, **held)


def own_accounts(demo_accounts: Sequence[tuple[str, str, str]]) -> tuple[dict[str, Actor], dict[str, str]]:
    """The demo's accounts, each with a passphrase of its own; returns them as actors, and their
    passphrases (to be shown once, never stored in the clear)."""
    passphrases = {username: secrets.token_urlsafe(12) for username, _, _ in demo_accounts}
    actors = {}
    for username, role, display_name in demo_accounts:
        made = accounts.add_user(username, role, passphrases[username], display_name=display_name, by=SYSTEM)
        actors[username] = Actor(made.username, made.display_name, made.role)
    return actors, passphrases
