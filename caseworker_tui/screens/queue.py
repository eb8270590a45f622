"""The intake queue (home): open requests, most urgent first, filtered and paged in the database."""

from __future__ import annotations

import asyncio
from contextlib import suppress

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Checkbox, DataTable, Footer, Header, Input, Select, Static
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from caseworker_tui.screens.base import ReadsAgainWhenChanged, ReportsWorkerErrors, SaysWhyKeysAreOff, who_may
from caseworker_tui.services.permissions import ACTION_WORDS, PERMISSIONS, Actor, allowed
from caseworker_tui.services.queue import PAGE_SIZE, QueueFilter, QueuePage, queue_page
from caseworker_tui.services.stages import OPEN_STAGES, stage_label
from caseworker_tui.widgets.countdown import countdown_text
from caseworker_tui.widgets.pager import PAGE_BINDINGS, Pager
from caseworker_tui.widgets.safe import plain

FIRST_PAGE_WAIT = 0.5  # seconds the screen waits for its first page before it shows a loading indicator
COLUMNS = ("Reference", "Received", "Applicant", "Stage", "Next step", "Due", "Risk", "Assigned to")


def risk_text(high_risk: bool, score: int | None) -> Text:
    if high_risk:
        return Text(f"▲ HIGH {score}", style="bold red")
    if score is None:
        return Text("—", style="dim")
    return Text(f"std {score}")


def short_name(name: str) -> str:
    """"Casey Morgan" → "Casey M.": enough to tell colleagues apart in a narrow column."""
    parts = name.split()
    return f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else name


