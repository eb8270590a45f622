"""The append-only audit trail: every change records who, when, from which stage to which, and why.

The words typed for why are personal data as often as not ("moved out after threats at 12 Acacia
Avenue"), and the trail is never rewritten, so they are not kept in it: the event holds a salted
digest of them and `AuditReason` the words and the salt, where anonymising a case reaches them.
While they are kept, the digest proves them unchanged; once erased, it says nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from typing import Any

from peewee import fn

from caseworker_tui.models import AuditEvent, AuditReason, Case
from caseworker_tui.services import clock
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.unit import reading


def digest(salt: str, text: str) -> str:
    return "sha256:" + hmac.new(salt.encode(), text.encode(), hashlib.sha256).hexdigest()


def record(case: Case | None, actor: Actor, action: str, *, from_stage: str | None = None,
           to_stage: str | None = None, reason: str = "", **details: Any) -> AuditEvent:
    """Add one event; call inside the transaction that made the change."""
    salt = secrets.token_hex(16) if reason else ""
    event = AuditEvent.create(
        case=case,
        actor=actor.username,
        at=clock.now(),
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=digest(salt, reason) if reason else "",
        details_json=json.dumps(details, default=str, sort_keys=True),
    )
    if reason:
        AuditReason.create(event=event, case=case, salt=salt, text=reason)
    return event


def reasons(event_ids: Iterable[int]) -> dict[int, str]:
    """The words typed for these events, by event id (inside the caller's transaction)."""
    ids = list(event_ids)
    if not ids:
        return {}
    return dict(AuditReason.select(AuditReason.event, AuditReason.text).where(AuditReason.event.in_(ids)).tuples())



def last_event() -> int:
    """The newest event's number (0 before any). Every change records an event, so a screen whose
    rows were read while this was N has nothing new to show while it still is."""
    with reading():
        return AuditEvent.select(fn.MAX(AuditEvent.id)).scalar() or 0
