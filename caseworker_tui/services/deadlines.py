"""Deadlines: each step the partnership owes a case, kept as rows so every screen can page them.

A case's `next_due_on` mirrors its earliest open step, kept in the same transaction, so the
intake queue sorts by urgency in the database without a subquery per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from caseworker_tui.models import Case, Deadline
from caseworker_tui.services import clock, context
from caseworker_tui.services.calendar import Countdown, WorkingCalendar, countdown
from caseworker_tui.services.deadline_steps import step_label
from caseworker_tui.services.timescales import ANCHOR_WORDS

if TYPE_CHECKING:
    from caseworker_tui.services.policy import Policy


@dataclass(frozen=True)
class FirstDeadlines:
    acknowledge_by: date
    decide_by: date | None  # None: the decision counts from an event still to come
    decide_words: str  # "14 days from receipt", "15 working days from the acknowledgement"

    def decide_when(self, date_format: str = "%a %d %b %Y") -> str:
        """"by Fri 04 Dec 2026", or "within 15 working days from the acknowledgement"."""
        if self.decide_by is None:
            return f"within {self.decide_words}"
        return f"by {self.decide_by:{date_format}}"




def first_deadlines(received_on: date, policy: Policy, calendar: WorkingCalendar) -> FirstDeadlines:
    """When a request received on `received_on` must be acknowledged and decided."""
    times = policy.timescales
    decide = times.decide
    return FirstDeadlines(
        acknowledge_by=times.acknowledge.due(received_on, calendar),
        decide_by=decide.due(received_on, calendar) if decide.anchor == "received" else None,
        decide_words=f"{decide.words} from {ANCHOR_WORDS[decide.anchor]}",
    )


def open_step(case: Case, step: str, due_on: date, *, agency: str | None = None,
              agency_label: str | None = None, ref_id: int | None = None) -> Deadline:
    """Open a step; its label is stored only for an older release reading the same database."""
    return Deadline.create(case=case, step=step, label=step_label(step, agency_label), agency=agency,
                           ref_id=ref_id, due_on=due_on)


def close_steps(case: Case, *steps: str, how: str = "done", ref_id: int | None = None,
                on: date | None = None) -> int:
    """Close the open deadlines of these steps (all steps when none named).

    `on` is the day the step was really done (a letter posted yesterday and recorded today).
    """
    when = clock.now() if on is None or on == clock.today() else datetime.combine(on, time(12, 0))
    query = Deadline.update(closed_at=when, closed_how=how).where(
        (Deadline.case == case) & Deadline.closed_at.is_null())
    if steps:
        query = query.where(Deadline.step.in_(steps))
    if ref_id is not None:
        query = query.where(Deadline.ref_id == ref_id)
    return query.execute()


def move_step(case: Case, step: str, due_on: date) -> int:
    return (Deadline.update(due_on=due_on)
            .where((Deadline.case == case) & (Deadline.step == step) & Deadline.closed_at.is_null())
            .execute())


def refresh_next_due(case: Case) -> None:
    """Set the case's mirror of its earliest open deadline (saved with the case)."""
    row = (Deadline.select(Deadline.due_on, Deadline.step)
           .where((Deadline.case == case) & Deadline.closed_at.is_null())
           .order_by(Deadline.due_on, Deadline.id).first())
    case.next_due_on = row.due_on if row else None
    case.next_due_step = row.step if row else None


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as a screen shows it."""

    id: int
    step: str
    label: str
    due_on: date
    done: bool
    countdown: Countdown
    agency: str | None = None

    @property
    def overdue(self) -> bool:
        return self.countdown.overdue


def view(row: Deadline, today: date, calendar: WorkingCalendar) -> DeadlineView:
    """The row as a screen shows it, its label worded from its step rather than read from the row."""
    done = row.closed_at is not None
    agency_label = context.policy().agency_label(row.agency) if row.agency else None
    return DeadlineView(
        id=row.id, step=row.step, label=step_label(row.step, agency_label), due_on=row.due_on, done=done,
        countdown=countdown(row.due_on, today, calendar, done=done), agency=row.agency,
    )
