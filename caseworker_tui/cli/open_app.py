"""`caseworker` with no command: the Textual app, on the configured database or the demo one.

Textual is imported only here, inside the function, so that every other command starts without it.
"""

from __future__ import annotations

import argparse

from caseworker_tui.cli import common


def run_app(args: argparse.Namespace) -> int:
    from caseworker_tui.services import auth

    settings, _ = common.open_database(args, policy_now=False)
    actor = None
    if args.user and args.demo:
        actor = auth.find_actor(args.user)
    from caseworker_tui.app import CaseworkerApp

    app = CaseworkerApp(settings=settings, actor=actor, username=args.user, demo=args.demo)
    app.run()
    return app.return_code or 0
