"""The yearly public figures and the performance measures behind them.

The Act requires each partnership to publish counts, never anything that identifies a person,
so the figures are built from aggregates only: no query in this module reads a name, an address
or a reference (`services/published.py` sets years side by side and renders them). A request
counts in the reporting year it was received; a decision, a review or an appeal in the year it
was made, and every decision that the threshold was not met counts, even one later overturned on
appeal (s.104(10): "the number of times"). Every figure is an aggregate computed in the
database, so a year costs the same few queries whether it holds forty cases or a hundred thousand.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime
from itertools import chain, repeat

from peewee import SQL, Cast, fn
from peewee import Case as When
from pydantic import BaseModel, ConfigDict, computed_field

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import (
    Appeal,
    Case,
    Deadline,
    Recommendation,
    Review,
    ThresholdDecision,
    is_postgres,
)
from caseworker_tui.services import clock, context
from caseworker_tui.services.application import CHANNELS
from caseworker_tui.services.deadline_steps import measured_steps
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.unit import reading

FIRST_YEAR, LAST_YEAR = 1900, 9998

NOT_RECORDED = "not_recorded"  # the channel of a request received before channels were recorded
# The ways of taking part in a review that count as the victim attending or taking part.
TOOK_PART = ("in_person", "virtual", "written_statement", "advocate")

# The deadline steps whose timeliness is measured, and the words for each measure.
ON_TIME_STEPS = measured_steps()  # the deadline steps table says which steps are measured


class _Figures(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReportingYear(_Figures):
    """A reporting year: `year` is the calendar year it starts in."""

    year: int
    label: str
    first_day: date
    last_day: date


class PublicFigures(_Figures):
    """What the partnership publishes: counts only."""

    received: int = 0
    threshold_not_met: int = 0  # every such decision made in the year, overturned or not
    declined_other_grounds: int = 0
    accepted: int = 0
    reviews_carried_out: int = 0
    reviews_with_recommendations: int = 0
    withdrawn: int = 0
    appeals_lodged: int = 0
    appeals_upheld: int = 0
    victim_took_part: int = 0  # reviews carried out the victim attended or took part in


class OnTime(_Figures):
    """How many requests finished a step by its due date; steps not yet due are left out."""

    step: str
    label: str
    on_time: int
    late: int

    @computed_field
    @property
    def share(self) -> float | None:
        counted = self.on_time + self.late
        return self.on_time / counted if counted else None

    def describe(self) -> str:
        if self.share is None:
            return "none due yet"
        return f"{self.on_time} of {self.on_time + self.late} ({self.share:.0%})"


class MonthCount(_Figures):
    month: date
    label: str
    requests: int


class YearFigures(_Figures):
    """One reporting year: the public counts and the partnership's own performance measures."""

    partnership: str
    period: ReportingYear
    as_at: date
    public: PublicFigures
    on_time: list[OnTime]
    median_days_to_decision: float | None  # receipt to the latest threshold decision
    median_days_to_outcome: float | None  # acceptance to the chair's approval of the outcome
    per_month: list[MonthCount]
    recommendations_overdue: int
    by_channel: dict[str, int] = {}  # requests received by each of application.CHANNELS, and NOT_RECORDED

    @property
    def title(self) -> str:
        return f"{self.partnership}: Community Trigger (ASB Case Review) figures {self.period.label}"


# --- reporting years ---------------------------------------------------------------------------

def reporting_year(year: int) -> ReportingYear:
    """The reporting year starting in `year`, in the policy's first month."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"year: must be between {FIRST_YEAR} and {LAST_YEAR}, not {year}", "year")
    month = context.policy().reporting.year_start_month
    first = date(year, month, 1)
    following = date(year + 1, month, 1)
    label = str(year) if month == 1 else f"{year}/{(year + 1) % 100:02d}"
    return ReportingYear(year=year, label=label, first_day=first,
                         last_day=date.fromordinal(following.toordinal() - 1))


def year_of(day: date) -> int:
    """The reporting year (by its first calendar year) that `day` falls in."""
    month = context.policy().reporting.year_start_month
    return day.year if day.month >= month else day.year - 1


def current_year() -> int:
    return year_of(clock.today())


def available_years(actor: Actor) -> list[ReportingYear]:
    """Every reporting year from the first request received to today's, newest first."""
    require(actor, "view_stats")
    with reading():
        first, last = Case.select(fn.MIN(Case.received_at), fn.MAX(Case.received_at)).tuples().get()
    years = {current_year()}
    if first is not None:
        years.update(range(year_of(_as_date(first)), year_of(_as_date(last)) + 1))
    return [reporting_year(year) for year in sorted(years, reverse=True)]


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- the figures -------------------------------------------------------------------------------

