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
from caseworker_tui.services.queue import PAGE_SIZE, QueueFilter, QueuePage, QueueRow, queue_page
from caseworker_tui.services.stages import OPEN_STAGES, stage_label
from caseworker_tui.widgets.columns import Column, FittedTable
from caseworker_tui.widgets.countdown import countdown_text
from caseworker_tui.widgets.pager import PAGE_BINDINGS, Pager
from caseworker_tui.widgets.safe import clean, plain

FIRST_PAGE_WAIT = 0.5  # seconds the screen waits for its first page before it shows a loading indicator
# At 80 columns the first five (by priority) fit: reference, applicant, stage, due and risk.
COLUMNS = (
    Column("reference", "Reference", 1, 12),
    Column("received", "Received", 8, 8),
    Column("applicant", "Applicant", 2, 13, most=24),
    Column("stage", "Stage", 3, 15),
    Column("next_step", "Next step", 6, 14, most=44),
    Column("due", "Due", 4, 20),
    Column("risk", "Risk", 5, 9),
    Column("assignee", "Assigned to", 7, 11),
)


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


def revise_words(row: QueueRow) -> str:
    return f"Revise the outcome — returned by {row.returned.by}" if row.returned else ""


def queue_cells(r: QueueRow) -> dict[str, object]:
    """One request's cells by column; a returned outcome says so, and by whom, where the stage is."""
    return {
        "reference": plain(r.reference), "received": r.received_at.strftime("%d %b"), "applicant": plain(r.applicant),
        "stage": Text("↩ Returned", style="bold yellow") if r.returned else r.stage_label,
        "next_step": plain(revise_words(r), style="bold") if r.returned else (r.next_step or "—"),
        "due": countdown_text(r.countdown), "risk": risk_text(r.high_risk, r.risk_score),
        "assignee": plain(short_name(r.assignee) or "—"),
    }


class IntakeScreen(ReadsAgainWhenChanged, SaysWhyKeysAreOff, ReportsWorkerErrors, Screen[None]):
    """Where a caseworker's day starts: what is due, and for whom."""

    AUTO_FOCUS = "#cases"
    BINDINGS = [
        Binding("n", "app.new_request", "New request", id="new_request"),
        Binding("slash", "focus_search", "Search", id="focus_search"),
        Binding("m", "toggle('mine')", "Mine", id="toggle_mine"),
        Binding("h", "toggle('high-risk')", "High risk", id="toggle_high_risk"),
        Binding("x", "clear_filters", "Clear filters", id="clear_filters"),
        Binding("c", "chair_comments", "Chair's comments", id="chair_comments"),
        *PAGE_BINDINGS,
        Binding("f5", "reload", "Refresh", id="reload"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.pager = Pager("open requests", page_size=PAGE_SIZE, id="pager")
        self._search_timer: Timer | None = None
        self._row_ids: list[int] = []
        self._rows: list[QueueRow] = []
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
            yield FittedTable(COLUMNS, id="cases", cursor_type="row", zebra_stripes=True)
            yield Static("", id="returned-line", markup=False)
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
        if action == "chair_comments":
            return self.highlighted_returned() is not None
        return self.pager.offers(*parameters) if action == "page" else True

    def highlighted(self) -> QueueRow | None:
        row = self.query_one("#cases", FittedTable).cursor_row
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def highlighted_returned(self) -> QueueRow | None:
        row = self.highlighted()
        return row if row is not None and row.returned else None

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action == "chair_comments":
            return "The chair has not returned this request's outcome: there are no comments to read."
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
        table = self.query_one("#cases", FittedTable)
        table.loading = False
        if not self._row_ids:
            table.move_cursor(row=0)
        self._rows = result.rows
        self._row_ids = [r.id for r in result.rows]
        table.set_rows(queue_cells(r) for r in result.rows)
        self._show_returned()
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

    def _show_returned(self) -> None:
        """Under the table, in full, what the highlighted returned outcome needs and who returned it."""
        row = self.highlighted_returned()
        line = self.query_one("#returned-line", Static)
        line.display = row is not None
        if row is not None:
            line.update(f"{row.reference}: {revise_words(row)}. Press c for the chair's comments.")
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#cases")
    def _highlighted(self) -> None:
        self._show_returned()

    def action_chair_comments(self) -> None:
        from caseworker_tui.dialogs.common import ReadDialog

        row = self.highlighted_returned()
        if row is not None:
            self.app.push_screen(ReadDialog(clean(f"{row.reference}, {row.applicant}: returned by {row.returned.by}"),
                                            clean(row.returned.comments)))

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
