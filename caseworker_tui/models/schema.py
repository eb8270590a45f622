"""Schema migrations with peewee's own runner: `caseworker db upgrade` applies what is pending.

Every desk upgrades as it starts, so several may start at once: each waits its turn under one lock
(PostgreSQL's advisory lock; on SQLite an IMMEDIATE transaction, the database's write lock) and
reads what is pending only once it holds it, so the later ones find nothing to do.
"""

from __future__ import annotations

from pathlib import Path

from peewee import Database, PostgresqlDatabase, SqliteDatabase

MIGRATIONS = Path(__file__).with_name("migrations")
UPGRADE_LOCK = 0x63617365  # "case": the advisory lock's key, the same for every desk


def upgrade(database: Database) -> list[str]:
    """Apply every pending migration in order; return the names applied."""
    from playhouse.migrations import Runner

    with database.connection_context():
        if isinstance(database, PostgresqlDatabase):
            database.execute_sql("SELECT pg_advisory_lock(%s)", (UPGRADE_LOCK,))
            try:
                return Runner(database, str(MIGRATIONS)).up()
            finally:
                database.execute_sql("SELECT pg_advisory_unlock(%s)", (UPGRADE_LOCK,))
        if isinstance(database, SqliteDatabase):
            with database.atomic(lock_type="IMMEDIATE"):  # each migration inside is a savepoint
                return Runner(database, str(MIGRATIONS)).up()
        return Runner(database, str(MIGRATIONS)).up()
