"""Schema migrations with peewee's own runner: `caseworker db upgrade` applies what is pending."""

from __future__ import annotations

from pathlib import Path

from peewee import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def upgrade(database: Database) -> list[str]:
    """Apply every pending migration in order; return the names applied."""
    from playhouse.migrations import Runner

    with database.connection_context():
        return Runner(database, str(MIGRATIONS)).up()

