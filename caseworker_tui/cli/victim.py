"""`caseworker victim …`: the victim's journey from a shell — contacts, their single point of contact,
and the consultation on the draft action plan — through the same services as the case screen.

Each command acts as a person (`--as NAME` or CASEWORKER_USER), whose role the services check.
The services are imported inside the commands: building the parser must stay cheap.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from caseworker_tui.cli import common
from caseworker_tui.errors import InvalidInput

ROLE = "caseworker"
HOWS = common.LazyChoices("caseworker_tui.services.workflow", "CONTACT_CHANNELS")
_WHEN_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def _when(text: str | None) -> datetime:
    from caseworker_tui.services import clock

    if not text:
        return clock.now().replace(second=0, microsecond=0)
    for pattern in _WHEN_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
    raise InvalidInput(f"--at: {text!r} is not a date and time like 2026-12-01 14:30", "at")


def cmd_contact(args: argparse.Namespace) -> int:
    from caseworker_tui.services import workflow

    common.open_database(args)
    actor = common.acting_user(args, role=ROLE)
    workflow.record_contact(common.case_id_of(args.reference), actor, at=_when(args.at), channel=args.how,
                            said=args.said, promised=args.promised or "")
    print(f"recorded a contact with the victim of {args.reference.upper()} "
          f"{workflow.CONTACT_CHANNELS[args.how]}")
    return 0


def cmd_contacts(args: argparse.Namespace) -> int:
    from caseworker_tui.services.cases import open_case
    from caseworker_tui.services.workflow import CONTACT_CHANNELS

    common.open_database(args)
    detail = open_case(common.case_id_of(args.reference), common.acting_user(args, role=ROLE))
    print(f"{detail.reference}: single point of contact {detail.spoc_name or 'not named'}")
    for update in (d for d in detail.deadlines if d.step == "victim_update" and not d.done):
        print(f"next update to the victim due {update.due_on} ({update.countdown.short})")
    if not detail.contacts:
        print("No contact with the victim is recorded.")
        return 0
    for c in detail.contacts:
        promised = f"; promised: {c.promised}" if c.promised else ""
        print(f"{c.at:%Y-%m-%d %H:%M}  {CONTACT_CHANNELS.get(c.channel, c.channel):<16} {c.by:<12} {c.said}{promised}")
    print(f"last contact {detail.last_contact_words}")
    return 0


def cmd_spoc(args: argparse.Namespace) -> int:
    from caseworker_tui.services import workflow

    common.open_database(args)
    done = workflow.change_spoc(common.case_id_of(args.reference), common.acting_user(args, role=ROLE), args.username)
    print(f"{done.reference}: the single point of contact is now {args.username}")
    return 0


def cmd_consult(args: argparse.Namespace) -> int:
    from caseworker_tui.services import workflow

    settings, _ = common.open_database(args)
    done = workflow.consult_victim(common.case_id_of(args.reference), common.acting_user(args, role=ROLE),
                                   out_dir=settings.output_dir, letters_dir=settings.letters_dir)
    due = workflow.victim.reply_by_of(done.case_id)
    print(f"{done.reference}: the draft action plan letter is made; the victim has until "
          f"{workflow.victim.day_words(due)} to reply")
    return 0


def cmd_views(args: argparse.Namespace) -> int:
    from caseworker_tui.services import workflow

    if bool(args.said) == bool(args.no_reply):
        raise InvalidInput("views: give either --said TEXT or --no-reply", "views")
    common.open_database(args)
    done = workflow.record_views(common.case_id_of(args.reference), common.acting_user(args, role=ROLE),
                                 args.said or "", no_reply=args.no_reply)
    print(f"{done.reference}: the victim's views on the draft action plan are recorded")
    return 0


def register(sub) -> None:
    """Add `victim contact|contacts|spoc|consult|views` to the `caseworker` command's subparsers."""
    actions = sub.add_parser("victim", help="the victim's journey: contacts, single point of contact, "
                                            "consultation on the draft action plan") \
        .add_subparsers(dest="victim_command", metavar="ACTION", required=True)
    p = actions.add_parser("contact", help="record a contact with the victim (the next update counts from it)")
    p.add_argument("reference", help="the case reference, e.g. CT-2026-0042")
    p.add_argument("--how", required=True, choices=HOWS, metavar="HOW",
                   help="one of: %(choices)s")
    p.add_argument("--said", required=True, help="what was said")
    p.add_argument("--promised", help="what was promised, if anything")
    p.add_argument("--at", metavar="WHEN", help="when, e.g. '2026-12-01 14:30' (default: now)")
    p.set_defaults(func=cmd_contact)
    p = actions.add_parser("contacts", help="the case's contact log, its contact person and the next update due")
    p.add_argument("reference", help="the case reference")
    p.set_defaults(func=cmd_contacts)
    p = actions.add_parser("spoc", help="name another member of staff as the victim's single point of contact")
    p.add_argument("reference", help="the case reference")
    p.add_argument("username", help="the caseworker's or supervisor's account name")
    p.set_defaults(func=cmd_spoc)
    p = actions.add_parser("consult", help="send the victim the draft action plan (makes its letter, with a "
                                           "reply-by date)")
    p.add_argument("reference", help="the case reference")
    p.set_defaults(func=cmd_consult)
    p = actions.add_parser("views", help="record the victim's views on the draft action plan, or no reply")
    p.add_argument("reference", help="the case reference")
    p.add_argument("--said", help="what the victim said about the plan")
    p.add_argument("--no-reply", action="store_true", help="no reply came by the reply-by date")
    p.set_defaults(func=cmd_views)
