"""The yearly figures as published: three reporting years side by side, each year's note, and two
charts of the latest year; supervisors write the notes and record a publication here."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Select, Static
from textual.worker import Worker, WorkerState
from textual_plotext import PlotextPlot

from caseworker_tui.dialogs.common import ConfirmDialog, TextDialog
from caseworker_tui.screens.base import ReportsWorkerErrors
from caseworker_tui.services import context, published, stats
from caseworker_tui.services.deadline_steps import chart_names
from caseworker_tui.services.permissions import Actor, allowed

# Short stage names for the chart's axis; the table carries the full words.
CHART_STEPS = chart_names()  # from the deadline steps table
SIDE_BY_SIDE = 3  # the year chosen and the two before it
CHARTS_FROM = 110  # columns: a narrower terminal gives the years' table the whole width


class StatsScreen(ReportsWorkerErrors, Screen[None]):
    """What the partnership publishes each year, and how it kept to its own timescales."""

    DEFAULT_CSS = """
    #stats-bar { height: auto; padding: 0 1; }
    #stats-bar Label { padding: 1 1 0 0; }
    #stats-year { width: 20; }
    #stats-status { width: 1fr; padding: 1 0 0 2; color: $text-muted; }
    #stats-reminder { padding: 0 1; color: $warning; height: auto; }
    #stats-body { height: 1fr; }
    #stats-table { width: 3fr; height: 1fr; }
    #stats-charts { width: 2fr; height: 1fr; }
    #stats-charts PlotextPlot { height: 1fr; }
    """

    BINDINGS = [
        Binding("e", "export", "Export .md and .csv", id="export_stats"),
        Binding("n", "note", "Year's note", id="note_stats"),
        Binding("p", "mark_published", "Mark published", id="mark_published"),
        Binding("f5", "reload", "Refresh", id="reload_stats"),
    ]

    class Loaded(Message):
        """The years side by side, the years to choose from and the reminder, read in a worker."""

        def __init__(self, years: list[stats.ReportingYear], shown: published.Published, reminder: str | None) -> None:
            super().__init__()
            self.years = years
            self.shown = shown
            self.reminder = reminder

    def __init__(self, actor: Actor, export_dir: Path) -> None:
        super().__init__()
        self.actor = actor
        self.export_dir = Path(export_dir)
        self.shown: published.Published | None = None
        self._asked_for: int | None = None  # the year last asked for, so its own Select.Changed loads nothing

    @property
    def figures(self) -> stats.YearFigures | None:
        """The latest year shown: the one chosen."""
        return self.shown.years[-1] if self.shown else None

    def compose(self) -> ComposeResult:
        current = stats.reporting_year(stats.current_year())
        yield Header()
        with Horizontal(id="stats-bar"):
            yield Label("Years up to")
            yield Select([(current.label, current.year)], value=current.year, allow_blank=False, id="stats-year")
            yield Static("Loading…", id="stats-status", markup=False)
        yield Static("", id="stats-reminder", markup=False)
        with Horizontal(id="stats-body"):
            yield DataTable(id="stats-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="stats-charts"):
                yield PlotextPlot(id="per-month")
                yield PlotextPlot(id="on-time")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Public figures · {context.policy().partnership.name}"
        self.query_one("#stats-reminder").display = False
        self.query_one("#stats-table", DataTable).focus()
        self.reload()

    def on_resize(self) -> None:
        self.query_one("#stats-charts").display = self.size.width >= CHARTS_FROM

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("note", "mark_published"):
            if not allowed(self.actor, "publish_figures"):
                return False  # a supervisor's: not offered to others
            return self.shown is not None or None
        if action == "export":
            return self.shown is not None or None  # greyed out until the years are shown
        return True

    # --- loading -------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        year = self.query_one("#stats-year", Select).value
        self._asked_for = year if isinstance(year, int) else None
        self.query_one("#stats-body").loading = True
        self.query_one("#stats-status", Static).update("Loading…")
        self._load(self._asked_for)

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _load(self, year: int | None) -> None:
        years = stats.available_years(self.actor)
        last = stats.current_year() if year is None else year
        first = max(last - SIDE_BY_SIDE + 1, min(y.year for y in years))
        shown = published.published(self.actor, min(first, last), last)
        self.post_message(self.Loaded(years, shown, published.reminder(self.actor)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        shown = self.shown = message.shown
        latest = shown.years[-1]
        select = self.query_one("#stats-year", Select)
        with self.prevent(Select.Changed):
            select.set_options([(y.label, y.year) for y in message.years])
            select.value = latest.period.year
        self._fill_table(shown)
        self._draw_charts(latest)
        self.query_one("#stats-body").loading = False
        self.query_one("#stats-status", Static).update(f"{shown.span} · as at {shown.as_at:%d %b %Y}")
        reminder = self.query_one("#stats-reminder", Static)
        reminder.update(message.reminder or "")
        reminder.display = bool(message.reminder)
        self.refresh_bindings()

    def _fill_table(self, shown: published.Published) -> None:
        table = self.query_one("#stats-table", DataTable)
        table.clear(columns=True)
        table.add_columns("Measure", *[y.period.label for y in shown.years])
        blank = [""] * len(shown.years)
        sections = [("Statutory figures (s.104(10))", published.statutory_rows(shown)),
                    ("The partnership's own measures", published.own_rows(shown)),
                    ("Performance (not published)", published.performance_rows(shown))]
        for n, (heading, rows) in enumerate(sections):
            if n:
                table.add_row("", *blank, key=f"gap-{n}")
            table.add_row(heading, *blank, key=f"section-{n}")
            for row in rows:
                table.add_row(row.label, *[str(v) for v in row.values], key=row.key)
        table.add_row("", *blank, key="gap-notes")
        table.add_row("Notes", *[shown.note(y.period.year) or "—" for y in shown.years], key="notes")

    def _draw_charts(self, figures: stats.YearFigures) -> None:
        months = self.query_one("#per-month", PlotextPlot)
        months.plt.clear_figure()
        months.plt.title(f"Requests received per month, {figures.period.label}")
        counts = [m.requests for m in figures.per_month]
        names = [m.month.strftime("%b") for m in figures.per_month]
        months.plt.bar(names, counts, width=0.6)
        # Every other month named, chosen here: left to the chart, which ticks it shows varies per drawing.
        months.plt.xticks(list(range(1, len(names) + 1, 2)), names[::2])
        months.plt.yticks(list(range(0, max(counts) + 1, max(1, -(-max(counts) // 5)))))  # whole requests
        months.refresh()
        shares = self.query_one("#on-time", PlotextPlot)
        shares.plt.clear_figure()
        shares.plt.title("Steps done on time, % of those due, by stage")
        shares.plt.bar([CHART_STEPS[m.step] + (" (none due)" if m.share is None else "") for m in figures.on_time],
                       [round((m.share or 0) * 100) for m in figures.on_time], width=0.6)
        shares.plt.ylim(0, 100)
        shares.plt.yticks([0, 25, 50, 75, 100])
        shares.refresh()

    @on(Select.Changed, "#stats-year")
    def _year_changed(self, event: Select.Changed) -> None:
        if event.value != self._asked_for:  # the Select settling on the year being loaded asks nothing new
            self.reload()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Leave the loading state and say why; the app also turns the error into a notification."""
        if event.state == WorkerState.ERROR and event.worker.group == "stats":
            self.query_one("#stats-body").loading = False
            self.query_one("#stats-status", Static).update(f"Figures not shown: {event.worker.error}")

    # --- a year's note and publishing ------------------------------------------------------------

    def action_note(self) -> None:
        latest = self.figures
        if self.shown is None or latest is None or not allowed(self.actor, "publish_figures"):
            return
        year = latest.period.year
        self.app.push_screen(
            TextDialog(f"Note for {latest.period.label}", "Note (published beside the year's figures)",
                       initial=self.shown.note(year), required=False,
                       warning="It is published: no names, no references."),
            lambda text: None if text is None else self._save_note(year, text))

    @work(thread=True, exclusive=True, group="stats-note", exit_on_error=False)
    def _save_note(self, year: int, text: str) -> None:
        published.set_note(self.actor, year, text)
        self.app.call_from_thread(self.notify, f"Note for {stats.reporting_year(year).label} saved.")
        self.app.call_from_thread(self.reload)

    def action_mark_published(self) -> None:
        shown = self.shown
        if shown is None or not allowed(self.actor, "publish_figures"):
            return
        self.app.push_screen(ConfirmDialog(f"Record the figures {shown.span} as published today?", "Mark published"),
                             lambda yes: self._mark(shown) if yes else None)

    @work(thread=True, exclusive=True, group="stats-publish", exit_on_error=False)
    def _mark(self, shown: published.Published) -> None:
        published.mark_published(self.actor, shown)
        self.app.call_from_thread(self.notify, f"Figures {shown.span} recorded as published.")
        self.app.call_from_thread(self.reload)

    # --- export ---------------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.shown is not None:
            self._export(self.shown)

    @work(thread=True, exclusive=True, group="stats-export", exit_on_error=False)
    def _export(self, shown: published.Published) -> None:
        written = published.export(self.actor, shown, self.export_dir)
        names = " and ".join(path.name for path in written)
        # A path is shown as it is: a folder named like "[draft]" is not markup.
        self.app.call_from_thread(self.notify, f"Saved {names} in {self.export_dir}",
                                  title=f"Figures {shown.span} exported", markup=False)
        self.app.call_from_thread(self.reload)  # the reminder may be answered
