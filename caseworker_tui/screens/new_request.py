"""A new request: every field of the import format, checked before anything is stored.

Validation is the service's (the same rules as `caseworker import`); this screen only shows each
message beside the field that is wrong. Saving is one transaction; the verdict and deadlines
appear as soon as it is saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static

from caseworker_tui.errors import InvalidInput
from caseworker_tui.screens.base import AsksBeforeDiscarding, ReportsWorkerErrors
from caseworker_tui.services import clock, context, intake
from caseworker_tui.services.application import CHANNELS, parse_application
from caseworker_tui.services.intake import CreatedCase
from caseworker_tui.services.permissions import Actor
from caseworker_tui.widgets.application_form import (
    FieldError,
    FieldInput,
    IncidentForm,
    widget_for_field,
)
from caseworker_tui.widgets.choice import ChoiceSelect
from caseworker_tui.widgets.safe import clean
from caseworker_tui.widgets.verdict import verdict_text

CONTACT = [("E-mail", "email"), ("Post", "post"), ("Phone", "phone")]


def _field(label: str, widget, note: str = "") -> Vertical:
    parts = [Label(label, classes="field-label"), widget, FieldError()]
    if note:
        parts.insert(2, Static(note, classes="muted"))
    return Vertical(*parts, classes="field")


class NewRequestScreen(AsksBeforeDiscarding, ReportsWorkerErrors, Screen[None]):
    """Record a request as the applicant gave it; the threshold is worked out on saving.

    The applicant's name takes focus as the screen opens, and the keys typed while it opened (held
    by the app since `n`) are given to it in order."""

    AUTO_FOCUS = "#applicant-name"

    BINDINGS = [
        Binding("f2", "save", "Save request", id="save_request"),
        Binding("f8", "add_incident", "Add incident", id="add_incident"),
        Binding("escape", "leave", "Back", id="leave_form"),
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        self.created: CreatedCase | None = None
        self._incidents = 0
        self._built = False  # the whole form is there (it is built a section at a time)

    def _agencies(self) -> list[tuple[str, str]]:
        return [(a.label, key) for key, a in context.policy().agencies.items()]

    def compose(self) -> ComposeResult:
        """The form down to the applicant's name and contact, which is what a person types first; the
        rest follows a section at a time once this has painted (`_build_the_rest`)."""
        yield Header()
        with VerticalScroll(id="form"):
            yield Static("Applications arrive as the online form's file, or are typed in here from a letter or a "
                         "call. Fields marked * are needed. Save with F2.", classes="muted")
            with Horizontal(classes="row"):
                yield _field("Import a form file instead (path to .json)",
                             FieldInput(placeholder="/path/to/request.json", id="import-path"))
                yield Button("Import file", id="import")
            yield Static("The request", classes="section")
            with Horizontal(classes="row"):
                yield _field("Received * (date and time)",
                             FieldInput(clock.now().strftime("%Y-%m-%dT%H:%M"), id="received_at"))
                yield _field("Reference (blank: assigned)", FieldInput(placeholder="CT-2026-0042", id="reference"))
            yield _field("Came in by", ChoiceSelect([(words, key) for key, words in CHANNELS.items()],
                                                    prompt="not recorded", id="channel"))
            yield Static("Applicant", classes="section")
            yield _field("Name *", FieldInput(id="applicant-name"))
        yield Footer()

    def _sections(self) -> list[list[Widget]]:
        """The rest of the form, in the order it is shown, a section to a part. Tab goes down the text
        a person gives in order (name, address, postcode, phone, e-mail) before the first dropdown, so
        that typing at speed never sends an address into a choice."""
        def row(*fields: Widget) -> Horizontal:
            return Horizontal(*fields, classes="row")
        return [
            [row(_field("Address", FieldInput(id="applicant-address")),
                 _field("Postcode", FieldInput(id="applicant-postcode"))),
             row(_field("Phone", FieldInput(id="applicant-phone")), _field("E-mail", FieldInput(id="applicant-email"))),
             _field("Preferred contact *", ChoiceSelect(CONTACT, value="email", allow_blank=False,
                                                        id="applicant-preferred_contact"),
                    "type the first letters to choose")],
            [row(_field("Applying on behalf of (victim's name)", FieldInput(id="applicant-on_behalf_of")),
                 _field("Advocate", FieldInput(id="applicant-advocate"))),
             row(_field("Vulnerabilities", FieldInput(id="applicant-vulnerabilities")),
                 _field("Needs (comma-separated)",
                        FieldInput(placeholder="large_print, interpreter:Polish", id="applicant-needs"))),
             Checkbox("Consents to sharing information with the agencies", True, id="applicant-consent_to_share")],
            [Static("Dissatisfaction", classes="section"),
             Checkbox("Dissatisfied with the agencies' response", True, id="dissatisfied"),
             _field("Why", FieldInput(id="dissatisfaction_reason")),
             Static("Incidents and their reports", classes="section"),
             Static("A report is a complaint to an agency by a named person; write 'applicant' for the "
                    "applicant.", classes="muted"),
             Vertical(id="incidents")],
            [Button("+ incident (F8)", id="add-incident"),
             Static("", id="form-error", classes="error", markup=False),
             Horizontal(Button("Save request (F2)", variant="primary", id="save"), Button("Back (Esc)", id="back"),
                        classes="dialog-buttons")],
        ]

    def on_mount(self) -> None:
        self.title = "New request"
        self.query_one("#applicant-name", Input).focus()
        self.mark_saved()  # before the keys typed ahead arrive: they are the person's input
        self.app.release_keys(up_to_a_tab=True)  # keys after a Tab wait for the fields they belong to
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        """The first paint is out: put the terminal's cursor in the name (focused before it had a place
        on screen, the field could not), then build the rest of the form."""
        self._cursor_to_focus()
        self.run_worker(self._build_the_rest(), group="form-parts")

    def _cursor_to_focus(self) -> None:
        """The terminal's cursor back in the focused field: every Input mounted puts it in itself."""
        focused = self.app.focused
        if isinstance(focused, Input) and focused.screen is self:
            self.app.cursor_position = focused.cursor_screen_offset
            focused.refresh()

    async def _build_the_rest(self) -> None:
        """Mount the rest of the form a section at a time, so that keys typed meanwhile are answered
        between sections rather than after all of them; each part is remembered as it is on arrival.
        A task of its own (a worker): awaited in the screen's after-refresh callbacks, the mounting
        would hold up the screen's own messages, and now and then wait on them for good."""
        form = self.query_one("#form")
        for section in self._sections():
            await form.mount_all(section)
            self.mark_saved(only_added=True)
            self._cursor_to_focus()
        await self._add_incident()
        self.mark_saved(only_added=True)
        self._cursor_to_focus()
        self.app.release_keys()  # the whole form is here: what was typed after a Tab goes on
        result = VerticalScroll(Static(id="result-text"),
                                Horizontal(Button("Open the case", variant="primary", id="open-created"),
                                           Button("Record another", id="another"),
                                           Button("Back to the queue", id="to-queue"), classes="dialog-buttons"),
                                id="result")
        result.display = False
        await self.mount(result, after=form)
        self._built = True
        self.set_timer(0.05, self._show_focus)  # after the keys let go above have moved the focus

    def _show_focus(self) -> None:
        """Scroll to the field that keys typed ahead Tabbed to: it had no place on screen when the focus
        reached it, so nothing scrolled, and at 80×24 the typing went on out of sight."""
        focused = self.app.focused
        if focused is not None and focused.screen is self:
            focused.scroll_visible(animate=False)

    # --- building the form -----------------------------------------------------------------

    async def action_add_incident(self) -> None:
        if self._built:  # before, the first incident is on its way
            await self._add_incident()

    async def _add_incident(self) -> None:
        self._incidents += 1
        form = IncidentForm(self._agencies(), f"i{self._incidents}")
        await self.query_one("#incidents").mount(form)
        if self._incidents > 1:
            form.query_one("#occurred_on").focus()
            form.scroll_visible()

    @on(Button.Pressed, "#add-incident")
    async def _add_pressed(self) -> None:
        await self.action_add_incident()

    def _value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value

    def application_data(self) -> dict[str, Any]:
        """The form as the import format, so the service validates it exactly as it would a file."""
        def optional(wid: str) -> str | None:
            return self._value(wid).strip() or None

        contact = self.query_one("#applicant-preferred_contact", Select).value
        channel = self.query_one("#channel", Select).value
        received = self._value("received_at").strip()
        return {
            **({"reference": self._value("reference").strip()} if self._value("reference").strip() else {}),
            "received_at": received or None,
            "channel": channel if isinstance(channel, str) else None,
            "applicant": {
                "name": self._value("applicant-name"),
                "address": self._value("applicant-address"),
                "postcode": self._value("applicant-postcode"),
                "email": optional("applicant-email"),
                "phone": optional("applicant-phone"),
                "preferred_contact": contact if isinstance(contact, str) else None,
                "on_behalf_of": optional("applicant-on_behalf_of"),
                "vulnerabilities": optional("applicant-vulnerabilities"),
                "needs": [n.strip() for n in self._value("applicant-needs").split(",") if n.strip()],
                "advocate": optional("applicant-advocate"),
                "consent_to_share": self.query_one("#applicant-consent_to_share", Checkbox).value,
            },
            "dissatisfied": self.query_one("#dissatisfied", Checkbox).value,
            "dissatisfaction_reason": self._value("dissatisfaction_reason"),
            "incidents": [form.value() for form in self.query(IncidentForm)],
        }

    # --- saving ----------------------------------------------------------------------------

    def _clear_errors(self) -> None:
        for error in self.query(FieldError):
            error.show("")
        for widget in self.query(".-invalid-field"):
            widget.remove_class("-invalid-field")
        self.query_one("#form-error", Static).update("")

    def show_error(self, exc: InvalidInput) -> None:
        """Put the message beside the field it names, and go there."""
        self._clear_errors()
        target = widget_for_field(self, exc.field) if exc.field else None
        if target is not None:
            target.add_class("-invalid-field")
            holder = target.parent
            note = next((c for c in holder.children if isinstance(c, FieldError)), None) if holder else None
            if note is not None:
                note.show(str(exc))
            target.focus()
            target.scroll_visible()
        self.query_one("#form-error", Static).update(f"Not saved — {exc}")

    def action_save(self) -> None:
        if self.created is not None or not self._built:
            return
        self._clear_errors()
        data = self.application_data()
        try:
            application = parse_application(data, context.policy())
        except InvalidInput as exc:
            self.show_error(exc)
            return
        self.query_one("#save", Button).disabled = True
        self._store(application)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _store(self, application) -> None:
        try:
            created = intake.create_request(application, self.actor, assign_to_me=True)
        except InvalidInput as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self._saved, [created])

    def _refused(self, exc: InvalidInput) -> None:
        self.query_one("#save", Button).disabled = False
        self.show_error(exc)

    @on(Button.Pressed, "#import")
    @on(Input.Submitted, "#import-path")
    def _import(self) -> None:
        path = self._value("import-path").strip()
        if not path:
            self.show_error(InvalidInput("import path: give the path of a form file", "import-path"))
            return
        self._import_file(Path(path).expanduser())

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _import_file(self, path: Path) -> None:
        try:
            created = intake.import_file(path, self.actor)
        except InvalidInput as exc:
            self.app.call_from_thread(self.show_error, InvalidInput(f"{exc} Nothing was saved.", "import-path"))
            return
        self.app.call_from_thread(self._saved, created)

    def _saved(self, created: list[CreatedCase]) -> None:
        self.created = created[0]
        text = Text()
        for case in created:
            text.append(f"Saved {case.reference}.\n", style="bold green")
            text.append(f"Acknowledge by {case.deadlines.acknowledge_by:%a %d %b %Y}; "
                        f"decide {case.deadlines.decide_when()}.\n\n")
            text.append_text(verdict_text(case.verdict, context.policy().agency_label))
            text.append("\n")
        self.query_one("#result-text", Static).update(text)
        self.query_one("#form").display = False
        self.query_one("#result").display = True
        self.query_one("#open-created", Button).focus()
        self.notify(f"Saved {', '.join(clean(c.reference) for c in created)}.")

    @on(Button.Pressed, "#open-created")
    def _open_created(self) -> None:
        if self.created is not None:
            case_id = self.created.id
            self.app.pop_screen()
            self.app.open_case(case_id)

    @on(Button.Pressed, "#another")
    def _another(self) -> None:
        self.app.pop_screen()
        self.app.action_new_request()

    def has_unsaved_input(self) -> bool:
        return self.created is None and super().has_unsaved_input()  # saved: nothing typed is lost

    @on(Button.Pressed, "#to-queue")
    @on(Button.Pressed, "#back")
    def action_leave(self) -> None:
        self.leave_asking_first(self.app.pop_screen)
