"""Ending a case: withdrawn by the applicant, or closed once decided or approved.

Each ends with a letter telling the victim (the withdrawal confirmation, the closure letter); given
the folder letters go to (`out_dir`), the step makes it once the case has moved, else it is offered on
the Letters tab.
"""

from __future__ import annotations

from pathlib import Path

from caseworker_tui.models import (
    Case,
)
from caseworker_tui.services import clock
from caseworker_tui.services.deadlines import close_steps
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.workflow.running import NOT_RECEIVED, Done, clean_text, run_step


def _then_letter(done: Done, step: str, actor: Actor, out_dir: Path | None, letters_dir: Path | None) -> Done:
    """The letter the lifecycle says the step sends (`Step.letter`), made once the case has moved."""
    if out_dir is not None:
        from caseworker_tui.services.letters import produce_for_step  # letters read the workflow's words

        produce_for_step(step, done.case_id, actor, out_dir, letters_dir)
    return done


def withdraw(case_id: int, actor: Actor, reason: str, expected_version: int | None = None, *,
             out_dir: Path | None = None, letters_dir: Path | None = None) -> Done:
    reason = clean_text(reason, "reason")

    def change(case: Case) -> None:
        case.closed_at = clock.now()
        close_steps(case, how="cancelled")
    done = run_step(case_id, actor, "withdraw", expected_version=expected_version, change=change, reason=reason)
    return _then_letter(done, "withdraw", actor, out_dir, letters_dir)


def close(case_id: int, actor: Actor, reason: str = "", expected_version: int | None = None, *,
          out_dir: Path | None = None, letters_dir: Path | None = None) -> Done:
    """Close a declined case or one whose outcome is approved; recommendations stay followed up."""
    def change(case: Case) -> None:
        case.closed_at = clock.now()
        if case.stage == "approved":  # closing an approved case says its outcome has gone out
            close_steps(case, "review")
        close_steps(case, "notify_decision", "review", "notify_extension", "victim_update", how="cancelled")
        close_steps(case, "agency_update", how=NOT_RECEIVED)
    done = run_step(case_id, actor, "close", expected_version=expected_version, change=change, reason=reason)
    return _then_letter(done, "close", actor, out_dir, letters_dir)
