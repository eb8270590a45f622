"""The chair's home: outcomes awaiting approval, each read beside its case before approving or returning it.

Approving and returning are offered to the chair only; the service refuses anyone else anyway.
Both carry the version the chair read, so an outcome changed meanwhile is refused, not approved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from caseworker_tui.errors import StaleCase
from caseworker_tui.screens.base import ReadsAgainWhenChanged, ReportsWorkerErrors
from caseworker_tui.screens.versioned import VersionedChanges
from caseworker_tui.services import workflow
from caseworker_tui.services.approvals import (
    APPROVALS_SHOWN,
    ApprovalDetail,
    ApprovalRow,
    approval_detail,
    awaiting_approval,
)
from caseworker_tui.services.permissions import Actor, allowed
from caseworker_tui.services.words import plural
from caseworker_tui.widgets.columns import Column, FittedTable
from caseworker_tui.widgets.countdown import countdown_text
from caseworker_tui.widgets.safe import clean, plain

# At 80 columns reference, applicant, countdown, review due and waiting fit; who submitted it and when join wider.
COLUMNS = (
    Column("reference", "Reference", 1, 12),
    Column("applicant", "Applicant", 2, 12, most=24),
    Column("submitted_by", "Submitted by", 6, 12, most=20),
    Column("submitted", "Submitted", 7, 11),
    Column("waiting", "Waiting", 5, 8),
    Column("due", "Review due", 4, 11),
    Column("countdown", "Countdown", 3, 19),
)


def waiting_words(days: int) -> str:
    return "today" if days == 0 else plural(days, "day")


def _heading(words: str) -> Text:
    return Text(f"\n{words}", style="bold underline")


def _list(items: list[tuple[str, Text]]) -> Table:
    """Marked lines whose wrapped text stays indented under its first line."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for mark, text in items:
        grid.add_row(mark, text)
    return grid


def case_text(d: ApprovalDetail) -> Group:
    """The case in brief: who, what happened, what was decided, and how the review went."""
    meeting = f"{d.meeting_on:%a %d %b %Y}" if d.meeting_on else "not scheduled"
    return Group(
        Text(f"{d.reference}  ·  {clean(d.applicant)}", style="bold"),
        Text(f"Stage: {d.stage_label}  ·  received {d.received_at:%d %b %Y}"),
        Text(f"Verdict: {d.verdict_summary}"),
        Text(f"Decision: {clean(d.decision)}"),
        _heading("Incidents"),
        _list([("•", plain(line)) for line in d.incidents]),
        _heading("Review"),
        Text(f"Meeting: {meeting}, chaired by {clean(d.chair_name) or 'nobody named'}"),
        Text(f"Agencies: {clean(', '.join(d.agencies)) or 'none named'}"),
        Text(f"The applicant took part {clean(d.participation) or '(not recorded)'}"),
        _heading("Findings"),
        plain(d.findings or "No findings recorded."),
    )


def draft_text(d: ApprovalDetail) -> Group:
    """The draft outcome as the chair approves it: summary, recommendations, and earlier returns."""
    submitted = f" on {d.submitted_at:%d %b %Y}" if d.submitted_at else ""
    due = Text(f"Review due {d.due_on:%a %d %b %Y}: ")
    due.append_text(countdown_text(d.countdown, short=True))
    parts: list = [Text(f"Submitted by {clean(d.submitted_by) or 'unknown'}{submitted}"), due]
    if d.extension_reason:
        parts.append(plain(f"Extended: {d.extension_reason}"))
    parts += [_heading("Summary"), plain(d.summary or "No summary written."), _heading("Recommendations")]
    recommendations = []
    for r in d.recommendations:
        line = Text()
        line.append(clean(r.agency_label), style="bold")
        line.append(f" — {clean(r.action)} (due {r.due_on:%d %b %Y})")
        recommendations.append((f"{r.position}.", line))
    parts.append(_list(recommendations) if recommendations else Text("None."))
    parts.append(_heading("The victim's views on the action plan"))
    parts.append(plain(d.victim_views or (f"Not recorded yet; they have until {d.views_reply_by:%a %d %b %Y}."
                                          if d.views_reply_by else "Not recorded.")))
    if d.approval_refusal:
        parts.append(Text(f"Cannot be approved yet: {d.approval_refusal}", style="bold yellow"))
    if d.returns:
        parts.append(_heading("Returned before"))
        parts.append(_list([(f"{c.at:%d %b %Y}", plain(f"{c.by}: {c.comments}")) for c in d.returns]))
    return Group(*parts)


