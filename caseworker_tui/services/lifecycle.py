"""The case lifecycle, declared once: every step a person takes on a case.

Each `Step` says who may take it, from which stages, where it leads, the words a person reads,
the key that takes it on the case screen, the fact about the case it needs, and the service
function that carries it out. The workflow's guards, the permissions, the actions a case
offers, the case screen's bindings and footer, the help screen and the timeline's wording of
stage-less steps are all derived from this table, so a new step is one entry here, one
service function, its dialog and its tests (see docs/DEVELOPING.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from caseworker_tui.services.stages import FINISHED, OPEN_STAGES, STAGES

CASE_WORK = frozenset({"caseworker", "supervisor"})

# The groups of stages steps and letters are offered in: declared here, named everywhere else.
EVERY_STAGE = STAGES
NOT_FINISHED = OPEN_STAGES
BEFORE_DECISION = ("received", "acknowledged")
CHASING_AGENCIES = (*BEFORE_DECISION, "accepted", "under_review")
REVIEW_OPEN = ("accepted", "under_review", "outcome_drafted", "awaiting_chair")
REVIEW_MEETING = ("under_review", "outcome_drafted")
AFTER_APPROVAL = ("approved", "closed")
CONSULTING = ("outcome_drafted", "awaiting_chair")  # the victim is consulted on the drafted outcome


@dataclass(frozen=True)
class Step:
    """One thing a person does to a case."""

    name: str                       # the permission and audit action, e.g. "acknowledge"
    roles: frozenset[str]           # who may take it (checked in the service)
    stages: tuple[str, ...]         # the stages it may be taken from
    words: str                      # "may not …", "Cannot …: CT-1 is declined"
    label: str                      # the footer's word for it
    key: str                        # the case screen's default key
    screen_action: str              # CaseScreen.action_<screen_action>
    service: str                    # "module.function" under caseworker_tui.services
    to_stage: str | None = None     # where it leads, when it always leads to one stage
    needs: str | None = None        # a fact about the case it needs (see `case_facts`)
    timeline: str | None = None     # how a stage-less step reads on the timeline
    show: bool = True               # shown in the footer when offered
    letter: str | None = None       # the letter kind taking the step sends (made once it is taken)


_S = Step
STEPS: tuple[Step, ...] = (
    _S("acknowledge", CASE_WORK, ("received",), "acknowledge the request", "Acknowledge", "a",
       "acknowledge", "workflow.acknowledge", to_stage="acknowledged", letter="acknowledgement"),
    _S("take", CASE_WORK, NOT_FINISHED, "take the case", "Take", "t", "take", "workflow.assign",
       needs="takeable"),
    _S("assign", frozenset({"supervisor"}), NOT_FINISHED, "assign cases to others", "Assign", "g",
       "assign", "workflow.assign"),
    _S("add_note", frozenset({"caseworker", "supervisor", "chair"}), EVERY_STAGE, "add a note",
       "Add note", "n", "note", "workflow.add_note"),
    _S("triage", CASE_WORK, NOT_FINISHED, "triage the case", "Triage", "k", "triage", "workflow.triage"),
    _S("decide", CASE_WORK, ("acknowledged",), "record the threshold decision", "Decide", "d",
       "decide", "workflow.decide"),
    _S("request_updates", CASE_WORK, CHASING_AGENCIES,
       "ask agencies for updates", "Ask agencies", "u", "ask_agencies", "workflow.request_updates"),
    _S("record_update", CASE_WORK, CHASING_AGENCIES,
       "record an agency's update", "Record update", "r", "record_update", "workflow.record_update",
       needs="update_pending"),
    _S("schedule_review", CASE_WORK, ("accepted", "under_review"), "schedule the review",
       "Schedule review", "v", "schedule_review", "workflow.schedule_review", to_stage="under_review"),
    _S("record_findings", CASE_WORK, REVIEW_MEETING, "record findings",
       "Findings", "i", "findings", "workflow.record_findings", needs="meeting_held",
       timeline="Findings recorded"),
    _S("extend_review", CASE_WORK, REVIEW_OPEN,
       "extend the review", "Extend", "e", "extend", "workflow.extend_review",
       timeline="Review extended to {to}"),
    _S("draft_outcome", CASE_WORK, REVIEW_MEETING, "draft the outcome",
       "Draft outcome", "o", "outcome", "workflow.draft_outcome", to_stage="outcome_drafted",
       needs="meeting_held"),
    _S("submit_outcome", CASE_WORK, ("outcome_drafted",), "submit the outcome to the chair",
       "Submit to chair", "s", "submit", "workflow.submit_outcome", to_stage="awaiting_chair"),
    _S("approve_outcome", frozenset({"chair"}), ("awaiting_chair",), "approve an outcome", "Approve",
       "p", "approve", "workflow.approve_outcome", to_stage="approved"),
    _S("return_outcome", frozenset({"chair"}), ("awaiting_chair",), "return an outcome", "Return",
       "b", "return_outcome", "workflow.return_outcome", to_stage="outcome_drafted"),
    _S("follow_up", CASE_WORK, AFTER_APPROVAL, "follow up a recommendation", "Follow up", "y",
       "follow_up", "workflow.follow_up", needs="recommendation_open"),
    _S("record_appeal", CASE_WORK, ("declined", "approved", "closed"), "record an appeal", "Appeal",
       "l", "appeal", "workflow.record_appeal", to_stage="appeal", needs="appealable"),
    _S("decide_appeal", frozenset({"supervisor", "chair"}), ("appeal",), "record an appeal decision",
       "Appeal decision", "j", "appeal_decision", "workflow.decide_appeal"),
    _S("close", CASE_WORK, ("declined", "approved"), "close the case", "Close", "c", "close_case",
       "workflow.close", to_stage="closed", letter="closure"),
    _S("refer_escalation", CASE_WORK, ("closed",), "refer the case beyond the partnership", "Escalate", "E",
       "escalate", "workflow.refer_escalation", needs="escalatable", timeline="Referred to {body} on {on}"),
    _S("record_escalation_answer", CASE_WORK, ("closed",), "record the answer to the referral",
       "Escalation answer", "A", "escalation_answer", "workflow.record_escalation_answer",
       needs="escalation_open", timeline="Answer from {body} on {on}"),
    _S("produce_letter", frozenset({"caseworker", "supervisor", "chair"}), EVERY_STAGE,
       "produce a letter", "Make letter", "m", "make_letter", "letters.produce"),
    _S("mark_letter_sent", CASE_WORK, EVERY_STAGE, "mark a letter sent", "Mark sent", "x",
       "mark_sent", "letters.mark_sent", needs="letter_unsent"),
    _S("record_contact", CASE_WORK, NOT_FINISHED, "record a contact with the victim", "Contact", "h",
       "record_contact", "workflow.record_contact"),
    _S("send_letter", CASE_WORK, EVERY_STAGE, "send a letter", "Send", "f", "send_letter", "letters.send",
       needs="letter_unsent"),
    _S("withdraw", CASE_WORK, NOT_FINISHED, "withdraw the request", "Withdraw", "w", "withdraw",
       "workflow.withdraw", to_stage="withdrawn", letter="withdrawal"),
    _S("change_spoc", CASE_WORK, NOT_FINISHED, "change the victim's single point of contact", "Contact person",
       "q", "change_spoc", "workflow.change_spoc", timeline="Single point of contact is now {name}"),
    _S("consult_victim", CASE_WORK, CONSULTING, "consult the victim on the action plan", "Consult victim", "z",
       "consult_victim", "workflow.consult_victim", timeline="Victim consulted on the draft action plan; "
       "views by {reply_by_words}"),
    _S("record_views", CASE_WORK, CONSULTING, "record the victim's views on the action plan", "Victim's views",
       "V", "record_views", "workflow.record_views", needs="consulted",
       timeline="Victim's views on the draft action plan: {said}"),
    # Any stage: a record found wrong is corrected and its verdict recomputed (services/workflow/correction.py).
    _S("correct_record", CASE_WORK, EVERY_STAGE, "correct the record", "Correct record", "C", "correct_record",
       "workflow.correct_record", timeline="Record corrected", show=False),
)
# What a person is told when the fact a step needs (`Step.needs`, see `cases.case_facts`) is missing.
MISSING_FACT = {
    "takeable": "Taking a colleague's case reassigns it, which is a supervisor's to do.",
    "update_pending": "No agency update is waiting for an answer.",
    "meeting_held": "Cannot {words} until the review meeting has taken place.",
    "recommendation_open": "Every recommendation has been followed up.",
    "letter_unsent": "Choose a letter that has not been sent, on the Letters tab.",
    "appealable": "The appeal on this case has been decided; that decision is final.",
    "escalatable": "Escalation follows a final appeal decision, once, where the policy names somewhere to go.",
    "escalation_open": "No referral beyond the partnership is waiting for an answer.",
    "consulted": "Cannot {words} until the victim has been consulted on it (z).",
}
assert {s.needs for s in STEPS if s.needs} <= set(MISSING_FACT)

BY_NAME: dict[str, Step] = {step.name: step for step in STEPS}
BY_SCREEN_ACTION: dict[str, Step] = {step.screen_action: step for step in STEPS}
# Facts the screen knows better than the service: which letter row is highlighted.
SCREEN_FACTS = frozenset({"letter_unsent"})

assert not set(FINISHED) - set(STAGES)


def step(name: str) -> Step:
    return BY_NAME[name]


def offered(stage: str, role: str, facts: frozenset[str]) -> list[str]:
    """The steps a person in this role may take on a case at this stage, in the table's order.

    A step whose fact is only known to the screen (`SCREEN_FACTS`) is offered here and narrowed
    by the screen.
    """
    return [s.name for s in STEPS
            if stage in s.stages and role in s.roles
            and (s.needs is None or s.needs in facts or s.needs in SCREEN_FACTS)]


def stage_work_first(names: list[str]) -> list[str]:
    """The steps named, those that belong to the case's stage first (acknowledge, decide, submit,
    approve …), then those open at any stage (a note, a letter, withdrawing), each in the table's
    order: a narrow footer shows the first few, and they should be the case's next steps."""
    def anytime(name: str) -> bool:
        return BY_NAME[name].stages in (EVERY_STAGE, NOT_FINISHED)
    return sorted(names, key=anytime)
