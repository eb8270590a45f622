"""`caseworker letters …`: produce a case's letter from a shell, send it, and check the templates in force.

The services are imported inside the commands: building the parser must stay cheap, because
every `caseworker` invocation, the app included, builds it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from caseworker_tui.cli import common

KINDS = common.LazyChoices("caseworker_tui.services.letters", "KINDS")
VIAS = common.LazyChoices("caseworker_tui.services.letters", "VIAS")

ROLE = "supervisor"  # the role letters are produced in when no account is named (see `common.acting_user`)


def cmd_render(args: argparse.Namespace) -> int:
    from caseworker_tui.services import letters

    settings, _ = common.open_database(args)
    actor = common.acting_user(args, role=ROLE)
    produced = letters.produce(common.case_id_of(args.reference), args.kind, actor, args.out or settings.output_dir,
                               letters_dir=settings.letters_dir, agency=args.agency)
    print(produced.path)
    if args.pdf:
        try:
            print(letters.make_pdf(produced.id, actor).pdf_path)
        except letters.PdfUnavailable as exc:  # the Word letter is made and kept; say once what would make the PDF
            common.error(str(exc))
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    from caseworker_tui.errors import InvalidInput
    from caseworker_tui.services import letters

    settings, _ = common.open_database(args)
    letter = letters.latest_letter(common.case_id_of(args.reference), args.kind, agency=args.agency)
    if letter is None:
        raise InvalidInput(f"kind: no {args.kind} letter has been produced for {args.reference}; make one first with "
                           f"`caseworker letters render {args.reference} {args.kind}`", "kind")
    sent = letters.send(letter.id, common.acting_user(args, role=ROLE), args.via, settings)
    if sent.key_kind:
        from caseworker_tui.services.letters.notify import key_words

        how = f"to {sent.recipient.email}" if args.via == "notify-email" else f"by post to {sent.recipient.name}"
        print(f"sent {letter.reference} {letter.kind} v{letter.version_no} {how} through GOV.UK Notify "
              f"({sent.letter.provider_id}; {key_words(sent.key_kind)})")
    elif sent.pack is None:
        print(f"sent {letter.reference} {letter.kind} v{letter.version_no} to {sent.recipient.email} "
              f"({sent.letter.provider_id})")
    else:
        print(sent.pack.pdf)
        print(sent.pack.listing)
    return 0


def cmd_poll(args: argparse.Namespace) -> int:
    from caseworker_tui.services.letters import delivery

    settings, _ = common.open_database(args)
    result = delivery.poll(settings)
    for change in result.changes:
        reopened = f"; the step {change.reopened.replace('_', ' ')} is open again" if change.reopened else ""
        print(f"{change.reference} {change.kind} v{change.version_no}: {change.status} ({change.words}){reopened}")
    print(f"asked GOV.UK Notify about {result.asked} letter(s); {len(result.changes)} changed")
    if result.problem:
        common.error(result.problem)
        return 1
    return 0


def cmd_returned(args: argparse.Namespace) -> int:
    from caseworker_tui.services.letters import returned

    common.open_database(args)
    result = returned.record_report(args.file, common.acting_user(args, role=ROLE))
    for change in result.recorded:
        reopened = f"; the step {change.reopened.replace('_', ' ')} is open again" if change.reopened else ""
        print(f"{change.reference} {change.kind} v{change.version_no}: {change.words}{reopened}")
    for row in result.not_ours:
        print(f"line {row.line}: no letter sent from here has {row.reference or row.notification_id}; left alone")
    print(f"{len(result.recorded)} letter(s) recorded as returned; {len(result.already)} recorded before; "
          f"{len(result.not_ours)} not sent from here")
    return 0


def cmd_request_updates(args: argparse.Namespace) -> int:
    from caseworker_tui.services import letters, workflow

    settings, _ = common.open_database(args)
    actor = common.acting_user(args, role=ROLE)
    case_id = common.case_id_of(args.reference)
    workflow.request_updates(case_id, actor, args.agencies)
    for outcome in letters.send_update_requests(case_id, actor, args.agencies, settings, email=args.email):
        print(outcome.words())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    import tempfile

    from caseworker_tui.services import letters
    from caseworker_tui.services.letters import layout, pdf

    settings = common.read_settings(args)
    checks = letters.check_templates(args.dir or settings.letters_dir)
    if args.layout and pdf.converter() is None:
        common.error(f"the layout was not checked: {pdf.missing_message()}")
    elif args.layout:
        sound = [check for check in checks if not check.problems and check.path.endswith(".docx")]
        with tempfile.TemporaryDirectory(prefix="caseworker-layout-") as work:
            measured = layout.templates_layout_problems([Path(c.path) for c in sound], Path(work))
        found = {id(check): problems for check, problems in zip(sound, measured, strict=True)}
        checks = [type(check)(check.name, check.path, found[id(check)]) if id(check) in found else check
                  for check in checks]
    for check in checks:
        if check.problems:
            for problem in check.problems:
                print(f"caseworker: {problem}", file=sys.stderr)
        else:
            print(f"ok  {check.name}  ({check.path})")
    return common.EXIT_BAD_INPUT if any(check.problems for check in checks) else 0


def register(sub) -> None:
    """Add `letters render`, `send`, `poll`, `returned`, `request-updates` and `check` to the `caseworker` command's subparsers."""
    actions = sub.add_parser("letters", help="letters: produce one for a case, send it, check the templates") \
        .add_subparsers(dest="letters_command", metavar="ACTION", required=True)
    p = actions.add_parser("render", help="produce a letter for a case; prints the path written",
                           description="Produce a letter as a new version (earlier versions are kept). "
                                       "A kind the case's stage does not call for is refused with the reason.")
    p.add_argument("reference", help="the case reference, e.g. CT-2026-0042")
    p.add_argument("kind", choices=KINDS, metavar="KIND", help="one of: %(choices)s")
    p.add_argument("--out", type=Path, metavar="DIR", help="write here instead of the output_dir setting")
    p.add_argument("--agency", help="for agency_update_request: the agency it goes to (e.g. police)")
    p.add_argument("--pdf", action="store_true", help="make its PDF too (with LibreOffice) and print that path")
    p.set_defaults(func=cmd_render)
    p = actions.add_parser("send", help="send a case's latest letter of a kind: e-mail it, or add it to today's print pack",
                           description="Send the latest version of the letter, as a PDF. By e-mail it goes to the "
                                       "applicant (or the agency's address in the policy) through the smtp_url server; "
                                       "by post it joins today's print pack in the output folder: one PDF to print "
                                       "and a list. Either way the deadline it answers is met. A version is never "
                                       "sent twice.")
    p.add_argument("reference", help="the case reference, e.g. CT-2026-0042")
    p.add_argument("kind", choices=KINDS, metavar="KIND", help="one of: %(choices)s")
    p.add_argument("--via", choices=VIAS, default="email", metavar="HOW",
                   help="email (the default, through smtp_url), post (today's print pack), notify-letter "
                        "(GOV.UK Notify prints and posts the PDF) or notify-email (Notify e-mails it as a file link)")
    p.add_argument("--agency", help="for agency_update_request to several agencies: the one to send")
    p.set_defaults(func=cmd_send)
    p = actions.add_parser("poll", help="ask GOV.UK Notify what became of the letters sent through it",
                           description="Record each change of a Notify letter's or e-mail's status on its case's "
                                       "timeline; a failed delivery opens the letter's step again.")
    p.set_defaults(func=cmd_poll)
    p = actions.add_parser("returned", help="record the letters in GOV.UK Notify's returned-letters report as returned",
                           description="Notify lists letters that came back on its Returned letters page, weeks after "
                                       "posting; download that report (CSV) and give it here. Each letter it names, by "
                                       "Notify's notification id or the reference it was sent with, is recorded as "
                                       "returned on its case's timeline, and the step it met is open again. A report "
                                       "read twice records nothing twice.")
    p.add_argument("file", type=Path, metavar="FILE", help="the CSV report downloaded from GOV.UK Notify")
    p.set_defaults(func=cmd_returned)
    p = actions.add_parser("request-updates", help="ask agencies for an update on a case and send each its request letter",
                           description="Record the request (each agency's reply is then due), make each agency's "
                                       "update-request letter and e-mail it, the PDF attached, to the agency's email "
                                       "in the policy through smtp_url. A letter with no address or no mail server is "
                                       "made and left to send, and the line says why.")
    p.add_argument("reference", help="the case reference, e.g. CT-2026-0042")
    p.add_argument("agencies", nargs="+", metavar="AGENCY", help="the policy's agency keys, e.g. police council")
    p.add_argument("--no-email", dest="email", action="store_false", help="make the letters only; send them yourself")
    p.set_defaults(func=cmd_request_updates)
    p = actions.add_parser("check", help="check every template's variables against what its letter provides, "
                                         "and its layout against GOV.UK Notify's precompiled letters",
                           description="Each template's variables are checked against its letter's context; then "
                                       "it is rendered for a sample recipient, made a PDF (with LibreOffice) and "
                                       "measured: A4 portrait, the address inside Notify's address area, page one "
                                       "clear around it.")
    p.add_argument("--dir", type=Path, metavar="DIR",
                   help="check the templates in this folder instead of the letters_dir setting")
    p.add_argument("--no-layout", dest="layout", action="store_false", help="check the variables only")
    p.set_defaults(func=cmd_check)
