"""People's names as the app compares them: "José" typed on a Mac and on Windows is one person."""

from __future__ import annotations

import unicodedata


def name_key(name: str | None) -> str:
    """NFKC-normalised, case-folded, with runs of whitespace collapsed to one space."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def same_name(a: str | None, b: str | None) -> bool:
    return bool(name_key(a)) and name_key(a) == name_key(b)
