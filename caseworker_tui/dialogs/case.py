"""The dialogs of the decision, review and appeal steps: each gathers one step's input, checks its
shape (dates), and hands it back; the service decides whether it may be done."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    Static,
    TextArea,
)

from caseworker_tui.dialogs.common import TypedDialog
from caseworker_tui.errors import InvalidInput
from caseworker_tui.services.workflow import PARTICIPATION
from caseworker_tui.widgets.application_form import FieldInput
from caseworker_tui.widgets.choice import ChoiceSelect


def person_select(people: list[str], current: str, field: str) -> Select:
    """Who is named on the record (a review chair, an independent chair): chosen from the accounts and
    the policy's named people, never typed, so the record and the letter name the same person. Open
    it with Enter and type the first letters of a name to jump to it. A name recorded before that is
    on neither list stays offered, so reopening a step does not silently change who it names."""
    names = list(dict.fromkeys(([current] if current and current not in people else []) + people))
    return Select([(name, name) for name in names], prompt="Choose who (Enter, then type a name)",
                  value=current if current else Select.NULL, type_to_search=True, id=field)


def chosen_person(dialog: Widget, field: str) -> str:
    value = dialog.query_one(f"#{field}", Select).value
    return value if isinstance(value, str) else ""


def parse_day(value: str, words: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{words}: write a date like 2026-12-03", field) from None


class _FormDialog(TypedDialog):
    """A dialog with fields, an error line and Save/Cancel; subclasses build `fields` and `result`.

    A refusal, the dialog's own (a date that is no date) or the service's, shows beside the field
    it names; the service's names its fields as the widgets' ids are named (or as `FIELD_ALIASES`
    maps them)."""

    BINDINGS = [Binding("f2", "confirm", "Save", id="confirm_dialog")]
    # The first field, not the scrolling box around the fields: typing as the dialog opens must land
    # in a field (the box itself can take focus, and keys sent to it were silently lost).
    AUTO_FOCUS = "Input, TextArea, Select, RadioSet, Checkbox"
    TITLE_TEXT = ""
    CONFIRM = "Save"
    FIELD_ALIASES: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Static(self.TITLE_TEXT, classes="dialog-title", markup=False)
            yield from self.fields()
            yield Static("", id="dialog-error", classes="error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.CONFIRM} (F2)", variant="primary", id="ok")
                yield Button("Cancel (Esc)", id="cancel")

    def fields(self) -> ComposeResult:
        yield from ()

    def result(self) -> Any:
        raise NotImplementedError

    def field_widget(self, field: str | None):
        return super().field_widget(self.FIELD_ALIASES.get(field or "", field))

    @on(Button.Pressed, "#ok")
    def action_confirm(self) -> None:
        try:
            value = self.result()
        except InvalidInput as exc:
            self.show_refusal(exc)
            return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()


class DecideDialog(_FormDialog):
    """Accept or decline; the computed verdict is shown, and going against it needs a reason."""

    TITLE_TEXT = "Threshold decision"
    CONFIRM = "Record decision"

    def __init__(self, threshold_met: bool, grounds: list[str], initial: dict | None = None) -> None:
        super().__init__()
        self._met, self._grounds, self._initial = threshold_met, grounds, initial or {}

    def fields(self) -> ComposeResult:
        verdict = "✓ the threshold is met" if self._met else "✗ the threshold is not met"
        yield Static(f"The computed verdict: {verdict}. Deciding otherwise needs a reason.", classes="muted")
        accept = self._initial.get("accept", self._met)
        with RadioSet(id="decision"):
            yield RadioButton("Accept: threshold met — a review will be held", accept, id="accept")
            yield RadioButton("Decline", not accept, id="decline")
        yield Label("Ground for declining")
        options = [("Threshold not met", "threshold_not_met")] + [(g.capitalize(), g) for g in self._grounds]
        yield ChoiceSelect(options, value=self._initial.get("ground") or "threshold_not_met", allow_blank=False,
                           id="ground")
        yield Label("Reason (needed against the verdict, or for a ground other than the threshold)")
        yield TextArea(self._initial.get("reason", ""), id="reason")

    def result(self) -> dict:
        accept = self.query_one("#accept", RadioButton).value
        ground = self.query_one("#ground", Select).value
        return {"accept": accept, "ground": None if accept else str(ground),
                "reason": self.query_one("#reason", TextArea).text.strip()}


class AgenciesDialog(_FormDialog):
    """Which agencies to ask for an update; those named in the reports are ticked."""

    TITLE_TEXT = "Ask agencies for an update"
    CONFIRM = "Ask"

    def __init__(self, agencies: list[tuple[str, str]], ticked: set[str], due_words: str) -> None:
        super().__init__()
        self._agencies, self._ticked, self._due = agencies, ticked, due_words

    def fields(self) -> ComposeResult:
        yield Static(self._due, classes="muted")
        with Vertical(id="agencies", classes="checks"):
            for label, key in self._agencies:
                yield Checkbox(label, key in self._ticked, id=f"agency-{key}")

    def result(self) -> list[str]:
        chosen = [key for _, key in self._agencies if self.query_one(f"#agency-{key}", Checkbox).value]
        if not chosen:
            raise InvalidInput("agencies: tick at least one agency", "agencies")
        return chosen


class ReviewDialog(_FormDialog):
    """Schedule the review meeting: when, who chairs, which agencies, how the applicant takes part."""

    TITLE_TEXT = "Schedule the review"
    FIELD_ALIASES = {"chair": "chair_name"}

    def __init__(self, agencies: list[tuple[str, str]], initial: dict, people: list[str]) -> None:
        super().__init__()
        self._agencies, self._initial, self._people = agencies, initial, people

    def fields(self) -> ComposeResult:
        v = self._initial
        yield Label("Meeting date")
        yield FieldInput(v.get("meeting_on", ""), placeholder="YYYY-MM-DD", id="meeting_on")
        yield Label("Chair (an account or one of the policy's named people)")
        yield person_select(self._people, v.get("chair_name", ""), "chair_name")
        yield Label("Agencies attending")
        with Vertical(id="agencies", classes="checks"):
            for label, key in self._agencies:
                yield Checkbox(label, key in v.get("agencies", []), id=f"agency-{key}")
        yield Label("How the applicant takes part")
        yield ChoiceSelect([(words.capitalize(), key) for key, words in PARTICIPATION.items()],
                           value=v.get("participation") or "in_person", allow_blank=False, id="participation")
        yield Label("Why the applicant is not invited (when not invited)")
        yield FieldInput(v.get("not_invited_reason", ""), id="not_invited_reason")
        yield Label("Link to join (when virtually; may follow later)")
        yield FieldInput(v.get("virtual_link", ""), placeholder="https://…", id="virtual_link")

    def result(self) -> dict:
        return {
            "meeting_on": parse_day(self.query_one("#meeting_on", Input).value, "meeting date", "meeting_on"),
            "chair_name": chosen_person(self, "chair_name"),
            "agencies": [k for _, k in self._agencies if self.query_one(f"#agency-{k}", Checkbox).value],
            "participation": str(self.query_one("#participation", Select).value),
            "not_invited_reason": self.query_one("#not_invited_reason", Input).value.strip(),
            "virtual_link": self.query_one("#virtual_link", Input).value.strip(),
        }


class ExtendDialog(_FormDialog):
    TITLE_TEXT = "Extend the review"
    CONFIRM = "Extend"

    def __init__(self, current_due: date | None, initial: dict | None = None) -> None:
        super().__init__()
        self._due, self._initial = current_due, initial or {}

    def fields(self) -> ComposeResult:
        if self._due:
            yield Static(f"The review is due on {self._due:%a %d %b %Y}. The applicant must be told of the new date "
                         "and why: the extension letter falls due.", classes="muted")
        yield Label("New date")
        yield FieldInput(self._initial.get("new_date", ""), placeholder="YYYY-MM-DD", id="new_date")
        yield Label("Reason")
        yield TextArea(self._initial.get("reason", ""), id="reason")

    def result(self) -> dict:
        return {"new_date": parse_day(self.query_one("#new_date", Input).value, "new date", "new_date"),
                "reason": self.query_one("#reason", TextArea).text.strip()}


class AppealDialog(_FormDialog):
    TITLE_TEXT = "Record an appeal"
    CONFIRM = "Record appeal"

    def __init__(self, window_end: date | None, today: date, initial: dict | None = None) -> None:
        super().__init__()
        self._end, self._today, self._initial = window_end, today, initial or {}

    def fields(self) -> ComposeResult:
        if self._end:
            yield Static(f"The appeal window closes on {self._end:%a %d %b %Y}.", classes="muted")
        yield Label("Lodged on")
        yield FieldInput(self._initial.get("lodged_on", self._today.isoformat()), id="lodged_on")
        yield Label("Grounds of appeal")
        yield TextArea(self._initial.get("grounds", ""), id="grounds")

    def result(self) -> dict:
        return {"lodged_on": parse_day(self.query_one("#lodged_on", Input).value, "lodged on", "lodged_on"),
                "grounds": self.query_one("#grounds", TextArea).text.strip()}


class AppealDecisionDialog(_FormDialog):
    TITLE_TEXT = "Appeal decision (by an independent chair)"
    CONFIRM = "Record decision"

    def __init__(self, people: list[str], initial: dict | None = None) -> None:
        super().__init__()
        self._people, self._initial = people, initial or {}

    def fields(self) -> ComposeResult:
        v = self._initial
        with RadioSet(id="upheld-set"):
            yield RadioButton("Upheld — the case goes back for a fresh decision or review",
                              bool(v.get("upheld")), id="upheld")
            yield RadioButton("Not upheld — the decision stands and is final", not v.get("upheld"),
                              id="not-upheld")
        yield Label("Independent chair (not the decision-maker, the approving chair or the "
                    "caseworker assigned)")
        yield person_select(self._people, v.get("independent_chair", ""), "independent_chair")
        yield Label("Reason")
        yield TextArea(v.get("reason", ""), id="reason")

    def result(self) -> dict:
        return {"upheld": self.query_one("#upheld", RadioButton).value,
                "independent_chair": chosen_person(self, "independent_chair"),
                "reason": self.query_one("#reason", TextArea).text.strip()}


class DatedTextDialog(_FormDialog):
    """A date and a text about it: a referral beyond the partnership and the answer to it."""

    def __init__(self, title: str, confirm: str, *, day_label: str, day_field: str, text_label: str,
                 text_field: str, today: date, note: str = "", initial: dict | None = None) -> None:
        super().__init__()
        self.TITLE_TEXT, self.CONFIRM = title, confirm
        self._day, self._text, self._today, self._note = (day_label, day_field), (text_label, text_field), today, note
        self._initial = initial or {}

    def fields(self) -> ComposeResult:
        if self._note:
            yield Static(self._note, classes="muted", markup=False)
        yield Label(self._day[0])
        yield FieldInput(self._initial.get(self._day[1], self._today.isoformat()), id=self._day[1])
        yield Label(self._text[0])
        yield TextArea(self._initial.get(self._text[1], ""), id=self._text[1])

    def result(self) -> dict:
        label, field = self._day
        return {field: parse_day(self.query_one(f"#{field}", Input).value, label.lower(), field),
                self._text[1]: self.query_one(f"#{self._text[1]}", TextArea).text.strip()}


class ChoiceWithTextDialog(_FormDialog):
    """Pick an item (a pending update, an open recommendation) and write about it."""

    def __init__(self, title: str, options: list[tuple[str, int]], prompt: str, confirm: str = "Save") -> None:
        super().__init__()
        self.TITLE_TEXT, self.CONFIRM = title, confirm
        self._options, self._prompt = options, prompt

    def fields(self) -> ComposeResult:
        yield ChoiceSelect(self._options, value=self._options[0][1], allow_blank=False, id="item")
        yield Label(self._prompt)
        yield TextArea("", id="text")

    def result(self) -> dict:
        text = self.query_one("#text", TextArea).text.strip()
        if not text:
            raise InvalidInput(f"{self._prompt.lower()}: please write something", "text")
        return {"item": self.query_one("#item", Select).value, "text": text}


class SentDialog(_FormDialog):
    """Which letter went out, how and when: the letter is named, so the right one is marked."""

    CONFIRM = "Mark sent"
    WAYS = [("By post", "post"), ("By e-mail", "email"), ("By hand", "hand")]  # the letters' CHANNELS

    def __init__(self, today: date, letter: str = "the letter") -> None:
        super().__init__()
        self._today = today
        self.TITLE_TEXT = f"Mark sent: {letter}"

    def fields(self) -> ComposeResult:
        yield Label("How it went")
        yield ChoiceSelect(self.WAYS, value="post", allow_blank=False, id="channel")
        yield Label("Sent on (a date like 2026-11-25; today unless it went earlier)")
        yield FieldInput(self._today.isoformat(), id="sent_on")

    def result(self) -> dict:
        return {"on": parse_day(self.query_one("#sent_on", Input).value, "sent on", "sent_on"),
                "channel": str(self.query_one("#channel", Select).value)}
