"""The Timeline tab: every event of the case in time order, filtered by kind."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Select, TabPane

from caseworker_tui.services.cases import TIMELINE_KINDS, CaseDetail
from caseworker_tui.widgets.safe import plain

KIND_WORDS = {"contact": "Contacts with the victim", "incident": "Incidents", "report": "Reports", "agency_update": "Agency updates",
              "decision": "Decisions", "letter": "Letters", "note": "Notes", "stage": "Stage changes",
              "review": "Review", "appeal": "Appeals", "recommendation": "Recommendations"}


class TimelineTab(TabPane):
    def __init__(self) -> None:
        super().__init__("1 Timeline", id="timeline")
        self._detail: CaseDetail | None = None

    def compose(self) -> ComposeResult:
        yield Select([(w, k) for k, w in KIND_WORDS.items() if k in TIMELINE_KINDS],
                     prompt="Every kind", id="timeline-kind")
        table = DataTable(id="timeline-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("When", "", "What")
        yield table

    def show(self, detail: CaseDetail) -> None:
        self._detail = detail
        self._fill()

    def _fill(self) -> None:
        if self._detail is None:
            return
        kind = self.query_one("#timeline-kind", Select).value
        table = self.query_one("#timeline-table", DataTable)
        table.clear()
        entries = [e for e in self._detail.timeline if not isinstance(kind, str) or e.kind == kind]
        table.add_rows([(e.at.strftime("%d %b %Y"), e.icon, plain(e.text)) for e in entries])

    @on(Select.Changed, "#timeline-kind")
    def _kind_changed(self) -> None:
        self._fill()
