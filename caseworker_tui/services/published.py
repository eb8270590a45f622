"""The figures as partnerships publish them: reporting years side by side, with a note for each.

The four counts s.104(10) requires come first, then the partnership's own measures, then each
year's note, written by a supervisor. The Markdown and CSV are the publishable page and table:
counts and the notes only, nothing that identifies a person or a case, so a note naming an
applicant or a reference is refused when written. Publishing them (exporting the page or the
table, or marking the years published) is recorded, so a supervisor is reminded when 12 months
have passed since the last publication: s.104(10) asks for them at intervals of no more than that.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from peewee import fn
from pydantic import BaseModel, ConfigDict

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import Case, FiguresNote, FiguresPublication
from caseworker_tui.services import audit, clock, context, csv_cells, private_files, stats
from caseworker_tui.services.application import CHANNELS
from caseworker_tui.services.calendar import add_months
from caseworker_tui.services.deadline_steps import published_steps
from caseworker_tui.services.names import name_key
from caseworker_tui.services.permissions import Actor, allowed, require
from caseworker_tui.services.unit import reading, transaction
from caseworker_tui.services.words import long_date

MAX_YEARS = 10  # side by side; more would not fit a page
NOTE_LENGTH = 1000
NOT_RECORDED = "not recorded"  # a measure the app holds no data for yet: said, never invented
NOT_HELD = "not held"  # a year that ended before the first request the app holds: its work was recorded elsewhere
STATUTORY = {
    "received": "Applications received",
    "threshold_not_met": "Times the threshold was found not met",
    "reviews_carried_out": "Case reviews carried out",
    "reviews_with_recommendations": "Reviews resulting in recommendations",
}
OWN = {
    "accepted": "Accepted for a case review",
    "declined_other_grounds": "Declined on other grounds",
    "withdrawn": "Withdrawn",
    "appeals_lodged": "Appeals lodged",
    "appeals_upheld": "Appeals upheld",
    "victim_took_part": "Victim attended or took part (reviews)",
}
UNRECORDED = {"independent_chair": "Reviews chaired independently"}  # whether a chair is independent is not held
PUBLISH_WAYS = ("md", "csv", "files", "marked")

Value = int | str


@dataclass(frozen=True)
class Row:
    """One measure across the years shown: `values` in the order of the years."""

    key: str
    label: str
    values: list[Value]


class Published(BaseModel):
    """The years shown side by side, oldest first, with each year's note."""

    model_config = ConfigDict(frozen=True)

    partnership: str
    as_at: date
    years: list[stats.YearFigures]
    notes: dict[int, str]
    records_from: date | None = None  # the day the earliest request held was received

    def held(self, year: stats.YearFigures) -> bool:
        """Whether the app holds the year's work: a year that ended before its first request (or, with
        none yet, before today) does not, and shows "not held" rather than a zero a reader would take
        as none."""
        return year.period.last_day >= (self.records_from or self.as_at)

    @property
    def span(self) -> str:
        first, last = self.years[0].period.label, self.years[-1].period.label
        return first if first == last else f"{first} to {last}"

    @property
    def title(self) -> str:
        return f"{self.partnership}: Community Trigger (ASB Case Review) figures {self.span}"

    def note(self, year: int) -> str:
        return self.notes.get(year, "")


def published(actor: Actor, first: int | None = None, last: int | None = None) -> Published:
    """The reporting years `first` to `last` (default: the current one), side by side."""
    last = stats.current_year() if last is None else last
    first = last if first is None else first
    if first > last:
        raise InvalidInput(f"years: the first year ({first}) is after the last ({last})", "years")
    if last - first >= MAX_YEARS:
        raise InvalidInput(f"years: at most {MAX_YEARS} years side by side", "years")
    years = [stats.figures(actor, year) for year in range(first, last + 1)]
    with reading():
        notes = {n.year: n.text for n in FiguresNote.select().where(FiguresNote.year.between(first, last))}
        earliest = Case.select(fn.MIN(Case.received_at)).scalar()
    return Published(partnership=context.policy().partnership.name, as_at=clock.today(), years=years, notes=notes,
                     records_from=_as_date(earliest))


def _as_date(value: date | datetime | str | None) -> date | None:
    """MIN over a timestamp: a datetime, or on SQLite its text."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    return datetime.fromisoformat(str(value)).date()


# --- the rows -----------------------------------------------------------------------------------

def _held_only(result: Published, rows: list[Row]) -> list[Row]:
    """Each row with "not held" in the years the app holds no work for."""
    held = [result.held(y) for y in result.years]
    return [Row(r.key, r.label, [v if h else NOT_HELD for v, h in zip(r.values, held, strict=True)]) for r in rows]


def statutory_rows(result: Published) -> list[Row]:
    return _held_only(result, [Row(key, label, [getattr(y.public, key) for y in result.years])
                               for key, label in STATUTORY.items()])


def own_rows(result: Published) -> list[Row]:
    """The partnership's own published measures: the counts, timeliness, and the ways of applying."""
    rows = [Row(key, label, [getattr(y.public, key) for y in result.years]) for key, label in OWN.items()]
    rows += [Row(key, label, [NOT_RECORDED] * len(result.years)) for key, label in UNRECORDED.items()]
    for step in published_steps():
        measures = [next(m for m in y.on_time if m.step == step) for y in result.years]
        rows.append(Row(f"on_time_{step}", measures[0].label, [m.describe() for m in measures]))
    for key, words in CHANNELS.items():
        rows.append(Row(f"channel_{key}", f"Applications by {words.lower()}", [y.by_channel[key] for y in result.years]))
    rows.append(Row(f"channel_{stats.NOT_RECORDED}", "Applications, way not recorded",
                    [y.by_channel[stats.NOT_RECORDED] for y in result.years]))
    return _held_only(result, rows)


