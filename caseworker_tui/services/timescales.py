"""The `[timescales]` section of a policy file: for each step, a number, a unit and an anchor.

Partnerships count differently (Leicester decides 14 calendar days from receipt, Gosport 15
working days from the acknowledgement, East Herts 14 working days from receipt), so each step
is `[timescales.STEP]` with `days`, `unit` ("working" | "calendar") and `from` (the event it
counts from). A step is due once its anchor has happened: one counted from the acknowledgement
opens when the request is acknowledged.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from caseworker_tui.services.old_shape import refuses_old_keys
from caseworker_tui.services.words import plural

if TYPE_CHECKING:
    from caseworker_tui.services.calendar import WorkingCalendar

Unit = Literal["working", "calendar"]
Anchor = Literal["received", "acknowledged", "requested", "accepted", "meeting", "decided",
                 "letter_sent", "appeal_decided", "last_contact", "lodged"]

# The anchors each step can honestly count from: what the app records for it.
STEP_ANCHORS: dict[str, tuple[str, ...]] = {
    "acknowledge": ("received",),
    "decide": ("received", "acknowledged"),
    "agency_update": ("requested",),
    "review": ("accepted", "decided", "received"),
    "appeal_window": ("letter_sent", "decided"),
    "fresh_decision": ("appeal_decided",),
    "appeal_decision": ("lodged",),
    "victim_update": ("last_contact", "acknowledged"),
    "action_plan_reply": ("letter_sent",),
}
# Each anchor as a sentence ends: "within 15 working days of the acknowledgement".
ANCHOR_WORDS: dict[str, str] = {
    "received": "receipt", "acknowledged": "the acknowledgement", "requested": "the request for it",
    "accepted": "the request being accepted", "meeting": "the review meeting",
    "decided": "the threshold decision", "letter_sent": "the letter being sent",
    "appeal_decided": "the appeal decision", "last_contact": "the last contact with the victim",
    "lodged": "the appeal being lodged",
}
OLD_SHAPE_KEYS = ("acknowledge_working_days", "decide_calendar_days", "agency_update_working_days",
                  "review_calendar_days", "appeal_window_working_days", "appeal_decision_calendar_days")


class Timescale(BaseModel):
    """One step's timescale: `days` `unit` days from `from`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    days: int = Field(ge=0, le=366)
    unit: Unit
    anchor: Anchor = Field(alias="from")

    @property
    def words(self) -> str:
        """As a letter says it: "28 days", "20 working days", "1 working day"."""
        kind = "working " if self.unit == "working" else ""
        return plural(self.days, f"{kind}day")

    def due(self, start: date, calendar: WorkingCalendar) -> date:
        """The last day of the step counted from `start`, the day its anchor happened."""
        if self.unit == "working":
            return calendar.add_working_days(start, self.days)
        return start + timedelta(days=self.days)


def old_shape_message() -> str:
    return ("this file has the first release's timescales (acknowledge_working_days, "
            "decide_calendar_days, …). Each step is now a table of its own with a number, a unit "
            "and the event it counts from, e.g. [timescales.decide] days = 14, unit = \"calendar\", "
            "from = \"received\". `caseworker policy upgrade FILE` converts the file")


class Timescales(BaseModel):
    """Every step's timescale; the victim's steps are optional until a partnership sets them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Each description is the step in words, as `caseworker policy check` prints it.
    acknowledge: Timescale = Field(description="Acknowledge the request (the acknowledgement letter is sent)")
    decide: Timescale = Field(description="Decide whether the threshold is met, and send the decision letter")
    agency_update: Timescale = Field(description="An agency sends the update asked of it")
    review: Timescale = Field(description="Complete the review and send the outcome")
    appeal_window: Timescale = Field(description="The applicant may appeal")
    fresh_decision: Timescale = Field(description="After an upheld appeal, take a fresh decision and send its letter")
    appeal_decision: Timescale = Field(description="Decide an appeal")
    victim_update: Timescale | None = Field(default=None, description="Update the victim")
    action_plan_reply: Timescale | None = Field(default=None, description="The victim replies on the draft action plan")

    _refuse_the_old_shape = refuses_old_keys(OLD_SHAPE_KEYS, old_shape_message)

    @model_validator(mode="after")
    def _anchors_each_step_can_count_from(self) -> Timescales:
        for step, anchors in STEP_ANCHORS.items():
            timescale = getattr(self, step)
            if timescale is not None and timescale.anchor not in anchors:
                raise ValueError(f"{step}.from: {timescale.anchor!r} is not an event this step can count "
                                 f"from; use {' or '.join(repr(a) for a in anchors)}")
        return self

    def of(self, step: str) -> Timescale:
        found = getattr(self, step, None)
        if found is None:
            raise KeyError(step)
        return found
