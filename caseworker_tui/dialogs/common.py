"""Small modal dialogs the case screens share: a text with a reason, a yes/no, a choice, triage."""

from __future__ import annotations

from typing import Self

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Label, Select, Static, TextArea

from caseworker_tui.dialogs.discard import AsksBeforeDiscarding
from caseworker_tui.errors import InvalidInput
from caseworker_tui.services.policy import TriageQuestion
from caseworker_tui.widgets.application_form import FieldError
from caseworker_tui.widgets.choice import ChoiceSelect


class _Dialog(ModalScreen):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_dialog")]
    DEFAULT_CLASSES = "dialog"

    def action_cancel(self) -> None:
        self.dismiss(None)


class TypedDialog(AsksBeforeDiscarding, _Dialog):
    """A dialog a person types into: Esc and Cancel ask before throwing the typing away, and input
    brought back after the service refused it shows the refusal beside the field it names."""

    DISCARD_QUESTION = "Discard what you typed here?"
    DISCARD_YES = "Discard"
    _refusal: InvalidInput | None = None

    def bring_back(self, refusal: InvalidInput | None = None) -> Self:
        """This dialog reopens with input that was typed and not saved: refused (`refusal` says why) or
        overtaken by someone else's change."""
        self._brought_back, self._refusal = True, refusal
        return self

    def on_mount(self) -> None:
        self.call_after_refresh(self.mark_saved)
        if self._refusal is not None:
            self.call_after_refresh(self.show_refusal, self._refusal)

    def action_cancel(self) -> None:
        self.leave_asking_first(lambda: self.dismiss(None))

    def field_widget(self, field: str | None) -> Widget | None:
        """The widget a refusal's `field` names: by default the one with that id."""
        found = self.query(f"#{field}") if field and field.isidentifier() else None
        return found.first() if found else None

    def show_refusal(self, exc: InvalidInput) -> None:
        """Say what is wrong under the fields and beside the field it names, and go to that field."""
        for old in self.query(".dialog-field-error"):
            old.remove()
        for marked in self.query(".-invalid-field"):
            marked.remove_class("-invalid-field")
        for line in self.query("#dialog-error").results(Static):
            line.update(f"Not saved — {exc}")
        target = self.field_widget(exc.field)
        if target is None or target.parent is None:
            return
        note = FieldError()
        note.add_class("dialog-field-error")
        target.parent.mount(note, after=target)
        note.show(str(exc))
        target.add_class("-invalid-field")
        target.focus()
        target.scroll_visible()


class TextDialog(TypedDialog):
    """Ask for a piece of text (a note, a reason); empty is refused when it is required."""

    BINDINGS = [Binding("f2", "confirm", "Save", id="confirm_dialog")]

    def __init__(self, title: str, prompt: str, *, confirm: str = "Save", initial: str = "",
                 required: bool = True, warning: str = "") -> None:
        super().__init__()
        self._title, self._prompt, self._confirm = title, prompt, confirm
        self._initial, self._required, self._warning = initial, required, warning

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self._title, classes="dialog-title", markup=False)
            if self._warning:
                yield Static(self._warning, classes="warning", markup=False)
            yield Label(self._prompt)
            yield TextArea(self._initial, id="text", soft_wrap=True)
            yield Static("", id="dialog-error", classes="error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self._confirm} (F2)", variant="primary", id="ok")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#text", TextArea).focus()

    @on(Button.Pressed, "#ok")
    def action_confirm(self) -> None:
        value = self.query_one("#text", TextArea).text.strip()
        if self._required and not value:
            self.query_one("#dialog-error", Static).update(f"{self._prompt}: please write something.")
            return
        self.dismiss(value)

    def field_widget(self, field: str | None) -> Widget | None:
        return None  # one field: the error line under it is beside it

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()


class ConfirmDialog(_Dialog):
    """Yes or no before something that cannot be undone."""

    BINDINGS = [Binding("y", "answer(True)", "Yes", id="confirm_yes"),
                Binding("n", "answer(False)", "No", id="confirm_no")]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self._question, self._yes = question, yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self._question, classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self._yes} (y)", variant="warning", id="yes")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class DiscardDialog(ConfirmDialog):
    """The question before unsaved input is thrown away; while it is open, nothing asks it again."""


class ReadDialog(_Dialog):
    """Something to read, such as the chair's comments on a returned outcome; Esc or its one button closes it."""

    BUTTON, VARIANT = "Close (Esc)", "primary"

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self._title, self._message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self._title, classes="dialog-title", markup=False)
            yield Static(self._message, markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.BUTTON, variant=self.VARIANT, id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


class ProblemDialog(ReadDialog):
    """A problem the app cannot work around: says what and how to fix it, and offers only to quit."""

    BINDINGS = [Binding("escape,q", "cancel", "Quit", id="quit_problem")]
    BUTTON, VARIANT = "Quit (q)", "error"


class ChoiceDialog(_Dialog):
    """Pick one of a few options (an assignee, a ground)."""

    def __init__(self, title: str, options: list[tuple[str, str]], value: str | None = None,
                 confirm: str = "OK") -> None:
        super().__init__()
        self._title, self._options, self._value, self._confirm = title, options, value, confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self._title, classes="dialog-title", markup=False)
            yield ChoiceSelect(self._options, value=self._value if self._value else Select.NULL, id="choice")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._confirm, variant="primary", id="ok")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#choice", Select).focus()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = self.query_one("#choice", Select).value
        self.dismiss(value if isinstance(value, str) else None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class TriageDialog(TypedDialog):
    """The policy's vulnerability questions; the score and the high-risk line are shown as you tick."""

    BINDINGS = [Binding("f2", "confirm", "Save", id="confirm_dialog")]

    def __init__(self, questions: list[TriageQuestion], answers: dict[str, bool], high_risk_at: int) -> None:
        super().__init__()
        self._questions, self._answers, self._line = questions, answers, high_risk_at

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box triage-box"):
            yield Static("Triage: vulnerability assessment", classes="dialog-title")
            for q in self._questions:
                yield Checkbox(f"{q.text}  (+{q.weight})", bool(self._answers.get(q.id)), id=f"q-{q.id}",
                               tooltip=q.text)
            yield Static("", id="score")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (F2)", variant="primary", id="ok")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self._show_score()
        self.query(Checkbox).first().focus()

    def _current(self) -> dict[str, bool]:
        return {q.id: self.query_one(f"#q-{q.id}", Checkbox).value for q in self._questions}

    @on(Checkbox.Changed)
    def _show_score(self) -> None:
        answers = self._current()
        score = sum(q.weight for q in self._questions if answers[q.id])
        mark = "▲ HIGH RISK" if score >= self._line else "standard risk"
        self.query_one("#score", Static).update(f"Score {score} — {mark} (high risk at {self._line} or more)")

    @on(Button.Pressed, "#ok")
    def action_confirm(self) -> None:
        self.dismiss(self._current())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()
