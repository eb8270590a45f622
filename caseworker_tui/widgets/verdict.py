"""The eligibility verdict, rule by rule: ✓/✗ and words (never colour alone), with the evidence."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from caseworker_tui.services.eligibility import Verdict
from caseworker_tui.widgets.safe import clean


def verdict_text(verdict: Verdict, agency_label=lambda a: a) -> Text:
    """The verdict as a person reads it; user-typed text is appended as plain text, never markup."""
    text = Text()
    if verdict.threshold_met:
        text.append("✓ THRESHOLD MET", style="bold green")
    else:
        text.append("✗ THRESHOLD NOT MET", style="bold red")
    text.append(f"   — {_met_when(verdict)}\n", style="dim")
    if verdict.reason:  # the line that says which rule decided, the statutory one first
        text.append(f"{clean(verdict.reason)}\n", style="bold")
    stamp = verdict.policy
    text.append(f"Policy: {stamp.name}, version {stamp.version}; {stamp.period_convention} periods; "
                f"received {verdict.received_on:%d %b %Y}; reports count from {verdict.lookback_from:%d %b %Y}\n\n",
                style="dim")
    for rule in verdict.all_rules:
        if rule.passed:
            text.append(" ✓ passed  ", style="bold green")
        else:
            text.append(" ✗ not met ", style="bold red")
        text.append(f" {rule.title}\n", style="bold")
        text.append(f"            {clean(rule.explanation)}\n")
        for e in rule.evidence:
            text.append(clean(f"            • incident {e.incident}, report {e.report}: {e.reporter} to "
                              f"{agency_label(e.agency)} on {e.reported_on:%d %b %Y}\n"), style="dim")
        text.append("\n")
    if verdict.excluded:
        text.append("Reports that did not count\n", style="bold")
        for x in verdict.excluded:
            text.append(clean(f" ✗ incident {x.incident}, report {x.report} ({x.reporter} to "
                              f"{agency_label(x.agency)}, {x.reported_on:%d %b %Y}): {x.reason}\n"))
        text.append("\n")
    if verdict.would_change:
        text.append("What would change the verdict\n", style="bold")
        for hint in verdict.would_change:
            text.append(f" → {clean(hint)}\n")
    return text


def _met_when(verdict: Verdict) -> str:
    """How the threshold is met under the verdict's policy; a verdict stored by the first release
    knew only Leicester's rules."""
    if verdict.statutory is None:
        return "met when (A or B or C) and D"
    local = f", or when {verdict.rule_shown}" if verdict.rule_shown else ""
    return f"met by {verdict.statutory_complaints} complaints (s.104(4)){local}"


class VerdictView(Static):
    """Shows one verdict; `show` replaces it."""

    def show(self, verdict: Verdict, agency_label=lambda a: a) -> None:
        self.update(verdict_text(verdict, agency_label))
