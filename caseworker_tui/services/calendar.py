"""Working days and calendar arithmetic the deadlines and the threshold are counted in.

Bank holidays come from the `holidays` package for the policy's nation, plus the policy's own
office closures. Month arithmetic clamps to the month's end (31 Aug − 6 months = 28/29 Feb).
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

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


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def countdown(due: date, today: date, calendar: WorkingCalendar | None, done: bool = False) -> str:
    """The words a countdown reads: "due today", "3 days left (2 working days)", "overdue by 4 days".

    Without a calendar a future step reads "3 days left": lists that have room for no more need
    not read the policy, nor load the bank-holiday tables, before their first page."""
    if done:
        return "done"
    if due == today:
        return "due today"
    if due < today:
        return f"overdue by {_plural((today - due).days, 'day')}"
    days = (due - today).days
    if calendar is None:
        return f"{_plural(days, 'day')} left"
    working = calendar.working_days_between(today, due)
    return f"{_plural(days, 'day')} left ({_plural(working, 'working day')})"
