"""The figures screen, driven with the pilot: the year's table, the charts, year choice and export."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.content import Content
from textual.widgets import DataTable, Input, Select, Static
from textual_plotext import PlotextPlot

from caseworker_tui.dialogs.common import ConfirmDialog, TextDialog
from caseworker_tui.screens.new_request import NewRequestScreen
from caseworker_tui.screens.stats import StatsScreen
from caseworker_tui.services import published
from caseworker_tui.services.permissions import Actor
from tests.apphelpers import SIZE, make_app, settle
from tests.services.test_published import build_three_years
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


def _counts(table: DataTable, column: int = -1) -> dict[str, str]:
    """The counts of one year's column (the last: the year chosen)."""
    names = ("received", "threshold_not_met", "declined_other_grounds", "accepted", "reviews_carried_out",
             "reviews_with_recommendations", "withdrawn", "appeals_lodged", "appeals_upheld")
    return {name: str(table.get_row(name)[column]) for name in names}


async def test_the_screen_shows_the_current_years_counts_and_both_charts(users, tmp_path):
    build_year(users)
    app = StatsApp(users["sam"], tmp_path / "exports")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        assert _counts(screen.query_one("#stats-table", DataTable)) == {
            "received": "7", "threshold_not_met": "2", "declined_other_grounds": "2", "accepted": "3",
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
        assert (counts["received"], counts["threshold_not_met"], counts["accepted"]) == ("1", "0", "0")
        assert app.screen.figures.period.label == "2025/26"
        assert [str(c.label) for c in app.screen.query_one("#stats-table", DataTable).columns.values()] == [
            "Measure", "2025/26"]  # nothing was received before it


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
    stem = "safer-leicester-partnership-community-trigger-2025-26-to-2026-27"
    assert sorted(p.name for p in folder.iterdir()) == [f"{stem}.csv", f"{stem}.md"]
    assert "| Applications received | 1 | 7 |" in (folder / f"{stem}.md").read_text(encoding="utf-8")
    assert "Applications received,1,7" in (folder / f"{stem}.csv").read_text(encoding="utf-8")
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


async def test_the_first_open_loads_the_figures_once(users, tmp_path, monkeypatch):
    build_year(users)
    calls = []
    real = published.published

    def counted(*args, **kwargs):
        calls.append(args[1:])
        return real(*args, **kwargs)

    monkeypatch.setattr(published, "published", counted)
    app = StatsApp(users["sam"], tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        assert calls == [(2025, 2026)]
        app.screen.query_one("#stats-year", Select).value = 2025
        await _settle(app, pilot)
        assert calls == [(2025, 2026), (2025, 2025)]


async def test_three_years_side_by_side_with_the_not_met_decision_overturned_still_counted(users, tmp_path):
    build_three_years(users)
    app = StatsApp(users["chris"], tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        table = app.screen.query_one("#stats-table", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["Measure", "2024/25", "2025/26", "2026/27"]
        assert [str(v) for v in table.get_row("threshold_not_met")] == ["Times the threshold was found not met",
                                                                        "2", "0", "1"]
        assert [str(v) for v in table.get_row("channel_phone")][1:] == ["0", "0", "1"]
        keys = [row.key.value for row in table.ordered_rows]
        assert keys.index("reviews_with_recommendations") < keys.index("section-1") < keys.index("withdrawn")
        # A chair reads the figures; the notes and publishing are a supervisor's.
        assert app.screen.check_action("note", ()) is False
        assert app.screen.check_action("mark_published", ()) is False
        assert not app.screen.query_one("#stats-reminder").display


async def test_a_supervisor_writes_the_note_and_marks_the_figures_published(users, tmp_path):
    build_three_years(users)
    app = StatsApp(users["sam"], tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        reminder = app.screen.query_one("#stats-reminder", Static)
        assert reminder.display and "have not been published yet" in str(reminder.render())
        await pilot.press("n")
        await _settle(app, pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Phone line opened in May.")
        await pilot.press("f2")
        await _settle(app, pilot)
        assert isinstance(app.screen, StatsScreen)
        table = app.screen.query_one("#stats-table", DataTable)
        assert [str(v) for v in table.get_row("notes")] == ["Notes", "—", "—", "Phone line opened in May."]
        await pilot.press("p")
        await _settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await _settle(app, pilot)
        assert not app.screen.query_one("#stats-reminder").display
    assert published.published(users["sam"], 2026, 2026).note(2026) == "Phone line opened in May."
    assert published.reminder(users["sam"]) is None


async def test_a_note_naming_a_reference_is_refused_and_not_saved(users, tmp_path):
    build_three_years(users)
    app = StatsApp(users["sam"], tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        await pilot.press("n")
        await _settle(app, pilot)
        await pilot.press(*"See CT-2026-9003.")
        await pilot.press("f2")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("case reference" in n.message for n in app._notifications)
    assert published.published(users["sam"], 2026, 2026).notes == {}


async def test_a_supervisor_is_reminded_at_sign_in(database_url, users):
    build_three_years(users)
    app = make_app(database_url, actor=users["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [n.title for n in app._notifications] == ["Yearly figures due"]
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not [n for n in app._notifications if n.title == "Yearly figures due"]


async def test_a_request_keyed_from_a_phone_call_is_counted_by_its_channel(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewRequestScreen)
        form.query_one("#received_at", Input).value = "2026-11-24T10:00"
        form.query_one("#applicant-name", Input).value = "Rita Request"
        form.query_one("#applicant-email", Input).value = "rita@example.org"
        incident = form.query_one("IncidentForm")
        incident.query_one("#occurred_on", Input).value = "2026-11-01"
        row = incident.report_rows()[0]
        row.query_one("#agency", Select).value = "police"
        row.query_one("#reported_on", Input).value = "2026-11-02"
        form.query_one("#channel", Select).focus()
        await pilot.press("enter", "down", "down", "enter")  # past "not recorded" and "Online form"
        await settle(pilot)
        assert form.query_one("#channel", Select).value == "phone"
        await pilot.press("f2")
        await settle(pilot)
        assert "Saved CT-2026-0001" in str(form.query_one("#result-text", Static).render())
    assert published.published(users["sam"]).years[0].by_channel["phone"] == 1


async def test_at_80_columns_every_figure_is_in_sight(users, tmp_path):
    """The table of figures needs no sideways scrolling at 80×24 (its snapshot is taken at 120×40 only)."""
    build_year(users)
    app = StatsApp(users["sam"], tmp_path / "exports")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        table = app.screen.query_one("#stats-table", DataTable)
        assert table.virtual_size.width <= table.size.width
        assert _counts(table)["received"] == "7"
