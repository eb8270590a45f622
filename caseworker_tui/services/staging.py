"""A long import, all or nothing, without holding SQLite's one write lock while it is written.

SQLite lets one desk write at a time, so a file of 100,000 applications written in one transaction
would make every other desk's save wait minutes, then fail. Instead the cases are written, in
chunks, into a private staging file (the same tables, nobody else's lock), and then moved into the
database in one short transaction of `INSERT … SELECT`s, each row's id (and each id it refers to)
shifted past the rows already there. A file that fails, or a process killed while staging, leaves
the database as it was; the staging file goes with it, or with the next import if the process died.
PostgreSQL locks rows, not the database: an import there is one transaction of its own.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from peewee import ForeignKeyField, SqliteDatabase

from caseworker_tui.models import ALL_MODELS, Case, db
from caseworker_tui.services.sweep import alive
from caseworker_tui.services.unit import transaction

T = TypeVar("T")
CHUNK = 500  # applications per staging commit: bounds the memory a long file takes


def store_all(store: Callable[[int], T], count: int) -> tuple[list[T], int]:
    """`store(i)` for every i < count, all or nothing; returns the results and how far the stored
    cases' ids were shifted (0 where nothing is staged)."""
    if not isinstance(db.obj, SqliteDatabase) or db.obj.database == ":memory:":
        with transaction():
            return [store(i) for i in range(count)], 0
    main = Path(db.obj.database)
    _remove_stale(main)
    path = main.with_name(f".{main.name}.import-{os.getpid()}-{secrets.token_hex(4)}")
    staging = SqliteDatabase(str(path), pragmas={"journal_mode": "off", "synchronous": "off", "foreign_keys": 0})
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # personal data: the owner's alone
        with db.staged(staging), staging.connection_context():
            staging.create_tables(ALL_MODELS)
            results: list[T] = []
            for start in range(0, count, CHUNK):
                with staging.atomic():
                    results += [store(i) for i in range(start, min(count, start + CHUNK))]
        staging.close()
        return results, _move(path)
    finally:
        staging.close()
        path.unlink(missing_ok=True)


def _move(path: Path) -> int:
    """Copy every staged row into the database in one transaction; returns the cases' id shift."""
    with db.connection_context():
        db.execute_sql("ATTACH DATABASE ? AS staging", (str(path),))
        try:
            with db.atomic(lock_type="IMMEDIATE"):
                shift = {m: db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM main."{m._meta.table_name}"').fetchone()[0]
                         for m in ALL_MODELS if "id" in m._meta.fields and m._meta.primary_key.name == "id"}
                for model in ALL_MODELS:
                    _copy(model, shift)
                return shift[Case]
        finally:
            db.execute_sql("DETACH DATABASE staging")


def _copy(model, shift: dict) -> None:
    table = model._meta.table_name
    if not db.execute_sql(f'SELECT 1 FROM staging."{table}" LIMIT 1').fetchone():
        return
    columns, values = [], []
    for field in model._meta.sorted_fields:
        columns.append(f'"{field.column_name}"')
        if field.primary_key and model in shift:
            values.append(f'"{field.column_name}" + {int(shift[model])}')
        elif isinstance(field, ForeignKeyField) and field.rel_model in shift:
            values.append(f'"{field.column_name}" + {int(shift[field.rel_model])}')  # NULL stays NULL
        else:
            values.append(f'"{field.column_name}"')
    db.execute_sql(f'INSERT INTO main."{table}" ({", ".join(columns)}) '
                   f'SELECT {", ".join(values)} FROM staging."{table}" ORDER BY 1')


def _remove_stale(main: Path) -> None:
    """Staging files of imports whose process has died hold personal data nobody will move in."""
    for stale in main.parent.glob(f".{main.name}.import-*"):
        with contextlib.suppress(ValueError, IndexError):
            pid = int(stale.name.rsplit(".import-", 1)[1].split("-")[0])
            if pid != os.getpid() and not alive(pid):
                stale.unlink(missing_ok=True)
