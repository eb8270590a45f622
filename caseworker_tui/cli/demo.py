"""`caseworker demo`: a demo database of made-up cases and one account per role, to try the app on.

The demo database is a file of its own, rebuilt freely. `--database-here` builds the demo in the
configured database instead, which wipes it: only with its name typed back (asked on a terminal,
or `--confirm NAME` for a script), with nobody else connected, and recorded in its audit trail.
"""

from __future__ import annotations

import argparse
import sys

from caseworker_tui.cli import common
from caseworker_tui.errors import InvalidInput


def cmd_demo(args: argparse.Namespace) -> int:
    from caseworker_tui.config import demo_database_url
    from caseworker_tui.services import clock
    from caseworker_tui.services.demo import build_demo
    from caseworker_tui.services.demo_ready import is_demo_database

    if args.confirm is not None and not args.database_here:
        raise InvalidInput("--confirm names the database --database-here wipes; without it the demo database "
                           "is rebuilt and needs no confirming", "confirm")
    args.demo = not args.database_here
    settings = common.read_settings(args)
    url = settings.database_url if args.database_here else demo_database_url()
    rebuild = None if is_demo_database(url) else _leave_to_wipe(args, url)
    summary = build_demo(url, cases=args.cases, seed=args.seed, progress=common.show_demo_progress, rebuild=rebuild)
    print(f"Demo database ready at {summary.location} ({summary.cases} cases as at {clock.today()}).")
    if not summary.passphrases:
        print("Users (passphrase 'demo'): casey (caseworker), sam (supervisor), chris (chair), ada (admin).")
        print("Open it with: caseworker --demo --user casey")
        return 0
    print("Each account has a passphrase of its own, shown only now:")
    for username, passphrase in summary.passphrases.items():
        print(f"  {username:<8} {passphrase}")
    print("Open it with: caseworker --user casey")
    return 0


def _leave_to_wipe(args: argparse.Namespace, url: str):
    """The database's name typed back (asked on a terminal, else `--confirm`), and who asks."""
    from caseworker_tui.services.demo_rebuild import Rebuild, database_name, location

    name = database_name(url)
    typed = args.confirm
    if typed is None:
        if not sys.stdin.isatty():
            raise InvalidInput(f"--database-here wipes {location(url)}; to go on, name it: --confirm {name}", "confirm")
        print(f"This wipes {location(url)}: every case, every account and the audit trail, and builds the demo "
              "in it.\nClose the app everywhere it has this database open.", file=sys.stderr)
        try:
            typed = input(f"Type the database's name ({name}) to go on: ")
        except EOFError:
            typed = ""
    common.open_database(args)  # an account named by --as is looked up there
    return Rebuild(typed, common.acting_user(args, role="admin"))


def register(sub) -> None:
    """Add `demo` to the `caseworker` command's subparsers."""
    p = sub.add_parser("demo", help="(re)create the demo database")
    p.add_argument("--cases", type=int, default=40, help="how many cases (default 40)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--database-here", action="store_true",
                   help="wipe the configured database and build the demo in it (asks for its name)")
    p.add_argument("--confirm", metavar="NAME",
                   help="with --database-here: the configured database's name, for a script to confirm the wipe")
    p.set_defaults(func=cmd_demo)
