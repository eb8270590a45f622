"""The `caseworker` argument parser: the options every command shares, and each group's commands.

Every invocation builds it, the app's included, so it imports the command modules (cheap: they
import their services inside the commands) and nothing else.
"""

from __future__ import annotations

import argparse

from caseworker_tui.cli import cases, data, db, demo, letters, open_app, policy, serve, stats, users, victim
from caseworker_tui.cli.common import ACCOUNT_VARIABLE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caseworker",
        description="Run the Community Trigger (ASB Case Review): with no command, open the app.")
    parser.add_argument("--demo", action="store_true", help="use the demo database (created when missing)")
    parser.add_argument("--user", metavar="NAME", help="fill the sign-in name (with --demo: sign straight in)")
    parser.add_argument("--as", dest="acting_as", metavar="NAME",
                        help=f"act as this account, within its role (default: ${ACCOUNT_VARIABLE}, else "
                             "the command line itself in the role the command needs)")
    parser.set_defaults(func=open_app.run_app)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    cases.register(sub)
    demo.register(sub)
    users.register(sub)
    db_actions = sub.add_parser("db", help="database").add_subparsers(dest="db_command", metavar="ACTION",
                                                                      required=True)
    db.register(db_actions)
    policy.register(sub)
    data.register(sub, db_actions)
    letters.register(sub)
    victim.register(sub)
    stats.register(sub)
    serve.register(sub)
    _accept_demo_after_commands(parser)
    return parser


def _accept_demo_after_commands(parser: argparse.ArgumentParser) -> None:
    """`caseworker cases --demo` means `caseworker --demo cases`: every command takes the flag
    too. Its default is SUPPRESS, so a command given no flag leaves the one before it alone."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for command in action.choices.values():
            if "--demo" not in command._option_string_actions and command.get_default("func") is not demo.cmd_demo:
                command.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                                     help="use the demo database (created when missing)")
            _accept_demo_after_commands(command)
