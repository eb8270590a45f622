"""The policy and working calendar in force for this process, set once at start-up.

Services ask here rather than take them as arguments on every call; tests and the CLI set them
with `use_policy`.
"""

from __future__ import annotations

from pathlib import Path

from caseworker_tui.services.calendar import WorkingCalendar
from caseworker_tui.services.policy import Policy, load_policy

_policy: Policy | None = None
_calendar: WorkingCalendar | None = None


def use_policy(policy: Policy) -> None:
    global _policy, _calendar
    _policy = policy
    _calendar = WorkingCalendar.for_policy(policy)


def load_policy_in_force(path: Path | None) -> Policy:
    policy = load_policy(path)
    use_policy(policy)
    return policy


def policy() -> Policy:
    if _policy is None:
        use_policy(load_policy())
    assert _policy is not None
    return _policy


def calendar() -> WorkingCalendar:
    if _calendar is None:
        policy()
    assert _calendar is not None
    return _calendar