class IntakeScreen(ReadsAgainWhenChanged, SaysWhyKeysAreOff, ReportsWorkerErrors, Screen[None]):
    """Where a caseworker's day starts: what is due, and for whom."""

    AUTO_FOCUS = "#cases"
    BINDINGS = [
        Binding("n", "app.new_request", "New request", id="new_request"),
        Binding("slash", "focus_search", "Search", id="focus_search"),
        Binding("m", "toggle('mine')", "Mine", id="toggle_mine"),
        Binding("h", "toggle('high-risk')", "High risk", id="toggle_high_risk"),
        Binding("x", "clear_filters", "Clear filters", id="clear_filters"),
        *PAGE_BINDINGS,
        Binding("f5", "reload", "Refresh", id="reload"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.pager = Pager("open requests", page_size=PAGE_SIZE, id="pager")
        self._search_timer: Timer | None = None
        self._row_ids: list[int] = []
        self._away = False  # another screen is on top (a case): its work may move cases on
        # The first page is fetched while the screen is being built, so it is usually there to
        # paint with the screen itself: one paint, rather than a loading indicator and then another.
        self._shown: Worker | None = None
        self._first = self._load(QueueFilter(), 1)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="queue"):
            with Horizontal(id="filters"):
                yield Input(placeholder="Search reference, name or postcode  ( / )", id="search")
                yield Select([(stage_label(s), s) for s in OPEN_STAGES], prompt="All stages", id="stage",
                             allow_blank=True)
                yield Checkbox("Mine", id="mine")
                yield Checkbox("High risk", id="high-risk")
            yield Static("", id="stage-counts", markup=False)
            table = DataTable(id="cases", cursor_type="row", zebra_stripes=True)
            table.add_columns(*COLUMNS)
            yield table
            yield Static("", id="empty", classes="empty-state")
            yield self.pager
        yield Footer()

    async def on_mount(self) -> None:
        self.title = "Intake queue"
        self.query_one("#cases", DataTable).focus()
        self.query_one("#empty").display = False
        # Give the first page a moment to arrive, so that the screen paints once, with its rows,
        # rather than a loading indicator and then again. The event loop runs on meanwhile.
        await asyncio.wait({asyncio.ensure_future(self._first_page_loaded())}, timeout=FIRST_PAGE_WAIT)
        if self._first.state == WorkerState.SUCCESS:
            self._show_from(self._first)
        else:
            self.query_one("#cases", DataTable).loading = True

    async def _first_page_loaded(self) -> None:
        with suppress(WorkerFailed, WorkerCancelled):  # the worker's state message reports a failure
            await self._first.wait()

    def on_screen_suspend(self) -> None:
        self._away = True

    def on_screen_resume(self) -> None:
        if self._away:
            self._away = False
            self.read_again_if_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.pager.offers(*parameters) if action == "page" else True

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action == "new_request":  # the app's, refused by role
            return f"Only {who_may(PERMISSIONS['create_request'])} may {ACTION_WORDS['create_request']}."
        return None

    # --- loading -----------------------------------------------------------------------------

    def current_filter(self) -> QueueFilter:
        stage = self.query_one("#stage", Select).value
        return QueueFilter(
            stage=stage if isinstance(stage, str) else None,
            mine=self.query_one("#mine", Checkbox).value,
            high_risk=self.query_one("#high-risk", Checkbox).value,
            search=self.query_one("#search", Input).value,
        )

    def reload(self) -> None:
        self.query_one("#cases", DataTable).loading = not self._row_ids
        self._load(self.current_filter(), self.pager.page)

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def _load(self, flt: QueueFilter, page: int) -> QueuePage:
        self.note_read()
        return queue_page(self.actor, flt, page)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.SUCCESS and event.worker.group == "queue":
            self._show_from(event.worker)

    def _show_from(self, worker: Worker[QueuePage]) -> None:
        if worker is not self._shown and worker.result is not None:
            self._shown = worker
            self._show(worker.result)

    def _show(self, result: QueuePage) -> None:
        table = self.query_one("#cases", DataTable)
        table.loading = False
        keep = table.cursor_row if self._row_ids else 0
        table.clear()
        self._row_ids = [r.id for r in result.rows]
        table.add_rows([
            (plain(r.reference), r.received_at.strftime("%d %b"), plain(r.applicant[:18]), r.stage_label,
             r.next_step or "—", countdown_text(r.countdown),
             risk_text(r.high_risk, r.risk_score), plain(short_name(r.assignee) or "—"))
            for r in result.rows
        ])
        if self._row_ids:
            table.move_cursor(row=min(keep, len(self._row_ids) - 1))
        counts = " · ".join(f"{stage_label(s)} {n}" for s, n in result.stage_counts.items())
        self.query_one("#stage-counts", Static).update(f"In view — {counts}" if counts else "")
        empty = self.query_one("#empty", Static)
        empty.display = not result.rows
        table.display = bool(result.rows)
        if not result.rows:
            filtered = self.current_filter() != QueueFilter()
            hint = ("No open request matches these filters. Press x to clear them."
                    if filtered else "No open requests. ")
            if allowed(self.actor, "create_request"):
                hint += " Press n to record a new request."
            empty.update(hint)
        self.pager.show(result.page, result.pages, len(result.rows), result.total)
        self.call_after_refresh(self.app.report_first_page)

    # --- events and actions -----------------------------------------------------------------

    @on(DataTable.RowSelected, "#cases")
    def _open(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self._row_ids):
            self.app.open_case(self._row_ids[event.cursor_row])

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(0.25, self._filters_changed)

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self._filters_changed()
        self.query_one("#cases", DataTable).focus()

    @on(Select.Changed, "#stage")
    @on(Checkbox.Changed)
    def _filters_changed(self) -> None:
        self.pager.page = 1
        self.reload()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_toggle(self, which: str) -> None:
        box = self.query_one(f"#{which}", Checkbox)
        box.value = not box.value

    def action_clear_filters(self) -> None:
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            self.query_one("#search", Input).value = ""
            self.query_one("#stage", Select).clear()
            self.query_one("#mine", Checkbox).value = False
            self.query_one("#high-risk", Checkbox).value = False
        self._filters_changed()

    def action_page(self, step: int) -> None:
        if self.pager.turn(step):
            self.reload()

    def action_reload(self) -> None:
        self.reload()
