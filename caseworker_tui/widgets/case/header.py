"""The case header: who, where in the lifecycle, who has it, the risk and the verdict, in one line."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from caseworker_tui.services.case_view import CaseDetail
from caseworker_tui.widgets.safe import clean


def header_text(detail: CaseDetail) -> Text:
    text = Text()
    text.append(detail.reference, style="bold")
    text.append("  ·  ")
    text.append(clean(detail.applicant.name), style="bold")
    text.append(f"  ·  Stage: {detail.stage_label}" + (" (review extended)" if detail.extended else ""))
    text.append(f"  ·  Assigned to: {clean(detail.assignee_name) or 'nobody'}")
    text.append(f"  ·  SPoC: {clean(detail.spoc_name) or 'nobody'}")
    text.append("  ·  Risk: ")
    if detail.high_risk:
        text.append(f"▲ HIGH ({detail.risk_score})", style="bold red")
    elif detail.risk_score is None:
        text.append("not triaged", style="dim")
    else:
        text.append(f"standard ({detail.risk_score})")
    text.append("  ·  Last contact: ")
    text.append(detail.last_contact_words, style="dim" if detail.last_contact_working_days is None else "")
    verdict = detail.verdict
    text.append("  ·  Verdict: ")
    text.append("✓ threshold met" if verdict.threshold_met else "✗ threshold not met",
                style="green" if verdict.threshold_met else "red")
    if changed := detail.verdict_since_decision:  # the record was corrected after the decision
        text.append(f"  ·  ⚠ {changed}", style="bold yellow")
    return text


class CaseHeader(Static):
    """The line above the deadlines; says "Loading…" until the case arrives."""

    def __init__(self, **kwargs) -> None:
        super().__init__("Loading…", **kwargs)

    def show(self, detail: CaseDetail) -> None:
        self.update(header_text(detail))
