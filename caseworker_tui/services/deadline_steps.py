"""The deadline steps a case can owe, each declared once.

A step's words, the case tab it is done on and the yearly measure of it are read from here, so
rewording a step is one edit and needs no data migration: a deadline row stores only its step's
key and agency, and its label is worded when it is read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeadlineStep:
    """One step the partnership owes a case."""

    key: str
    label: str  # a template: "{agency}" is the label of the agency the step is owed by
    words: str  # the step in two words, for lists where space is short
    tab: str = "progress"  # the case tab where the step is done, so a supervisor lands at the work
    on_time: str | None = None  # the yearly figures' words for its timeliness, if it is measured
    chart: str | None = None  # its short name on the figures' chart axis, if it is measured
    published: bool = False  # its timeliness is among the partnership's own published measures

    def label_for(self, agency_label: str | None = None) -> str:
        return self.label.format(agency=agency_label or "agency")


DEADLINE_STEPS: dict[str, DeadlineStep] = {step.key: step for step in (
    DeadlineStep("acknowledge", "Acknowledge the request", "Acknowledge", tab="letters",
                 on_time="Acknowledged on time", chart="Acknowledge"),
    DeadlineStep("decide", "Decide whether the threshold is met", "Decide", tab="eligibility",
                 on_time="Decided on time", chart="Decide"),
    DeadlineStep("notify_decision", "Send the decision letter", "Decision letter", tab="letters"),
    DeadlineStep("agency_update", "Update from {agency}", "Agency update"),
    DeadlineStep("review", "Complete the review and send the outcome", "Review outcome",
                 on_time="Reviewed on time", chart="Review"),
    DeadlineStep("chair_approval", "Chair's approval of the outcome", "Chair approval",
                 on_time="Outcome approved on time", chart="Approve"),
    DeadlineStep("notify_extension", "Send the extension letter", "Extension letter", tab="letters"),
    DeadlineStep("recommendation", "Recommendation due: {agency}", "Recommendation",
                 on_time="Action-plan items done on time", chart="Action", published=True),
    DeadlineStep("appeal_decision", "Decide the appeal", "Appeal decision"),
    DeadlineStep("victim_update", "Update the victim", "Victim update", tab="timeline",
                 on_time="Victim updated on cadence", chart="Update", published=True),
)}


def deadline_step(key: str) -> DeadlineStep:
    """The step declared under `key`; a key no release declares reads as its own words."""
    known = DEADLINE_STEPS.get(key)
    if known is not None:
        return known
    words = key.replace("_", " ")
    return DeadlineStep(key, words, words)


def step_label(key: str, agency_label: str | None = None) -> str:
    return deadline_step(key).label_for(agency_label)


def step_words(key: str | None) -> str:
    return deadline_step(key).words if key else ""


def step_tab(key: str) -> str:
    return deadline_step(key).tab


def measured_steps() -> dict[str, str]:
    """The steps whose timeliness the yearly figures measure, with the words for each measure."""
    return {s.key: s.on_time for s in DEADLINE_STEPS.values() if s.on_time}


def published_steps() -> list[str]:
    """The measured steps whose timeliness the partnership publishes beside the statutory counts."""
    return [s.key for s in DEADLINE_STEPS.values() if s.on_time and s.published]


def chart_names() -> dict[str, str]:
    """The measured steps' short names, for the figures' chart axis."""
    return {s.key: s.chart for s in DEADLINE_STEPS.values() if s.chart}
