"""Drafting the outcome: findings summary and recommendations, with a preview as the applicant reads it."""

from __future__ import annotations

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static, TextArea

from caseworker_tui.errors import InvalidInput, StaleCase
from caseworker_tui.screens.base import AsksBeforeDiscarding, ReportsWorkerErrors
from caseworker_tui.screens.versioned import VersionedChanges
from caseworker_tui.services import context, workflow
from caseworker_tui.services.case_view import CaseDetail
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.workflow import RecommendationIn
from caseworker_tui.widgets.application_form import FieldInput, RowRemover
from caseworker_tui.widgets.choice import ChoiceSelect
from caseworker_tui.widgets.safe import clean


class RecommendationRow(Vertical):
    """One recommendation: the agency and due date on one line, the action under them at full width
    (beside them in half a screen the action, the part that matters, was left four characters)."""

    def __init__(self, agencies: list[tuple[str, str]], agency: str | None = None, action: str = "",
                 due: str = "") -> None:
        super().__init__(classes="recommendation-row")
        self._agencies, self._agency, self._action, self._due = agencies, agency, action, due

    def compose(self) -> ComposeResult:
        with Horizontal(classes="recommendation-head"):
            yield ChoiceSelect(self._agencies, prompt="Agency", value=self._agency or Select.NULL, id="agency")
            yield FieldInput(self._due, placeholder="due YYYY-MM-DD", id="due_on")
            yield RowRemover("✕", classes="remove-recommendation", tooltip="Remove this recommendation")
        yield FieldInput(self._action, placeholder="the action the agency will take", id="action")

    def value(self) -> tuple[str, str, str]:
        agency = self.query_one("#agency", Select).value
        return (agency if isinstance(agency, str) else "", self.query_one("#action", Input).value.strip(),
                self.query_one("#due_on", Input).value.strip())

    @on(Button.Pressed, ".remove-recommendation")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        self.remove()


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


PREVIEW_PAUSE = 0.3  # seconds of no typing before the preview is filled again


