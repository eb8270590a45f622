"""Working days and calendar arithmetic the deadlines and the threshold are counted in.

Bank holidays come from the `holidays` package for the policy's nation, plus the policy's own
office closures. Month arithmetic clamps to the month's end (31 Aug − 6 months = 28/29 Feb).
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from caseworker_tui.services.words import plural

if TYPE_CHECKING:
    from caseworker_tui.services.policy import Policy


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class WorkingCalendar:
    """Which days the partnership works; imports `holidays` only when first asked."""

    def __init__(self, country: str = "GB", subdivision: str | None = "ENG",
                 closures: tuple[date, ...] | list[date] = ()) -> None:
        self.country = country
        self.subdivision = subdivision
        self.closures = frozenset(closures)

    @classmethod
    def for_policy(cls, policy: Policy) -> WorkingCalendar:
        cal = policy.calendar
        return cls(cal.country, cal.subdivision, cal.office_closures)

    @cached_property
    def _holidays(self):
        import holidays  # deferred: it costs start-up time the first screen does not need

        return holidays.country_holidays(self.country, subdiv=self.subdivision)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays and day not in self.closures

    def holiday_name(self, day: date) -> str | None:
        if day in self.closures:
            return "office closed"
        return self._holidays.get(day)

    def add_working_days(self, day: date, count: int) -> date:
        """Step to the next working day `count` times, whatever `day` itself is."""
        for _ in range(count):
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count




class CountdownState(StrEnum):
    """Where a step stands today: what screens style a countdown by, never by its words."""

    DUE_TODAY = "due_today"
    LEFT = "left"
    OVERDUE = "overdue"
    DONE = "done"


@dataclass(frozen=True)
class Countdown:
    """How long a step has left, or how late it is, as of one day."""

    state: CountdownState
    days: int  # calendar days left, or overdue by; 0 on the day and once done
    working_days: int | None = None  # working days left, when a calendar counted them

    @property
    def overdue(self) -> bool:
        return self.state is CountdownState.OVERDUE

    @property
    def short(self) -> str:
        """The list form: "3 days left", "due today", "overdue by 4 days"."""
        if self.state is CountdownState.LEFT:
            return f"{plural(self.days, 'day')} left"
        if self.state is CountdownState.OVERDUE:
            return f"overdue by {plural(self.days, 'day')}"
        return "due today" if self.state is CountdownState.DUE_TODAY else "done"

    @property
    def words(self) -> str:
        """The long form, which counts working days too: "3 days left (2 working days)"."""
        if self.state is CountdownState.LEFT and self.working_days is not None:
            return f"{self.short} ({plural(self.working_days, 'working day')})"
        return self.short


def countdown(due: date, today: date, calendar: WorkingCalendar | None, done: bool = False) -> Countdown:
    """Where a step due on `due` stands on `today`.

    Without a calendar a future step counts calendar days only: lists that have room for no more
    need not read the policy, nor load the bank-holiday tables, before their first page."""
    if done:
        return Countdown(CountdownState.DONE, 0)
    if due == today:
        return Countdown(CountdownState.DUE_TODAY, 0)
    if due < today:
        return Countdown(CountdownState.OVERDUE, (today - due).days)
    working = calendar.working_days_between(today, due) if calendar is not None else None
    return Countdown(CountdownState.LEFT, (due - today).days, working)
