"""`caseworker demo`: a demo database of made-up cases and one account per role, to try the app on."""

from __future__ import annotations

import argparse

from caseworker_tui.cli import common


def cmd_demo(args: argparse.Namespace) -> int:
    from caseworker_tui.config import demo_database_url
    from caseworker_tui.services import clock
    from caseworker_tui.services.demo import build_demo

    args.demo = not args.database_here
    settings = common.read_settings(args)
    url = settings.database_url if args.database_here else demo_database_url()
    summary = build_demo(url, cases=args.cases, seed=args.seed, progress=common.show_demo_progress)
    print(f"Demo database ready at {summary.location} ({summary.cases} cases as at {clock.today()}).")
    print("Users (passphrase 'demo'): casey (caseworker), sam (supervisor), chris (chair), ada (admin).")
    print("Open it with: caseworker --demo --user casey")
    return 0


def register(sub) -> None:
    """Add `demo` to the `caseworker` command's subparsers."""
    p = sub.add_parser("demo", help="(re)create the demo database")
    p.add_argument("--cases", type=int, default=40, help="how many cases (default 40)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--database-here", action="store_true",
                   help="write to the configured database instead of the demo one")
    p.set_defaults(func=cmd_demo)