def _day(column):
    """The calendar day of a timestamp; SQLite stores it as text starting YYYY-MM-DD."""
    return fn.DATE(column) if is_postgres() else fn.SUBSTR(column, 1, 10)


def _days(start, end):
    """Whole days from `start` to `end` (dates or timestamps), in the database's own dialect."""
    if is_postgres():
        return fn.DATE(end) - fn.DATE(start)
    return Cast(fn.julianday(_day(end)) - fn.julianday(_day(start)), "INTEGER")


def _month(column):
    if is_postgres():
        return Cast(fn.date_part(SQL("'month'"), column), "INTEGER")
    return Cast(fn.SUBSTR(column, 6, 2), "INTEGER")


def _count_if(condition):
    return fn.COALESCE(fn.SUM(When(None, [(condition, 1)], 0)), 0)


def _median(histogram: list[tuple[int, int]]) -> float | None:
    """The median of a distribution the database returned as (value, how many) pairs."""
    values = list(chain.from_iterable(repeat(int(v), int(n)) for v, n in histogram if v is not None))
    return statistics.median(values) if values else None


def figures(actor: Actor, year: int | None = None) -> YearFigures:
    """The public counts and performance measures for one reporting year.

    A handful of aggregate queries, each one pass over the year's rows of one table (and, for
    the requests' own measures, the cases they belong to); nothing is read row by row into Python.
    """
    require(actor, "view_stats")
    period = reporting_year(current_year() if year is None else year)
    today = clock.today()
    start = datetime.combine(period.first_day, datetime.min.time())
    end = datetime.combine(date.fromordinal(period.last_day.toordinal() + 1), datetime.min.time())
    in_year = (Case.received_at >= start) & (Case.received_at < end)
    with reading():
        months = _received_by_month(in_year)
        channel = fn.COALESCE(Case.channel, NOT_RECORDED)
        by_channel = dict(Case.select(channel, fn.COUNT(Case.id)).where(in_year).group_by(channel).tuples())
        # Case rows are wide: the stage is read from its index, for the year's ids.
        withdrawn = Case.select(fn.COUNT(Case.id)).where(
            (Case.stage == "withdrawn") & Case.id.in_(Case.select(Case.id).where(in_year))).scalar()
        decisions = _decisions_made(start, end)
        to_decision = _days_to_latest_decision(in_year)
        reviews, with_recommendations, took_part, to_outcome = _approved_reviews(start, end)
        lodged = Appeal.select(fn.COUNT(Appeal.id)).where(
            (Appeal.lodged_on >= period.first_day) & (Appeal.lodged_on <= period.last_day)).scalar()
        upheld = Appeal.select(fn.COUNT(Appeal.id)).where(
            (Appeal.upheld == True) & (Appeal.decided_on >= period.first_day)  # noqa: E712
            & (Appeal.decided_on <= period.last_day)).scalar()
        on_time = _on_time(in_year, today)
        overdue = (Recommendation.select(fn.COUNT(Recommendation.id)).join(Case)
                   .where(in_year & Recommendation.done_on.is_null() & (Recommendation.due_on < today))
                   .scalar())
    public = PublicFigures(
        received=sum(months.values()),
        threshold_not_met=decisions.get(("declined", "threshold_not_met"), 0),
        declined_other_grounds=sum(n for (decision, ground), n in decisions.items()
                                   if decision == "declined" and ground != "threshold_not_met"),
        accepted=sum(n for (decision, _), n in decisions.items() if decision == "accepted"),
        reviews_carried_out=reviews, reviews_with_recommendations=with_recommendations,
        withdrawn=withdrawn, appeals_lodged=lodged, appeals_upheld=upheld, victim_took_part=took_part,
    )
    return YearFigures(
        partnership=context.policy().partnership.name, period=period, as_at=today, public=public,
        on_time=on_time, median_days_to_decision=_median(to_decision),
        median_days_to_outcome=_median(to_outcome), per_month=_per_month(period, months),
        recommendations_overdue=overdue,
        by_channel={key: int(by_channel.get(key, 0)) for key in [*CHANNELS, NOT_RECORDED]},
    )


