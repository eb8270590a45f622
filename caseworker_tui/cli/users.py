"""`caseworker users add` and `users list`: the accounts people sign in to the app with."""

from __future__ import annotations

import argparse
import getpass
import sys

from caseworker_tui.cli import common
from caseworker_tui.errors import InvalidInput


def cmd_users_add(args: argparse.Namespace) -> int:
    from caseworker_tui.services import auth

    common.open_database(args)
    by = common.acting_user(args, role="admin")  # the first account is added before any exists
    passphrase = _ask_passphrase()
    user = auth.add_user(args.name, args.role, passphrase, display_name=args.display_name, by=by)
    print(f"Added {user.username} ({user.role}).")
    return 0


def _ask_passphrase() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Passphrase: ")
    if getpass.getpass("Again: ") != first:
        raise InvalidInput("passphrase: the two entries differ")
    return first


def cmd_users_list(args: argparse.Namespace) -> int:
    from caseworker_tui.services import auth

    common.open_database(args)
    users = auth.list_users()
    if not users:
        print("No accounts yet. Add one with: caseworker users add NAME --role admin")
    for u in users:
        state = "" if u.active else " (inactive)"
        print(f"{u.username:<16} {u.role:<11} {u.display_name}{state}")
    return 0


def register(sub) -> None:
    """Add `users add` and `users list` to the `caseworker` command's subparsers."""
    users = sub.add_parser("users", help="accounts").add_subparsers(dest="users_command", metavar="ACTION",
                                                                   required=True)
    p = users.add_parser("add", help="add an account (passphrase asked)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=["caseworker", "supervisor", "chair", "admin"])
    p.add_argument("--display-name")
    p.set_defaults(func=cmd_users_add)
    p = users.add_parser("list", help="list accounts")
    p.set_defaults(func=cmd_users_list)
