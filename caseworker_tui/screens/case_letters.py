"""The case screen's letter keys: make the letter the stage calls for, mark it sent, send it.

Mixed into `CaseSteps`; the letters themselves are `services.letters`'.
"""

from __future__ import annotations

from pathlib import Path

from textual import work

from caseworker_tui.services import context
from caseworker_tui.services.lifecycle import MISSING_FACT
from caseworker_tui.widgets.case.letters_tab import LettersTab
from caseworker_tui.widgets.safe import clean


class LetterSteps:
    """Uses the case screen's `detail`, `case_id`, `actor`, `act`, `_ask`, `reload` and `action_tab`."""

    def action_make_letter(self) -> None:
        self._letter_options()

    @work(thread=True, exit_on_error=False)
    def _letter_options(self) -> None:
        from caseworker_tui.services.letters import letter_options, update_request_agencies

        options = letter_options(self.case_id)
        agencies = update_request_agencies(self.case_id)
        self.app.call_from_thread(self._choose_letter, options, agencies)

    def _choose_letter(self, options, agencies: list[str]) -> None:
        from caseworker_tui.dialogs.common import ChoiceDialog

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
        self.query_one(LettersTab).highlight_next(made.id)
        self.action_tab("letters")
        self.reload()

    def action_mark_sent(self) -> None:
        from caseworker_tui.dialogs.case import SentDialog
        from caseworker_tui.services import clock
        from caseworker_tui.services.letters import BY_KEY, mark_sent

        letter = self.query_one(LettersTab).selected()
        if letter is None or letter.sent_on is not None:
            self.notify(MISSING_FACT["letter_unsent"])
            return
        kind = BY_KEY.get(letter.kind)
        named = (f"{kind.label if kind else letter.kind.replace('_', ' ')} (version {letter.version_no}, "
                 f"produced {letter.created_at:%d %b %Y})")
        self._ask(SentDialog(clock.today(), clean(named)),
                  lambda v: self.act(mark_sent, letter.id, self.actor, v["on"], v["channel"], versioned=False,
                                     done=f"Marked sent: {clean(named)}. Its deadline is met; the timeline says so."))


    def action_send_letter(self) -> None:
        letter = self.query_one(LettersTab).selected()
        if letter is None or letter.sent_on is not None:
            self.notify("Choose a letter that has not been sent, on the Letters tab.")
            return
        self._send_to(letter)

    @work(thread=True, exit_on_error=False)
    def _send_to(self, letter) -> None:
        from caseworker_tui.services.letters import recipient_of

        self.app.call_from_thread(self._confirm_send, letter, recipient_of(letter.id))

    def _confirm_send(self, letter, to) -> None:
        """Ask first, naming the letter and the person; e-mail is offered only to an address there is."""
        from caseworker_tui.dialogs.common import ChoiceDialog
        from caseworker_tui.services.letters import send

        settings = self.app.settings
        kind = settings.notify_key_kind if settings.notify_api_key else None
        ways = [(f"By e-mail to {to.email}, the PDF attached", "email")] if to.email else []
        if kind and to.email and settings.notify_email_template:
            ways.append((f"By e-mail through GOV.UK Notify ({notify_key_words(kind)})", "notify-email"))
        if kind and not to.to_agency:
            ways.append((f"By post through GOV.UK Notify ({notify_key_words(kind)})", "notify-letter"))
        ways.append(("By post, in today's print pack", "post"))
        title = f"Send the {letter.kind.replace('_', ' ')} letter (version {letter.version_no}) to {to.name}"
        by_post = "notify-letter" if kind and not to.to_agency else "post"
        preferred = by_post if to.prefers == "post" or not to.email else "email"
        done_words = {"email": f"Sent to {to.email}; its deadline is met.",
                      "notify-email": f"Handed to GOV.UK Notify for {to.email}; its deadline is met.",
                      "notify-letter": "Handed to GOV.UK Notify to print and post; its deadline is met.",
                      "post": "In today's print pack, in the output folder; its deadline is met."}

        def chosen(via: str | None) -> None:
            if not via:
                return
            self.notify(f"Sending the letter to {to.name}…", title="Letters")
            self.act(send, letter.id, self.actor, via, settings, versioned=False, done=done_words[via])
        self.app.push_screen(ChoiceDialog(clean(title), ways, value=preferred, confirm="Send"), chosen)


def notify_key_words(kind: str) -> str:
    """The kind of Notify key the send goes with, in the confirmation's words (test keys send nothing)."""
    from caseworker_tui.services.letters.notify import key_words

    return key_words(kind)
