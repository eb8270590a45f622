"""The figures screen, driven with the pilot: the year's table, the charts, year choice and export."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.content import Content
from textual.widgets import DataTable, Select, Static
from textual_plotext import PlotextPlot

from caseworker_tui.screens.stats import StatsScreen
from caseworker_tui.services.permissions import Actor
from tests.services.test_stats import build_year


class StatsApp(App[None]):
    """Just enough app to show the screen."""

    def __init__(self, actor: Actor, export_dir: Path) -> None:
        super().__init__()
        self.actor, self.export_dir = actor, export_dir

    def on_mount(self) -> None:
        self.push_screen(StatsScreen(self.actor, self.export_dir))


async def _settle(app: App, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _counts(table: DataTable) -> dict[str, str]:
    names = ("received", "threshold_not_met", "declined_other_grounds", "accepted", "reviews_carried_out",
             "reviews_with_recommendations", "withdrawn", "appeals_lodged", "appeals_upheld")
    return {name: str(table.get_row(name)[1]) for name in names}


async def test_the_screen_shows_the_current_years_counts_and_both_charts(users, tmp_path):
    build_year(users)
    app = StatsApp(users["sam"], tmp_path / "exports")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        assert _counts(screen.query_one("#stats-table", DataTable)) == {
            "received": "7", "threshold_not_met": "1", "declined_other_grounds": "1", "accepted": "3",
            "reviews_carried_out": "2", "reviews_with_recommendations": "1", "withdrawn": "1",
            "appeals_lodged": "2", "appeals_upheld": "1"}
        assert not screen.query_one("#stats-body").loading
        year = screen.query_one("#stats-year", Select)
        assert year.value == 2026
        assert [label for label, _ in year._options] == ["2026/27", "2025/26"]
        plots = list(screen.query(PlotextPlot))
        assert [plot.id for plot in plots] == ["per-month", "on-time"]
        assert all(plot.size.height > 5 for plot in plots)


async def test_choosing_another_year_reloads_the_table(users, tmp_path):
    build_year(users)
    app = StatsApp(users["chris"], tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        app.screen.query_one("#stats-year", Select).value = 2025
        await _settle(app, pilot)
        counts = _counts(app.screen.query_one("#stats-table", DataTable))
        assert (counts["received"], counts["threshold_not_met"], counts["accepted"]) == ("1", "1", "0")
        assert app.screen.figures.period.label == "2025/26"


async def test_export_writes_the_markdown_and_csv_files_and_says_where(users, tmp_path):
    build_year(users)
    folder = tmp_path / "[bold]published"  # a folder whose name looks like markup is shown as it is
    app = StatsApp(users["sam"], folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        export = {b.binding.id: b for b in app.screen.active_bindings.values()}["export_stats"]
        assert export.enabled and export.binding.show and export.binding.description == "Export .md and .csv"
        await pilot.press("e")
        await _settle(app, pilot)
        notices = [Content.from_markup(n.message).plain if n.markup else n.message for n in app._notifications]
    stem = "safer-leicester-partnership-community-trigger-2026-27"
    assert sorted(p.name for p in folder.iterdir()) == [f"{stem}.csv", f"{stem}.md"]
    assert "| Applications received | 7 |" in (folder / f"{stem}.md").read_text(encoding="utf-8")
    assert "Applications received,7" in (folder / f"{stem}.csv").read_text(encoding="utf-8")
    assert any(str(folder) in message for message in notices)


async def test_an_empty_database_shows_zeros_and_empty_charts(users, tmp_path):
    app = StatsApp(users["ada"], tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        assert set(_counts(app.screen.query_one("#stats-table", DataTable)).values()) == {"0"}
        assert app.screen.query_one("#stats-table", DataTable).get_row("on_time_acknowledge")[1] == "none due yet"


async def test_a_caseworker_is_told_why_no_figures_are_shown(users, tmp_path):
    app = StatsApp(users["casey"], tmp_path / "exports")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        status = str(app.screen.query_one("#stats-status", Static).render())
        assert "may not view stats" in status
        assert not app.screen.query_one("#stats-body").loading
        assert app.screen.check_action("export", ()) is None
        await pilot.press("e")
        await _settle(app, pilot)
    assert not (tmp_path / "exports").exists()


async def test_at_80_columns_every_figure_is_in_sight(users, tmp_path):
    """The table of figures needs no sideways scrolling at 80×24 (its snapshot is taken at 120×40 only)."""
    build_year(users)
    app = StatsApp(users["sam"], tmp_path / "exports")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        table = app.screen.query_one("#stats-table", DataTable)
        assert table.virtual_size.width <= table.size.width
        assert _counts(table)["received"] == "7"
