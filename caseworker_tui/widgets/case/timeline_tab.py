"""The Timeline tab: every event of the case in time order, filtered by kind.

Long events (a note, an agency's reply) wrap within the "What" column rather than run off the
right edge, so the column is as wide as the tab leaves it and each row as tall as its text.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.widgets import DataTable, Select, Static

from caseworker_tui.services.case_view import CaseDetail
from caseworker_tui.services.cases import TIMELINE_KINDS
from caseworker_tui.widgets.case.tab import CaseTab
from caseworker_tui.widgets.safe import plain

KIND_WORDS = {"contact": "Contacts with the victim", "incident": "Incidents", "report": "Reports", "agency_update": "Agency updates",
              "decision": "Decisions", "letter": "Letters", "note": "Notes", "stage": "Stage changes",
              "review": "Review", "appeal": "Appeals", "recommendation": "Recommendations"}
WHEN_WIDTH = len("25 Nov 2026")
ICON_WIDTH = 1
# Every column has a cell's padding on each side; the scroll bar takes its room when rows overflow.
LEFT_FOR_WHAT = WHEN_WIDTH + ICON_WIDTH + 3 * 2
NARROWEST_WHAT = 24


class TimelineTab(CaseTab):
    def __init__(self) -> None:
        super().__init__("1 Timeline", id="timeline")
        self._detail: CaseDetail | None = None
        self._what_width = 0

    def parts(self) -> ComposeResult:
        yield Select([(w, k) for k, w in KIND_WORDS.items() if k in TIMELINE_KINDS],
                     prompt="Every kind", id="timeline-kind")
        yield DataTable(id="timeline-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="timeline-empty", classes="empty-state", markup=False)

    def fill(self, detail: CaseDetail) -> None:
        self._detail = detail
        self._fill()

    def _what_fits(self) -> int:
        table = self.query_one("#timeline-table", DataTable)
        room = table.scrollable_content_region.width or self.app.size.width - 2
        return max(NARROWEST_WHAT, room - LEFT_FOR_WHAT)

    def _fill(self) -> None:
        if self._detail is None:
            return
        kind = self.query_one("#timeline-kind", Select).value
        table = self.query_one("#timeline-table", DataTable)
        entries = [e for e in self._detail.timeline if not isinstance(kind, str) or e.kind == kind]
        self._what_width = self._what_fits()
        table.clear(columns=True)
        table.add_column("When", width=WHEN_WIDTH)
        table.add_column("", width=ICON_WIDTH)
        table.add_column("What", width=self._what_width)
        for e in entries:
            table.add_row(e.at.strftime("%d %b %Y"), e.icon, plain(e.text), height=None)
        empty = self.query_one("#timeline-empty", Static)
        empty.update("No events yet." if not isinstance(kind, str) else "No events of this kind yet.")
        empty.display, table.display = not entries, bool(entries)

    @on(Select.Changed, "#timeline-kind")
    def _kind_changed(self) -> None:
        self._fill()

    def on_resize(self, event: events.Resize) -> None:
        if self._detail is not None and self._what_fits() != self._what_width:
            self._fill()
