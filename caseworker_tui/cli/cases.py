"""`caseworker check`, `import` and `cases`: one application judged, applications stored, cases listed.

They call the same services the screens do; bad input exits 2 with one clear message on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from caseworker_tui.cli import common
from caseworker_tui.errors import InvalidInput


def _fmt_date(day: date) -> str:
    return day.strftime("%a %d %b %Y")


# --- check ---------------------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    from caseworker_tui.services import context
    from caseworker_tui.services.application import parse_application
    from caseworker_tui.services.deadlines import first_deadlines
    from caseworker_tui.services.eligibility import evaluate
    from caseworker_tui.services.intake import refuse_future

    common.read_settings(args)
    raw = _read_input(args.file)
    policy = context.policy()
    application = parse_application(raw, policy)
    refuse_future(application)  # as import would
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
        "deadlines": {"acknowledge_by": due.acknowledge_by.isoformat(),
                      "decide_by": due.decide_by.isoformat() if due.decide_by else None},
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
    lines += ["", f"Acknowledge by {_fmt_date(due.acknowledge_by)}; decide {due.decide_when()}."]
    return "\n".join(lines)


def _read_input(name: str) -> bytes:
    """The file's bytes, or stdin's: decoding is the import format's, the same as `import` uses."""
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {name}: {exc.strerror}") from None


# --- import, cases ------------------------------------------------------------------------

def cmd_import(args: argparse.Namespace) -> int:
    from caseworker_tui.services import intake

    common.open_database(args)
    actor = common.acting_user(args, role="supervisor")
    status = common.EXIT_OK
    for name in args.files:
        try:
            created = intake.import_file(Path(name), actor)
        except InvalidInput as exc:
            common.error(f"{exc} (nothing from this file was saved)")
            status = common.EXIT_BAD_INPUT
            continue
        for case in created:
            met = "threshold met" if case.verdict.threshold_met else "threshold not met"
            print(f"{case.reference}\t{met}\tacknowledge by {case.deadlines.acknowledge_by}"
                  f"\tdecide {case.deadlines.decide_when('%Y-%m-%d')}")
    return status


def cmd_cases(args: argparse.Namespace) -> int:
    from caseworker_tui.services.cases import list_cases
    from caseworker_tui.services.permissions import require

    common.open_database(args)
    if not getattr(args, "demo", False):  # applicants' names: a person reads them (the demo's are made up)
        require(common.acting_user(args, role="caseworker"), "view_cases")
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


def register(sub) -> None:
    """Add `check`, `import` and `cases` to the `caseworker` command's subparsers."""
    p = sub.add_parser("check", help="the verdict and first deadlines for one application; stores nothing")
    p.add_argument("file", metavar="FILE|-")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("import", help="store applications from files (all or nothing per file)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("cases", help="list cases for a quick look or a script")
    p.add_argument("--stage", help="only this stage (e.g. received, accepted, under_review)")
    p.add_argument("--overdue", action="store_true", help="only cases with an overdue step")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cases)
