"""`caseworker db upgrade`: the schema brought up to date by peewee's migration runner."""

from __future__ import annotations

import argparse

from caseworker_tui.cli import common


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    common.open_database(args, upgrade=False)
    from caseworker_tui.models import db
    from caseworker_tui.models.schema import upgrade

    applied = upgrade(db.obj)
    print(f"Applied: {', '.join(applied)}" if applied else "The database is up to date.")
    return 0


def register(db_actions) -> None:
    """Add `upgrade` to the `caseworker db` group (`db_actions`)."""
    p = db_actions.add_parser("upgrade", help="apply pending schema migrations")
    p.set_defaults(func=cmd_db_upgrade)
