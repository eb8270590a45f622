"""`caseworker stats`: reporting years side by side, for a person or ready to publish.

`md` and `csv` are what the partnership publishes (the statutory counts, its own measures and the
notes, nothing identifying), and printing them is recorded as a publication; `table` and `json`
add the performance measures for the partnership's own use. `--note` writes a year's note and
`--mark-published` records a publication made elsewhere. The services are imported inside the
command, so building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import re
import sys

from caseworker_tui.cli import common

FORMATS = ("table", "csv", "json", "md")
PUBLISHED_FORMATS = ("md", "csv")
ROLE = "supervisor"  # the role the figures are read in when no account is named (see `common.acting_user`)


def parse_year(text: str, option: str = "--year") -> int:
    """`--year 2026`: the reporting year that starts in 2026."""
    from caseworker_tui.errors import InvalidInput

    if not re.fullmatch(r"\d{4}", text.strip()):
        raise InvalidInput(f"{option}: give the year the reporting year starts in, like 2026 (not {text!r})",
                           option.lstrip("-"))
    return int(text)


def parse_years(text: str) -> tuple[int, int]:
    """`--years 2024-2026`: the reporting years starting in 2024, 2025 and 2026 (one year alone too)."""
    from caseworker_tui.errors import InvalidInput

    first, dash, last = text.strip().partition("-")
    if not dash:
        year = parse_year(first, "--years")
        return year, year
    if not (re.fullmatch(r"\d{4}", first) and re.fullmatch(r"\d{4}", last)):
        raise InvalidInput(f"--years: give the first and last years, like 2024-2026 (not {text!r})", "years")
    return int(first), int(last)


def cmd_stats(args: argparse.Namespace) -> int:
    from caseworker_tui.errors import InvalidInput
    from caseworker_tui.services import published

    if args.year is not None and args.years is not None:
        raise InvalidInput("--year and --years: give one of them", "years")
    if args.years is not None:
        first, last = parse_years(args.years)
    elif args.year is not None:
        first = last = parse_year(args.year)
    else:
        first = last = None
    common.open_database(args)
    actor = common.acting_user(args, role=ROLE)
    if args.note is not None:
        if first is None or first != last:
            raise InvalidInput("--note: name the one year it is for with --year", "year")
        kept = published.set_note(actor, first, args.note)
        sys.stdout.write(f"Note for {first} {'saved' if kept else 'removed'}.\n")
        return 0
    result = published.published(actor, first, last)
    if args.mark_published:
        published.mark_published(actor, result)
        sys.stdout.write(f"Figures {result.span} marked published.\n")
        return 0
    render = {"table": published.render_table, "csv": published.render_csv, "json": published.render_json,
              "md": published.render_markdown}[args.format]
    text = render(result)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if args.format in PUBLISHED_FORMATS:
        published.record_publication(actor, result, args.format)
    return 0


def register(sub) -> None:
    """Add `stats` to the `caseworker` command's subparsers."""
    p = sub.add_parser(
        "stats", help="reporting years' public figures and performance measures, side by side",
        description="The figures for one or more reporting years, side by side: the statutory counts, the "
                    "partnership's own measures and each year's note. md and csv are ready to publish (and "
                    "printing them is recorded as publishing them); table and json add the performance measures.")
    p.add_argument("--year", metavar="YYYY",
                   help="the reporting year starting in YYYY (default: the current reporting year)")
    p.add_argument("--years", metavar="YYYY-YYYY", help="the reporting years from the first to the last, side by side")
    p.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    p.add_argument("--note", metavar="TEXT",
                   help="write the note published beside --year's figures (empty removes it); supervisors only")
    p.add_argument("--mark-published", action="store_true",
                   help="record that the years shown have been published; supervisors only")
    p.set_defaults(func=cmd_stats)
