"""The demo database, ready to open: checked on every `caseworker --demo`, built only when missing.

Kept apart from the builder, which imports most of the app, so that opening an existing demo
costs no more than opening any database. A demo is ready when its marker file (`….ready`, beside
the database) exists: removed before a build touches anything, written whole (temp file, fsync,
rename) only after the build has committed, so a build killed at any moment is built again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from caseworker_tui.config import demo_database_url
from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import User, bind, db
from caseworker_tui.models.schema import upgrade


def is_demo_database(url: str) -> bool:
    """Whether `url` is the demo database, the one file a demo is built in without asking: its
    accounts share the published passphrase, and building it wipes what it held."""
    return url.startswith("sqlite:///") and _sqlite_file(url) == _sqlite_file(demo_database_url())


def _sqlite_file(url: str) -> Path:
    return Path(unquote(url[len("sqlite:///"):])).expanduser().resolve()


def ensure_demo(url: str, progress: Callable[[int, int], object] = lambda done, total: None) -> None:
    """Create the demo database when it is missing or empty, telling `progress` how far it is
    (cases built, cases in all) while it builds. Any other database is refused untouched."""
    if not is_demo_database(url):
        raise InvalidInput(f"database: {url.split('@')[-1]} is not the demo database ({demo_database_url()}); "
                           "a demo is built there only", "database")
    if ready_marker(url).is_file() and Path(url[len("sqlite:///"):]).expanduser().exists():
        bind(url)
        upgrade(db.obj)
        with db.connection_context():
            if User.select().exists():
                return
    from caseworker_tui.services.demo import build_demo

    build_demo(url, progress=progress)


def ready_marker(url: str) -> Path:
    path = _sqlite_file(url)
    return path.with_name(f"{path.name}.ready")


def mark_ready(url: str) -> None:
    """Say the demo at `url` is whole: called last, once its build has committed."""
    marker = ready_marker(url)
    temp = marker.with_name(f".{marker.name}.{os.getpid()}")
    with open(temp, "wb") as handle:
        handle.write(b"built\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, marker)
    folder = os.open(marker.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
