"""Text a person typed or pasted, checked before a query or a file is made of it.

Two characters cannot go any further. A NUL is never meant, and PostgreSQL text cannot hold
one. A lone surrogate (half of a UTF-16 pair: what a bad paste, or a file name that is not
UTF-8 on the command line, leaves in a Python string) cannot be written as UTF-8, so neither
database driver can send it. Both are refused here, naming the field, instead of failing deep
in the driver with an error the person cannot act on.
"""

from __future__ import annotations

from caseworker_tui.errors import InvalidInput


def checked(value: str, field: str) -> str:
    """`value`, when every character of it can be stored; else InvalidInput naming `field`."""
    if "\x00" in value:
        raise InvalidInput(f"{field}: contains a NUL character (\\u0000); type it again without it", field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"{field}: contains {value[exc.start]!r}, half of a character (a lone surrogate), "
                           "which is not text; type it again", field) from None
    return value
