"""caseworker: the Community Trigger (ASB Case Review) from first request to published figures."""

import os
import sys

__version__ = "0.1.0"

# pydantic looks for plugins by reading the entry points of every installed distribution when
# its first model is built: about 90 ms, for plugins this app never uses. Anyone who does want
# one can still set the variable themselves.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

# A lone Esc is told from the start of a longer key (an arrow, F3) by waiting for more bytes.
# Terminals write a key's bytes together, so 25 ms is ample; Textual's 100 ms is felt on every Esc
# back to the queue. A slow link can set ESCDELAY (milliseconds) itself, as for any curses program.
os.environ.setdefault("ESCDELAY", "25")


def _import_peewee_without_its_postgres_driver() -> None:
    """peewee imports psycopg2, where it is installed, as peewee itself is imported: 10 ms of
    start-up and a module tree that a SQLite install never uses. It is hidden for that one import
    (the import system reads None as "not installed"), and `models.database` hands it to peewee
    when a PostgreSQL URL is bound."""
    if "peewee" in sys.modules or "psycopg2" in sys.modules:
        return
    sys.modules["psycopg2"] = None  # type: ignore[assignment]
    try:
        import peewee  # noqa: F401
    finally:
        del sys.modules["psycopg2"]


_import_peewee_without_its_postgres_driver()