def performance_rows(result: Published) -> list[Row]:
    """The partnership's working measures, for its own use: not published."""
    shown = set(published_steps())
    steps = [m.step for m in result.years[0].on_time if m.step not in shown]
    rows = [Row(f"on_time_{step}", next(m.label for m in result.years[0].on_time if m.step == step),
                [next(m for m in y.on_time if m.step == step).describe() for y in result.years]) for step in steps]
    rows.append(Row("median_days_to_decision", "Median days, receipt to decision",
                    [_days(y.median_days_to_decision) for y in result.years]))
    rows.append(Row("median_days_to_outcome", "Median days, acceptance to approval",
                    [_days(y.median_days_to_outcome) for y in result.years]))
    rows.append(Row("recommendations_overdue", "Open recommendations overdue",
                    [y.recommendations_overdue for y in result.years]))
    return _held_only(result, rows)


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


# --- notes --------------------------------------------------------------------------------------

def set_note(actor: Actor, year: int, text: str) -> str:
    """Write the note published beside `year`'s figures (empty removes it); return it as kept."""
    require(actor, "publish_figures")
    stats.reporting_year(year)
    text = " ".join(str(text).split())  # one paragraph: it is a table's cell
    if "\x00" in text:
        raise InvalidInput("note: contains a NUL character", "note")
    if len(text) > NOTE_LENGTH:
        raise InvalidInput(f"note: at most {NOTE_LENGTH} characters, not {len(text)}", "note")
    with transaction():
        _refuse_identifying(text)
        FiguresNote.delete().where(FiguresNote.year == year).execute()
        if text:
            FiguresNote.create(year=year, text=text, updated_by=actor.username, updated_at=clock.now())
        audit.record(None, actor, "figures_note", year=year, length=len(text))
    return text


def _refuse_identifying(text: str) -> None:
    """A note is published: it may not name a case's reference or an applicant."""
    if not text:
        return
    words = f" {_words(text)} "
    if re.search(r"\bct-\d{4}-\d+\b", words):
        raise InvalidInput("note: the figures are published, so a note cannot give a case reference", "note")
    names = Case.select(Case.applicant_name).where(fn.LENGTH(Case.applicant_name) >= 4).distinct()
    for (name,) in names.tuples().iterator():
        key = _words(name)
        if key and f" {key} " in words:
            raise InvalidInput("note: the figures are published, so a note cannot name an applicant", "note")
    references = Case.select(Case.reference).tuples().iterator()
    if any(f" {name_key(ref)} " in words for (ref,) in references):
        raise InvalidInput("note: the figures are published, so a note cannot give a case reference", "note")


def _words(text: str) -> str:
    """Text as names compare, its punctuation (but a reference's '-' and '/') read as spaces."""
    return name_key(re.sub(r"[^\w/-]+", " ", text))


# --- publishing and the reminder -----------------------------------------------------------------

def record_publication(actor: Actor, result: Published, how: str) -> None:
    """The years were published (`how`: md, csv, files, or marked by hand)."""
    require(actor, "view_stats")
    if how not in PUBLISH_WAYS:
        raise InvalidInput(f"how: must be one of {', '.join(PUBLISH_WAYS)}", "how")
    first, last = result.years[0].period.year, result.years[-1].period.year
    with transaction():
        FiguresPublication.create(at=clock.now(), by=actor.username, first_year=first, last_year=last, how=how)
        audit.record(None, actor, "publish_figures", first_year=first, last_year=last, how=how)


def mark_published(actor: Actor, result: Published) -> None:
    """A supervisor says the figures shown have been published (on the website, say)."""
    require(actor, "publish_figures")
    record_publication(actor, result, "marked")


def last_published() -> datetime | None:
    with reading():
        return FiguresPublication.select(fn.MAX(FiguresPublication.at)).scalar()


def reminder(actor: Actor) -> str | None:
    """For a supervisor, once 12 months have passed since the figures were last published (or,
    never published, since the first reporting year with a request began): what is due."""
    if not allowed(actor, "publish_figures"):
        return None
    with reading():
        last = FiguresPublication.select(fn.MAX(FiguresPublication.at)).scalar()
        first_request = Case.select(fn.MIN(Case.received_at)).scalar()
    today = clock.today()
    if last is not None:
        since = stats._as_date(last)
        due = add_months(since, 12)
        said = f"were last published on {long_date(since)}"
    elif first_request is not None:
        due = add_months(stats.reporting_year(stats.year_of(stats._as_date(first_request))).first_day, 12)
        said = "have not been published yet"
    else:
        return None
    if today < due:
        return None
    return (f"The yearly figures {said}: s.104(10) asks for them at least every 12 months, so they have "
            f"been due since {long_date(due)}. Export them from the figures screen (F7), or mark them published.")


