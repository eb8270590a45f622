"""The personal-data commands: `retention`, `subject-access`, `access-log` and `db backup`.

Unless an account is named (`--as`), they act as the administrator: whoever runs the command line
against the database can read it already, so these checks guard the app's users, not the shell.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from caseworker_tui.cli import common
from caseworker_tui.services.words import plural

# The role these commands act in when no account is named (see `common.acting_user`).
ROLE = "admin"


def register(sub, db_actions) -> None:
    """Add the commands to the `caseworker` parser (`sub`) and its `db` group (`db_actions`)."""
    p = sub.add_parser("retention", help="anonymise closed cases older than the policy's retention "
                                         "(lists them; --apply does it)")
    p.add_argument("--apply", action="store_true", help="anonymise them and delete their letters")
    p.set_defaults(func=cmd_retention)

    p = sub.add_parser("subject-access", help="everything held about one person, into a JSON file")
    p.add_argument("person", metavar="NAME|REFERENCE")
    p.add_argument("--out", metavar="FILE", type=Path, help="where to write (default: the data folder)")
    p.set_defaults(func=cmd_subject_access)

    p = sub.add_parser("access-log", help="who opened which case, and when (newest first)",
                       description="Every opening of a case is recorded; this lists them, newest first.")
    p.add_argument("--case", metavar="REFERENCE", help="only the openings of this case")
    p.add_argument("--limit", type=int, default=200, help="how many to list (default 200)")
    p.set_defaults(func=cmd_access_log)

    p = db_actions.add_parser("backup", help="a consistent copy of the SQLite database, taken live")
    p.add_argument("path", metavar="PATH", type=Path)
    p.set_defaults(func=cmd_db_backup)




def cmd_retention(args: argparse.Namespace) -> int:
    from caseworker_tui.services import retention

    common.open_database(args)
    actor = common.acting_user(args, role=ROLE)
    run = retention.apply(actor) if args.apply else retention.preview(actor)
    print(f"Retention: cases closed before {run.cutoff:%d %b %Y} ({run.years} years) are anonymised.")
    if not run.cases:
        print("No case is due.")
        return 0
    print(f"{plural(len(run.cases), 'case')} {'anonymised' if run.applied else 'would be anonymised'}:")
    for case in run.cases:
        held = ", ".join(f"{what}: {n}" for what, n in case.held.items()) or "applicant only"
        print(f"  {case.reference:<14} {case.stage:<10} closed {case.closed_on:%d %b %Y}  {held}")
    if run.applied:
        print(f"Deleted {plural(run.letter_files_deleted, 'letter file')}.")
    else:
        print("Nothing has changed. Run `caseworker retention --apply` to anonymise them.")
    return 0


def cmd_subject_access(args: argparse.Namespace) -> int:
    from caseworker_tui.config import data_dir
    from caseworker_tui.services import subject_access

    common.open_database(args)
    actor = common.acting_user(args, role=ROLE)
    result = subject_access.gather(actor, args.person)
    out = args.out or subject_access.default_path(data_dir() / "subject-access")
    path = subject_access.write(result, out)
    print(f"{plural(len(result.cases), 'case')} as applicant and {plural(len(result.reports), 'report')} "
          f"in other cases about {result.query!r}, written to {path}")
    return 0


def cmd_access_log(args: argparse.Namespace) -> int:
    from caseworker_tui.services.access_log import access_log

    common.open_database(args)
    actor = common.acting_user(args, role=ROLE)
    views = access_log(actor, limit=args.limit, reference=args.case)
    if not views:
        print("No case has been opened yet." if args.case is None else f"Nobody has opened {args.case.strip()}.")
        return 0
    print(f"{'When':<16}  {'Who':<20}  Case")
    for view in views:
        print(f"{view.at:%Y-%m-%d %H:%M}  {view.username:<20}  {view.reference}")
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    from caseworker_tui.services.backup import backup

    common.open_database(args)
    actor = common.acting_user(args, role=ROLE)
    done = backup(actor, args.path)
    print(f"Backed up {plural(done.cases, 'case')} to {done.path} ({done.size / 1_048_576:.1f} MB).")
    return 0
