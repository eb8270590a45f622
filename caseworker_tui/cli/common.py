"""What every `caseworker` command shares: the settings and database opened, who the command acts
as, and how it ends (exit codes, one line on stderr, never a traceback for a problem a user can fix).

Only the standard library and `errors` are imported here: every invocation builds the parser,
the app's included, so the services are imported inside the functions that need them.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from caseworker_tui.errors import CaseworkerError, InvalidInput, PermissionDenied, SignInFailed

if TYPE_CHECKING:
    from caseworker_tui.config import Settings
    from caseworker_tui.services.permissions import Actor

EXIT_OK = 0
EXIT_FAILED = 1  # the database cannot be reached, the disk is full …
EXIT_BAD_INPUT = 2  # as argparse exits for a bad option: the user can put it right
EXIT_INTERRUPTED = 130  # Ctrl+C, as the shell reports it

# The name the command line acts under, with the operating-system user after a colon, for the few
# things done with the database's own access; `services.accounts` reserves it, so no account takes it.
OPERATOR = "cli"
ACCOUNT_VARIABLE = "CASEWORKER_USER"


def error(message: str) -> None:
    """One line on stderr, prefixed as every message of the command is."""
    print(f"caseworker: {message}", file=sys.stderr)


# --- settings and the database ------------------------------------------------------------------

def read_settings(args: argparse.Namespace, *, policy_now: bool = True) -> Settings:
    """The settings; and the policy, read now so that a bad file stops a command before it starts
    (the app reads it itself, once its first screen is up)."""
    from caseworker_tui.config import demo_database_url, load_settings
    from caseworker_tui.services import context

    overrides = {"database_url": demo_database_url()} if getattr(args, "demo", False) else {}
    settings = load_settings(**overrides)
    if policy_now:
        context.load_policy_in_force(settings.policy_file)
    else:
        context.read_policy_from(settings.policy_file)
    return settings


def open_database(args: argparse.Namespace, *, upgrade: bool = True, policy_now: bool = True):
    """The settings and the database bound; with --demo, the demo database, built when missing."""
    from caseworker_tui.models import bind, db
    from caseworker_tui.models.schema import upgrade as run_upgrade

    settings = read_settings(args, policy_now=policy_now)
    if getattr(args, "demo", False):
        from caseworker_tui.services.demo_ready import ensure_demo

        ensure_demo(settings.database_url, progress=show_demo_progress)
        return settings, db.obj
    database = bind(settings.database_url)
    if upgrade:
        run_upgrade(database)
    return settings, database


def show_demo_progress(done: int, total: int) -> None:
    """How far a demo build has got, on stderr: a bar redrawn in place on a terminal, and a line
    every ten cases where stderr is a file or a pipe, whose reader keeps every line."""
    err = sys.stderr
    if err.isatty():
        filled = 30 * done // total if total else 30
        end = "\n" if done == total else ""
        err.write(f"\rBuilding the demo database [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} cases{end}")
        err.flush()
    elif done == total or done % 10 == 0:
        print(f"Building the demo database: {done}/{total} cases", file=err, flush=True)


# --- who the command acts as --------------------------------------------------------------------

def acting_user(args: argparse.Namespace, *, role: str, or_operator: bool = False) -> Actor:
    """The one identity of the command line: the person the command acts as, recorded on all it does.
    Call it once the database is open.

    The account named by `--as NAME` (or CASEWORKER_USER); with none named, the account with the
    operating-system user's name, if there is one. The services then check its role exactly as in
    the app, and a command for administrators (`role="admin"`: users, retention, subject access,
    the access log, backups, wiping a database) refuses any other role here, before it reads a thing.
    With no person at all the command is refused, but for the few things only the database's own
    access may do (`or_operator`: the first account, unlocking one): those act as the command line,
    recorded as `cli:` and the operating-system user.
    """
    from caseworker_tui.services import auth
    from caseworker_tui.services.permissions import Actor

    named = getattr(args, "acting_as", None) or os.environ.get(ACCOUNT_VARIABLE, "").strip()
    source = "--as" if getattr(args, "acting_as", None) else ACCOUNT_VARIABLE
    try:
        actor = auth.find_actor(named or shell_user())
    except SignInFailed as exc:
        if named:
            raise InvalidInput(f"{source}: {exc}", "as") from None
        if or_operator:
            return Actor(f"{OPERATOR}:{shell_user()}"[:60], f"Command line ({shell_user()})", "admin")
        raise InvalidInput(f"--as: this command acts as a person, and the operating-system user {shell_user()!r} "
                           f"has no account: name yours with --as NAME (or {ACCOUNT_VARIABLE})", "as") from None
    if role == "admin" and actor.role != "admin":
        command = " ".join(str(getattr(args, key)) for key in ("command", "users_command", "db_command")
                           if getattr(args, key, None))
        raise PermissionDenied(f"{actor.display_name} ({actor.role}) may not run `caseworker {command}`: "
                               "it is for administrators.")
    return actor


def shell_user() -> str:
    """The operating-system account running the command, by its user id: not LOGNAME or USER,
    which anyone can set to another name."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):  # no such module (Windows), or no password-file entry
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


class LazyChoices(Sequence[str]):
    """A command's choices from a services module (the letter kinds, the ways of contact), read only
    when argparse first asks for them: importing the services while building the parser would
    slow every invocation, the app's included."""

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name

    def _keys(self) -> tuple[str, ...]:
        import importlib

        return tuple(getattr(importlib.import_module(self._module), self._name))

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self._keys()[index]

    def __len__(self) -> int:
        return len(self._keys())


def case_id_of(reference: str) -> int:
    """The case a reference names, or bad input naming the reference."""
    from caseworker_tui.services.cases import find_case_id

    case_id = find_case_id(reference)
    if case_id is None:
        raise InvalidInput(f"reference: there is no case {reference}", "reference")
    return case_id


# --- running a command ----------------------------------------------------------------------------

def run(args: argparse.Namespace) -> int:
    """Run the parsed command; a problem the user can act on is one line on stderr, not a traceback."""
    try:
        return args.func(args)
    except CaseworkerError as exc:
        error(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `caseworker cases | head`: the reader left; that is not an error
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # a database that cannot be reached, a disk that is full …
        from peewee import PeeweeException

        if isinstance(exc, PeeweeException | OSError):
            error(f"{type(exc).__name__}: {exc}")
            return EXIT_FAILED
        raise
