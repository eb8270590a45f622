"""How dates and counts are written for people, in one place: screens, letters, the figures and the
command line all say "3 days" and "Friday 4 December 2026" the same way."""

from __future__ import annotations

from datetime import date


def plural(count: int, word: str) -> str:
    """3 days, 1 day: `word` with an s unless there is exactly one."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def long_date(day: date | None) -> str:
    """25 November 2026: the form letters and published pages use ("" for no date)."""
    return f"{day.day} {day:%B %Y}" if day else ""


def weekday_date(day: date | None) -> str:
    """Friday 4 December 2026: deadlines carry the weekday, so nobody has to look it up."""
    return f"{day:%A} {long_date(day)}" if day else ""
