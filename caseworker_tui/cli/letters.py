"""`caseworker letters …`: produce a case's letter from a shell, and check the templates in force.

The services are imported inside the commands: building the parser must stay cheap, because
every `caseworker` invocation, the app included, builds it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from caseworker_tui.cli import common

ROLE = "supervisor"  # the role letters are produced in when no account is named (see `common.acting_user`)


class _RegisteredKinds(Sequence[str]):
    """The letter kinds of the registry, read only when argparse first asks for them.

    Loading the registry loads the letter services; building the parser must not, so the
    `render` choices look the kinds up when a `letters render` line is parsed or its help shown.
    """

    def _keys(self) -> tuple[str, ...]:
        from caseworker_tui.services.letters import KINDS

        return KINDS

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self._keys()[index]

    def __len__(self) -> int:
        return len(self._keys())


def cmd_render(args: argparse.Namespace) -> int:
    from caseworker_tui.errors import InvalidInput
    from caseworker_tui.services import letters
    from caseworker_tui.services.cases import find_case_id

    settings, _ = common.open_database(args)
    case_id = find_case_id(args.reference)
    if case_id is None:
        raise InvalidInput(f"reference: there is no case {args.reference}", "reference")
    produced = letters.produce(case_id, args.kind, common.acting_user(args, role=ROLE), args.out or settings.output_dir,
                               letters_dir=settings.letters_dir, agency=args.agency)
    print(produced.path)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from caseworker_tui.services import letters

    settings = common.read_settings(args)
    checks = letters.check_templates(args.dir or settings.letters_dir)
    for check in checks:
        if check.problems:
            for problem in check.problems:
                print(f"caseworker: {problem}", file=sys.stderr)
        else:
            print(f"ok  {check.name}  ({check.path})")
    return common.EXIT_BAD_INPUT if any(check.problems for check in checks) else 0


def register(sub) -> None:
    """Add `letters render` and `letters check` to the `caseworker` command's subparsers."""
    actions = sub.add_parser("letters", help="Word letters: produce one for a case, check the templates") \
        .add_subparsers(dest="letters_command", metavar="ACTION", required=True)
    p = actions.add_parser("render", help="produce a letter for a case; prints the path written",
                           description="Produce a letter as a new version (earlier versions are kept). "
                                       "A kind the case's stage does not call for is refused with the reason.")
    p.add_argument("reference", help="the case reference, e.g. CT-2026-0042")
    p.add_argument("kind", choices=_RegisteredKinds(), metavar="KIND", help="one of: %(choices)s")
    p.add_argument("--out", type=Path, metavar="DIR", help="write here instead of the output_dir setting")
    p.add_argument("--agency", help="for agency_update_request: the agency it goes to (e.g. police)")
    p.set_defaults(func=cmd_render)
    p = actions.add_parser("check", help="check every template's variables against what its letter provides")
    p.add_argument("--dir", type=Path, metavar="DIR",
                   help="check the templates in this folder instead of the letters_dir setting")
    p.set_defaults(func=cmd_check)
