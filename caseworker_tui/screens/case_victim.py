"""The case screen's steps of the victim's journey: their single point of contact, and their say on the
draft action plan before the chair approves it."""

from __future__ import annotations

from pathlib import Path

from textual import work

from caseworker_tui.errors import InvalidInput
from caseworker_tui.services import auth, context, workflow


class VictimSteps:
    """Mixed into `CaseSteps`; uses the case screen's `detail`, `case_id`, `actor`, `act` and `_ask`."""

    def letters_to(self) -> dict[str, Path | None]:
        """Where a step that ends in a letter writes it, as letters made on the Letters tab are."""
        settings = self.app.settings
        return {"out_dir": settings.output_dir, "letters_dir": settings.letters_dir}

    def action_change_spoc(self) -> None:
        self._ask_spoc()

    @work(thread=True, exit_on_error=False)
    def _ask_spoc(self) -> None:
        people = [(f"{u.display_name} ({u.role})", u.username) for u in auth.list_users()
                  if u.active and u.role in ("caseworker", "supervisor")]
        self.app.call_from_thread(self._show_spoc_dialog, people)

    def _show_spoc_dialog(self, people: list[tuple[str, str]]) -> None:
        from caseworker_tui.dialogs.common import ChoiceDialog

        current = self.detail.spoc if self.detail else None

        def chosen(username: str | None) -> None:
            if username:
                self.act(workflow.change_spoc, self.case_id, self.actor, username,
                         done="The victim's single point of contact is changed; letters from now on name them.")
        self.app.push_screen(ChoiceDialog("The victim's single point of contact", people, value=current,
                                          confirm="Name them"), chosen)

    def action_consult_victim(self) -> None:
        from caseworker_tui.dialogs.common import ConfirmDialog

        words = context.policy().timescales.action_plan_reply
        within = words.words if words else "10 working days"
        question = (f"Send the victim the draft action plan for their views? The letter gives them {within} "
                    "to reply; the chair approves once their views are recorded or that date has passed.")
        self._ask(ConfirmDialog(question, yes="Make the letter"),
                  lambda yes: yes and self.act(workflow.consult_victim, self.case_id, self.actor,
                                               done="Victim consulted; the draft action plan letter is on the Letters tab.",
                                               **self.letters_to()))

    def action_record_views(self, initial: str | None = None, refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.common import TextDialog

        review = self.detail.review if self.detail else None
        due = f"{review.reply_by:%a %d %b %Y}" if review and review.reply_by else "the reply-by date"

        def recorded(text: str) -> None:
            none = not text.strip()
            self.act(workflow.record_views, self.case_id, self.actor, text, no_reply=none,
                     done="No reply by the date, recorded." if none else "The victim's views are recorded for the chair.",
                     retry=lambda why=None: self.action_record_views(text, why))
        self._ask(TextDialog("The victim's views on the draft action plan", "What they said of it", required=False,
                             initial=initial or "", warning=f"They have until {due}. Left empty, this records "
                             "\"no reply by the date\", once that date has passed."),
                  recorded, again=initial is not None, refusal=refusal)
