"""Who may do what: checked in the service that makes the change, not only by hiding a button."""

from __future__ import annotations

from dataclasses import dataclass

from caseworker_tui.services.errors import PermissionDenied

CASE_WORK = frozenset({"caseworker", "supervisor"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "view_cases": frozenset({"caseworker", "supervisor", "chair", "admin"}),
    "create_request": CASE_WORK,
    "acknowledge": CASE_WORK,
    "take": CASE_WORK,
    "assign": frozenset({"supervisor"}),
    "add_note": frozenset({"caseworker", "supervisor", "chair"}),
    "triage": CASE_WORK,
    "decide": CASE_WORK,
    "request_updates": CASE_WORK,
    "record_update": CASE_WORK,
    "schedule_review": CASE_WORK,
    "record_findings": CASE_WORK,
    "extend_review": CASE_WORK,
    "draft_outcome": CASE_WORK,
    "submit_outcome": CASE_WORK,
    "approve_outcome": frozenset({"chair"}),
    "return_outcome": frozenset({"chair"}),
    "follow_up": CASE_WORK,
    "record_appeal": CASE_WORK,
    "decide_appeal": frozenset({"supervisor", "chair"}),
    "withdraw": CASE_WORK,
    "close": CASE_WORK,
    "produce_letter": frozenset({"caseworker", "supervisor", "chair"}),
    "mark_letter_sent": CASE_WORK,
    "view_stats": frozenset({"supervisor", "admin", "chair"}),
    "manage_users": frozenset({"admin"}),
    "view_access_log": frozenset({"admin"}),
    # Personal data as a whole (services/retention.py, subject_access.py, backup.py).
    "preview_retention": frozenset({"supervisor", "admin"}),
    "apply_retention": frozenset({"admin"}),
    "subject_access": frozenset({"supervisor", "admin"}),
    "backup": frozenset({"admin"}),
}

ACTION_WORDS = {
    "approve_outcome": "approve an outcome",
    "return_outcome": "return an outcome",
    "assign": "assign cases to others",
    "manage_users": "manage users",
    "decide_appeal": "record an appeal decision",
    "view_access_log": "read the access log",
    "preview_retention": "list cases due for anonymising",
    "apply_retention": "anonymise cases",
    "subject_access": "gather a person's data",
    "backup": "back up the database",
}


@dataclass(frozen=True)
class Actor:
    """The signed-in person, as services need them: no ORM row, nothing mutable."""

    username: str
    display_name: str
    role: str


SYSTEM = Actor("system", "System", "admin")


def allowed(actor: Actor, action: str) -> bool:
    return actor.role in PERMISSIONS[action]


def require(actor: Actor, action: str) -> None:
    if not allowed(actor, action):
        words = ACTION_WORDS.get(action, action.replace("_", " "))
        raise PermissionDenied(f"{actor.display_name} ({actor.role}) may not {words}.")
