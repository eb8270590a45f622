"""The append-only audit trail: every change records who, when, from which stage to which, and why."""

from __future__ import annotations

import json
from typing import Any

from peewee import fn

from caseworker_tui.models import AuditEvent, Case
from caseworker_tui.services import clock
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.unit import reading


def record(case: Case | None, actor: Actor, action: str, *, from_stage: str | None = None,
           to_stage: str | None = None, reason: str = "", **details: Any) -> AuditEvent:
    """Add one event; call inside the transaction that made the change."""
    return AuditEvent.create(
        case=case,
        actor=actor.username,
        at=clock.now(),
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        details_json=json.dumps(details, default=str, sort_keys=True),
    )


def last_event() -> int:
    """The newest event's number (0 before any). Every change records an event, so a screen whose
    rows were read while this was N has nothing new to show while it still is."""
    with reading():
        return AuditEvent.select(fn.MAX(AuditEvent.id)).scalar() or 0
