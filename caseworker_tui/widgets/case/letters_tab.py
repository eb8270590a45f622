"""The Letters tab: every letter produced for the case, its PDF, how it was sent, and its text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from caseworker_tui.services.case_view import CaseDetail, LetterInfo
from caseworker_tui.widgets.case.tab import CaseTab
from caseworker_tui.widgets.failures import ReportsWorkerErrors
from caseworker_tui.widgets.safe import clean

if TYPE_CHECKING:  # the letter services load when a letter is first previewed, not with the screen
    from caseworker_tui.services.letters import ProducedLetter


class LettersTab(ReportsWorkerErrors, CaseTab):
    """The highlighted letter is previewed beside the list, read in a worker (latest wins)."""

    def __init__(self) -> None:
        super().__init__("5 Letters", id="letters")
        self._letters: list[LetterInfo] = []
        self._wanted: int | None = None  # a letter just made: highlighted when the list next shows

    def parts(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="letters-left"):
                letters = DataTable(id="letters-table", cursor_type="row", zebra_stripes=True)
                letters.add_columns("Letter", "Version", "Produced", "Sent")
                yield letters
                yield Static("", id="letter-path", markup=False)
            with VerticalScroll(id="letter-preview-pane"):
                yield Static("No letters yet. Press m to make the letter this stage calls for, then f to send it.",
                             id="letter-preview", markup=False)

    def fill(self, detail: CaseDetail) -> None:
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
        ids = [letter.id for letter in self._letters]
        if self._wanted in ids:
            keep, self._wanted = ids.index(self._wanted), None
        if self._letters:
            table.move_cursor(row=min(max(keep, 0), len(self._letters) - 1))
            self._preview(self._letters[table.cursor_row].id)

    def show(self, detail: CaseDetail) -> None:
        self._letters = detail.letters  # a step's key acts on the selected letter before the tab is made
        super().show(detail)

    def highlight_next(self, letter_id: int) -> None:
        """Highlight this letter once the list shows it (the one just made, so `x` and `f` act on it)."""
        self._wanted = letter_id

    def selected(self) -> LetterInfo | None:
        if not self._letters:
            return None
        if not self.ready:
            return self._letters[0]  # where the list's cursor starts
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
        from caseworker_tui.services.letters import get_letter, letter_text

        text = letter_text(letter_id)
        from caseworker_tui.services.letters.delivery import key_kind_of

        self.app.call_from_thread(self._show_letter, letter_id, text, get_letter(letter_id), key_kind_of(letter_id))

    def _show_letter(self, letter_id: int, text: str, record: ProducedLetter, key_kind: str | None = None) -> None:
        chosen = self.selected()
        if chosen is not None and chosen.id != letter_id:
            return  # read for a row the cursor has since left: the latest read wins
        letter = next((x for x in self._letters if x.id == letter_id), None)
        self.query_one("#letter-preview", Static).update(clean(text))
        if letter is not None:
            opens = "Enter downloads it" if self.app.is_web else "Enter opens it in the desktop's program"
            lines = [f"Saved at {letter.path}", *([f"PDF at {record.pdf_path}"] if record.pdf_path else []),
                     *filter(None, [sending_line(record, key_kind)]), f"{opens}."]
            self.query_one("#letter-path", Static).update(clean("\n".join(lines)))


def sending_line(letter: ProducedLetter, key_kind: str | None = None) -> str | None:
    """How far the letter's sending got, in words, or None before anyone tried."""
    from caseworker_tui.services.letters.delivery import FAILED, WORDS
    from caseworker_tui.services.letters.notify import key_words

    status, at = letter.delivery_status, letter.sent_at
    if letter.sent_via == "notify" and status in WORDS:
        how = f"e-mailed to {letter.sent_to}" if letter.sent_to else "sent by post"
        line = f"Through GOV.UK Notify ({key_words(key_kind)}), {how} at {at:%H:%M on %d %b %Y}: {WORDS[status]}"
        return line + (". ⚠ Its step is open again: send it another way, or mark it sent." if status in FAILED else "")
    if status == "sent":
        return f"E-mailed to {letter.sent_to} at {at:%H:%M on %d %b %Y}; the server's id {letter.provider_id}"
    if status == "printed":
        return f"In the print pack of {at:%d %b %Y}, in the output folder"
    if status == "failed":
        return f"Not sent: the mail server did not take it at {at:%H:%M on %d %b %Y}. Press f to try again."
    if status in ("sending", "unknown"):
        return (f"A send began at {at:%H:%M on %d %b %Y} and whether it went is unknown: check with the recipient, "
                "then mark it sent (x) or make a new version to send.")
    return None
