"""The one database: a proxy initialised from a URL at start-up (SQLite file or PostgreSQL)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

from peewee import Database, DatabaseProxy, SqliteDatabase

from caseworker_tui.errors import ConfigError


class _Proxy(DatabaseProxy):
    """The proxy every model uses, which one thread may point at a database of its own for a while
    (`staged`): an import writes its staging file through the same models while the app's other
    threads go on using the real database."""

    __slots__ = ("_shared", "_local")

    def __init__(self) -> None:
        object.__setattr__(self, "_local", threading.local())
        super().__init__()

    def __setattr__(self, attr, value) -> None:
        if attr not in ("obj", "_callbacks", "_Model"):
            raise AttributeError("Cannot set attribute on proxy.")
        object.__setattr__(self, attr, value)

    @property
    def obj(self) -> Database | None:
        return getattr(self._local, "database", None) or self._shared

    @obj.setter
    def obj(self, value: Database | None) -> None:
        object.__setattr__(self, "_shared", value)

    @contextlib.contextmanager
    def staged(self, database: Database) -> Iterator[Database]:
        """Within this block, in this thread only, the models read and write `database`."""
        self._local.database = database
        try:
            yield database
        finally:
            self._local.database = None


db = _Proxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
    "cache_size": -32_000,
    # A new database hands freed pages back on `PRAGMA incremental_vacuum` (retention does); an
    # existing one takes this at its next VACUUM.
    "auto_vacuum": "incremental",
}


def open_database(url: str) -> Database:
    """A peewee database for `url`, not yet connected; `sqlite:///path` or `postgresql://…`."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise ConfigError("database URL: write sqlite:///relative/path or sqlite:////absolute/path")
        path = unquote(url[len("sqlite:///"):])
        if not path:
            raise ConfigError("database URL: sqlite:/// needs a file path, e.g. sqlite:////home/me/cases.sqlite")
        if path != ":memory:":
            path = str(Path(path).expanduser())
            _private_database_file(Path(path))
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10)
    if scheme in ("postgres", "postgresql"):
        # Pooled: every use case opens and closes its connection, and a new PostgreSQL
        # connection costs tens of milliseconds. Deferred import: it loads the driver.
        from playhouse.db_url import parse
        from playhouse.pool import PooledPostgresqlDatabase

        _give_peewee_its_postgres_driver()
        return PooledPostgresqlDatabase(**parse(url), max_connections=32, stale_timeout=300,
                                        timeout=10, autoconnect=True)
    raise ConfigError(f"database URL must start with sqlite:/// or postgresql://, not {url!r}")


def _private_database_file(path: Path) -> None:
    """The database holds personal data: a new one is made its owner's alone (0600, in a folder
    made 0700), and one an earlier release left readable by others is made so. SQLite gives the
    -wal and -shm files it creates the database file's own mode; those left behind are closed too."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # SQLite takes an empty file as a new database
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in ("", "-wal", "-shm"):
        _owners_only(Path(f"{path}{suffix}"))


def _owners_only(path: Path) -> None:
    try:
        found = path.stat()
        if found.st_mode & 0o077 and found.st_uid == getattr(os, "getuid", lambda: found.st_uid)():
            path.chmod(found.st_mode & 0o700)
    except OSError:  # absent, or another account's: SQLite reports what matters when it opens it
        pass


def _give_peewee_its_postgres_driver() -> None:
    """What peewee would have set up on import, had the driver not been hidden from it then (see
    `caseworker_tui/__init__.py`): the module, its JSON and UUID adapters, and the transaction
    states its psycopg2 adapter reads."""
    import peewee

    if peewee.psycopg2 is not None:
        return
    try:
        import psycopg2
        from psycopg2 import extensions, extras
    except ImportError:
        raise ConfigError("PostgreSQL needs its driver: pip install 'caseworker-tui[postgres]'") from None
    extras.register_uuid()
    peewee.psycopg2, peewee.pg_extensions, peewee.Json_pg2 = psycopg2, extensions, extras.Json
    peewee.pg_register_uuid = extras.register_uuid
    adapter = peewee.Psycopg2Adapter
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN


def bind(url: str) -> Database:
    """Point the proxy at `url` and return the real database."""
    database = open_database(url)
    previous = db.obj
    if previous is not None and hasattr(previous, "close_all"):
        previous.close_all()  # a pool left behind would keep its connections open
    db.initialize(database)
    return database


def is_postgres() -> bool:
    from peewee import PostgresqlDatabase

    return isinstance(db.obj, PostgresqlDatabase)
