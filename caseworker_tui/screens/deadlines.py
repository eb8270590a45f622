"""The supervisor's home: every open step across all cases, overdue first, and who carries what."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Select, Static
from textual.widgets.select import InvalidSelectValueError
from textual.worker import Worker, WorkerState

from caseworker_tui.screens.base import ReadsAgainWhenChanged, ReportsWorkerErrors
from caseworker_tui.screens.queue import short_name
from caseworker_tui.services import auth, context
from caseworker_tui.services.deadlines_view import (
    GROUP_LABELS,
    PAGE_SIZE,
    UNASSIGNED,
    DeadlineFilter,
    DeadlinePage,
    DeadlineRow,
    WorkloadRow,
    deadline_page,
    workload,
)
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.stages import OPEN_STAGES, stage_label
from caseworker_tui.widgets.columns import Column, FittedTable
from caseworker_tui.widgets.countdown import countdown_text
from caseworker_tui.widgets.pager import PAGE_BINDINGS, Pager
from caseworker_tui.widgets.safe import plain

# At 80 columns reference, applicant, step, due and the countdown fit; the group and assignee join them wider.
COLUMNS = (
    Column("group", "Group", 6, 9),
    Column("due", "Due", 4, 6),
    Column("countdown", "Countdown", 5, 20, most=28),
    Column("step", "Step", 3, 16, most=34),
    Column("reference", "Reference", 1, 12),
    Column("applicant", "Applicant", 2, 12, most=22),
    Column("assignee", "Assignee", 7, 10),
)
WORKLOAD_COLUMNS = ("Caseworker", "Open cases", "Open steps", "Overdue steps")
CASEWORKERS = ("caseworker", "supervisor")


def group_text(group: str) -> Text:
    """The group's name; overdue is marked with "!" and words, not colour alone."""
    if group == "overdue":
        return Text("! Overdue", style="bold red")
    if group == "today":
        return Text(GROUP_LABELS[group], style="bold yellow")
    return Text(GROUP_LABELS[group], style="bold")


def step_words(row: DeadlineRow) -> str:
    return f"{row.step_words}: {row.agency_label}" if row.agency else row.step_words


def counts_text(counts: dict[str, int]) -> Text:
    text = Text("Open steps — ")
    for n, (group, count) in enumerate(counts.items()):
        if n:
            text.append(" · ")
        text.append(f"{'! ' if group == 'overdue' and count else ''}{GROUP_LABELS[group]} {count}",
                    style="bold red" if group == "overdue" and count else "")
    return text


