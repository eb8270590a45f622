"""A consistent copy of a live SQLite database, taken while others keep working.

SQLite's online backup API copies one snapshot page by page; copying the file (and its -wal)
by hand can catch it half-written. PostgreSQL has its own tool for this: `pg_dump -Fc`.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import db
from caseworker_tui.services import audit, private_files
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.unit import transaction


@dataclass(frozen=True)
class BackupDone:
    path: Path
    size: int  # bytes
    cases: int


def backup(actor: Actor, target: Path | str) -> BackupDone:
    """Copy the database to `target`, a new file readable by its owner only (0600), as the
    database is; checked before it is given its name."""
    require(actor, "backup")
    if not isinstance(db.obj, SqliteDatabase):
        raise InvalidInput("database: `caseworker db backup` copies a SQLite database; back up "
                           "PostgreSQL with pg_dump, e.g. pg_dump -Fc -f cases.dump DBNAME", "database")
    target = Path(target).expanduser()
    live = Path(db.obj.database).resolve()
    if target.exists() or target.resolve() == live:
        raise InvalidInput(f"path: {target} already exists; name a new file", "path")
    if not target.parent.is_dir():
        raise InvalidInput(f"path: no folder {target.parent}", "path")
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        os.close(private_files.create(partial))  # the copy is the owner's alone from its first byte
        cases = _copy(partial)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise InvalidInput(f"path: the copy failed ({exc}); nothing was written", "path") from None
    except OSError as exc:
        raise InvalidInput(f"path: cannot write {target}: {exc.strerror}", "path") from None
    finally:
        partial.unlink(missing_ok=True)
    with transaction():
        audit.record(None, actor, "backup", path=str(target), cases=cases)
    return BackupDone(target, target.stat().st_size, cases)


def _copy(partial: Path) -> int:
    """Back up into `partial` as one self-contained file; return its number of cases."""
    copy = sqlite3.connect(partial)
    try:
        with db.connection_context():
            db.connection().backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # no -wal beside the copy
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"integrity check of the copy: {'; '.join(problems[:3])}")
        return copy.execute("SELECT COUNT(*) FROM case_request").fetchone()[0]
    finally:
        copy.close()
