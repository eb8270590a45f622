"""One transaction per use case, on a connection of the calling thread's own.

Screens call services from worker threads; each call opens its connection and closes it, so no
thread is left holding one. SQLite write transactions start IMMEDIATE: the write lock is taken
up front and waits (busy timeout) instead of failing half-way with "database is locked".
Use cases lock the case row first (`workflow._load`, `letters.producing`), so writers queue in one
order; what the database still gives up on for timing alone (a PostgreSQL deadlock or
serialisation failure, SQLite still busy after its timeout) `retried` runs again, a few times.
"""

from __future__ import annotations

import functools
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from peewee import OperationalError, SqliteDatabase

from caseworker_tui.models import db


@contextmanager
def transaction() -> Iterator[None]:
    with db.connection_context():
        if isinstance(db.obj, SqliteDatabase):
            with _immediate():
                yield
        else:
            with db.atomic():
                yield


@contextmanager
def _immediate() -> Iterator[None]:
    """SQLite's write lock, taken up front; while another desk holds it past the busy timeout (a long
    import moving in), asked for again a few times: nothing has been done yet, so nothing is lost."""
    for attempt in range(ATTEMPTS):
        block = db.atomic(lock_type="IMMEDIATE")
        try:
            block.__enter__()
            break
        except OperationalError as exc:
            if attempt == ATTEMPTS - 1 or not transient(exc):
                raise
            time.sleep(random.uniform(0.01, 0.05 * 2 ** attempt))
    try:
        yield
    except BaseException:
        if not block.__exit__(*sys.exc_info()):
            raise
    else:
        block.__exit__(None, None, None)


@contextmanager
def reading() -> Iterator[None]:
    """A consistent read: one connection, one snapshot."""
    with db.connection_context(), db.atomic():
        yield


P = ParamSpec("P")
T = TypeVar("T")
ATTEMPTS = 5
# PostgreSQL's codes for "try the transaction again": serialization_failure, deadlock_detected.
RETRY_CODES = frozenset({"40001", "40P01"})


def transient(exc: BaseException) -> bool:
    """Whether the database refused only because of another transaction's timing."""
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "pgcode", None) in RETRY_CODES:
            return True
        if isinstance(seen, OperationalError) and ("database is locked" in str(seen) or "database is busy" in str(seen)):
            return True
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = inner or seen.__cause__
    return False


def retried(use_case: Callable[P, T]) -> Callable[P, T]:
    """Run a use case that opens its own transaction again when `transient` says so, after a short
    random pause; the last refusal is raised as it came."""
    @functools.wraps(use_case)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(ATTEMPTS):
            try:
                return use_case(*args, **kwargs)
            except Exception as exc:
                if attempt == ATTEMPTS - 1 or not transient(exc):
                    raise
                time.sleep(random.uniform(0.01, 0.05 * 2 ** attempt))
        raise AssertionError("unreachable")
    return run
