"""One transaction per use case, on a connection of the calling thread's own.

Screens call services from worker threads; each call opens its connection and closes it, so no
thread is left holding one. SQLite write transactions start IMMEDIATE: the write lock is taken
up front and waits (busy timeout) instead of failing half-way with "database is locked".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from peewee import SqliteDatabase

from caseworker_tui.models import db


@contextmanager
def transaction() -> Iterator[None]:
    with db.connection_context():
        if isinstance(db.obj, SqliteDatabase):
            with db.atomic(lock_type="IMMEDIATE"):
                yield
        else:
            with db.atomic():
                yield


@contextmanager
def reading() -> Iterator[None]:
    """A consistent read: one connection, one snapshot."""
    with db.connection_context(), db.atomic():
        yield
