"""Who may do what: checked in the service that makes the change, not only by hiding a button."""

from __future__ import annotations

from dataclasses import dataclass

from caseworker_tui.errors import PermissionDenied
from caseworker_tui.services.lifecycle import CASE_WORK, STEPS

# Permissions beyond the case lifecycle's steps, whose roles `services.lifecycle` declares.
_OTHER_PERMISSIONS: dict[str, tuple[frozenset[str], str]] = {
    "view_cases": (frozenset({"caseworker", "supervisor", "chair", "admin"}), "view cases"),
    "create_request": (CASE_WORK, "record a new request"),
    "view_stats": (frozenset({"supervisor", "admin", "chair"}), "view stats"),
    "publish_figures": (frozenset({"supervisor"}), "publish the yearly figures or write their notes"),
    "manage_users": (frozenset({"admin"}), "manage users"),
    "view_access_log": (frozenset({"admin"}), "read the access log"),
    # Personal data as a whole (services/retention.py, subject_access.py, backup.py).
    "preview_retention": (frozenset({"supervisor", "admin"}), "list cases due for anonymising"),
    "apply_retention": (frozenset({"admin"}), "anonymise cases"),
    "subject_access": (frozenset({"supervisor", "admin"}), "gather a person's data"),
    "backup": (frozenset({"admin"}), "back up the database"),
}
PERMISSIONS: dict[str, frozenset[str]] = (
    {name: roles for name, (roles, _) in _OTHER_PERMISSIONS.items()}
    | {s.name: s.roles for s in STEPS})
ACTION_WORDS: dict[str, str] = (
    {name: words for name, (_, words) in _OTHER_PERMISSIONS.items()} | {s.name: s.words for s in STEPS})


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
        words = ACTION_WORDS[action]
        raise PermissionDenied(f"{actor.display_name} ({actor.role}) may not {words}.")
