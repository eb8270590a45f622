"""`caseworker policy show`, `check` and `upgrade`: the policy in force as the file that set it (or
the shipped default), a council's file checked and read back in words, and a first-release file
converted to the current shape."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from caseworker_tui.cli import common


def cmd_policy_show(args: argparse.Namespace) -> int:
    from caseworker_tui.services import context
    from caseworker_tui.services.policy import default_policy_text

    settings = common.read_settings(args)
    policy = context.policy()
    source = settings.policy_file or "the shipped default"
    print(f"# Policy in force: {policy.name}, version {policy.version} (from {source})")
    if settings.policy_file:
        from caseworker_tui.services.policy_file import read_policy_text

        print(read_policy_text(settings.policy_file))
    else:
        print(default_policy_text())
    return 0


def cmd_policy_upgrade(args: argparse.Namespace) -> int:
    """Convert a first-release policy file: needs no policy in force, since that may be the file."""
    from caseworker_tui.services.policy_file import read_policy_text
    from caseworker_tui.services.policy_upgrade import upgrade_policy

    path = Path(args.file)
    text = read_policy_text(path)
    upgraded = upgrade_policy(text, source=str(path))
    if args.write:
        backup = path.with_name(path.name + ".first-release")
        backup.write_text(text, encoding="utf-8")
        path.write_text(upgraded.text, encoding="utf-8")
        print(f"Converted {path}; the original is kept as {backup}.", file=sys.stderr)
    else:
        sys.stdout.write(upgraded.text)
    if upgraded.problem:
        print(f"caseworker: the file is converted, but still refused: "
              f"{upgraded.problem}", file=sys.stderr)
        return common.EXIT_BAD_INPUT
    return 0


def cmd_policy_check(args: argparse.Namespace) -> int:
    """Check a council's file (needs no policy in force, since it may be the file) and say what it
    means; every problem on a line of its own, each naming its key."""
    from caseworker_tui.errors import PolicyError
    from caseworker_tui.services.policy import load_policy
    from caseworker_tui.services.policy_words import describe

    path = Path(args.file)
    try:
        policy = load_policy(path)
    except PolicyError as exc:
        print(f"caseworker: {path} is refused:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem.removeprefix(f'{path}: ')}", file=sys.stderr)
        return common.EXIT_BAD_INPUT
    print(f"{path} is a valid policy file.")
    print("\n".join(describe(policy)))
    return 0


def register(sub) -> None:
    """Add `policy show`, `policy check` and `policy upgrade` to the `caseworker` command's subparsers."""
    pol = sub.add_parser("policy", help="the policy in force").add_subparsers(dest="policy_command",
                                                                            metavar="ACTION", required=True)
    p = pol.add_parser("show", help="print the policy in force")
    p.set_defaults(func=cmd_policy_show)
    p = pol.add_parser("check", help="check a policy file and print what it means in words "
                                     "(exit code 2 when it is refused)")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_policy_check)
    p = pol.add_parser("upgrade", help="convert a first-release policy file's threshold and "
                                       "timescales to the current shape (printed, or --write)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--write", action="store_true",
                   help="replace FILE, keeping the original as FILE.first-release")
    p.set_defaults(func=cmd_policy_upgrade)
