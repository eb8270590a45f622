"""The append-only audit trail: every change records who, when, from which stage to which, and why."""

from __future__ import annotations

import json
from typing import Any

from caseworker_tui.models import AuditEvent, Case
from caseworker_tui.services import clock
from caseworker_tui.services.permissions import Actor


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
