"""The yearly figures: the public counts, the performance measures, and two charts, by year."""

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

from caseworker_tui.screens.base import ReportsWorkerErrors
from caseworker_tui.services import context, stats
from caseworker_tui.services.deadline_steps import chart_names
from caseworker_tui.services.permissions import Actor

# Short stage names for the chart's axis; the table carries the full words.
CHART_STEPS = chart_names()  # from the deadline steps table


class StatsScreen(ReportsWorkerErrors, Screen[None]):
    """What the partnership publishes each year, and how it kept to its own timescales."""

    DEFAULT_CSS = """
    #stats-bar { height: auto; padding: 0 1; }
    #stats-bar Label { padding: 1 1 0 0; }
    #stats-year { width: 20; }
    #stats-status { width: 1fr; padding: 1 0 0 2; color: $text-muted; }
    #stats-body { height: 1fr; }
    #stats-table { width: 64; height: 1fr; }
    #stats-charts { width: 1fr; height: 1fr; }
    #stats-charts PlotextPlot { height: 1fr; }
    """

    BINDINGS = [
        Binding("e", "export", "Export .md and .csv", id="export_stats"),
        Binding("f5", "reload", "Refresh", id="reload_stats"),
    ]

    class Loaded(Message):
        """A year's figures and the years to choose from, read in a worker."""

        def __init__(self, years: list[stats.ReportingYear], figures: stats.YearFigures) -> None:
            super().__init__()
            self.years = years
            self.figures = figures

    def __init__(self, actor: Actor, export_dir: Path) -> None:
        super().__init__()
        self.actor = actor
        self.export_dir = Path(export_dir)
        self.figures: stats.YearFigures | None = None

    def compose(self) -> ComposeResult:
        current = stats.reporting_year(stats.current_year())
        yield Header()
        with Horizontal(id="stats-bar"):
            yield Label("Reporting year")
            yield Select([(current.label, current.year)], value=current.year, allow_blank=False, id="stats-year")
            yield Static("Loading…", id="stats-status", markup=False)
        with Horizontal(id="stats-body"):
            table = DataTable(id="stats-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("Measure", "Number")
            yield table
            with Vertical(id="stats-charts"):
                yield PlotextPlot(id="per-month")
                yield PlotextPlot(id="on-time")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Public figures · {context.policy().partnership.name}"
        self.query_one("#stats-table", DataTable).focus()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return self.figures is not None or None  # greyed out until a year is shown
        return True

    # --- loading -------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        year = self.query_one("#stats-year", Select).value
        self.query_one("#stats-body").loading = True
        self.query_one("#stats-status", Static).update("Loading…")
        self._load(year if isinstance(year, int) else None)

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _load(self, year: int | None) -> None:
        years = stats.available_years(self.actor)
        self.post_message(self.Loaded(years, stats.figures(self.actor, year)))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        figures = self.figures = message.figures
        select = self.query_one("#stats-year", Select)
        with self.prevent(Select.Changed):
            select.set_options([(y.label, y.year) for y in message.years])
            select.value = figures.period.year
        self._fill_table(figures)
        self._draw_charts(figures)
        self.query_one("#stats-body").loading = False
        self.query_one("#stats-status", Static).update(
            f"Requests received {figures.period.first_day:%d %b %Y} to {figures.period.last_day:%d %b %Y}"
            f" · as at {figures.as_at:%d %b %Y}")
        self.refresh_bindings()

    def _fill_table(self, figures: stats.YearFigures) -> None:
        table = self.query_one("#stats-table", DataTable)
        table.clear()
        for key, label, count in stats.public_rows(figures):
            table.add_row(label, str(count), key=key)
        table.add_row("", "", key="gap")
        table.add_row("Performance (not published)", "", key="performance")
        for key, label, value in stats.performance_rows(figures):
            table.add_row(label, value, key=key)

    def _draw_charts(self, figures: stats.YearFigures) -> None:
        months = self.query_one("#per-month", PlotextPlot)
        months.plt.clear_figure()
        months.plt.title(f"Requests received per month, {figures.period.label}")
        counts = [m.requests for m in figures.per_month]
        months.plt.bar([m.month.strftime("%b") for m in figures.per_month], counts, width=0.6)
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
        if self.figures is None or event.value != self.figures.period.year:
            self.reload()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Leave the loading state and say why; the app also turns the error into a notification."""
        if event.state == WorkerState.ERROR and event.worker.group == "stats":
            self.query_one("#stats-body").loading = False
            self.query_one("#stats-status", Static).update(f"Figures not shown: {event.worker.error}")

    # --- export ---------------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.figures is not None:
            self._export(self.figures)

    @work(thread=True, exclusive=True, group="stats-export", exit_on_error=False)
    def _export(self, figures: stats.YearFigures) -> None:
        written = stats.export(figures, self.export_dir)
        names = " and ".join(path.name for path in written)
        # A path is shown as it is: a folder named like "[draft]" is not markup.
        self.app.call_from_thread(self.notify, f"Saved {names} in {self.export_dir}",
                                  title=f"Figures {figures.period.label} exported", markup=False)
