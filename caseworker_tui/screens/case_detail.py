"""One case: header, live deadline strip, and tabs for timeline, eligibility, applicant and audit.

The actions offered come from the service (by stage and role); the footer shows only those.
Every change runs in a worker with the version the user saw, so a stale save is refused and the
user's input is offered back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Select, Static, TabbedContent, TabPane

from caseworker_tui.errors import InvalidInput, StaleCase
from caseworker_tui.screens.base import ReportsWorkerErrors
from caseworker_tui.services import auth, context, workflow
from caseworker_tui.services.access_log import CaseAccess, access_log
from caseworker_tui.services.cases import TIMELINE_KINDS, CaseDetail, open_case
from caseworker_tui.services.lifecycle import BY_SCREEN_ACTION, STEPS
from caseworker_tui.services.permissions import Actor, allowed
from caseworker_tui.services.stages import stage_label
from caseworker_tui.widgets.deadline_strip import DeadlineStrip
from caseworker_tui.widgets.safe import clean, plain
from caseworker_tui.widgets.verdict import VerdictView

KIND_WORDS = {"incident": "Incidents", "report": "Reports", "agency_update": "Agency updates",
              "decision": "Decisions", "letter": "Letters", "note": "Notes", "stage": "Stage changes",
              "review": "Review", "appeal": "Appeals", "recommendation": "Recommendations"}

# Binding action → the service action that must be offered for the key to show.
def _stage_change(event) -> str:
    if not event.to_stage or event.from_stage == event.to_stage:
        return ""
    if not event.from_stage:
        return stage_label(event.to_stage)
    return f"{stage_label(event.from_stage)} → {stage_label(event.to_stage)}"


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


def progress_text(detail: CaseDetail) -> Text:
    """Decision, agency updates, review, outcome, recommendations and appeals, in the order they happen."""
    text = Text()

    def heading(words: str) -> None:
        text.append(f"{words}\n", style="bold underline")

    heading("Threshold decision")
    if not detail.decisions:
        text.append("  Not decided yet.\n")
    for d in detail.decisions:
        words = "Accepted — threshold met" if d.decision == "accepted" else (
            "Declined — threshold not met" if d.ground == "threshold_not_met" else f"Declined — {d.ground}")
        text.append(f"  {words} by {d.decided_by} on {d.decided_at:%d %b %Y}")
        text.append(" (against the computed verdict)" if d.against_verdict else "")
        text.append(f": {clean(d.reason)}\n" if d.reason else "\n")
    text.append("\n")
    heading("Agency updates")
    if not detail.updates:
        text.append("  None asked for yet.\n")
    for u in detail.updates:
        if u.answered_on:
            text.append(f"  ✓ {u.agency_label}: answered {u.answered_on:%d %b %Y} — {clean(u.answer)}\n")
        else:
            text.append(f"  … {u.agency_label}: asked {u.requested_on:%d %b}, due {u.due_on:%d %b %Y}")
            text.append("  ! LATE\n" if u.late else "\n", style="bold red" if u.late else "")
    text.append("\n")
    heading("Review")
    review = detail.review
    if review is None:
        text.append("  No review: the request has not been accepted.\n")
    else:
        due = review.extended_to or review.due_on
        text.append(f"  Due {due:%a %d %b %Y}")
        text.append(f" (extended from {review.due_on:%d %b}: {clean(review.extension_reason)})\n"
                    if review.extended_to else "\n")
        if review.meeting_on:
            from caseworker_tui.services.workflow import PARTICIPATION

            text.append(f"  Meeting {review.meeting_on:%a %d %b %Y}, chaired by {clean(review.chair_name)}; "
                        f"agencies: {', '.join(context.policy().agency_label(a) for a in review.agencies)}\n")
            how = PARTICIPATION.get(review.participation, review.participation)
            text.append(f"  The applicant takes part {how}")
            text.append(f" — {clean(review.not_invited_reason)}\n" if review.not_invited_reason else ".\n")
        else:
            text.append("  The meeting is not scheduled yet.\n")
        if review.findings:
            text.append(f"  Findings: {clean(review.findings)}\n")
        text.append("\n")
        heading("Outcome")
        if review.summary:
            text.append(f"  {clean(review.summary)}\n")
        else:
            text.append("  Not drafted yet.\n")
        if review.returned_comments:
            text.append(f"  Returned by the chair: {clean(review.returned_comments)}\n", style="bold yellow")
        if review.approved_at:
            text.append(f"  ✓ Approved by {clean(review.approved_by_name)} on {review.approved_at:%d %b %Y %H:%M}\n",
                        style="green")
        elif review.submitted_at:
            text.append(f"  Awaiting the chair since {review.submitted_at:%d %b %Y}\n")
    if detail.recommendations:
        text.append("\n")
        heading("Recommendations")
        for r in detail.recommendations:
            mark = f"✓ done {r.done_on:%d %b %Y}: {clean(r.done_note)}" if r.done_on else f"due {r.due_on:%d %b %Y}"
            text.append(f"  {r.position}. {r.agency_label} — {clean(r.action)} — {mark}\n")
    if detail.appeals:
        text.append("\n")
        heading("Appeals")
        for a in detail.appeals:
            text.append(f"  Against the {a.against}, lodged {a.lodged_on:%d %b %Y}: {clean(a.grounds)}\n")
            if a.decided_on:
                result = "upheld" if a.upheld else "not upheld (final)"
                text.append(f"  Decided {a.decided_on:%d %b %Y} by {clean(a.independent_chair)}: {result} — "
                            f"{clean(a.decision_reason)}\n")
            else:
                text.append("  Waiting for an independent chair's decision.\n")
    return text


class CaseScreen(ReportsWorkerErrors, Screen[None]):
    """Everything about one case, and the next steps its stage and the user's role allow."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        *(Binding(step.key, step.screen_action, step.label, show=step.show, id=step.name)
          for step in STEPS),
        Binding("f5", "reload", "Refresh", id="reload_case"),
        Binding("1", "tab('timeline')", "Timeline", show=False, id="tab_timeline"),
        Binding("2", "tab('eligibility')", "Eligibility", show=False, id="tab_eligibility"),
        Binding("3", "tab('applicant')", "Applicant", show=False, id="tab_applicant"),
        Binding("4", "tab('progress')", "Progress", show=False, id="tab_progress"),
        Binding("5", "tab('letters')", "Letters", show=False, id="tab_letters"),
        Binding("6", "tab('audit')", "Audit", show=False, id="tab_audit"),
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
            with TabPane("4 Progress", id="progress"), VerticalScroll():
                yield Static(id="progress-details")
            with TabPane("5 Letters", id="letters"), Horizontal():
                with Vertical(id="letters-left"):
                    letters = DataTable(id="letters-table", cursor_type="row", zebra_stripes=True)
                    letters.add_columns("Letter", "Version", "Produced", "Sent")
                    yield letters
                    yield Static("", id="letter-path", markup=False)
                with VerticalScroll(id="letter-preview-pane"):
                    yield Static("No letters yet. Press m to make the letter this stage calls for.",
                                 id="letter-preview", markup=False)
            with TabPane("6 Audit", id="audit"), Vertical():
                audit = DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
                audit.add_columns("When", "Who", "What", "Stage", "Reason")
                yield audit
                if allowed(self.actor, "view_access_log"):
                    yield Static("Who opened this case, latest first (shown to admins only)",
                                 classes="section")
                    views = DataTable(id="views-table", cursor_type="row", zebra_stripes=True)
                    views.add_columns("When", "Who")
                    yield views
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
        views = access_log(self.actor, self.case_id) if allowed(self.actor, "view_access_log") else []
        self.app.call_from_thread(self._show, detail, views)

    def _show(self, detail: CaseDetail, views: list[CaseAccess]) -> None:
        self.detail = detail
        self.title = f"Case {detail.reference}"
        self.query_one("#case-header", Static).update(header_text(detail))
        self.query_one(DeadlineStrip).show(detail.deadlines)
        self._fill_timeline()
        label = context.policy().agency_label
        self.query_one("#verdict", VerdictView).show(detail.verdict, label)
        self.query_one("#applicant-details", Static).update(applicant_text(detail))
        self.query_one("#progress-details", Static).update(progress_text(detail))
        self._fill_letters()
        audit = self.query_one("#audit-table", DataTable)
        audit.clear()
        audit.add_rows([
            (e.at.strftime("%d %b %Y %H:%M"), plain(e.actor), e.action.replace("_", " "), _stage_change(e),
             plain(e.reason))
            for e in reversed(detail.audit)
        ])
        if self.query("#views-table"):  # admins only
            opened = self.query_one("#views-table", DataTable)
            opened.clear()
            opened.add_rows([(v.at.strftime("%d %b %Y %H:%M"), plain(v.username)) for v in views])
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
        step = BY_SCREEN_ACTION.get(action)
        if step is None:
            return True
        if self.detail is None or step.name not in self.detail.actions:
            return False
        if step.needs == "letter_unsent":
            letter = self._selected_letter()
            return letter is not None and letter.sent_on is None
        return True

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
        except InvalidInput as exc:
            if retry is None:
                raise
            # The dialog comes back with what was typed, so one missing reason costs no retyping.
            self.app.call_from_thread(self._invalid, exc, retry)
            return
        self.app.call_from_thread(self._changed, done)

    def _invalid(self, exc: InvalidInput, retry: Callable[[], None]) -> None:
        self.notify(str(exc), title="Not done", severity="error", timeout=10)
        retry()

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

    # --- decision, updates, review, outcome, appeals ---------------------------------------------

    def _ask(self, dialog, then: Callable[[Any], None]) -> None:
        self.app.push_screen(dialog, lambda value: value is not None and then(value))

    def action_decide(self, initial: dict | None = None) -> None:
        from caseworker_tui.screens.case_dialogs import DecideDialog

        if self.detail is None:
            return

        def decided(v: dict) -> None:
            self.act(workflow.decide, self.case_id, self.actor, accept=v["accept"], ground=v["ground"],
                     reason=v["reason"], done="Decision recorded; the decision letter is now due.",
                     retry=lambda: self.action_decide(v))
        self._ask(DecideDialog(self.detail.verdict.threshold_met, list(context.policy().decline_grounds), initial),
                  decided)

    def action_ask_agencies(self) -> None:
        from caseworker_tui.screens.case_dialogs import AgenciesDialog

        if self.detail is None:
            return
        policy = context.policy()
        named = {r.agency for i in self.detail.incidents for r in i.reports
                 if r.agency in policy.threshold.relevant_agencies}
        days = policy.timescales.agency_update_working_days
        dialog = AgenciesDialog([(a.label, k) for k, a in policy.agencies.items()], named,
                                f"Each agency is asked to reply within {days} working days.")
        self._ask(dialog, lambda chosen: self.act(workflow.request_updates, self.case_id, self.actor, chosen,
                                                  done="Updates requested."))

    def action_record_update(self) -> None:
        from caseworker_tui.screens.case_dialogs import ChoiceWithTextDialog

        if self.detail is None:
            return
        pending = [(f"{u.agency_label} (asked {u.requested_on:%d %b})", u.id) for u in self.detail.updates
                   if u.answered_on is None]
        if not pending:
            self.notify("No agency update is waiting for an answer.")
            return
        self._ask(ChoiceWithTextDialog("Record an agency's update", pending, "What the agency said"),
                  lambda v: self.act(workflow.record_update, v["item"], self.actor, v["text"], versioned=False,
                                     done="Update recorded."))

    def action_schedule_review(self, initial: dict | None = None) -> None:
        from caseworker_tui.screens.case_dialogs import ReviewDialog

        if self.detail is None:
            return
        review = self.detail.review
        values = initial or ({"meeting_on": review.meeting_on.isoformat() if review.meeting_on else "",
                              "chair_name": review.chair_name, "agencies": review.agencies,
                              "participation": review.participation,
                              "not_invited_reason": review.not_invited_reason} if review else {})
        agencies = [(a.label, k) for k, a in context.policy().agencies.items()]
        self._ask(ReviewDialog(agencies, values),
                  lambda v: self.act(workflow.schedule_review, self.case_id, self.actor, done="Review scheduled.",
                                     retry=lambda: self.action_schedule_review(
                                         {**v, "meeting_on": v["meeting_on"].isoformat()}), **v))

    def action_findings(self) -> None:
        from caseworker_tui.screens.dialogs import TextDialog

        current = self.detail.review.findings if self.detail and self.detail.review else ""
        self._ask(TextDialog("The review's findings", "Findings", initial=current),
                  lambda text: self.act(workflow.record_findings, self.case_id, self.actor, text,
                                        done="Findings recorded."))

    def action_extend(self, initial: dict | None = None) -> None:
        from caseworker_tui.screens.case_dialogs import ExtendDialog

        review = self.detail.review if self.detail else None
        due = (review.extended_to or review.due_on) if review else None
        self._ask(ExtendDialog(due, initial),
                  lambda v: self.act(workflow.extend_review, self.case_id, self.actor, new_date=v["new_date"],
                                     reason=v["reason"], done="Review extended; the extension letter is now due.",
                                     retry=lambda: self.action_extend({**v, "new_date": v["new_date"].isoformat()})))

    def action_outcome(self) -> None:
        from caseworker_tui.screens.outcome import OutcomeScreen

        if self.detail is not None:
            self.app.push_screen(OutcomeScreen(self.actor, self.detail), lambda changed: changed and self.reload())

    def action_submit(self) -> None:
        from caseworker_tui.screens.dialogs import ConfirmDialog

        self._ask(ConfirmDialog("Submit the drafted outcome to the chair for approval?", yes="Submit"),
                  lambda yes: yes and self.act(workflow.submit_outcome, self.case_id, self.actor,
                                               done="Submitted to the chair."))

    def action_approve(self) -> None:
        from caseworker_tui.screens.dialogs import ConfirmDialog

        question = ("Approve this outcome? It will go to the applicant in your name, and the recommendations "
                    "fall due.")
        self._ask(ConfirmDialog(question, yes="Approve"),
                  lambda yes: yes and self.act(workflow.approve_outcome, self.case_id, self.actor,
                                               done="Outcome approved; the outcome letter can now be produced."))

    def action_return_outcome(self, initial: str = "") -> None:
        from caseworker_tui.screens.dialogs import TextDialog

        self._ask(TextDialog("Return the outcome to the caseworker", "Comments", confirm="Return", initial=initial),
                  lambda text: self.act(workflow.return_outcome, self.case_id, self.actor, text,
                                        done="Returned with your comments.",
                                        retry=lambda: self.action_return_outcome(text)))

    def action_follow_up(self) -> None:
        from caseworker_tui.screens.case_dialogs import ChoiceWithTextDialog

        if self.detail is None:
            return
        open_recs = [(f"{r.position}. {r.agency_label}: {clean(r.action)[:50]}", r.id)
                     for r in self.detail.recommendations if r.done_on is None]
        if not open_recs:
            self.notify("Every recommendation has been followed up.")
            return
        self._ask(ChoiceWithTextDialog("Follow up a recommendation", open_recs, "What was done", confirm="Done"),
                  lambda v: self.act(workflow.follow_up, v["item"], self.actor, v["text"], versioned=False,
                                     done="Recommendation followed up."))

    def action_appeal(self) -> None:
        from caseworker_tui.screens.case_dialogs import AppealDialog
        from caseworker_tui.services import clock

        self._load_window(lambda end: self._ask(
            AppealDialog(end, clock.today()),
            lambda v: self.act(workflow.record_appeal, self.case_id, self.actor, lodged_on=v["lodged_on"],
                               grounds=v["grounds"], done="Appeal recorded.")))

    @work(thread=True, exit_on_error=False)
    def _load_window(self, then) -> None:
        from caseworker_tui.services.cases import appeal_window

        end = appeal_window(self.case_id)
        self.app.call_from_thread(then, end)

    def action_appeal_decision(self) -> None:
        from caseworker_tui.screens.case_dialogs import AppealDecisionDialog

        self._ask(AppealDecisionDialog(),
                  lambda v: self.act(workflow.decide_appeal, self.case_id, self.actor, done="Appeal decided.", **v))

    def action_close_case(self) -> None:
        from caseworker_tui.screens.dialogs import TextDialog

        self._ask(TextDialog("Close the case", "Why it can be closed", confirm="Close", required=False,
                             warning="Closing ends the case's open steps; recommendations are still followed up."),
                  lambda reason: self.act(workflow.close, self.case_id, self.actor, reason, done="Case closed."))

    # --- letters -------------------------------------------------------------------------------

    def _fill_letters(self) -> None:
        if self.detail is None:
            return
        table = self.query_one("#letters-table", DataTable)
        keep = table.cursor_row
        table.clear()
        table.add_rows([
            (letter.kind.replace("_", " ").capitalize() + (" (large print)" if letter.large_print else ""),
             f"v{letter.version_no}", letter.created_at.strftime("%d %b %Y"),
             f"{letter.sent_on:%d %b %Y} by {letter.channel}" if letter.sent_on else Text("not sent", style="bold"))
            for letter in self.detail.letters
        ])
        if self.detail.letters:
            table.move_cursor(row=min(max(keep, 0), len(self.detail.letters) - 1))
            self._preview_letter(self.detail.letters[table.cursor_row].id)

    def _selected_letter(self):
        if self.detail is None or not self.detail.letters:
            return None
        row = self.query_one("#letters-table", DataTable).cursor_row
        return self.detail.letters[row] if 0 <= row < len(self.detail.letters) else None

    @on(DataTable.RowHighlighted, "#letters-table")
    def _letter_highlighted(self) -> None:
        letter = self._selected_letter()
        if letter is not None:
            self._preview_letter(letter.id)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="letter-preview", exit_on_error=False)
    def _preview_letter(self, letter_id: int) -> None:
        from caseworker_tui.services.letters import letter_text

        text = letter_text(letter_id)
        self.app.call_from_thread(self._show_letter, letter_id, text)

    def _show_letter(self, letter_id: int, text: str) -> None:
        letter = next((x for x in self.detail.letters if x.id == letter_id), None) if self.detail else None
        self.query_one("#letter-preview", Static).update(clean(text))
        if letter is not None:
            self.query_one("#letter-path", Static).update(f"Saved at {letter.path}")

    def action_make_letter(self) -> None:
        self._letter_options()

    @work(thread=True, exit_on_error=False)
    def _letter_options(self) -> None:
        from caseworker_tui.services.letters import letter_options, update_request_agencies

        options = letter_options(self.case_id)
        agencies = update_request_agencies(self.case_id)
        self.app.call_from_thread(self._choose_letter, options, agencies)

    def _choose_letter(self, options, agencies: list[str]) -> None:
        from caseworker_tui.screens.dialogs import ChoiceDialog

        offered = [(o.label, o.kind) for o in options if o.offered]
        if not offered:
            reasons = "; ".join(f"{o.label}: {o.reason}" for o in options if o.reason)[:400]
            self.notify(f"No letter is due at this stage. {reasons}", title="Letters", timeout=10)
            return
        label = context.policy().agency_label

        def chosen(kind: str | None) -> None:
            if not kind:
                return
            if kind == "agency_update_request" and len(agencies) > 1:
                self._ask(ChoiceDialog("Which agency is the letter to?", [(label(a), a) for a in agencies],
                                       confirm="Make letter"), lambda agency: self._produce(kind, agency))
            else:
                self._produce(kind, agencies[0] if kind == "agency_update_request" and agencies else None)
        self.app.push_screen(ChoiceDialog("Make a letter", offered, confirm="Make letter"), chosen)

    @work(thread=True, exit_on_error=False)
    def _produce(self, kind: str, agency: str | None) -> None:
        from caseworker_tui.services.letters import produce

        settings = self.app.settings
        made = produce(self.case_id, kind, self.actor, settings.output_dir, settings.letters_dir, agency=agency)
        self.app.call_from_thread(self._produced, made)

    def _produced(self, made) -> None:
        from caseworker_tui.delivery import offer_file

        offer_file(self.app, Path(made.path))  # in a browser, a download; in a terminal, where it is
        self.action_tab("letters")
        self.reload()

    @on(DataTable.RowSelected, "#letters-table")
    def _letter_chosen(self) -> None:
        from caseworker_tui.delivery import offer_file

        letter = self._selected_letter()
        if letter is not None:
            offer_file(self.app, Path(letter.path))

    def action_mark_sent(self) -> None:
        from caseworker_tui.screens.case_dialogs import SentDialog
        from caseworker_tui.services import clock
        from caseworker_tui.services.letters import mark_sent

        letter = self._selected_letter()
        if letter is None or letter.sent_on is not None:
            self.notify("Choose a letter that has not been sent, on the Letters tab.")
            return
        self._ask(SentDialog(clock.today()),
                  lambda v: self.act(mark_sent, letter.id, self.actor, v["on"], v["channel"], versioned=False,
                                     done="Marked sent; its deadline is met."))
