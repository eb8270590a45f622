"""The `caseworker` command: opens the app, or runs one task from a shell.

`parser` builds the command line from one module per command group (`cases`, `users`, `letters`
…); each imports only `common` and the services, never another group. Every subcommand calls the
same services the screens do.
"""

from __future__ import annotations

from collections.abc import Sequence

from caseworker_tui.cli.common import EXIT_BAD_INPUT, run

__all__ = ["EXIT_BAD_INPUT", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    from caseworker_tui.cli.parser import build_parser

    return run(build_parser().parse_args(argv))

