"""The case screen's correction of the record: read it as saved, show it in a dialog, save what changed."""

from __future__ import annotations

from typing import Any

from textual import work

from caseworker_tui.errors import InvalidInput
from caseworker_tui.services import context
from caseworker_tui.services.workflow import correction


class RecordSteps:
    """Mixed into `CaseSteps`; uses the case screen's `case_id`, `actor`, `act` and `_ask`."""

    def action_correct_record(self, typed: dict[str, Any] | None = None, refusal: InvalidInput | None = None) -> None:
        if typed is not None:  # brought back after a refusal or someone else's change, as typed
            self._show_record_dialog(typed, again=True, refusal=refusal)
        else:
            self._read_record()

    @work(thread=True, exit_on_error=False, group="record")
    def _read_record(self) -> None:
        record = correction.current_record(self.case_id, self.actor)
        self.app.call_from_thread(self._show_record_dialog, record)

    def _show_record_dialog(self, record: dict[str, Any], *, again: bool = False,
                            refusal: InvalidInput | None = None) -> None:
        from caseworker_tui.dialogs.record import CorrectRecordDialog

        agencies = [(a.label, k) for k, a in context.policy().agencies.items()]
        why = record.pop("why", "")

        def corrected(typed: dict[str, Any]) -> None:
            parts = {k: v for k, v in typed.items() if k != "why"}

            def revise(stored: dict[str, Any]) -> dict[str, Any]:
                return {**stored, **parts}
            self.act(correction.correct_record, self.case_id, self.actor, revise, why=typed["why"],
                     done="Record corrected; the verdict was worked out again from it.",
                     retry=lambda refused=None: self.action_correct_record({**record, **typed}, refused))
        self._ask(CorrectRecordDialog(record, agencies, why=why), corrected, again=again, refusal=refusal)