class ApprovalsScreen(VersionedChanges, ReadsAgainWhenChanged, ReportsWorkerErrors, Screen[None]):
    """Outcomes waiting for the chair, the longest waiting first, with the case and draft side by side."""

    DEFAULT_CSS = """
    ApprovalsScreen #ap-heading { height: auto; padding: 0 1; color: $text-muted; }
    ApprovalsScreen #approvals { height: auto; max-height: 10; }
    ApprovalsScreen #ap-panes { height: 1fr; }
    ApprovalsScreen .ap-pane { width: 1fr; height: 1fr; border: round $primary; padding: 0 1; }
    ApprovalsScreen .ap-pane:focus { border: round $accent; }
    """

    AUTO_FOCUS = "#approvals"
    BINDINGS = [
        Binding("p", "approve_outcome", "Approve", id="approve_outcome"),
        Binding("b", "return_outcome", "Return", id="return_outcome"),
        Binding("o", "open_case", "Open case", id="open_case"),
        Binding("f5", "reload", "Refresh", id="reload"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.rows: list[ApprovalRow] = []
        self.detail: ApprovalDetail | None = None
        self._wanted: int | None = None  # the case whose detail is being read
        self._changing: int | None = None  # the case the step in flight is on
        self._retry: tuple[int, Callable[[], None]] | None = None  # offered again once that case is back
        self._shown_once = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="ap-heading", markup=False)
        yield FittedTable(COLUMNS, id="approvals", cursor_type="row", zebra_stripes=True)
        yield Static("", id="ap-empty", classes="empty-state", markup=False)
        with Horizontal(id="ap-panes"):
            with VerticalScroll(id="ap-case", classes="ap-pane"):
                yield Static("", id="ap-case-text")
            with VerticalScroll(id="ap-draft", classes="ap-pane"):
                yield Static("", id="ap-draft-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Approvals"
        self.query_one("#ap-case").border_title = "The case"
        self.query_one("#ap-draft").border_title = "The draft outcome"
        self.query_one("#ap-empty").display = False
        self.query_one("#ap-panes").display = False
        self.reload()

    def on_screen_resume(self) -> None:
        if self._shown_once:
            self.read_again_if_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve_outcome", "return_outcome"):
            if not allowed(self.actor, action):
                return False  # not the chair: not offered at all
            detail = self._cursor_detail()
            if detail is None:  # the cursor's case is being read: the key waits for it
                return self._cursor_case() is not None or None
            return detail.stage == "awaiting_chair" or None
        return True

    # --- loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="approvals", exit_on_error=False)
    def _load(self) -> None:
        self.note_read()
        rows = awaiting_approval(self.actor)
        self.app.call_from_thread(self._show_rows, rows)

    def _show_rows(self, rows: list[ApprovalRow]) -> None:
        table = self.query_one("#approvals", FittedTable)
        ids = [r.case_id for r in rows]
        before = self.rows[table.cursor_row].case_id if self._shown_once and self.rows else None
        wanted = self._retry[0] if self._retry else before
        keep = table.cursor_row
        self._shown_once = True
        shown, self.rows, self.detail, self._wanted = self.detail, rows, None, None
        if self._retry and self._retry[0] not in ids:
            self._retry = None  # no longer waiting for the chair: nothing to return
        table.set_rows({
            "reference": plain(r.reference), "applicant": plain(r.applicant), "submitted_by": plain(r.submitted_by),
            "submitted": r.submitted_at.strftime("%d %b %Y") if r.submitted_at else "—",
            "waiting": waiting_words(r.age_days), "due": r.due_on.strftime("%d %b %Y"),
            "countdown": countdown_text(r.countdown, short=True)} for r in rows)
        empty = self.query_one("#ap-empty", Static)
        empty.display = not rows
        table.display = bool(rows)
        self.query_one("#ap-panes").display = bool(rows)
        whose = "your" if allowed(self.actor, "approve_outcome") else "the chair's"
        if not rows:
            empty.update(f"No outcomes are waiting for {whose} approval.")
            self.query_one("#ap-heading", Static).update("")
        else:
            if len(rows) >= APPROVALS_SHOWN:
                count = f"The {len(rows)} longest-waiting outcomes"
            else:
                count = f"{len(rows)} outcome{'s' if len(rows) != 1 else ''}"
            self.query_one("#ap-heading", Static).update(
                f"{count} waiting for {whose} approval, the longest waiting first · Tab moves between the panes")
            table.move_cursor(row=ids.index(wanted) if wanted in ids else min(max(keep, 0), len(rows) - 1))
            case_id = rows[table.cursor_row].case_id
            if shown is not None and shown.case_id != case_id:
                self._reading(case_id)
            self._want(case_id)
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#approvals")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.rows):
            self._want(self.rows[event.cursor_row].case_id)

    def _want(self, case_id: int) -> None:
        """Read this case's detail, unless it is already shown or on its way. Until it comes the panes
        say which case they are reading: they never show one the cursor has left."""
        if case_id != self._wanted:
            self._wanted = case_id
            if self.detail is not None and self.detail.case_id != case_id:
                self._reading(case_id)
            self._load_detail(case_id)

    def _reading(self, case_id: int) -> None:
        reference = next((r.reference for r in self.rows if r.case_id == case_id), "the case")
        for which in ("case", "draft"):
            self.query_one(f"#ap-{which}-text", Static).update(Text(f"Reading {plain(reference)}…", style="dim"))

    @work(thread=True, exclusive=True, group="approval-detail", exit_on_error=False)
    def _load_detail(self, case_id: int) -> None:
        if case_id != self._wanted:
            return  # the cursor moved on before this read began: the latest wins
        detail = approval_detail(self.actor, case_id)
        self.app.call_from_thread(self._show_detail, detail)

    def _show_detail(self, detail: ApprovalDetail) -> None:
        if detail.case_id != self._wanted:
            return  # the chair has moved on to another outcome meanwhile
        self.detail = detail
        self.query_one("#ap-case-text", Static).update(case_text(detail))
        self.query_one("#ap-draft-text", Static).update(draft_text(detail))
        for pane in self.query(".ap-pane").results(VerticalScroll):
            pane.scroll_home(animate=False)
        self.refresh_bindings()
        if self._retry and self._retry[0] == detail.case_id:
            retry, self._retry = self._retry[1], None
            self.call_later(retry)

    # --- approving and returning ----------------------------------------------------------------

    def _cursor_case(self) -> int | None:
        table = self.query_one("#approvals", DataTable)
        return self.rows[table.cursor_row].case_id if 0 <= table.cursor_row < len(self.rows) else None

    def _cursor_detail(self) -> ApprovalDetail | None:
        """The detail of the case under the cursor, once it has been read; a key acts on nothing else."""
        case_id = self._cursor_case()
        return self.detail if self.detail is not None and self.detail.case_id == case_id else None

    def _acting_on(self, then: Callable[[], None]) -> ApprovalDetail | None:
        """The cursor's case, ready to act on; or None, with `then` run again once its detail is read."""
        detail = self._cursor_detail()
        if detail is None:
            case_id = self._cursor_case()
            if case_id is not None:
                self._retry = (case_id, then)
                self._want(case_id)
            return None
        return detail if detail.stage == "awaiting_chair" else None

    def _chosen(self, case_id: int) -> ApprovalDetail | None:
        """The outcome on screen now, if it is still the one the chair answered about."""
        if self.detail is None or self.detail.case_id != case_id:
            self.notify("The list changed while you were answering; choose the outcome again.",
                        severity="warning")
            return None
        return self.detail

    def action_approve_outcome(self) -> None:
        from caseworker_tui.dialogs.common import ConfirmDialog

        if not allowed(self.actor, "approve_outcome"):
            return
        chosen = self._acting_on(self.action_approve_outcome)
        if chosen is None:
            return
        if chosen.approval_refusal:  # the service refuses it too; the key says why at once
            self.notify(chosen.approval_refusal, title="Not yet", severity="warning", timeout=10)
            return
        case_id, reference = chosen.case_id, chosen.reference

        def answered(yes: bool | None) -> None:
            detail = self._chosen(case_id) if yes else None
            if detail is not None:
                self._change(workflow.approve_outcome, detail, done=f"Approved. The outcome letter for "
                             f"{reference} can now be produced in your name.")
        question = (f"Approve the outcome for {reference} ({clean(chosen.applicant)})? "
                    "The outcome letter goes out in your name.")
        self.app.push_screen(ConfirmDialog(question, yes="Approve"), answered)

    def action_return_outcome(self, initial: str = "") -> None:
        from caseworker_tui.dialogs.common import TextDialog

        if not allowed(self.actor, "return_outcome"):
            return
        chosen = self._acting_on(lambda: self.action_return_outcome(initial))
        if chosen is None:
            return
        case_id, reference = chosen.case_id, chosen.reference

        def written(comments: str | None) -> None:
            detail = self._chosen(case_id) if comments else None
            if detail is not None:
                self._change(workflow.return_outcome, detail, comments, done=f"Returned {reference} with "
                             "your comments.", retry=lambda: self.action_return_outcome(comments))
        self.app.push_screen(TextDialog(f"Return the outcome for {reference}", "Comments for the caseworker",
                                        confirm="Return", initial=initial), written)

    def _change(self, fn: Callable[..., Any], detail: ApprovalDetail, *args: Any, done: str,
                retry: Callable[[], None] | None = None) -> None:
        """The chair's step, with the version of the draft on screen (`VersionedChanges`)."""
        self._changing = detail.case_id
        self.change(fn, detail.case_id, self.actor, *args, version=detail.version, done=done,
                    title=detail.reference, retry=retry)

    def changed_meanwhile(self, exc: StaleCase, retry: Callable[[], None] | None) -> None:
        """Nothing was saved: say who changed the case, read it again, and offer the comments back
        once that case is in the list again (not before: the chair answers the draft they can see)."""
        self.notify(str(exc), title="Someone else changed this case", severity="warning", timeout=12)
        self._retry = (self._changing, retry) if retry is not None else None
        self.reload()

    @on(Worker.StateChanged)
    def _change_failed(self, event: Worker.StateChanged) -> None:
        """The app says why; the list is read again, as it has likely moved on."""
        if event.state == WorkerState.ERROR and event.worker.group == "change":
            self.reload()

    def action_reload(self) -> None:
        self.reload()

    def action_open_case(self) -> None:
        """The whole case (timeline, eligibility, letters) behind the draft."""
        case_id = self._cursor_case()
        if case_id is not None:
            self.app.open_case(case_id, tab="progress")
