"""`caseworker policy show`: the policy in force, as the file that set it (or the shipped default)."""

from __future__ import annotations

import argparse
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
        print(Path(settings.policy_file).read_text(encoding="utf-8"))
    else:
        print(default_policy_text())
    return 0


def register(sub) -> None:
    """Add `policy show` to the `caseworker` command's subparsers."""
    pol = sub.add_parser("policy", help="the policy in force").add_subparsers(dest="policy_command",
                                                                            metavar="ACTION", required=True)
    p = pol.add_parser("show", help="print the policy in force")
    p.set_defaults(func=cmd_policy_show)
