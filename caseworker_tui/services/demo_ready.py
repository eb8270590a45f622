"""The demo database, ready to open: checked on every `caseworker --demo`, built only when missing.

Kept apart from the builder, which imports most of the app, so that opening an existing demo
costs no more than opening any database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from caseworker_tui.models import User, bind, db
from caseworker_tui.models.schema import upgrade


def ensure_demo(url: str, progress: Callable[[int, int], object] = lambda done, total: None) -> None:
    """Create the demo database when it is missing or empty, telling `progress` how far it is
    (cases built, cases in all) while it builds."""
    if url.startswith("sqlite:///") and Path(url[len("sqlite:///"):]).expanduser().exists():
        bind(url)
        upgrade(db.obj)
        with db.connection_context():
            if User.select().exists():
                return
    from caseworker_tui.services.demo import build_demo

    build_demo(url, progress=progress)
