"""What each lifecycle step's key does on the case screen: ask with a dialog, then call the service.

The keys, labels and when each is offered come from `services.lifecycle`; this mixin holds the
`action_<screen_action>` each step names, so `CaseScreen` stays about showing the case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work

from caseworker_tui.errors import InvalidInput
from caseworker_tui.screens.base import who_may
from caseworker_tui.screens.case_letters import LetterSteps
from caseworker_tui.screens.case_record import RecordSteps
from caseworker_tui.screens.case_victim import VictimSteps
from caseworker_tui.services import auth, context, workflow
from caseworker_tui.services.lifecycle import MISSING_FACT, Step
from caseworker_tui.services.stages import stage_label
from caseworker_tui.widgets.safe import clean

FEW_STAGES = 3  # a step open at more stages than this is named by the stage it is not open at


class CaseSteps(LetterSteps, VictimSteps, RecordSteps):
    """Mixed into `CaseScreen`, which provides `detail`, `case_id`, `actor`, `act` and `reload`."""

    def why_step_is_off(self, step: Step) -> str:
        """One line, in the lifecycle table's words: who may take the step, or what it needs."""
        if self.actor.role not in step.roles:
            return f"Only {who_may(step.roles)} may {step.words}."
        detail = self.detail
        if detail is None:
            return "The case is still being read; try again in a moment."
        if detail.stage not in step.stages:
            why = f"Cannot {step.words}: {detail.reference} is {detail.stage_label.lower()}"
            if len(step.stages) <= FEW_STAGES:
                why += "; this step needs it to be " + " or ".join(stage_label(s).lower() for s in step.stages)
            return why + "."
        return MISSING_FACT.get(step.needs or "", "Cannot {words} on this case now.").format(words=step.words)

    def action_acknowledge(self) -> None:
        self.act(workflow.acknowledge, self.case_id, self.actor, done="Acknowledged.",
                 after=self.step_letter("acknowledge"))

    def step_letter(self, step: str) -> Callable[[], str | None]:
        """Make the letter the lifecycle says taking `step` sends, once the step is taken."""
        from caseworker_tui.services.letters import BY_KEY, produce_for_step

        settings = self.app.settings

        def make() -> str | None:
            made = produce_for_step(step, self.case_id, self.actor, settings.output_dir, settings.letters_dir)
            if made is None:
                return None
            return f"The {BY_KEY[made.kind].label.lower()} letter is made: send it from the Letters tab."
        return make

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
        from caseworker_tui.dialogs.common import ChoiceDialog

        current = self.detail.assignee if self.detail else None

        def chosen(username: str | None) -> None:
            if username:
                self.act(workflow.assign, self.case_id, self.actor, username, done=f"Assigned to {username}.")
        self.app.push_screen(ChoiceDialog("Assign the case to", people, value=current, confirm="Assign"), chosen)

    # Each step that asks for input passes `retry`: on a refusal or a clash it reopens the dialog
    # with what was typed (`again`), and the refusal, when there is one, beside the field it names.

    def _ask(self, dialog, then: Callable[[Any], None], *, again: bool = False,
             refusal: InvalidInput | None = None) -> None:
        if again:
            dialog.bring_back(refusal)
        self.app.push_screen(dialog, lambda value: value is not None and then(value))

    def action_note(self, initial: str | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.common import TextDialog

        self._ask(TextDialog("Add a note", "Note", initial=initial or ""),
                  lambda text: self.act(workflow.add_note, self.case_id, self.actor, text, done="Note added.",
                                        versioned=False, retry=lambda why=None: self.action_note(text, why)),
                  again=initial is not None, refusal=refusal)

    def action_triage(self, answers: dict[str, bool] | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.common import TriageDialog

        policy = context.policy()
        current = answers if answers is not None else (self.detail.triage_answers if self.detail else {})
        self._ask(TriageDialog(list(policy.triage.questions), current, policy.triage.high_risk_at),
                  lambda result: self.act(workflow.triage, self.case_id, self.actor, result, done="Triage saved.",
                                          retry=lambda why=None: self.action_triage(result, why)),
                  again=answers is not None, refusal=refusal)

    def action_withdraw(self, initial: str | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.common import TextDialog

        self._ask(TextDialog("Withdraw the request", "Reason", confirm="Withdraw", initial=initial or "",
                             warning="Withdrawing closes the case and cancels its deadlines."),
                  lambda reason: self.act(workflow.withdraw, self.case_id, self.actor, reason,
                                          done="Request withdrawn; the withdrawal confirmation is on the Letters tab.",
                                          retry=lambda why=None: self.action_withdraw(reason, why), **self.letters_to()),
                  again=initial is not None, refusal=refusal)

    # --- decision, updates, review, outcome, appeals ---------------------------------------------

    def action_decide(self, initial: dict | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.case import DecideDialog

        if self.detail is None:
            return

        def decided(v: dict) -> None:
            self.act(workflow.decide, self.case_id, self.actor, accept=v["accept"], ground=v["ground"],
                     reason=v["reason"], done="Decision recorded; the decision letter is now due.",
                     retry=lambda why=None: self.action_decide(v, why))
        self._ask(DecideDialog(self.detail.verdict.threshold_met, list(context.policy().decline_grounds), initial),
                  decided, again=initial is not None, refusal=refusal)

    def action_ask_agencies(self) -> None:
        from caseworker_tui.dialogs.case import AgenciesDialog

        if self.detail is None:
            return
        policy = context.policy()
        named = {r.agency for i in self.detail.incidents for r in i.reports
                 if r.agency in policy.threshold.relevant_agencies}
        days = policy.timescales.agency_update.words
        dialog = AgenciesDialog([(a.label, k) for k, a in policy.agencies.items()], named,
                                f"Each agency is asked to reply within {days}.")
        self._ask(dialog, self._confirm_asking)

    def _confirm_asking(self, chosen: list[str]) -> None:
        """Where an agency's request will be e-mailed, say so and ask first; then ask, make and send."""
        from caseworker_tui.dialogs.common import ChoiceDialog
        from caseworker_tui.services.letters import routes

        settings = self.app.settings
        ways = routes(chosen, settings)
        if not any(r.email for r in ways):
            self._ask_agencies(chosen, email=False)
            return
        title = "Ask for an update, and send each agency its request letter:\n" + "\n".join(
            f"• {clean(r.words())}" for r in ways)
        options = [("Ask, and e-mail the letters as listed", "email"),
                   ("Ask; I will send the letters myself", "make")]
        self._ask(ChoiceDialog(title, options, value="email", confirm="Ask"),
                  lambda how: self._ask_agencies(chosen, email=how == "email"))

    def _ask_agencies(self, chosen: list[str], *, email: bool) -> None:
        from caseworker_tui.services.letters import outcome_words, send_update_requests

        settings = self.app.settings
        self.act(workflow.request_updates, self.case_id, self.actor, chosen, done="Updates requested.",
                 after=lambda: outcome_words(send_update_requests(self.case_id, self.actor, chosen, settings,
                                                                  email=email)))

    def action_record_update(self) -> None:
        from caseworker_tui.dialogs.case import ChoiceWithTextDialog

        if self.detail is None:
            return
        pending = [(f"{u.agency_label} (asked {u.requested_on:%d %b})", u.id) for u in self.detail.updates
                   if u.answered_on is None]
        if not pending:
            self.notify(MISSING_FACT["update_pending"])
            return
        self._ask(ChoiceWithTextDialog("Record an agency's update", pending, "What the agency said"),
                  lambda v: self.act(workflow.record_update, v["item"], self.actor, v["text"], versioned=False,
                                     done="Update recorded."))

    def action_schedule_review(self, initial: dict | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.case import ReviewDialog

        if self.detail is None:
            return
        review = self.detail.review
        values = initial or ({"meeting_on": review.meeting_on.isoformat() if review.meeting_on else "",
                              "chair_name": review.chair_name, "agencies": review.agencies,
                              "participation": review.participation,
                              "not_invited_reason": review.not_invited_reason,
                              "virtual_link": review.virtual_link} if review else {})
        agencies = [(a.label, k) for k, a in context.policy().agencies.items()]
        self._with_people(lambda people: self._ask(
            ReviewDialog(agencies, values, people),
            lambda v: self.act(workflow.schedule_review, self.case_id, self.actor, done="Review scheduled.",
                               retry=lambda why=None: self.action_schedule_review(
                                   {**v, "meeting_on": v["meeting_on"].isoformat()}, why), **v),
            again=initial is not None, refusal=refusal))

    @work(thread=True, exit_on_error=False)
    def _with_people(self, then: Callable[[list[str]], None]) -> None:
        """The people a chair can be chosen from, read off the UI thread, then `then(people)`."""
        from caseworker_tui.services.people import chair_choices

        people = chair_choices()
        self.app.call_from_thread(then, people)

    def action_findings(self, initial: str | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.common import TextDialog

        current = self.detail.review.findings if self.detail and self.detail.review else ""
        self._ask(TextDialog("The review's findings", "Findings", initial=current if initial is None else initial),
                  lambda text: self.act(workflow.record_findings, self.case_id, self.actor, text,
                                        done="Findings recorded.", retry=lambda why=None: self.action_findings(text, why)),
                  again=initial is not None, refusal=refusal)

    def action_extend(self, initial: dict | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.case import ExtendDialog

        review = self.detail.review if self.detail else None
        due = (review.extended_to or review.due_on) if review else None
        self._ask(ExtendDialog(due, initial),
                  lambda v: self.act(workflow.extend_review, self.case_id, self.actor, new_date=v["new_date"],
                                     reason=v["reason"], done="Review extended; the extension letter is now due.",
                                     retry=lambda why=None: self.action_extend(
                                         {**v, "new_date": v["new_date"].isoformat()}, why)),
                  again=initial is not None, refusal=refusal)

    def action_outcome(self) -> None:
        from caseworker_tui.screens.outcome import OutcomeScreen

        if self.detail is not None:
            self.app.push_screen(OutcomeScreen(self.actor, self.detail), lambda changed: changed and self.reload())

    def action_submit(self) -> None:
        from caseworker_tui.dialogs.common import ConfirmDialog

        reference = self.detail.reference if self.detail else "this case"
        self._ask(ConfirmDialog(f"Submit the drafted outcome for {reference} to the chair for approval?", yes="Submit"),
                  lambda yes: yes and self.act(workflow.submit_outcome, self.case_id, self.actor,
                                               done="Submitted to the chair."))

    def action_approve(self) -> None:
        from caseworker_tui.dialogs.common import ConfirmDialog

        question = ("Approve this outcome? It will go to the applicant in your name, and the recommendations "
                    "fall due.")
        self._ask(ConfirmDialog(question, yes="Approve"),
                  lambda yes: yes and self.act(workflow.approve_outcome, self.case_id, self.actor,
                                               done="Outcome approved; the outcome letter can now be produced."))

    def action_return_outcome(self, initial: str | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.common import TextDialog

        self._ask(TextDialog("Return the outcome to the caseworker", "Comments", confirm="Return",
                             initial=initial or ""),
                  lambda text: self.act(workflow.return_outcome, self.case_id, self.actor, text,
                                        done="Returned with your comments.",
                                        retry=lambda why=None: self.action_return_outcome(text, why)),
                  again=initial is not None, refusal=refusal)

    def action_follow_up(self) -> None:
        from caseworker_tui.dialogs.case import ChoiceWithTextDialog

        if self.detail is None:
            return
        open_recs = [(f"{r.position}. {r.agency_label}: {clean(r.action)[:50]}", r.id)
                     for r in self.detail.recommendations if r.done_on is None]
        if not open_recs:
            self.notify(MISSING_FACT["recommendation_open"])
            return
        self._ask(ChoiceWithTextDialog("Follow up a recommendation", open_recs, "What was done", confirm="Done"),
                  lambda v: self.act(workflow.follow_up, v["item"], self.actor, v["text"], versioned=False,
                                     done="Recommendation followed up."))

    def action_appeal(self, initial: dict | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.case import AppealDialog
        from caseworker_tui.services import clock

        def lodged(v: dict) -> None:
            self.act(workflow.record_appeal, self.case_id, self.actor, lodged_on=v["lodged_on"], grounds=v["grounds"],
                     done="Appeal recorded.",
                     retry=lambda why=None: self.action_appeal({**v, "lodged_on": v["lodged_on"].isoformat()}, why))
        self._load_window(lambda end: self._ask(AppealDialog(end, clock.today(), initial), lodged,
                                                again=initial is not None, refusal=refusal))

    def action_escalate(self, initial: dict | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.case import DatedTextDialog
        from caseworker_tui.services import clock

        escalation = context.policy().escalation
        if escalation is None:
            return
        dialog = DatedTextDialog(f"Refer the case to {escalation.name}", "Record referral", day_label="Referred on",
                                 day_field="referred_on", text_label="Note (optional)", text_field="note",
                                 today=clock.today(), note=escalation.how, initial=initial)

        def referred(v: dict) -> None:
            self.act(workflow.refer_escalation, self.case_id, self.actor, referred_on=v["referred_on"], note=v["note"],
                     done=f"Referral to {escalation.name} recorded.",
                     retry=lambda why=None: self.action_escalate({**v, "referred_on": v["referred_on"].isoformat()}, why))
        self._ask(dialog, referred, again=initial is not None, refusal=refusal)

    def action_escalation_answer(self, initial: dict | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.case import DatedTextDialog
        from caseworker_tui.services import clock

        dialog = DatedTextDialog("The answer to the referral", "Record answer", day_label="Answered on",
                                 day_field="answered_on", text_label="What they decided", text_field="answer",
                                 today=clock.today(), initial=initial)

        def answered(v: dict) -> None:
            self.act(workflow.record_escalation_answer, self.case_id, self.actor, answered_on=v["answered_on"],
                     answer=v["answer"], done="Answer recorded.",
                     retry=lambda why=None: self.action_escalation_answer(
                         {**v, "answered_on": v["answered_on"].isoformat()}, why))
        self._ask(dialog, answered, again=initial is not None, refusal=refusal)

    @work(thread=True, exit_on_error=False)
    def _load_window(self, then) -> None:
        from caseworker_tui.services.cases import appeal_window

        end = appeal_window(self.case_id)
        self.app.call_from_thread(then, end)

    def action_appeal_decision(self, initial: dict | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.case import AppealDecisionDialog

        self._with_people(lambda people: self._ask(
            AppealDecisionDialog(people, initial),
            lambda v: self.act(workflow.decide_appeal, self.case_id, self.actor, done="Appeal decided.",
                               retry=lambda why=None: self.action_appeal_decision(v, why), **v),
            again=initial is not None, refusal=refusal))

    def action_close_case(self, initial: str | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.common import TextDialog

        self._ask(TextDialog("Close the case", "Why it can be closed", confirm="Close", required=False,
                             initial=initial or "",
                             warning="Closing ends the case's open steps; recommendations are still followed up."),
                  lambda reason: self.act(workflow.close, self.case_id, self.actor, reason,
                                          done="Case closed; the closure letter is on the Letters tab.",
                                          retry=lambda why=None: self.action_close_case(reason, why), **self.letters_to()),
                  again=initial is not None, refusal=refusal)

    def action_record_contact(self, initial: dict | None = None) -> None:
        from caseworker_tui.dialogs.contact import ContactDialog
        from caseworker_tui.services import clock

        def logged(v: dict) -> None:
            self.act(workflow.record_contact, self.case_id, self.actor, done="Contact logged.",
                     retry=lambda: self.action_record_contact({**v, "at": f"{v['at']:%Y-%m-%d %H:%M}"}), **v)
        self._ask(ContactDialog(clock.now(), initial), logged)
