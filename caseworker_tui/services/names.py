"""When two typed names are the same person: the one comparison every service uses.

A name typed on a Mac arrives decomposed ("e" + combining accent), on Windows composed; people
type capitals and double spaces at random. Unicode NFKC normalisation, case folding and
collapsing whitespace make those one person, so a neighbour is never counted twice.
"""

from __future__ import annotations

import unicodedata


def name_key(name: str | None) -> str:
    """The form of `name` that compares equal for the same person however it was typed."""
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    # Case folding can itself leave text that is not NFKC-normal (e.g. "ǰ" folds to j + caron).
    return " ".join(unicodedata.normalize("NFKC", folded).split())


def same_name(a: str | None, b: str | None) -> bool:
    """True when both name someone and it is the same person; a missing name matches nobody."""
    return bool(name_key(a)) and name_key(a) == name_key(b)


def tidy_name(name: str) -> str:
    """A name as shown: NFC, whitespace collapsed, its capitals as typed."""
    return " ".join(unicodedata.normalize("NFC", name).split())
