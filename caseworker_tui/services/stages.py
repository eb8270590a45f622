"""The lifecycle's stages and the words a person reads for each."""

from __future__ import annotations

STAGE_LABELS = {
    "received": "Received",
    "acknowledged": "Acknowledged",
    "accepted": "Accepted",
    "declined": "Declined",
    "under_review": "Under review",
    "outcome_drafted": "Outcome drafted",
    "awaiting_chair": "Awaiting chair",
    "approved": "Approved",
    "appeal": "Appeal",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
}
STAGES = tuple(STAGE_LABELS)
FINISHED = frozenset({"closed", "withdrawn"})
OPEN_STAGES = tuple(s for s in STAGES if s not in FINISHED)


def stage_label(stage: str | None) -> str:
    if not stage:
        return "—"
    return STAGE_LABELS.get(stage) or stage.replace("_", " ").capitalize()
