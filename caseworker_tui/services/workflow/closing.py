"""Ending a case: withdrawn by the applicant, or closed once decided or approved."""

from __future__ import annotations

from caseworker_tui.models import (
    Case,
)
from caseworker_tui.services import clock
from caseworker_tui.services.deadlines import close_steps
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.workflow.running import NOT_RECEIVED, Done, clean_text, run_step


def withdraw(case_id: int, actor: Actor, reason: str, expected_version: int | None = None) -> Done:
    reason = clean_text(reason, "reason")

    def change(case: Case) -> None:
        case.closed_at = clock.now()
        close_steps(case, how="cancelled")
    return run_step(case_id, actor, "withdraw", expected_version=expected_version, change=change, reason=reason)


def close(case_id: int, actor: Actor, reason: str = "", expected_version: int | None = None) -> Done:
    """Close a declined case or one whose outcome is approved; recommendations stay followed up."""
    def change(case: Case) -> None:
        case.closed_at = clock.now()
        if case.stage == "approved":  # closing an approved case says its outcome has gone out
            close_steps(case, "review")
        close_steps(case, "notify_decision", "review", "notify_extension", "victim_update", how="cancelled")
        close_steps(case, "agency_update", how=NOT_RECEIVED)
    return run_step(case_id, actor, "close", expected_version=expected_version, change=change, reason=reason)
