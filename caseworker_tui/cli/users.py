"""`caseworker users …`: the accounts people sign in with, from first day to last.

Every action but `list` is for administrators, acting as themselves (`--as`, or the account of the
operating-system user's name). Two need no account, only the database's own access: the first
account of a new database, and `unlock`, so that nobody, the last administrator included, is
locked out for good.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from caseworker_tui.cli import common
from caseworker_tui.errors import InvalidInput

ROLES = ["caseworker", "supervisor", "chair", "admin"]


def cmd_users_add(args: argparse.Namespace) -> int:
    from caseworker_tui.services import accounts, auth

    common.open_database(args)
    by = common.acting_user(args, role="admin", or_operator=not auth.has_accounts())
    passphrase = _ask_passphrase()
    user = accounts.add_user(args.name, args.role, passphrase, display_name=args.display_name, by=by)
    print(f"Added {user.username} ({user.role}).")
    return 0


def _ask_passphrase() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Passphrase (12 characters or more; a few words are easiest): ")
    if getpass.getpass("Again: ") != first:
        raise InvalidInput("passphrase: the two entries differ", "passphrase")
    return first


def cmd_users_list(args: argparse.Namespace) -> int:
    from caseworker_tui.services import auth, clock

    common.open_database(args)
    users = auth.list_users()
    if not users:
        print("No accounts yet. Add one with: caseworker users add NAME --role admin")
    now = clock.now()
    for u in users:
        state = "" if u.active else " (closed)"
        if u.locked_until and u.locked_until > now:
            state += f" (locked until {u.locked_until:%H:%M})"
        print(f"{u.username:<16} {u.role:<11} {u.display_name}{state}")
    return 0


def cmd_users_change(args: argparse.Namespace) -> int:
    """unlock, close, reopen, role and passphrase: one account changed, by an administrator."""
    from caseworker_tui.services import accounts

    common.open_database(args)
    by = common.acting_user(args, role="admin", or_operator=args.users_command == "unlock")
    if args.users_command == "unlock":
        user = accounts.unlock(args.name, by)
        said = "unlocked"
    elif args.users_command == "close":
        user = accounts.deactivate(args.name, by)
        said = "closed: they can no longer sign in; their name stays on what they did"
    elif args.users_command == "reopen":
        user = accounts.reactivate(args.name, by)
        said = "reopened"
    elif args.users_command == "role":
        user = accounts.change_role(args.name, args.role, by)
        said = f"now {user.role}"
    else:
        user = accounts.reset_passphrase(args.name, _ask_passphrase(), by)
        said = "given a new passphrase, and unlocked"
    print(f"{user.username} {said}.")
    return 0


def register(sub) -> None:
    """Add `users …` to the `caseworker` command's subparsers."""
    users = sub.add_parser("users", help="accounts").add_subparsers(dest="users_command", metavar="ACTION",
                                                                   required=True)
    p = users.add_parser("add", help="add an account (passphrase asked)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--display-name")
    p.set_defaults(func=cmd_users_add)
    p = users.add_parser("list", help="list accounts")
    p.set_defaults(func=cmd_users_list)
    for action, words in [("unlock", "unlock an account locked after wrong passphrases"),
                          ("close", "close a leaver's account (their name stays on the records)"),
                          ("reopen", "reopen a closed account"),
                          ("passphrase", "give an account a new passphrase (asked) and unlock it")]:
        p = users.add_parser(action, help=words)
        p.add_argument("name")
        p.set_defaults(func=cmd_users_change)
    p = users.add_parser("role", help="give an account another role")
    p.add_argument("name")
    p.add_argument("role", choices=ROLES)
    p.set_defaults(func=cmd_users_change)
