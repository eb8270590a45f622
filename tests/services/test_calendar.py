"""Working days, month arithmetic and the countdown words, from DOMAIN.md's timescales."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseworker_tui.services.calendar import (
    Countdown,
    CountdownState,
    WorkingCalendar,
    add_months,
    countdown,
)
from caseworker_tui.services.deadlines import first_deadlines
from caseworker_tui.services.policy import load_policy

POLICY = load_policy()
ENGLAND = WorkingCalendar.for_policy(POLICY)


def test_the_worked_example_christmas_2026():
    """Received Thu 24 Dec 2026: acknowledge by Tue 29 Dec (25th, weekend, substitute Boxing Day)."""
    due = first_deadlines(date(2026, 12, 24), POLICY, ENGLAND)
    assert due.acknowledge_by == date(2026, 12, 29)
    assert due.decide_by == date(2027, 1, 7)


@pytest.mark.parametrize(("day", "name"), [
    (date(2026, 12, 25), "Christmas"),
    (date(2026, 12, 28), "Boxing Day"),
    (date(2027, 3, 26), "Good Friday"),
    (date(2027, 3, 29), "Easter Monday"),
])
def test_bank_holidays_of_england_are_not_working_days(day, name):
    assert not ENGLAND.is_working_day(day)
    assert name in ENGLAND.holiday_name(day)


@pytest.mark.parametrize(("start", "count", "expected"), [
    (date(2026, 11, 25), 1, date(2026, 11, 26)),   # Wed -> Thu
    (date(2026, 11, 27), 1, date(2026, 11, 30)),   # Fri -> Mon, over the weekend
    (date(2026, 11, 25), 5, date(2026, 12, 2)),    # a working week
    (date(2026, 11, 28), 1, date(2026, 11, 30)),   # starting on a Saturday
    (date(2026, 11, 29), 1, date(2026, 11, 30)),   # starting on a Sunday
    (date(2026, 12, 25), 1, date(2026, 12, 29)),   # starting on Christmas Day
    (date(2026, 12, 23), 2, date(2026, 12, 29)),   # across Christmas
    (date(2026, 12, 31), 1, date(2027, 1, 4)),     # New Year's Day (Fri 1 Jan 2027), then the weekend
    (date(2027, 3, 25), 1, date(2027, 3, 30)),     # Easter: Good Friday to Easter Monday
    (date(2027, 3, 26), 1, date(2027, 3, 30)),     # starting on Good Friday
    (date(2026, 11, 25), 0, date(2026, 11, 25)),
])
def test_add_working_days(start, count, expected):
    assert ENGLAND.add_working_days(start, count) == expected


def test_office_closures_come_from_the_policy():
    closures = [date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)]
    policy = POLICY.model_copy(update={"calendar": POLICY.calendar.model_copy(update={"office_closures": closures})})
    closed = WorkingCalendar.for_policy(policy)
    assert closed.add_working_days(date(2026, 12, 24), 1) == date(2027, 1, 4)
    assert closed.holiday_name(date(2026, 12, 30)) == "office closed"
    assert first_deadlines(date(2026, 12, 24), policy, closed).acknowledge_by == date(2027, 1, 4)


def test_the_nation_is_policy():
    """St Andrew's Day (30 Nov) is a bank holiday in Scotland, not in England."""
    scotland = WorkingCalendar("GB", "SCT")
    assert ENGLAND.is_working_day(date(2026, 11, 30))
    assert not scotland.is_working_day(date(2026, 11, 30))


@given(start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
       count=st.integers(min_value=1, max_value=30))
@settings(max_examples=150, deadline=None)
def test_n_working_days_later_is_a_working_day_n_working_days_away(start, count):
    end = ENGLAND.add_working_days(start, count)
    assert ENGLAND.is_working_day(end)
    assert ENGLAND.working_days_between(start, end) == count
    assert ENGLAND.working_days_between(start, end - timedelta(days=1)) == count - 1


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 8, 31), -6, date(2026, 2, 28)),
    (date(2028, 8, 31), -6, date(2028, 2, 29)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 10, 1), 1, date(2026, 11, 1)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2027, 1, 15), -2, date(2026, 11, 15)),
    (date(2026, 5, 20), 0, date(2026, 5, 20)),
    (date(2026, 12, 31), 12, date(2027, 12, 31)),
])
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(("due", "today", "words"), [
    (date(2026, 11, 25), date(2026, 11, 25), "due today"),
    (date(2026, 11, 28), date(2026, 11, 25), "3 days left (2 working days)"),   # Wed -> Sat
    (date(2026, 11, 26), date(2026, 11, 25), "1 day left (1 working day)"),
    (date(2026, 11, 21), date(2026, 11, 25), "overdue by 4 days"),
    (date(2026, 11, 24), date(2026, 11, 25), "overdue by 1 day"),
])
def test_countdown_words(due, today, words):
    assert countdown(due, today, ENGLAND).words == words


def test_a_step_that_is_done_is_not_overdue():
    assert countdown(date(2026, 11, 1), date(2026, 11, 25), ENGLAND, done=True).words == "done"


def test_a_countdown_without_working_days_counts_calendar_days_only():
    assert countdown(date(2026, 12, 24), date(2026, 12, 21), None).words == "3 days left"
    assert countdown(date(2026, 12, 22), date(2026, 12, 21), None).words == "1 day left"
    assert countdown(date(2026, 12, 20), date(2026, 12, 21), None).words == "overdue by 1 day"


@pytest.mark.parametrize(("due", "today", "expected", "short"), [
    (date(2026, 11, 25), date(2026, 11, 25), Countdown(CountdownState.DUE_TODAY, 0), "due today"),
    (date(2026, 11, 28), date(2026, 11, 25), Countdown(CountdownState.LEFT, 3, 2), "3 days left"),
    (date(2026, 11, 21), date(2026, 11, 25), Countdown(CountdownState.OVERDUE, 4), "overdue by 4 days"),
])
def test_a_countdown_says_where_the_step_stands_and_its_list_form(due, today, expected, short):
    found = countdown(due, today, ENGLAND)
    assert found == expected
    assert found.short == short
