"""The Eligibility tab: the verdict, rule by rule, with its evidence."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from caseworker_tui.services import context
from caseworker_tui.services.case_view import CaseDetail
from caseworker_tui.widgets.case.tab import CaseTab
from caseworker_tui.widgets.verdict import VerdictView


class EligibilityTab(CaseTab):
    def __init__(self) -> None:
        super().__init__("2 Eligibility", id="eligibility")

    def parts(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="verdict-changed", classes="warning", markup=False)
            yield VerdictView(id="verdict")

    def fill(self, detail: CaseDetail) -> None:
        changed = self.query_one("#verdict-changed", Static)
        changed.update(detail.verdict_since_decision)
        changed.display = bool(detail.verdict_since_decision)  # the decision stands until taken again
        self.query_one(VerdictView).show(detail.verdict, context.policy().agency_label)
