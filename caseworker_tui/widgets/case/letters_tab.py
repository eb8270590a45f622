"""The Letters tab: every letter produced for the case, whether it was sent, and its text."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static, TabPane

from caseworker_tui.services.cases import CaseDetail, LetterInfo
from caseworker_tui.widgets.failures import ReportsWorkerErrors
from caseworker_tui.widgets.safe import clean


class LettersTab(ReportsWorkerErrors, TabPane):
    """The highlighted letter is previewed beside the list, read in a worker (latest wins)."""

    def __init__(self) -> None:
        super().__init__("5 Letters", id="letters")
        self._letters: list[LetterInfo] = []

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="letters-left"):
                letters = DataTable(id="letters-table", cursor_type="row", zebra_stripes=True)
                letters.add_columns("Letter", "Version", "Produced", "Sent")
                yield letters
                yield Static("", id="letter-path", markup=False)
            with VerticalScroll(id="letter-preview-pane"):
                yield Static("No letters yet. Press m to make the letter this stage calls for.",
                             id="letter-preview", markup=False)

    def show(self, detail: CaseDetail) -> None:
        self._letters = detail.letters
        table = self.query_one("#letters-table", DataTable)
        keep = table.cursor_row
        table.clear()
        table.add_rows([
            (letter.kind.replace("_", " ").capitalize() + (" (large print)" if letter.large_print else ""),
             f"v{letter.version_no}", letter.created_at.strftime("%d %b %Y"),
             f"{letter.sent_on:%d %b %Y} by {letter.channel}" if letter.sent_on
             else Text("not sent", style="bold"))
            for letter in self._letters
        ])
        if self._letters:
            table.move_cursor(row=min(max(keep, 0), len(self._letters) - 1))
            self._preview(self._letters[table.cursor_row].id)

    def selected(self) -> LetterInfo | None:
        if not self._letters:
            return None
        row = self.query_one("#letters-table", DataTable).cursor_row
        return self._letters[row] if 0 <= row < len(self._letters) else None

    @on(DataTable.RowHighlighted, "#letters-table")
    def _highlighted(self) -> None:
        letter = self.selected()
        if letter is not None:
            self._preview(letter.id)
        self.screen.refresh_bindings()

    @work(thread=True, exclusive=True, group="letter-preview", exit_on_error=False)
    def _preview(self, letter_id: int) -> None:
        from caseworker_tui.services.letters import letter_text

        text = letter_text(letter_id)
        self.app.call_from_thread(self._show_letter, letter_id, text)

    def _show_letter(self, letter_id: int, text: str) -> None:
        letter = next((x for x in self._letters if x.id == letter_id), None)
        self.query_one("#letter-preview", Static).update(clean(text))
        if letter is not None:
            self.query_one("#letter-path", Static).update(f"Saved at {letter.path}")