class OutcomeScreen(VersionedChanges, AsksBeforeDiscarding, ReportsWorkerErrors, Screen[bool]):
    """Write the outcome; F2 saves the draft, F9 saves it and, once confirmed, submits it to the chair.

    Submitting has a key of its own, asked about first: it hands the case on, and F4 is "Deadlines"
    on every other screen."""

    BINDINGS = [
        Binding("f2", "save(False)", "Save draft", id="save_outcome"),
        Binding("f9", "submit", "Submit to chair", id="submit_outcome"),
        Binding("f8", "add_recommendation", "Add recommendation", id="add_recommendation"),
        Binding("escape", "leave", "Back", id="leave_outcome"),
    ]
    DEFAULT_CSS = """
    OutcomeScreen #outcome-panes { height: 1fr; }
    OutcomeScreen #draft, OutcomeScreen #preview-pane { width: 1fr; padding: 0 1; }
    OutcomeScreen.-narrow #draft { width: 3fr; }  /* the app's breakpoint: at 80 columns the draft needs the room */
    OutcomeScreen.-narrow #preview-pane { width: 2fr; }
    OutcomeScreen #draft Label { width: 1fr; }
    OutcomeScreen #preview-pane { border-left: solid $primary; }
    OutcomeScreen #summary { height: 10; }
    OutcomeScreen .recommendation-row { height: auto; margin-bottom: 1; }
    OutcomeScreen .recommendation-head { height: auto; }
    OutcomeScreen .recommendation-row Select { width: 1fr; }
    OutcomeScreen .recommendation-row #due_on { width: 20; }
    OutcomeScreen .recommendation-row .remove-recommendation { width: 5; min-width: 5; }
    """

    def __init__(self, actor: Actor, detail: CaseDetail) -> None:
        super().__init__()
        self.actor, self.detail = actor, detail
        self._preview_timer = None
        self._agencies = [(a.label, key) for key, a in context.policy().agencies.items()]

    def compose(self) -> ComposeResult:
        review = self.detail.review
        yield Header()
        with Horizontal(id="outcome-panes"):
            with VerticalScroll(id="draft"):
                if review and review.returned_comments:
                    yield Static(f"The chair returned the draft: {clean(review.returned_comments)}",
                                 classes="warning", markup=False)
                yield Label("Summary of findings")
                yield TextArea(review.summary if review else "", id="summary")
                yield Label("Recommendations (agency, due date, and the action)")
                with Vertical(id="recommendations"):
                    for rec in self.detail.recommendations:
                        yield RecommendationRow(self._agencies, rec.agency, rec.action, rec.due_on.isoformat())
                yield Button("+ recommendation (F8)", id="add")
                yield Static("", id="outcome-error", classes="error", markup=False)
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Save draft (F2)", id="save")
                    yield Button("Submit to chair (F9)", variant="primary", id="submit")
            with VerticalScroll(id="preview-pane"):
                yield Static("Preview — as the applicant will read it", classes="section")
                yield Static("Reading the outcome letter…", id="preview", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Outcome for {self.detail.reference}"
        self._refresh_preview()
        self.query_one("#summary", TextArea).focus()
        self.call_after_refresh(self.mark_saved)

    def _rows(self) -> list[tuple[str, str, str]]:
        return [row.value() for row in self.query(RecommendationRow)]

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(Select.Changed)
    def _refresh_preview(self) -> None:
        """The real outcome letter, filled with the draft, a moment after typing pauses (latest wins)."""
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_PAUSE, self._ask_preview)

    def _ask_preview(self) -> None:
        rows = [(agency or "", action, _day(due)) for agency, action, due in self._rows()]
        self._render_preview(self.query_one("#summary", TextArea).text, rows)

    @work(thread=True, exclusive=True, group="outcome-preview", exit_on_error=False)
    def _render_preview(self, summary: str, rows: list[tuple[str, str, date | None]]) -> None:
        from caseworker_tui.services.letters.preview import outcome_preview

        text = outcome_preview(self.detail.id, summary, rows, self.app.settings.letters_dir)
        self.app.call_from_thread(self.query_one("#preview", Static).update, text)

    async def action_add_recommendation(self) -> None:
        row = RecommendationRow(self._agencies)
        await self.query_one("#recommendations").mount(row)
        row.query_one("#agency").focus()

    @on(Button.Pressed, "#add")
    async def _add(self) -> None:
        await self.action_add_recommendation()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save(False)

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        from caseworker_tui.dialogs.common import ConfirmDialog

        question = (f"Save the outcome for {self.detail.reference} ({clean(self.detail.applicant.name)}) and submit "
                    "it to the chair for approval?")
        self.app.push_screen(ConfirmDialog(question, yes="Submit"), lambda yes: self.action_save(True) if yes else None)

    def action_save(self, submit: bool) -> None:
        error = self.query_one("#outcome-error", Static)
        recs = []
        for n, (agency, action, due) in enumerate(self._rows(), start=1):
            try:
                due_on = date.fromisoformat(due)
            except ValueError:
                error.update(f"recommendation {n}: due date — write a date like 2027-01-31")
                return
            recs.append(RecommendationIn(agency, action, due_on))
        error.update("")
        self._store(self.query_one("#summary", TextArea).text, recs, submit)

    def _store(self, summary: str, recs: list[RecommendationIn], submit: bool) -> None:
        """Saved (and submitted) in a worker against the version on screen: if someone changed the case
        meanwhile nothing is saved, the draft stays as typed, and the next save is against their change."""
        case_id, actor = self.detail.id, self.actor

        def save(expected_version: int | None) -> None:
            done = workflow.draft_outcome(case_id, actor, summary=summary, recommendations=recs,
                                          expected_version=expected_version)
            if submit:
                workflow.submit_outcome(case_id, actor, expected_version=done.version)
        self.change(save, version=self.detail.version, done="Submitted to the chair." if submit else "Draft saved.",
                    title=self.detail.reference, retry=lambda: None)

    def _invalid(self, exc: InvalidInput, retry) -> None:
        """Bad input is said beside the draft, which stays as typed."""
        self.query_one("#outcome-error", Static).update(f"Not saved — {exc}")

    def changed(self, done: str, title: str | None) -> None:
        self.notify(done, title=title)
        self.dismiss(True)

    def changed_meanwhile(self, exc: StaleCase, retry) -> None:
        self.query_one("#outcome-error", Static).update(
            f"Not saved — {exc} Your draft is kept as typed: check the case, then save again.")
        super().changed_meanwhile(exc, retry)

    def reload(self) -> None:
        """The case read again for its version; what is typed here stays."""
        self._read_version()

    @work(thread=True, exclusive=True, group="outcome-version", exit_on_error=False)
    def _read_version(self) -> None:
        from caseworker_tui.services.cases import open_case

        detail = open_case(self.detail.id, self.actor, record_view=False)
        self.app.call_from_thread(setattr, self, "detail", detail)

    @on(Button.Pressed, "#leave")
    def action_leave(self) -> None:
        self.leave_asking_first(lambda: self.dismiss(False))
