"""Display user-typed text literally: no markup is parsed and no control sequence reaches the terminal."""

from __future__ import annotations

import re

from rich.text import Text

# C0 and C1 control characters (and DEL), except newline and tab, which lay text out.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␀ for NUL, …
    if code == 0x7F:
        return "␡"
    return f"\\x{code:02x}"


def clean(value: object) -> str:
    """The text with control characters shown as symbols, so they can be read but do nothing."""
    return _CONTROL.sub(_picture, "" if value is None else str(value))


def plain(value: object, style: str = "") -> Text:
    """A Rich Text that is never parsed as markup."""
    return Text(clean(value), style=style)
