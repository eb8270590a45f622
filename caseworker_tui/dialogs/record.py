"""Correct the record: the applicant's details, the incidents and their reports, shown as saved.

The incidents and reports are the new-request form's own rows (`widgets/application_form.py`), so a
refusal's field path (``incidents.1.occurred_on``) finds its field here as it does there. What the
form does not show of a report (its method, officer, "reported as hate") is carried through as saved.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from caseworker_tui.dialogs.case import _FormDialog
from caseworker_tui.widgets.application_form import FieldInput, IncidentForm, ReportRow, widget_for_field

NARROW = 100  # below this many columns the rows stack, as on the new-request form
CONTACT_WAYS = [("E-mail", "email"), ("Post", "post"), ("Phone", "phone")]
# The applicant's text fields: (field, label), in the new-request form's order.
APPLICANT_FIELDS = [("name", "Name"), ("address", "Address"), ("postcode", "Postcode"), ("email", "E-mail"),
                    ("phone", "Phone"), ("on_behalf_of", "On behalf of (the victim's name, if someone else applies)"),
                    ("vulnerabilities", "Vulnerabilities"), ("needs", "Needs (comma-separated, e.g. large_print)"),
                    ("advocate", "Advocate")]
KEPT = ("method", "officer", "as_hate")  # a report's parts the form's row does not show


class KeptIncident(IncidentForm):
    """An incident as saved: each report row that was saved gives back what the form does not show."""

    def value(self) -> dict[str, Any]:
        value = super().value()
        rows = self.report_rows()
        for row, report in zip(rows, value["reports"], strict=True):
            saved = getattr(row, "_values", None) or {}
            report.update({k: saved[k] for k in KEPT if k in saved})
        return value


class CorrectRecordDialog(_FormDialog):
    """Every correctable part of the record, pre-filled; the service compares, validates and saves."""

    TITLE_TEXT = "Correct the record"
    CONFIRM = "Save corrections"
    DEFAULT_CSS = """
    CorrectRecordDialog .dialog-box { width: 120; max-width: 100%; max-height: 100%; }
    CorrectRecordDialog .record-row { height: auto; }
    CorrectRecordDialog .record-row > Vertical { height: auto; width: 1fr; }
    """

    def __init__(self, record: dict[str, Any], agencies: list[tuple[str, str]], *, why: str = "") -> None:
        super().__init__()
        self._record, self._agencies, self._why = record, agencies, why

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    def fields(self) -> ComposeResult:
        person = self._record["applicant"]
        yield Static("Change what was recorded wrongly. The verdict is worked out again from the corrected "
                     "record; a decision already taken stands until it is taken again.", classes="muted")
        yield Label("The applicant", classes="dialog-title")
        for field, label in APPLICANT_FIELDS:
            value = person.get(field)
            if field == "needs":
                value = ", ".join(value or [])
            yield Label(label)
            yield FieldInput(value or "", id=f"applicant-{field}")
        yield Label("Preferred contact")
        yield Select(CONTACT_WAYS, value=person.get("preferred_contact") or "email", allow_blank=False,
                     id="applicant-preferred_contact")
        with Horizontal(classes="record-row"):
            yield Checkbox("Dissatisfied with the agencies' response", bool(self._record.get("dissatisfied")),
                           id="dissatisfied")
        yield Label("Why dissatisfied")
        yield FieldInput(self._record.get("dissatisfaction_reason", ""), id="dissatisfaction_reason")
        yield Label("Incidents and their reports", classes="dialog-title")
        with Vertical(id="incidents", classes="checks"):
            for n, incident in enumerate(self._record.get("incidents") or [], start=1):
                yield KeptIncident(self._agencies, f"i{n}", incident)
        yield Label("Why the record is corrected (optional; kept with the change)")
        yield FieldInput(self._why, id="why")

    def result(self) -> dict[str, Any]:
        applicant = dict(self._record["applicant"])
        for field, _ in APPLICANT_FIELDS:
            text = self.query_one(f"#applicant-{field}", Input).value.strip()
            if field == "needs":
                applicant[field] = [n.strip() for n in text.split(",") if n.strip()]
            else:
                applicant[field] = text or (None if applicant.get(field) is None else "")
        applicant["preferred_contact"] = str(self.query_one("#applicant-preferred_contact", Select).value)
        return {
            "applicant": applicant,
            "dissatisfied": self.query_one("#dissatisfied", Checkbox).value,
            "dissatisfaction_reason": self.query_one("#dissatisfaction_reason", Input).value.strip(),
            "incidents": [form.value() for form in self.query(KeptIncident)],
            "why": self.query_one("#why", Input).value.strip(),
        }

    def field_widget(self, field: str | None) -> Widget | None:
        if field and "." in field:
            found = widget_for_field(self, field)
            if isinstance(found, ReportRow | IncidentForm):
                return found.query("Input, Select").first()
            return found
        return super().field_widget(field)
