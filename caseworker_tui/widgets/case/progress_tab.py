"""The Progress tab: decision, agency updates, review, outcome, recommendations and appeals."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from caseworker_tui.services import context
from caseworker_tui.services.case_view import CaseDetail
from caseworker_tui.widgets.case.tab import CaseTab
from caseworker_tui.widgets.safe import clean


def progress_text(detail: CaseDetail) -> Text:
    """Decision, agency updates, review, outcome, recommendations and appeals, in the order they happen."""
    text = Text()

    def heading(words: str) -> None:
        text.append(f"{words}\n", style="bold underline")

    heading("Threshold decision")
    if not detail.decisions:
        text.append("  Not decided yet.\n")
    for d in detail.decisions:
        words = "Accepted — threshold met" if d.decision == "accepted" else (
            "Declined — threshold not met" if d.ground == "threshold_not_met" else f"Declined — {d.ground}")
        text.append(f"  {words} by {d.decided_by} on {d.decided_at:%d %b %Y}")
        text.append(" (against the computed verdict)" if d.against_verdict else "")
        text.append(f": {clean(d.reason)}\n" if d.reason else "\n")
    text.append("\n")
    heading("Agency updates")
    if not detail.updates:
        text.append("  None asked for yet.\n")
    for u in detail.updates:
        if u.answered_on:
            text.append(f"  ✓ {u.agency_label}: answered {u.answered_on:%d %b %Y} — {clean(u.answer)}\n")
        elif u.not_received:
            text.append(f"  ✗ {u.agency_label}: asked {u.requested_on:%d %b}, not received — the review "
                        "went ahead without it\n")
        else:
            text.append(f"  … {u.agency_label}: asked {u.requested_on:%d %b}, due {u.due_on:%d %b %Y}")
            text.append("  ! LATE\n" if u.late else "\n", style="bold red" if u.late else "")
    text.append("\n")
    heading("Review")
    review = detail.review
    if review is None:
        text.append("  No review: the request has not been accepted.\n")
    else:
        due = review.extended_to or review.due_on
        text.append(f"  Due {due:%a %d %b %Y}")
        text.append(f" (extended from {review.due_on:%d %b}: {clean(review.extension_reason)})\n"
                    if review.extended_to else "\n")
        if review.meeting_on:
            from caseworker_tui.services.workflow import PARTICIPATION

            text.append(f"  Meeting {review.meeting_on:%a %d %b %Y}, chaired by {clean(review.chair_name)}; "
                        f"agencies: {', '.join(context.policy().agency_label(a) for a in review.agencies)}\n")
            how = PARTICIPATION.get(review.participation, review.participation)
            text.append(f"  The applicant takes part {how}")
            text.append(f" — {clean(review.not_invited_reason)}\n" if review.not_invited_reason else ".\n")
        else:
            text.append("  The meeting is not scheduled yet.\n")
        if review.findings:
            text.append(f"  Findings: {clean(review.findings)}\n")
        text.append("\n")
        heading("Outcome")
        if review.summary:
            text.append(f"  {clean(review.summary)}\n")
        else:
            text.append("  Not drafted yet.\n")
        if review.returned_comments:
            text.append(f"  Returned by the chair: {clean(review.returned_comments)}\n", style="bold yellow")
        if review.approved_at:
            text.append(f"  ✓ Approved by {clean(review.approved_by_name)} on {review.approved_at:%d %b %Y %H:%M}\n",
                        style="green")
        elif review.submitted_at:
            text.append(f"  Awaiting the chair since {review.submitted_at:%d %b %Y}\n")
    if detail.recommendations:
        text.append("\n")
        heading("Recommendations")
        for r in detail.recommendations:
            mark = f"✓ done {r.done_on:%d %b %Y}: {clean(r.done_note)}" if r.done_on else f"due {r.due_on:%d %b %Y}"
            text.append(f"  {r.position}. {r.agency_label} — {clean(r.action)} — {mark}\n")
    if detail.appeals:
        text.append("\n")
        heading("Appeals")
        for a in detail.appeals:
            text.append(f"  Against the {a.against}, lodged {a.lodged_on:%d %b %Y}: {clean(a.grounds)}\n")
            if a.decided_on:
                result = "upheld" if a.upheld else "not upheld (final)"
                text.append(f"  Decided {a.decided_on:%d %b %Y} by {clean(a.independent_chair)}: {result} — "
                            f"{clean(a.decision_reason)}\n")
            else:
                text.append("  Waiting for an independent chair's decision.\n")
    return text


class ProgressTab(CaseTab):
    def __init__(self) -> None:
        super().__init__("4 Progress", id="progress")

    def parts(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="progress-details")

    def fill(self, detail: CaseDetail) -> None:
        self.query_one("#progress-details", Static).update(progress_text(detail))
