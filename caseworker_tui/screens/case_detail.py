"""One case: header, live deadline strip, and a tab each for timeline, eligibility, applicant,
progress, letters and audit.

The keys come from the lifecycle table and the footer shows only the steps the service offers
for the case's stage and the user's role. Every change runs in a worker with the version the
user saw (`VersionedChanges`), so a stale save is refused and the user's input is offered back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, TabbedContent

from caseworker_tui.errors import InvalidInput
from caseworker_tui.screens.base import ReportsWorkerErrors, SaysWhyKeysAreOff
from caseworker_tui.screens.case_steps import CaseSteps
from caseworker_tui.screens.versioned import VersionedChanges
from caseworker_tui.services.access_log import CaseAccess, access_log
from caseworker_tui.services.case_view import CaseDetail
from caseworker_tui.services.cases import open_case
from caseworker_tui.services.lifecycle import BY_SCREEN_ACTION, STEPS, stage_work_first
from caseworker_tui.services.permissions import Actor, allowed
from caseworker_tui.widgets.case.applicant_tab import ApplicantTab
from caseworker_tui.widgets.case.audit_tab import AuditTab
from caseworker_tui.widgets.case.eligibility_tab import EligibilityTab
from caseworker_tui.widgets.case.header import CaseHeader
from caseworker_tui.widgets.case.letters_tab import LettersTab
from caseworker_tui.widgets.case.progress_tab import ProgressTab
from caseworker_tui.widgets.case.tab import CaseTab
from caseworker_tui.widgets.case.timeline_tab import TimelineTab
from caseworker_tui.widgets.deadline_strip import DeadlineStrip


class CaseScreen(SaysWhyKeysAreOff, CaseSteps, VersionedChanges, ReportsWorkerErrors, Screen[None]):
    """Everything about one case, and the next steps its stage and the user's role allow; the key of
    a step they do not allow says why."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        *(Binding(step.key, step.screen_action, step.label, show=step.show, id=step.name)
          for step in STEPS),
        Binding("f5", "reload", "Refresh", id="reload_case"),
        *(Binding(str(n), f"tab('{tab_id}')", tab_id.capitalize(), show=False, id=f"tab_{tab_id}")
          for n, tab_id in enumerate(("timeline", "eligibility", "applicant", "progress", "letters",
                                      "audit"), start=1)),
    ]

    def __init__(self, actor: Actor, case_id: int, tab: str | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.case_id = case_id
        self.detail: CaseDetail | None = None
        self._tab = tab
        self._first_load = True
        self._mounted = False
        self._read_early: tuple[CaseDetail, list[CaseAccess]] | None = None  # read before the screen was up

    def compose(self) -> ComposeResult:
        yield Header()
        yield CaseHeader(id="case-header")
        yield DeadlineStrip(id="deadlines")
        tabs = [TimelineTab(), EligibilityTab(), ApplicantTab(), ProgressTab(), LettersTab(),
                AuditTab(with_access_log=allowed(self.actor, "view_access_log"))]
        initial = self._tab or "timeline"
        for tab in tabs:
            tab.made = tab.id == initial  # the others are made when first shown
        with TabbedContent(id="tabs", initial=initial):
            yield from tabs
        yield Footer()

    @on(TabbedContent.TabActivated, "#tabs")
    async def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if isinstance(event.pane, CaseTab):
            await event.pane.make()

    def start_reading(self) -> None:
        """Begin reading the case before the screen is pushed, so that it is on its way while the
        screen composes and mounts."""
        if self._first_load:
            self.reload()

    def on_mount(self) -> None:
        self.title = "Case"
        self._mounted = True
        if self._read_early is not None:
            self._show(*self._read_early)
        elif self._first_load:
            self.reload()

    # --- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        self._load(record_view=self._first_load)
        self._first_load = False

    @work(thread=True, exclusive=True, group="case", exit_on_error=False)
    def _load(self, record_view: bool) -> None:
        detail = open_case(self.case_id, self.actor, record_view=record_view)
        views = access_log(self.actor, self.case_id) if allowed(self.actor, "view_access_log") else []
        self.app.call_from_thread(self._show, detail, views)

    def _show(self, detail: CaseDetail, views: list[CaseAccess]) -> None:
        if not self._mounted:
            self._read_early = (detail, views)
            return
        self._read_early = None
        self.detail = detail
        self.title = f"Case {detail.reference}"
        self.query_one(CaseHeader).show(detail)
        self.query_one(DeadlineStrip).show(detail.deadlines)
        for tab in (TimelineTab, EligibilityTab, ApplicantTab, ProgressTab, LettersTab):
            self.query_one(tab).show(detail)
        self.query_one(AuditTab).show(detail, views)
        self.refresh_bindings()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The footer's keys with the stage's next steps first: at 80 columns it shows only a few."""
        bindings = super().active_bindings
        if self.detail is None:
            return bindings
        order = {name: n for n, name in enumerate(stage_work_first(list(self.detail.actions)))}
        last = len(order)
        return dict(sorted(bindings.items(), key=lambda kv: order.get(kv[1].binding.id or "", last)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        step = BY_SCREEN_ACTION.get(action)
        if step is None:
            return True
        if self.detail is None or step.name not in self.detail.actions:
            return False
        if step.needs == "letter_unsent":
            letter = self.query_one(LettersTab).selected()
            return letter is not None and letter.sent_on is None
        return True

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        step = BY_SCREEN_ACTION.get(action)
        return self.why_step_is_off(step) if step is not None else None

    # --- running a change ----------------------------------------------------------------------

    def act(self, fn: Callable[..., Any], *args: Any, done: str, retry: Callable[[], None] | None = None,
            versioned: bool = True, after: Callable[[], str | None] | None = None, **kwargs: Any) -> None:
        """Run one service call off the UI thread, with the version this screen shows."""
        version = self.detail.version if versioned and self.detail is not None else None
        self.change(fn, *args, version=version, done=done, retry=retry, after=after,
                    title=self.detail.reference if self.detail else None, **kwargs)

    def _invalid(self, exc: InvalidInput, retry: Callable[..., None]) -> None:
        """A refused step's dialog comes back with what was typed, and the refusal beside the field it
        names: `CaseSteps`' retries take the refusal (a clash with someone else's change has none)."""
        super()._invalid(exc, lambda: retry(exc))

    def action_reload(self) -> None:
        self.reload()

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    @on(DataTable.RowSelected, "#letters-table")
    def _letter_chosen(self) -> None:
        from caseworker_tui.delivery import open_file

        letter = self.query_one(LettersTab).selected()
        if letter is not None:
            open_file(self.app, Path(letter.path))  # the desktop's program; in a browser, a download
