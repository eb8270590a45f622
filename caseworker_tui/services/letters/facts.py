"""What the letter rules read about a case: shared by the offers, the builders and producing.

Each function runs inside the caller's transaction and returns rows or plain values.
"""

from __future__ import annotations

from datetime import date

from caseworker_tui.models import AgencyUpdateRequest, Appeal, Case, Deadline, ThresholdDecision


def waiting_agencies(case: Case) -> list[str]:
    """Agencies whose update is still chased: unanswered, its deadline neither met nor cancelled."""
    chased = Deadline.select(Deadline.ref_id).where(
        (Deadline.case == case) & (Deadline.step == "agency_update") & Deadline.closed_at.is_null())
    rows = (AgencyUpdateRequest.select(AgencyUpdateRequest.agency)
            .where((AgencyUpdateRequest.case == case) & AgencyUpdateRequest.answered_on.is_null()
                   & AgencyUpdateRequest.id.in_(chased))
            .order_by(AgencyUpdateRequest.id))
    return list(dict.fromkeys(r.agency for r in rows))


def open_due(case: Case, step: str) -> date | None:
    """When the latest open deadline of `step` falls due, if one is open."""
    row = (Deadline.select(Deadline.due_on)
           .where((Deadline.case == case) & (Deadline.step == step) & Deadline.closed_at.is_null())
           .order_by(Deadline.id.desc()).first())
    return row.due_on if row else None


def step_owed(case: Case, step: str) -> bool:
    """Whether a deadline of `step` is still open on the case."""
    return Deadline.select().where((Deadline.case == case) & (Deadline.step == step)
                                   & Deadline.closed_at.is_null()).exists()


def latest_decision(case: Case) -> ThresholdDecision | None:
    return (ThresholdDecision.select().where(ThresholdDecision.case == case)
            .order_by(ThresholdDecision.id.desc()).first())


def latest_appeal(case: Case) -> Appeal | None:
    return Appeal.select().where(Appeal.case == case).order_by(Appeal.id.desc()).first()
