"""`caseworker serve`: the app in web browsers, one app process per browser session.

The database is checked (and upgraded) once here, before any session starts, so a wrong URL is
one clear message instead of a failure in every browser. Sessions get the same settings: the
same environment, with the database URL made explicit.
"""

from __future__ import annotations

import argparse
import sys

from caseworker_tui.cli import common


def cmd_serve(args: argparse.Namespace) -> int:
    from caseworker_tui.serve import CaseworkerServer, app_command, check_address

    settings, database = common.open_database(args)
    public_url, warnings = check_address(args.host, args.port, args.public_url or settings.public_url)
    if hasattr(database, "close_all"):  # a PostgreSQL pool: the server itself needs no connection
        database.close_all()
    for line in warnings:
        print(line, file=sys.stderr)
    server = CaseworkerServer(app_command(demo=args.demo), host=args.host, port=args.port,
                              public_url=public_url, max_sessions=settings.max_sessions,
                              max_sessions_per_address=settings.max_sessions_per_address,
                              environment={"CASEWORKER_DATABASE_URL": settings.database_url})
    server.serve()
    return 0


def register(sub) -> None:
    """Add `serve` to the `caseworker` command's subparsers."""
    p = sub.add_parser(
        "serve", help="serve the app to web browsers (loopback only unless --public-url is given)",
        description="Serve the app over HTTP with textual-serve: each browser session runs its own app "
                    "and signs in. Bind to another address than loopback only behind a reverse proxy "
                    "that terminates TLS, and name its address with --public-url.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--public-url", metavar="URL",
                   help="the address people use, e.g. https://cases.example.org (required off loopback; default: "
                        "the public_url setting, else the address it listens on); the only Origin and Host accepted")
    p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                   help="serve the demo database; the sign-in screen lists its accounts")
    p.set_defaults(func=cmd_serve)