# --- renderings ----------------------------------------------------------------------------------

def _period_words(result: Published) -> str:
    first = result.years[0].period
    start = f"{first.first_day.day} {first.first_day:%B}"
    end = f"{first.last_day.day} {first.last_day:%B}"
    words = (f"Each reporting year runs from {start} to {end}. Applications are counted in the year they were "
             "received; decisions and reviews in the year they were made. Every decision that the threshold "
             "was not met is counted, including one later overturned on appeal.")
    if not all(result.held(y) for y in result.years):
        since = f" begin on {long_date(result.records_from)}" if result.records_from else " hold no request yet"
        words += f" The records these figures come from{since}: a year before that shows \"{NOT_HELD}\"."
    return words


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def render_markdown(result: Published) -> str:
    """The publishable page: a title, the period, the counts side by side, the notes."""
    labels = [y.period.label for y in result.years]
    head = ["| Measure | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]

    def table(rows: list[Row]) -> list[str]:
        return [*head, *[f"| {r.label} | " + " | ".join(str(v) for v in r.values) + " |" for r in rows]]

    lines = [f"# {_cell(result.title)}", "", _period_words(result) + f" Figures as at {long_date(result.as_at)}.",
             "", "## Statutory figures (s.104(10) of the Anti-social Behaviour, Crime and Policing Act 2014)", "",
             *table(statutory_rows(result)), "", "## The partnership's own measures", "",
             *table(own_rows(result)), "", "## Notes", ""]
    notes = [f"- **{y.period.label}**: {_cell(result.note(y.period.year))}"
             for y in result.years if result.note(y.period.year)]
    lines += notes or ["None."]
    lines += ["", "No information that could identify an applicant or a case is published.", ""]
    return "\n".join(lines)


def render_csv(result: Published) -> str:
    """The publishable table: a title row, the years as columns, one measure a row, the notes last."""
    out = io.StringIO()
    writer = csv_cells.writer(out)  # the partnership's name comes from the policy file, the notes from typing
    writer.writerow(["Community Trigger (ASB Case Review)", f"{result.partnership} {result.span}"])
    writer.writerow(["Measure", *[y.period.label for y in result.years]])
    writer.writerows([r.label, *r.values] for r in [*statutory_rows(result), *own_rows(result)])
    writer.writerow(["Notes", *[result.note(y.period.year) for y in result.years]])
    return out.getvalue()


def render_table(result: Published) -> str:
    """Everything, for a person at a terminal: the published measures and the working ones."""
    sections = [("Statutory figures", statutory_rows(result)), ("The partnership's own measures", own_rows(result)),
                ("Performance (not published)", performance_rows(result))]
    rows = [r for _, part in sections for r in part]
    width = max(len(r.label) for r in rows) + 2
    column = max(len(str(v)) for r in rows for v in r.values) + 2
    labels = [y.period.label for y in result.years]
    lines = [result.title, " ".join(_period_words(result).split(". ")[:1]) + f". Figures as at {long_date(result.as_at)}.",
             "", " " * (width + 2) + "".join(f"{label:>{column}}" for label in labels)]
    for heading, part in sections:
        lines += ["", heading]
        lines += [f"  {r.label:<{width}}" + "".join(f"{v!s:>{column}}" for v in r.values) for r in part]
    notes = [f"  {y.period.label}: {result.note(y.period.year)}" for y in result.years if result.note(y.period.year)]
    lines += ["", "Notes", *(notes or ["  none"])]
    return "\n".join(lines)


def render_json(result: Published) -> str:
    return json.dumps(result.model_dump(mode="json"), indent=2)


def export_stem(result: Published) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", result.partnership.casefold()).strip("-")
    first, last = result.years[0].period.label, result.years[-1].period.label
    span = first if first == last else f"{first}-to-{last}"
    return f"{slug}-community-trigger-{span.replace('/', '-')}"


def export(actor: Actor, result: Published, folder: Path) -> list[Path]:
    """Write the publishable Markdown and CSV files into `folder`, record the publication, and
    return their paths."""
    folder = Path(folder)
    try:
        private_files.make_folder(folder)
        stem = export_stem(result)
        markdown, table = folder / f"{stem}.md", folder / f"{stem}.csv"
        # The owner's alone until they publish them: a draft year is not yet for other accounts.
        private_files.write_text(markdown, render_markdown(result))
        private_files.write_text(table, render_csv(result))
    except OSError as exc:
        raise InvalidInput(f"export folder: cannot write to {folder}: {exc.strerror}", "export_dir") from None
    record_publication(actor, result, "files")
    return [markdown, table]
