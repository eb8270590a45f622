"""Passphrases: the rule a new one must meet, and the argon2 hashing that stores it.

Hashing is slow on purpose (a fifth of a second a hash), so it is done before any write
transaction opens: a SQLite write lock held while hashing is every other desk's "database is locked".
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from caseworker_tui.errors import InvalidInput

MIN_LENGTH = 12
DENY_LIST = "common-passphrases.txt"  # in caseworker_tui/data
_hasher = PasswordHasher()
_dummy: dict[int, str] = {}


def _normal(text: str) -> str:
    """What two passphrases that differ only in case, spaces or punctuation have in common."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@cache
def common_passphrases() -> frozenset[str]:
    text = files("caseworker_tui.data").joinpath(DENY_LIST).read_text(encoding="utf-8")
    return frozenset(_normal(line) for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_new(passphrase: str, username: str = "") -> str:
    """A new passphrase, or InvalidInput saying why not: long enough, not a common one, not the name."""
    if len(passphrase) < MIN_LENGTH:
        raise InvalidInput(f"passphrase: at least {MIN_LENGTH} characters (a few words are easiest to remember)",
                           "passphrase")
    normal = _normal(passphrase)
    if normal in common_passphrases() or len(set(normal)) < 4:
        raise InvalidInput("passphrase: this one is among the first any guessing tool tries; choose another",
                           "passphrase")
    if username and _normal(username) and _normal(username) in normal and len(normal) - len(_normal(username)) < MIN_LENGTH:
        raise InvalidInput("passphrase: too close to the user name; choose another", "passphrase")
    return passphrase


def hash_passphrase(passphrase: str) -> str:
    return _hasher.hash(passphrase)


def verify(password_hash: str | None, passphrase: str) -> bool:
    """Whether `passphrase` is the one hashed; with no hash (no such account, or one that may not sign
    in now) a dummy hash is checked instead, so the answer takes as long either way."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), passphrase) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    """A hash of nothing anyone types, made with the hasher in force (so at the same cost)."""
    key = id(_hasher)
    if key not in _dummy:
        _dummy[key] = _hasher.hash("\x00 no account \x00")
    return _dummy[key]
