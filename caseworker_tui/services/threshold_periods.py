"""The threshold's periods in months, under either convention a policy may choose.

`inclusive` reads Leicester's "within one month of" literally: a period of N months from a day
ends on the same day N months later (clamped to a shorter month's end). `statute` reads
s.104(11)'s "period of N months beginning with the date": the first day counts, so the period
ends the day before the corresponding date; where the month has no corresponding date (one
month beginning with 31 Jan) it ends on that month's last day (28/29 Feb).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

from caseworker_tui.services.calendar import add_months

Convention = Literal["inclusive", "statute"]


def period_end(start: date, months: int, convention: Convention) -> date:
    """The last day of the period of `months` months from (or beginning with) `start`."""
    moved = add_months(start, months)
    if convention == "inclusive":
        return moved
    if moved.day < start.day:  # clamped: the month has no corresponding date
        return moved
    return moved - timedelta(days=1)


def earliest_start(end: date, months: int, convention: Convention) -> date:
    """The first day a report may have been made for a request on `end` to look back to it.

    `inclusive` counts back: `end` − N months. `statute` counts forward from the report, as the
    Act does ("N months beginning with the date on which the complaint is made"): the first day
    whose period still reaches `end`. `period_end` never goes back as its start moves on, so that
    day and every later one qualify and no earlier day does; the verdict states this one date.
    """
    back = add_months(end, -months)
    if convention == "inclusive":
        return back
    day = back - timedelta(days=7)
    while period_end(day, months, convention) < end:
        day += timedelta(days=1)
    return day


def month_name_day(day: date) -> str:
    """"28 February 2026": a date as a letter writes it."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"