def _received_by_month(in_year) -> dict[int, int]:
    month = _month(Case.received_at)
    return {int(m): int(n) for m, n in
            Case.select(month, fn.COUNT(Case.id)).where(in_year).group_by(month).tuples()}


def _decisions_made(start: datetime, end: datetime) -> dict[tuple[str, str], int]:
    """How many threshold decisions of each (decision, ground) were made in the year: every one,
    so a decision later overturned on appeal still counts where it was made."""
    rows = (ThresholdDecision.select(ThresholdDecision.decision, ThresholdDecision.ground,
                                     fn.COUNT(ThresholdDecision.id))
            .where((ThresholdDecision.decided_at >= start) & (ThresholdDecision.decided_at < end))
            .group_by(ThresholdDecision.decision, ThresholdDecision.ground).tuples())
    return {(decision, ground): int(n) for decision, ground, n in rows}


def _days_to_latest_decision(in_year) -> list[tuple[int, int]]:
    """The days from receipt to each request's latest threshold decision, as a histogram."""
    later = ThresholdDecision.alias()
    superseded = fn.EXISTS(later.select(SQL("1")).where(
        (later.case == ThresholdDecision.case) & (later.id > ThresholdDecision.id)))
    days = _days(Case.received_at, ThresholdDecision.decided_at)
    return list(ThresholdDecision.select(days, fn.COUNT(ThresholdDecision.id))
                .join(Case).where(in_year & ~superseded).group_by(days).tuples())


def _approved_reviews(start: datetime, end: datetime) -> tuple[int, int, int, list[tuple[int, int]]]:
    """Reviews carried out in the year (the outcome approved), those with recommendations, those
    the victim attended or took part in, and the days from acceptance to approval, in one pass."""
    days = _days(Case.accepted_on, Review.approved_at)
    has_recommendations = fn.EXISTS(Recommendation.select(SQL("1")).where(Recommendation.case == Review.case))
    rows = list(Review.select(days, fn.COUNT(Review.id), _count_if(has_recommendations),
                              _count_if(Review.participation.in_(TOOK_PART))).join(Case)
                .where((Review.approved_at >= start) & (Review.approved_at < end)).group_by(days).tuples())
    return (sum(int(n) for _, n, _, _ in rows), sum(int(n) for _, _, n, _ in rows),
            sum(int(n) for *_, n in rows), [(value, n) for value, n, _, _ in rows])


def _on_time(in_year, today: date) -> list[OnTime]:
    """Each step owed of the measured kinds: done by its due date, done late, or still open late.

    A step still open and not yet due says nothing yet and is left out, as is a cancelled one
    (a withdrawn request owes nothing more). One row of sums, no grouping: no sort of every step.
    """
    done = Deadline.closed_how == "done"
    on_day = _day(Deadline.closed_at) <= Deadline.due_on
    late = (done & ~on_day) | (Deadline.closed_at.is_null() & (Deadline.due_on < today))
    columns = []
    for step in ON_TIME_STEPS:
        columns += [_count_if((Deadline.step == step) & done & on_day), _count_if((Deadline.step == step) & late)]
    counts = (Deadline.select(*columns).join(Case).where(in_year & Deadline.step.in_(list(ON_TIME_STEPS)))
              .tuples().get())
    return [OnTime(step=step, label=label, on_time=int(counts[2 * n]), late=int(counts[2 * n + 1]))
            for n, (step, label) in enumerate(ON_TIME_STEPS.items())]


def _per_month(period: ReportingYear, received: dict[int, int]) -> list[MonthCount]:
    result = []
    for n in range(12):
        index = period.first_day.month - 1 + n
        first = date(period.first_day.year + index // 12, index % 12 + 1, 1)
        result.append(MonthCount(month=first, label=first.strftime("%b %Y"), requests=received.get(first.month, 0)))
    return result
