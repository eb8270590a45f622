"""The policy and working calendar in force for this process.

Services ask here rather than take them as arguments on every call. The policy is read when it is
first asked for: reading it means validating it with pydantic, which the app's first screen does
not need, so the app reads it in a worker once that screen is up. The CLI's commands read it at
once (`load_policy_in_force`), so a bad file stops them before they do anything. Tests set one
with `use_policy`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from caseworker_tui.services.calendar import WorkingCalendar

if TYPE_CHECKING:
    from caseworker_tui.services.policy import Policy

_lock = threading.RLock()  # workers may ask for the policy while another is reading it
_source: Path | None = None  # None: the shipped policy
_policy: Policy | None = None
_calendar: WorkingCalendar | None = None


def use_policy(policy: Policy) -> None:
    global _policy, _calendar
    with _lock:
        _policy = policy
        _calendar = WorkingCalendar.for_policy(policy)


def read_policy_from(path: Path | None) -> None:
    """Where the policy in force is read from when first needed (None: the shipped one)."""
    global _source, _policy, _calendar
    with _lock:
        _source, _policy, _calendar = path, None, None


def load_policy_in_force(path: Path | None) -> Policy:
    """Read the policy now; a bad file raises PolicyError naming the field."""
    read_policy_from(path)
    return policy()


def is_read() -> bool:
    """Whether asking for the policy now returns at once (it has been read, or was set)."""
    return _policy is not None


def policy() -> Policy:
    with _lock:
        if _policy is None:
            from caseworker_tui.services.policy import load_policy

            use_policy(load_policy(_source))
        assert _policy is not None
        return _policy


def calendar() -> WorkingCalendar:
    with _lock:
        if _calendar is None:
            policy()
        assert _calendar is not None
        return _calendar
