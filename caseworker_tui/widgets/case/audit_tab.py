"""The Audit tab: every recorded step, newest first, and (for admins) who opened the case."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from caseworker_tui.services.access_log import CaseAccess
from caseworker_tui.services.case_view import CaseDetail
from caseworker_tui.services.stages import stage_label
from caseworker_tui.widgets.case.tab import CaseTab
from caseworker_tui.widgets.safe import plain


def _stage_change(event) -> str:
    if not event.to_stage or event.from_stage == event.to_stage:
        return ""
    if not event.from_stage:
        return stage_label(event.to_stage)
    return f"{stage_label(event.from_stage)} → {stage_label(event.to_stage)}"


class AuditTab(CaseTab):
    def __init__(self, *, with_access_log: bool) -> None:
        super().__init__("6 Audit", id="audit")
        self._with_access_log = with_access_log

    def parts(self) -> ComposeResult:
        with Vertical():
            audit = DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
            audit.add_columns("When", "Who", "What", "Stage", "Reason")
            yield audit
            if self._with_access_log:
                yield Static("Who opened this case, latest first (shown to admins only)",
                             classes="section")
                views = DataTable(id="views-table", cursor_type="row", zebra_stripes=True)
                views.add_columns("When", "Who")
                yield views

    def fill(self, detail: CaseDetail, views: list[CaseAccess]) -> None:
        audit = self.query_one("#audit-table", DataTable)
        audit.clear()
        audit.add_rows([
            (e.at.strftime("%d %b %Y %H:%M"), plain(e.actor), e.action.replace("_", " "),
             _stage_change(e), plain(e.reason))
            for e in reversed(detail.audit)
        ])
        if self._with_access_log:
            opened = self.query_one("#views-table", DataTable)
            opened.clear()
            opened.add_rows([(v.at.strftime("%d %b %Y %H:%M"), plain(v.username)) for v in views])
