"""One case: header, live deadline strip, and tabs for timeline, eligibility, applicant and audit.

The actions offered come from the service (by stage and role); the footer shows only those.
Every change runs in a worker with the version the user saw, so a stale save is refused and the
user's input is offered back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Select, Static, TabbedContent, TabPane

from caseworker_tui.services import auth, context, workflow
from caseworker_tui.services.cases import TIMELINE_KINDS, CaseDetail, open_case
from caseworker_tui.services.errors import StaleCase
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.stages import stage_label
from caseworker_tui.widgets.deadline_strip import DeadlineStrip
from caseworker_tui.widgets.safe import clean, plain
from caseworker_tui.widgets.verdict import VerdictView

KIND_WORDS = {"incident": "Incidents", "report": "Reports", "agency_update": "Agency updates",
              "decision": "Decisions", "letter": "Letters", "note": "Notes", "stage": "Stage changes",
              "review": "Review", "appeal": "Appeals", "recommendation": "Recommendations"}

# Binding action → the service action that must be offered for the key to show.
ACTION_GATES = {"acknowledge": "acknowledge", "take": "take", "assign": "assign", "note": "add_note",
                "triage": "triage", "withdraw": "withdraw"}


def header_text(detail: CaseDetail) -> Text:
    text = Text()
    text.append(detail.reference, style="bold")
    text.append("  ·  ")
    text.append(clean(detail.applicant.name), style="bold")
    text.append(f"  ·  Stage: {detail.stage_label}" + (" (review extended)" if detail.extended else ""))
    text.append(f"  ·  Assigned to: {clean(detail.assignee_name) or 'nobody'}")
    text.append("  ·  Risk: ")
    if detail.high_risk:
        text.append(f"▲ HIGH ({detail.risk_score})", style="bold red")
    elif detail.risk_score is None:
        text.append("not triaged", style="dim")
    else:
        text.append(f"standard ({detail.risk_score})")
    verdict = detail.verdict
    text.append("  ·  Verdict: ")
    text.append("✓ threshold met" if verdict.threshold_met else "✗ threshold not met",
                style="green" if verdict.threshold_met else "red")
    return text


def applicant_text(detail: CaseDetail) -> Text:
    a = detail.applicant
    consent = {True: "yes", False: "no", None: "not recorded"}[a.consent_to_share]
    rows = [
        ("Name", a.name), ("Address", a.address), ("Postcode", a.postcode), ("E-mail", a.email or "—"),
        ("Phone", a.phone or "—"), ("Preferred contact", a.preferred_contact),
        ("Applying on behalf of", a.on_behalf_of or "— (the victim applied)"),
        ("Vulnerabilities", a.vulnerabilities or "—"), ("Needs", ", ".join(a.needs) or "none recorded"),
        ("Advocate", a.advocate or "—"), ("Consent to share", consent),
        ("Dissatisfied", "yes" if detail.dissatisfied else "no"),
        ("Why", detail.dissatisfaction_reason or "—"),
    ]
    text = Text()
    for label, value in rows:
        text.append(f"{label:>22}  ", style="bold")
        text.append(f"{clean(value)}\n")
    if detail.triage_answers:
        policy = context.policy()
        text.append("\nTriage answers\n", style="bold")
        for q in policy.triage.questions:
            answer = "yes" if detail.triage_answers.get(q.id) else "no"
            text.append(f"  {answer:>3}  {q.text}\n")
    return text


class CaseScreen(Screen[None]):
    """Everything about one case, and the next steps its stage and the user's role allow."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("a", "acknowledge", "Acknowledge", id="acknowledge"),
        Binding("t", "take", "Take", id="take"),
        Binding("g", "assign", "Assign", id="assign"),
        Binding("n", "note", "Add note", id="add_note"),
        Binding("k", "triage", "Triage", id="triage"),
        Binding("w", "withdraw", "Withdraw", id="withdraw"),
        Binding("f5", "reload", "Refresh", id="reload_case"),
        Binding("1", "tab('timeline')", "Timeline", show=False, id="tab_timeline"),
        Binding("2", "tab('eligibility')", "Eligibility", show=False, id="tab_eligibility"),
        Binding("3", "tab('applicant')", "Applicant", show=False, id="tab_applicant"),
        Binding("4", "tab('audit')", "Audit", show=False, id="tab_audit"),
    ]

    def __init__(self, actor: Actor, case_id: int, tab: str | None = None) -> None:
        super().__init__()
        self.actor = actor
        self.case_id = case_id
        self.detail: CaseDetail | None = None
        self._tab = tab
        self._first_load = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="case-header")
        yield DeadlineStrip(id="deadlines")
        with TabbedContent(id="tabs", initial=self._tab or "timeline"):
            with TabPane("1 Timeline", id="timeline"):
                yield Select([(w, k) for k, w in KIND_WORDS.items() if k in TIMELINE_KINDS],
                             prompt="Every kind", id="timeline-kind")
                table = DataTable(id="timeline-table", cursor_type="row", zebra_stripes=True)
                table.add_columns("When", "", "What")
                yield table
            with TabPane("2 Eligibility", id="eligibility"), VerticalScroll():
                yield VerdictView(id="verdict")
            with TabPane("3 Applicant", id="applicant"), VerticalScroll():
                yield Static(id="applicant-details")
            with TabPane("4 Audit", id="audit"):
                audit = DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
                audit.add_columns("When", "Who", "What", "Stage", "Reason")
                yield audit
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Case"
        self.reload()

    # --- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        self._load(record_view=self._first_load)
        self._first_load = False

    @work(thread=True, exclusive=True, group="case", exit_on_error=False)
    def _load(self, record_view: bool) -> None:
        detail = open_case(self.case_id, self.actor, record_view=record_view)
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: CaseDetail) -> None:
        self.detail = detail
        self.title = f"Case {detail.reference}"
        self.query_one("#case-header", Static).update(header_text(detail))
        self.query_one(DeadlineStrip).show(detail.deadlines)
        self._fill_timeline()
        label = context.policy().agency_label
        self.query_one("#verdict", VerdictView).show(detail.verdict, label)
        self.query_one("#applicant-details", Static).update(applicant_text(detail))
        audit = self.query_one("#audit-table", DataTable)
        audit.clear()
        audit.add_rows([
            (e.at.strftime("%d %b %Y %H:%M"), plain(e.actor), e.action.replace("_", " "),
             f"{stage_label(e.from_stage)} → {stage_label(e.to_stage)}" if e.from_stage != e.to_stage and e.to_stage
             else "", plain(e.reason))
            for e in reversed(detail.audit)
        ])
        self.refresh_bindings()

    def _fill_timeline(self) -> None:
        if self.detail is None:
            return
        kind = self.query_one("#timeline-kind", Select).value
        table = self.query_one("#timeline-table", DataTable)
        table.clear()
        entries = [e for e in self.detail.timeline if not isinstance(kind, str) or e.kind == kind]
        table.add_rows([(e.at.strftime("%d %b %Y"), e.icon, plain(e.text)) for e in entries])

    @on(Select.Changed, "#timeline-kind")
    def _kind_changed(self) -> None:
        self._fill_timeline()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        gate = ACTION_GATES.get(action)
        if gate is None:
            return True
        return self.detail is not None and gate in self.detail.actions

    # --- running a change ------------------------------------------------------------------

    def act(self, fn: Callable[..., Any], *args: Any, done: str, retry: Callable[[], None] | None = None,
            versioned: bool = True, **kwargs: Any) -> None:
        """Run one service call off the UI thread, with the version this screen shows."""
        if versioned and self.detail is not None:
            kwargs["expected_version"] = self.detail.version
        self._run(fn, args, kwargs, done, retry)

    @work(thread=True, group="change", exit_on_error=False)
    def _run(self, fn, args, kwargs, done: str, retry) -> None:
        try:
            fn(*args, **kwargs)
        except StaleCase as exc:
            self.app.call_from_thread(self._stale, exc, retry)
            return
        self.app.call_from_thread(self._changed, done)

    def _changed(self, done: str) -> None:
        self.notify(done, title=self.detail.reference if self.detail else None)
        self.reload()

    def _stale(self, exc: StaleCase, retry: Callable[[], None] | None) -> None:
        self.notify(str(exc), title="Someone else changed this case", severity="warning", timeout=12)
        self.reload()
        if retry is not None:
            self.call_later(retry)

    # --- actions ---------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload()

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def action_acknowledge(self) -> None:
        self.act(workflow.acknowledge, self.case_id, self.actor, done="Acknowledged.")

    def action_take(self) -> None:
        self.act(workflow.assign, self.case_id, self.actor, self.actor.username, done="The case is yours.")

    def action_assign(self) -> None:
        self._ask_assignee()

    @work(thread=True, exit_on_error=False)
    def _ask_assignee(self) -> None:
        people = [(f"{u.display_name} ({u.role})", u.username) for u in auth.list_users()
                  if u.active and u.role in ("caseworker", "supervisor")]
        self.app.call_from_thread(self._show_assign_dialog, people)

    def _show_assign_dialog(self, people: list[tuple[str, str]]) -> None:
        from caseworker_tui.screens.dialogs import ChoiceDialog

        current = self.detail.assignee if self.detail else None

        def chosen(username: str | None) -> None:
            if username:
                self.act(workflow.assign, self.case_id, self.actor, username, done=f"Assigned to {username}.")
        self.app.push_screen(ChoiceDialog("Assign the case to", people, value=current, confirm="Assign"), chosen)

    def action_note(self, initial: str = "") -> None:
        from caseworker_tui.screens.dialogs import TextDialog

        def written(text: str | None) -> None:
            if text:
                self.act(workflow.add_note, self.case_id, self.actor, text, done="Note added.", versioned=False,
                         retry=lambda: self.action_note(text))
        self.app.push_screen(TextDialog("Add a note", "Note", initial=initial), written)

    def action_triage(self, answers: dict[str, bool] | None = None) -> None:
        from caseworker_tui.screens.dialogs import TriageDialog

        policy = context.policy()
        current = answers if answers is not None else (self.detail.triage_answers if self.detail else {})

        def answered(result: dict[str, bool] | None) -> None:
            if result is not None:
                self.act(workflow.triage, self.case_id, self.actor, result, done="Triage saved.",
                         retry=lambda: self.action_triage(result))
        self.app.push_screen(TriageDialog(list(policy.triage.questions), current, policy.triage.high_risk_at),
                             answered)

    def action_withdraw(self, initial: str = "") -> None:
        from caseworker_tui.screens.dialogs import TextDialog

        def given(reason: str | None) -> None:
            if reason:
                self.act(workflow.withdraw, self.case_id, self.actor, reason, done="Request withdrawn.",
                         retry=lambda: self.action_withdraw(reason))
        self.app.push_screen(TextDialog("Withdraw the request", "Reason", confirm="Withdraw", initial=initial,
                                        warning="Withdrawing closes the case and cancels its deadlines."), given)
