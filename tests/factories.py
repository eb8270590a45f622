"""Applications in the import format, built in one line for tests."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any


def report(agency: str = "police", on: str = "2026-10-02", by: str = "applicant", ref: str = "") -> dict:
    return {"agency": agency, "reported_on": on, "reporter": by, "agency_reference": ref}


def incident(ident: str, on: str = "2026-10-01", *reports: dict, hate: bool = False,
             description: str = "Loud music all night") -> dict:
    return {"id": ident, "occurred_on": on, "description": description, "location": "1 Main Street",
            "hate_related": hate, "reports": list(reports) or [report(on=on)]}


def application(*incidents: dict, received: str = "2026-11-20T14:05:00", dissatisfied: bool = True,
                name: str = "Ann Lee", **extra: Any) -> dict:
    data = {
        "received_at": received,
        "applicant": {"name": name, "address": "1 Main Street, Leicester", "postcode": "LE1 1AA",
                      "email": "ann@example.org", "phone": "07700 900123", "preferred_contact": "email",
                      "on_behalf_of": None, "vulnerabilities": None, "needs": [], "advocate": None,
                      "consent_to_share": True},
        "dissatisfied": dissatisfied,
        "dissatisfaction_reason": "Nothing was done." if dissatisfied else "",
        "incidents": list(incidents),
    }
    data.update(extra)
    return copy.deepcopy(data)


def meets_rule_a(**extra: Any) -> dict:
    """Three incidents, each reported by the applicant within the windows."""
    return application(
        incident("i1", "2026-10-01", report("police", "2026-10-02")),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
        incident("i3", "2026-11-01", report("housing_provider", "2026-11-03")),
        **extra,
    )


def acknowledge_with_letter(case_id: int, actor, out_dir: Path | None = None) -> None:
    """Acknowledge a request as a caseworker does: the step, then its letter sent, which meets it."""
    from caseworker_tui.services import clock, letters, workflow

    workflow.acknowledge(case_id, actor)
    made = letters.produce_for_step("acknowledge", case_id, actor, out_dir or Path(tempfile.mkdtemp(prefix="letters-")))
    letters.mark_sent(made.id, actor, clock.today(), "post")


def victim_heard(case_id: int, actor, views: str = "They welcome the plan and ask for a named officer.",
                 out_dir: Path | None = None) -> None:
    """Consult the victim on the drafted outcome and record their views, as the chair's approval needs."""
    from caseworker_tui.config import data_dir
    from caseworker_tui.services import workflow

    workflow.consult_victim(case_id, actor, out_dir=out_dir or data_dir() / "letters")  # the test's own folder
    workflow.record_views(case_id, actor, views)


def drafted_outcome(actor, *recommendations) -> int:
    """A new request (Ann Lee's, rule A) taken by `actor` to a drafted outcome: assigned to Casey,
    acknowledged, accepted, its meeting held today with Chris Hall in the chair, findings recorded."""
    from datetime import date

    from caseworker_tui.services import clock, context, intake, workflow
    from caseworker_tui.services.application import parse_application
    from caseworker_tui.services.workflow import RecommendationIn

    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), actor).id
    workflow.assign(case_id, actor, "casey")
    workflow.acknowledge(case_id, actor)
    workflow.decide(case_id, actor, accept=True)
    workflow.schedule_review(case_id, actor, meeting_on=clock.today(), chair_name="Chris Hall", agencies=["police"],
                             participation="in_person")
    workflow.record_findings(case_id, actor, "Reports were not linked.")
    workflow.draft_outcome(case_id, actor, summary="The agencies missed the pattern.", recommendations=list(
        recommendations or [RecommendationIn("police", "Visit in the evenings.", date(2027, 1, 15))]))
    return case_id


def with_victim_updates(days: int | None) -> None:
    """The policy in force with the victim's update cadence set to every `days` working days, or none
    (None): for tests about the statutory steps alone, whose counts an update owed would change."""
    from caseworker_tui.services import context
    from caseworker_tui.services.timescales import Timescale

    policy = context.policy()
    cadence = None if days is None else Timescale(days=days, unit="working", anchor="last_contact")
    context.use_policy(policy.model_copy(update={
        "timescales": policy.timescales.model_copy(update={"victim_update": cadence})}))
