"""The lifecycle's steps as use cases, one module per part of a case's life.

The steps are declared in `services/lifecycle.py`; each one's service function lives here, named
there as `workflow.<function>`, and runs through `running.run_step`.
"""

from caseworker_tui.services.workflow.appeals import appeal_window_end, decide_appeal, record_appeal
from caseworker_tui.services.workflow.closing import close, withdraw
from caseworker_tui.services.workflow.correction import Corrected, correct_record
from caseworker_tui.services.workflow.decision import decide, record_update, request_updates
from caseworker_tui.services.workflow.escalation import record_escalation_answer, refer_escalation
from caseworker_tui.services.workflow.intake import CONTACT_CHANNELS, acknowledge, add_note, assign, record_contact, triage
from caseworker_tui.services.workflow.review import (
    PARTICIPATION,
    RecommendationIn,
    approve_outcome,
    draft_outcome,
    extend_review,
    follow_up,
    record_findings,
    return_outcome,
    schedule_review,
    submit_outcome,
)
from caseworker_tui.services.workflow.running import NOT_RECEIVED, Done
from caseworker_tui.services.workflow.victim import (
    approval_refusal,
    change_spoc,
    consult_victim,
    record_views,
    reply_by,
    spoc_of,
    views_words,
)

__all__ = [
    "CONTACT_CHANNELS", "NOT_RECEIVED", "PARTICIPATION", "Done", "RecommendationIn", "acknowledge", "add_note",
    "appeal_window_end", "approve_outcome", "assign", "close", "decide", "decide_appeal", "draft_outcome",
    "extend_review", "follow_up", "record_appeal", "record_contact", "record_escalation_answer", "record_findings", "record_update",
    "refer_escalation", "request_updates", "return_outcome", "schedule_review", "submit_outcome", "triage", "withdraw",
    "Corrected", "correct_record",
    "approval_refusal", "change_spoc", "consult_victim", "record_views", "reply_by", "spoc_of", "views_words",
]
