"""The one clock: every "today" and "now" in the app comes from here.

`CASEWORKER_TODAY=YYYY-MM-DD` fixes the date for demos and tests; `set_today` does the same
in process. A fixed day reads as 09:00 on that day plus the time elapsed since it was fixed,
so events recorded in one run keep their order.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta

from caseworker_tui.errors import ConfigError

_fixed: date | None = None
_fixed_since: float = 0.0
_env_read = False


def _parse(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"CASEWORKER_TODAY must be a date like 2026-11-25, not {value!r}") from None


def set_today(day: date | str | None) -> None:
    """Fix today (None: follow the system clock again)."""
    global _fixed, _fixed_since, _env_read
    _env_read = True
    _fixed = _parse(day) if isinstance(day, str) else day
    _fixed_since = time.monotonic()


def _fixed_day() -> date | None:
    global _env_read
    if not _env_read:
        value = os.environ.get("CASEWORKER_TODAY")
        set_today(value if value else None)
    return _fixed


def today() -> date:
    fixed = _fixed_day()
    return fixed if fixed is not None else date.today()


def now() -> datetime:
    fixed = _fixed_day()
    if fixed is None:
        return datetime.now().replace(microsecond=0)
    elapsed = timedelta(seconds=time.monotonic() - _fixed_since)
    return datetime.combine(fixed, datetime.min.time()).replace(hour=9) + elapsed


def is_fixed() -> bool:
    return _fixed_day() is not None
