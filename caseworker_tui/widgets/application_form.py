"""The new-request form's repeating parts: incidents, each with its reports, added and removed as rows.

Each input's id is its field name in the import format, unique within its row, so an error's
field path (``incidents.1.reports.0.reported_on``) leads straight to the widget that is wrong.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from caseworker_tui.widgets.choice import ChoiceSelect


class FieldInput(Input):
    """A form's text field: tabbing back into it puts the cursor at the end of what is there.

    Textual's Input selects all its text on focus, so the next key replaced a date or a name typed
    earlier; a form is filled in and corrected, not retyped."""

    def __init__(self, *args: Any, select_on_focus: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, select_on_focus=select_on_focus, **kwargs)


class RowRemover(Button, can_focus=False):
    """The ✕ that removes a row (an incident, a report, a recommendation): clicked, never tabbed to,
    so Tab through a form never lands on it and Enter never takes a row away."""


class FieldError(Static):
    """The message beside a field; it takes no room until there is a message to show.

    Shown by a class, not CSS `:empty`: that pseudo-class means "no child widgets", which a
    Static never has, so it would hide every message.
    """

    def __init__(self) -> None:
        super().__init__("", classes="field-error", markup=False)

    def show(self, message: str) -> None:
        self.update(message)
        self.set_class(bool(message), "-shown")


class ReportRow(Horizontal):
    """One report: agency, date, who made it, the agency's reference."""

    def __init__(self, agencies: list[tuple[str, str]], values: dict[str, Any] | None = None) -> None:
        super().__init__(classes="report-row")
        self._agencies = agencies
        self._values = values or {}

    def compose(self) -> ComposeResult:
        v = self._values
        with Vertical(classes="cell"):
            yield ChoiceSelect(self._agencies, prompt="Agency", id="agency", value=v.get("agency", Select.NULL))
            yield FieldError()
        with Vertical(classes="cell date"):
            yield FieldInput(v.get("reported_on", ""), placeholder="reported on YYYY-MM-DD", id="reported_on")
            yield FieldError()
        with Vertical(classes="cell wide"):
            yield FieldInput(v.get("reporter", "applicant"), placeholder="reporter: applicant or a name", id="reporter")
            yield FieldError()
        with Vertical(classes="cell"):
            yield FieldInput(v.get("agency_reference", ""), placeholder="agency reference", id="agency_reference")
            yield FieldError()
        yield RowRemover("✕ report", classes="remove-report", tooltip="Remove this report")

    def value(self) -> dict[str, Any]:
        agency = self.query_one("#agency", Select).value
        return {
            "agency": agency if isinstance(agency, str) else "",
            "reported_on": self.query_one("#reported_on", Input).value.strip() or None,
            "reporter": self.query_one("#reporter", Input).value,
            "agency_reference": self.query_one("#agency_reference", Input).value,
        }

    @on(Button.Pressed, ".remove-report")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        incident = self.parent
        while incident is not None and not isinstance(incident, IncidentForm):
            incident = incident.parent
        if incident is not None and len(incident.report_rows()) <= 1:
            self.app.notify("An incident needs at least one report.", severity="warning")
            return
        self.remove()


class IncidentForm(Vertical):
    """One incident: when, where, what, whether hate-related, and its reports."""

    def __init__(self, agencies: list[tuple[str, str]], ident: str, values: dict[str, Any] | None = None) -> None:
        super().__init__(classes="incident")
        self._agencies = agencies
        self._ident = ident
        self._values = values or {}

    def compose(self) -> ComposeResult:
        v = self._values
        with Horizontal(classes="incident-head"):
            yield Label("Incident", classes="field-label")
            with Vertical(classes="cell small"):
                yield FieldInput(v.get("id", self._ident), id="id", placeholder="id")
                yield FieldError()
            with Vertical(classes="cell date"):
                yield FieldInput(v.get("occurred_on", ""), placeholder="occurred on YYYY-MM-DD", id="occurred_on")
                yield FieldError()
            with Vertical(classes="cell wide"):
                yield FieldInput(v.get("location", ""), placeholder="location", id="location")
                yield FieldError()
            yield Checkbox("Hate-related", v.get("hate_related", False), id="hate_related")
            yield RowRemover("✕ incident", classes="remove-incident", tooltip="Remove this incident")
        with Vertical(classes="cell"):
            yield FieldInput(v.get("description", ""), placeholder="what happened", id="description")
            yield FieldError()
        with Vertical(classes="reports"):
            for report in v.get("reports") or [{}]:
                yield ReportRow(self._agencies, report)
        yield Button("+ report", classes="add-report")

    def report_rows(self) -> list[ReportRow]:
        return list(self.query(ReportRow))

    def value(self) -> dict[str, Any]:
        return {
            "id": self.query_one("#id", Input).value.strip(),
            "occurred_on": self.query_one("#occurred_on", Input).value.strip() or None,
            "description": self.query_one("#description", Input).value,
            "location": self.query_one("#location", Input).value,
            "hate_related": self.query_one("#hate_related", Checkbox).value,
            "reports": [row.value() for row in self.report_rows()],
        }

    @on(Button.Pressed, ".add-report")
    async def _add_report(self, event: Button.Pressed) -> None:
        event.stop()
        row = ReportRow(self._agencies)
        await self.query_one(".reports").mount(row)
        row.query_one("#agency").focus()

    @on(Button.Pressed, ".remove-incident")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        if len(list(self.parent.query(IncidentForm))) <= 1:
            self.app.notify("A request needs at least one incident.", severity="warning")
            return
        self.remove()


def widget_for_field(root: Widget, field: str) -> Widget | None:
    """The input a field path names: applicant.email, incidents.1.reports.0.reported_on, dissatisfied …"""
    parts = field.split(".")
    scope: Widget = root
    try:
        if parts[0] == "incidents" and len(parts) >= 2 and parts[1].isdigit():
            scope = list(root.query(IncidentForm))[int(parts[1])]
            parts = parts[2:]
            if parts and parts[0] == "reports" and len(parts) >= 2 and parts[1].isdigit():
                scope = scope.report_rows()[int(parts[1])]
                parts = parts[2:]
            if not parts:
                return scope
            return scope.query_one(f"#{parts[0]}")
        if parts[0] == "applicant" and len(parts) >= 2:
            return root.query_one(f"#applicant-{parts[1]}")
        return root.query_one(f"#{parts[0]}")
    except (IndexError, LookupError, ValueError):
        return None
