"""Taking one lifecycle step: the role and stage guards, the case's lock and version, the audit event.

Every step in this package is one transaction through `run_step`: it checks the role, reads and
locks the case, refuses a stale version or a wrong stage, makes the change, moves the deadlines
and records an audit event, or does nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from caseworker_tui.errors import InvalidInput, NotFound, StaleCase, TransitionNotAllowed
from caseworker_tui.models import (
    Case,
)
from caseworker_tui.services import audit, clock, lifecycle
from caseworker_tui.services.deadlines import refresh_next_due
from caseworker_tui.services.found import case_by_id
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.retention import refuse_if_anonymised
from caseworker_tui.services.stages import FINISHED, stage_label
from caseworker_tui.services.unit import retried, transaction

# How an agency update that stopped mattering is closed: the review went ahead without it.
NOT_RECEIVED = "not_received"


def clean_text(value: str, field: str, *, required: bool = True, limit: int = 20_000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"{field}: please give {field.replace('_', ' ')}", field)
    if len(value) > limit:
        raise InvalidInput(f"{field}: at most {limit} characters", field)
    if "\x00" in value:
        raise InvalidInput(f"{field}: contains a NUL character", field)
    return value


def load_case(case_id: int, expected_version: int | None) -> Case:
    """The case, locked for this transaction: on PostgreSQL a row lock, so writers queue instead of
    colliding; on SQLite the IMMEDIATE transaction already holds the write lock."""
    case = case_by_id(case_id, locked=True)
    if expected_version is not None and case.version != expected_version:
        raise stale(case)
    refuse_if_anonymised(case)
    return case


def stale(case: Case) -> StaleCase:
    when = case.updated_at.strftime("%d %b %Y %H:%M") if case.updated_at else "just now"
    return StaleCase(
        f"{case.reference} was changed by {case.updated_by or 'someone else'} at {when} since you "
        "opened it; nothing was saved. Reload the case and apply your change again.",
        changed_by=case.updated_by, changed_at=case.updated_at)


def save_case(case: Case, actor: Actor) -> None:
    """Write the case only if nobody else has since it was read (optimistic locking)."""
    seen = case.version
    case.updated_at = clock.now()
    case.updated_by = actor.username
    case.is_open = case.stage not in FINISHED
    refresh_next_due(case)
    data = {field: value for field, value in case.__data__.items() if field not in ("id", "version")}
    changed = (Case.update(**data, version=seen + 1)
               .where((Case.id == case.id) & (Case.version == seen)).execute())
    if not changed:
        raise stale(Case.get_by_id(case.id))
    case.version = seen + 1


@dataclass(frozen=True)
class Done:
    """What a transition leaves: the case's new stage and version."""

    case_id: int
    reference: str
    stage: str
    version: int


@retried
def run_step(case_id: int, actor: Actor, action: str, *, expected_version: int | None,
         to_stage: str | None = None, change: Callable[[Case], dict | None] | None = None,
         reason: str = "") -> Done:
    """Take one lifecycle step: its role and stage guards come from `lifecycle.STEPS`."""
    step = lifecycle.step(action)
    require(actor, action)
    with transaction():
        case = load_case(case_id, expected_version)
        if case.stage not in step.stages:
            needed = " or ".join(stage_label(s).lower() for s in step.stages)
            raise TransitionNotAllowed(
                f"Cannot {step.words}: {case.reference} is "
                f"{stage_label(case.stage).lower()}; this step needs it to be {needed}.")
        before = case.stage
        details = (change(case) if change else None) or {}
        if to_stage or step.to_stage:
            case.stage = to_stage or step.to_stage
        save_case(case, actor)
        audit.record(case, actor, action, from_stage=before, to_stage=case.stage, reason=reason, **details)
        return Done(case.id, case.reference, case.stage, case.version)


def case_of(model: type, row_id: int, words: str) -> int:
    """The case a row (an agency's update request, a recommendation) belongs to, or NotFound.

    Read before the step's transaction, which then locks that case and reads the row again."""
    with transaction():
        row = model.get_or_none(model.id == row_id)
    if row is None:
        raise NotFound(f"no {words} {row_id}")
    return row.case_id
