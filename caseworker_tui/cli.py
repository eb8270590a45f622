"""The `caseworker` command: opens the app, or runs one task from a shell.

Every subcommand calls the same services the screens do. Bad input exits 2 with one clear
message on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from caseworker_tui.errors import CaseworkerError, InvalidInput

EXIT_BAD_INPUT = 2


def _fmt_date(day: date) -> str:
    return day.strftime("%a %d %b %Y")


# --- set-up shared by commands ----------------------------------------------------------------

def _settings(args: argparse.Namespace, *, policy_now: bool = True):
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


def _database(args: argparse.Namespace, *, upgrade: bool = True, policy_now: bool = True):
    """The settings and the database bound; with --demo, the demo database, built when missing."""
    from caseworker_tui.models import bind, db
    from caseworker_tui.models.schema import upgrade as run_upgrade

    settings = _settings(args, policy_now=policy_now)
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


def _system_actor():
    from caseworker_tui.services.permissions import Actor

    return Actor("cli", "Command line", "supervisor")


# --- check ---------------------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    from caseworker_tui.services import context
    from caseworker_tui.services.application import parse_application
    from caseworker_tui.services.deadlines import first_deadlines
    from caseworker_tui.services.eligibility import evaluate

    _settings(args)
    raw = _read_input(args.file)
    policy = context.policy()
    application = parse_application(raw, policy)
    verdict = evaluate(application, policy)
    due = first_deadlines(application.received_on, policy, context.calendar())
    if args.json:
        print(json.dumps(check_json(verdict, due), indent=2, ensure_ascii=False))
    else:
        print(render_verdict_text(verdict, application.reference, due))
    return 0


def check_json(verdict, due) -> dict:
    """The verdict for a script: `rules` starts with the statutory rule, then each local rule."""
    return {
        "threshold_met": verdict.threshold_met,
        "met_by": verdict.met_by,
        "reason": verdict.reason,
        "rule": verdict.rule_expression,
        "rules": [_rule_json(r) for r in verdict.all_rules],
        "excluded": [_excluded_json(x) for x in verdict.excluded],
        "would_change": verdict.would_change,
        "deadlines": {"acknowledge_by": due.acknowledge_by.isoformat(), "decide_by": due.decide_by.isoformat()},
        "policy": verdict.policy.model_dump(),
    }


def _rule_json(rule) -> dict:
    return {"id": rule.id, "kind": rule.kind, "title": rule.title, "passed": rule.passed,
            "explanation": rule.explanation, "letter_sentence": rule.letter_sentence,
            "incidents": rule.incidents,
            "evidence": [e.model_dump(mode="json") for e in rule.evidence],
            "excluded": [_excluded_json(x) for x in rule.excluded],
            "would_change": rule.would_change}


def _excluded_json(x) -> dict:
    return {"incident": x.incident, "reporter": x.reporter, "agency": x.agency, "reason": x.reason,
            "report": x.report, "reported_on": x.reported_on.isoformat(), "method": x.method,
            "letter_reason": x.letter_reason}


def render_verdict_text(verdict, reference: str | None, due) -> str:
    stamp = verdict.policy
    rule = f"  — met by {verdict.statutory_complaints} complaints (s.104(4))" \
        + (f", or by {verdict.rule_shown}" if verdict.rule_shown else "")
    lines = [
        f"{reference or 'Application'} — received {_fmt_date(verdict.received_on)}",
        f"Policy: {stamp.name}, version {stamp.version} ({stamp.period_convention} periods)",
        "",
        f"Threshold: {'MET' if verdict.threshold_met else 'NOT MET'}{rule}",
        verdict.reason,
        "",
    ]
    for rule in verdict.all_rules:
        mark = "✓ passed" if rule.passed else "✗ not met"
        lines.append(f"  {mark:<10} {rule.title}")
        lines.append(f"             {rule.explanation}")
        for e in rule.evidence:
            lines.append(f"             • incident {e.incident}, report {e.report}: {e.reporter} to {e.agency} "
                         f"on {e.reported_on}")
    if verdict.excluded:
        lines += ["", "Excluded reports:"]
        for x in verdict.excluded:
            lines.append(f"  • incident {x.incident}, report {x.report} ({x.reporter} to {x.agency}): {x.reason}")
    if verdict.would_change:
        lines += ["", "What would change the verdict:"]
        lines += [f"  • {hint}" for hint in verdict.would_change]
    lines += ["", f"Acknowledge by {_fmt_date(due.acknowledge_by)}; decide by {_fmt_date(due.decide_by)}."]
    return "\n".join(lines)


def _read_input(name: str) -> bytes:
    """The file's bytes, or stdin's: decoding is the import format's, the same as `import` uses."""
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {name}: {exc.strerror}") from None


