"""The Applicant tab: the applicant's details as given, and the triage answers."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from caseworker_tui.services import context
from caseworker_tui.services.case_view import CaseDetail
from caseworker_tui.services.lifecycle import step
from caseworker_tui.widgets.case.tab import CaseTab
from caseworker_tui.widgets.safe import clean


def applicant_text(detail: CaseDetail) -> Text:
    a = detail.applicant
    consent = {True: "yes", False: "no", None: "not recorded"}[a.consent_to_share]
    rows = [
        ("Name", a.name), ("Address", a.address), ("Postcode", a.postcode), ("E-mail", a.email or "—"),
        ("Phone", a.phone or "—"), ("Preferred contact", a.preferred_contact),
        ("Applying on behalf of", a.on_behalf_of or "— (the victim applied)"),
        ("Vulnerabilities", a.vulnerabilities or "—"), ("Needs", ", ".join(a.needs) or "none recorded"),
        ("Advocate", a.advocate or "—"), ("Consent to share", consent),
        ("Dissatisfied", "yes" if detail.dissatisfied else "no"),
        ("Why", detail.dissatisfaction_reason or "—"),
    ]
    text = Text()
    for label, value in rows:
        text.append(f"{label:>22}  ", style="bold")
        text.append(f"{clean(value)}\n")
    if "correct_record" in detail.actions:  # the key comes from the lifecycle table
        key = step("correct_record").key
        text.append(f"\n{'':>22}  Something recorded wrongly? {key} corrects the record.\n", style="dim")
    if detail.triage_answers:
        policy = context.policy()
        text.append("\nTriage answers\n", style="bold")
        for q in policy.triage.questions:
            answer = "yes" if detail.triage_answers.get(q.id) else "no"
            text.append(f"  {answer:>3}  {q.text}\n")
    return text


class ApplicantTab(CaseTab):
    def __init__(self) -> None:
        super().__init__("3 Applicant", id="applicant")

    def parts(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="applicant-details")

    def fill(self, detail: CaseDetail) -> None:
        self.query_one("#applicant-details", Static).update(applicant_text(detail))
