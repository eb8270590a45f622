"""The command-line tests' own set-up."""

from __future__ import annotations

import sys

import caseworker_tui.cli.letters

# The letters commands' module by its name from before the command line became a package, for
# the tests that still import it so (test_cli_letters.py).
sys.modules.setdefault("caseworker_tui.cli_letters", caseworker_tui.cli.letters)