# --- import, cases, demo ----------------------------------------------------------------------

def cmd_import(args: argparse.Namespace) -> int:
    from caseworker_tui.services import intake

    _database(args)
    status = 0
    for name in args.files:
        try:
            created = intake.import_file(Path(name), _system_actor())
        except InvalidInput as exc:
            print(f"caseworker: {exc} (nothing from this file was saved)", file=sys.stderr)
            status = EXIT_BAD_INPUT
            continue
        for case in created:
            met = "threshold met" if case.verdict.threshold_met else "threshold not met"
            print(f"{case.reference}\t{met}\tacknowledge by {case.deadlines.acknowledge_by}"
                  f"\tdecide by {case.deadlines.decide_by}")
    return status


def cmd_cases(args: argparse.Namespace) -> int:
    from caseworker_tui.services.cases import list_cases

    _database(args)
    rows = list_cases(stage=args.stage, overdue=args.overdue)
    if args.json:
        print(json.dumps([row.as_json() for row in rows], indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("No cases match.")
        return 0
    print(f"{'Reference':<14} {'Applicant':<24} {'Stage':<17} {'Received':<11} Next deadline")
    for r in rows:
        due = f"{r.next_due_on} {r.next_step} ({r.countdown})" if r.next_due_on else "—"
        print(f"{r.reference:<14} {r.applicant[:24]:<24} {r.stage_label:<17} {r.received_on!s:<11} {due}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from caseworker_tui.config import demo_database_url
    from caseworker_tui.services import clock
    from caseworker_tui.services.demo import build_demo

    args.demo = not args.database_here
    settings = _settings(args)
    url = settings.database_url if args.database_here else demo_database_url()
    summary = build_demo(url, cases=args.cases, seed=args.seed, progress=show_demo_progress)
    print(f"Demo database ready at {summary.location} ({summary.cases} cases as at {clock.today()}).")
    print("Users (passphrase 'demo'): casey (caseworker), sam (supervisor), chris (chair), ada (admin).")
    print("Open it with: caseworker --demo --user casey")
    return 0


# --- users, db, policy ------------------------------------------------------------------------

def cmd_users_add(args: argparse.Namespace) -> int:
    from caseworker_tui.services import auth
    from caseworker_tui.services.permissions import SYSTEM

    _database(args)
    passphrase = _ask_passphrase()
    user = auth.add_user(args.name, args.role, passphrase, display_name=args.display_name, by=SYSTEM)
    print(f"Added {user.username} ({user.role}).")
    return 0


def _ask_passphrase() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Passphrase: ")
    if getpass.getpass("Again: ") != first:
        raise InvalidInput("passphrase: the two entries differ")
    return first


def cmd_users_list(args: argparse.Namespace) -> int:
    from caseworker_tui.services import auth

    _database(args)
    users = auth.list_users()
    if not users:
        print("No accounts yet. Add one with: caseworker users add NAME --role admin")
    for u in users:
        state = "" if u.active else " (inactive)"
        print(f"{u.username:<16} {u.role:<11} {u.display_name}{state}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings, _ = _database(args, upgrade=False)
    from caseworker_tui.models import db
    from caseworker_tui.models.schema import upgrade

    applied = upgrade(db.obj)
    print(f"Applied: {', '.join(applied)}" if applied else "The database is up to date.")
    return 0


def cmd_policy_show(args: argparse.Namespace) -> int:
    from caseworker_tui.services import context
    from caseworker_tui.services.policy import default_policy_text

    settings = _settings(args)
    policy = context.policy()
    source = settings.policy_file or "the shipped default"
    print(f"# Policy in force: {policy.name}, version {policy.version} (from {source})")
    if settings.policy_file:
        print(Path(settings.policy_file).read_text(encoding="utf-8"))
    else:
        print(default_policy_text())
    return 0


def cmd_policy_upgrade(args: argparse.Namespace) -> int:
    """Convert a first-release policy file: needs no policy in force, since that may be the file."""
    from caseworker_tui.errors import PolicyError
    from caseworker_tui.services.policy_upgrade import upgrade_threshold

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc.strerror}") from None
    upgraded = upgrade_threshold(text, source=str(path))
    if args.write:
        backup = path.with_name(path.name + ".first-release")
        backup.write_text(text, encoding="utf-8")
        path.write_text(upgraded.text, encoding="utf-8")
        print(f"Converted {path}; the original is kept as {backup}.", file=sys.stderr)
    else:
        sys.stdout.write(upgraded.text)
    if upgraded.problem:
        print(f"caseworker: the threshold is converted, but the file is still refused: "
              f"{upgraded.problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


# --- the app --------------------------------------------------------------------------------

def run_app(args: argparse.Namespace) -> int:
    from caseworker_tui.services import auth

    settings, _ = _database(args, policy_now=False)
    actor = None
    if args.user and args.demo:
        actor = auth.find_actor(args.user)
    from caseworker_tui.app import CaseworkerApp

    app = CaseworkerApp(settings=settings, actor=actor, username=args.user, demo=args.demo)
    app.run()
    return app.return_code or 0


# --- parser ---------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caseworker",
        description="Run the Community Trigger (ASB Case Review): with no command, open the app.")
    parser.add_argument("--demo", action="store_true", help="use the demo database (created when missing)")
    parser.add_argument("--user", metavar="NAME", help="fill the sign-in name (with --demo: sign straight in)")
    parser.set_defaults(func=run_app)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="the verdict and first deadlines for one application; stores nothing")
    p.add_argument("file", metavar="FILE|-")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("import", help="store applications from files (all or nothing per file)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("demo", help="(re)create the demo database")
    p.add_argument("--cases", type=int, default=40, help="how many cases (default 40)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--database-here", action="store_true",
                   help="write to the configured database instead of the demo one")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("cases", help="list cases for a quick look or a script")
    p.add_argument("--stage", help="only this stage (e.g. received, accepted, under_review)")
    p.add_argument("--overdue", action="store_true", help="only cases with an overdue step")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cases)

    users = sub.add_parser("users", help="accounts").add_subparsers(dest="users_command", metavar="ACTION",
                                                                   required=True)
    p = users.add_parser("add", help="add an account (passphrase asked)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=["caseworker", "supervisor", "chair", "admin"])
    p.add_argument("--display-name")
    p.set_defaults(func=cmd_users_add)
    p = users.add_parser("list", help="list accounts")
    p.set_defaults(func=cmd_users_list)

    dbp = sub.add_parser("db", help="database").add_subparsers(dest="db_command", metavar="ACTION", required=True)
    p = dbp.add_parser("upgrade", help="apply pending schema migrations")
    p.set_defaults(func=cmd_db_upgrade)

    pol = sub.add_parser("policy", help="the policy in force").add_subparsers(dest="policy_command",
                                                                            metavar="ACTION", required=True)
    p = pol.add_parser("show", help="print the policy in force")
    p.set_defaults(func=cmd_policy_show)
    p = pol.add_parser("upgrade", help="convert a first-release policy file's threshold to the "
                                       "current shape (printed, or --write)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--write", action="store_true",
                   help="replace FILE, keeping the original as FILE.first-release")
    p.set_defaults(func=cmd_policy_upgrade)

    from caseworker_tui import cli_data, cli_letters, cli_serve, cli_stats

    cli_data.register(sub, dbp)
    cli_letters.register(sub)
    cli_stats.register(sub)
    cli_serve.register(sub)
    _accept_demo_after_commands(parser)
    return parser


def _accept_demo_after_commands(parser: argparse.ArgumentParser) -> None:
    """`caseworker cases --demo` means `caseworker --demo cases`: every command takes the flag
    too. Its default is SUPPRESS, so a command given no flag leaves the one before it alone."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for command in action.choices.values():
            if "--demo" not in command._option_string_actions and command.get_default("func") is not cmd_demo:
                command.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                                     help="use the demo database (created when missing)")
            _accept_demo_after_commands(command)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CaseworkerError as exc:
        print(f"caseworker: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `caseworker cases | head`: the reader left; that is not an error
        sys.stderr.close()
        return 0
    except Exception as exc:  # a database that cannot be reached, a disk that is full …
        from peewee import PeeweeException

        if isinstance(exc, PeeweeException | OSError):
            print(f"caseworker: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    raise SystemExit(main())