class DeadlinesScreen(ReadsAgainWhenChanged, ReportsWorkerErrors, Screen[None]):
    """What is late or due soon on any case, for whom, and each caseworker's load."""

    DEFAULT_CSS = """
    DeadlinesScreen #dl-main { height: 1fr; }
    DeadlinesScreen #dl-filters { height: auto; padding: 0 1; }
    DeadlinesScreen #dl-filters Select { width: 1fr; margin-right: 1; }
    DeadlinesScreen #dl-counts { height: auto; padding: 0 1; color: $text-muted; }
    DeadlinesScreen #steps { height: 1fr; }
    DeadlinesScreen #dl-workload-title { height: auto; padding: 0 1; text-style: bold; color: $accent; }
    DeadlinesScreen #workload { height: auto; max-height: 9; }
    """

    AUTO_FOCUS = "#steps"
    BINDINGS = [
        Binding("x", "clear_filters", "Clear filters", id="clear_filters"),
        *PAGE_BINDINGS,
        Binding("f5", "reload", "Refresh", id="reload"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.pager = Pager("open steps", page_size=PAGE_SIZE, hint="Enter opens the case at that step",
                           id="dl-pager")
        self.rows: list[DeadlineRow] = []
        self.people: list[WorkloadRow] = []
        self._shown_once = False

    def compose(self) -> ComposeResult:
        agencies = context.policy().agencies
        yield Header()
        with Vertical(id="dl-main"):
            with Horizontal(id="dl-filters"):
                yield Select([], prompt="Every caseworker", id="dl-assignee")
                yield Select([(stage_label(s), s) for s in OPEN_STAGES], prompt="Every stage", id="dl-stage")
                yield Select([(a.label, key) for key, a in agencies.items()], prompt="Every agency",
                             id="dl-agency")
                yield Select([(label, key) for key, label in GROUP_LABELS.items()], prompt="Every group",
                             id="dl-group")
            yield Static("", id="dl-counts")
            yield FittedTable(COLUMNS, id="steps", cursor_type="row", zebra_stripes=True)
            yield Static("", id="dl-empty", classes="empty-state", markup=False)
            yield self.pager
            yield Static("Workload — Enter on a caseworker shows their steps", id="dl-workload-title")
            people = DataTable(id="workload", cursor_type="row")
            people.add_columns(*WORKLOAD_COLUMNS)
            yield people
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Deadlines"
        self.query_one("#dl-empty").display = False
        self._load_people()
        self.reload(workload_too=True)

    def on_screen_resume(self) -> None:
        if self._shown_once:  # back from a case or another home: read again only if a step may be done
            self.read_again_if_changed()

    def changed_since_read(self) -> None:
        self.reload(workload_too=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.pager.offers(*parameters) if action == "page" else True

    # --- loading -------------------------------------------------------------------------------

    def current_filter(self) -> DeadlineFilter:
        def chosen(select_id: str) -> str | None:
            value = self.query_one(select_id, Select).value
            return value if isinstance(value, str) else None
        return DeadlineFilter(assignee=chosen("#dl-assignee"), stage=chosen("#dl-stage"),
                              agency=chosen("#dl-agency"), group=chosen("#dl-group"))

    def reload(self, workload_too: bool = False) -> None:
        """Read the steps again; the workload only when it may have moved (it counts every case)."""
        self.query_one("#steps", DataTable).loading = not self._shown_once
        self._load(self.current_filter(), self.pager.page)
        if workload_too:
            self._load_workload()

    @work(thread=True, exclusive=True, group="deadlines", exit_on_error=False)
    def _load(self, flt: DeadlineFilter, page: int) -> None:
        self.note_read()
        result = deadline_page(self.actor, flt, page)
        self.app.call_from_thread(self._show, result)

    @work(thread=True, exclusive=True, group="deadline-workload", exit_on_error=False)
    def _load_workload(self) -> None:
        people = workload(self.actor)
        self.app.call_from_thread(self._show_workload, people)

    @work(thread=True, exclusive=True, group="deadline-people", exit_on_error=False)
    def _load_people(self) -> None:
        users = [u for u in auth.list_users() if u.role in CASEWORKERS]
        options = [(u.display_name + ("" if u.active else " (inactive)"), u.username) for u in users]
        self.app.call_from_thread(self._show_people, options + [("Unassigned", UNASSIGNED)])

    def _show_people(self, options: list[tuple[str, str]]) -> None:
        select = self.query_one("#dl-assignee", Select)
        with self.prevent(Select.Changed):
            current = select.value
            select.set_options(options)
            if isinstance(current, str) and any(v == current for _, v in options):
                select.value = current

    def _show(self, result: DeadlinePage) -> None:
        table = self.query_one("#steps", FittedTable)
        table.loading = False
        if not (self._shown_once and self.rows):
            table.move_cursor(row=0)
        self._shown_once = True
        self.rows = result.rows
        table.set_rows(self._cells(result.rows))
        self.query_one("#dl-counts", Static).update(counts_text(result.counts))
        empty = self.query_one("#dl-empty", Static)
        empty.display = not self.rows
        table.display = bool(self.rows)
        if not self.rows:
            empty.update("No open step matches these filters. Press x to clear them."
                         if self.current_filter() != DeadlineFilter()
                         else "No open steps: nothing is due on any case. New requests appear here when they arrive.")
        self.pager.show(result.page, result.pages, len(self.rows), result.total)
        self.refresh_bindings()

    @staticmethod
    def _cells(rows: list[DeadlineRow]) -> list[dict[str, object]]:
        """One row per step; the group is named on its first row on the page."""
        cells, previous = [], None
        for r in rows:
            group = group_text(r.group) if r.group != previous else ""
            previous = r.group
            cells.append({"group": group, "due": r.due_on.strftime("%d %b"),
                          "countdown": (countdown_text(r.countdown), countdown_text(r.countdown, short=True)),
                          "step": plain(step_words(r)), "reference": plain(r.reference), "applicant": plain(r.applicant),
                          "assignee": plain(short_name(r.assignee_name) or "—")})
        return cells

    def _show_workload(self, people: list[WorkloadRow]) -> None:
        table = self.query_one("#workload", DataTable)
        keep = table.cursor_row if self.people else 0
        self.people = people
        table.clear()
        table.add_rows([
            (plain(p.display_name), str(p.open_cases), str(p.open_steps),
             Text(f"! {p.overdue_steps}", style="bold red") if p.overdue_steps else "0")
            for p in people
        ])
        if people:
            table.move_cursor(row=min(keep, len(people) - 1))

    @on(Worker.StateChanged)
    def _load_failed(self, event: Worker.StateChanged) -> None:
        """Leave the loading state; the app turns the error itself into a notification."""
        if event.state == WorkerState.ERROR and event.worker.group == "deadlines":
            self.query_one("#steps", DataTable).loading = False

    # --- events and actions ----------------------------------------------------------------------

    @on(DataTable.RowSelected, "#steps")
    def _open(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.rows):
            row = self.rows[event.cursor_row]
            self.app.open_case(row.case_id, tab=row.tab)

    @on(DataTable.RowSelected, "#workload")
    def _show_person(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.people):
            try:
                self.query_one("#dl-assignee", Select).value = self.people[event.cursor_row].username
            except InvalidSelectValueError:  # not a caseworker's account: nothing to filter by
                return
            self.query_one("#steps", DataTable).focus()

    @on(Select.Changed)
    def _filters_changed(self) -> None:
        self.pager.page = 1
        self.reload()

    def action_clear_filters(self) -> None:
        with self.prevent(Select.Changed):
            for select in self.query("#dl-filters Select").results(Select):
                select.clear()
        self._filters_changed()

    def action_page(self, step: int) -> None:
        if self.pager.turn(step):
            self.reload()

    def action_reload(self) -> None:
        self.reload(workload_too=True)
