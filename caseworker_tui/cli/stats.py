"""`caseworker stats`: a reporting year's figures, for a person or ready to publish.

`md` and `csv` are what the partnership publishes (the public counts only); `table` and `json`
add the performance measures for the partnership's own use. The services are imported inside
the command, so building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import re
import sys

from caseworker_tui.cli import common

FORMATS = ("table", "csv", "json", "md")
ROLE = "supervisor"  # the role the figures are read in when no account is named (see `common.acting_user`)


def parse_year(text: str) -> int:
    """`--year 2026`: the reporting year that starts in 2026."""
    from caseworker_tui.errors import InvalidInput

    if not re.fullmatch(r"\d{4}", text.strip()):
        raise InvalidInput(f"--year: give the year the reporting year starts in, like 2026 (not {text!r})",
                           "year")
    return int(text)


def cmd_stats(args: argparse.Namespace) -> int:
    from caseworker_tui.services import stats

    year = parse_year(args.year) if args.year is not None else None
    common.open_database(args)
    result = stats.figures(common.acting_user(args, role=ROLE), year)
    render = {"table": stats.render_table, "csv": stats.render_csv, "json": stats.render_json,
              "md": stats.render_markdown}[args.format]
    text = render(result)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def register(sub) -> None:
    """Add `stats` to the `caseworker` command's subparsers."""
    p = sub.add_parser(
        "stats", help="a reporting year's public figures and performance measures",
        description="Counts for the requests received in one reporting year. md and csv hold the "
                    "public counts only, ready to publish; table and json add the performance measures.")
    p.add_argument("--year", metavar="YYYY",
                   help="the reporting year starting in YYYY (default: the current reporting year)")
    p.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    p.set_defaults(func=cmd_stats)
