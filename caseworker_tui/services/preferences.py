"""A person's own choices (the theme), kept with their account.

Not in the settings file: that file is the install's, shared by every desk and every browser
session, and the app never writes it. A choice is remembered only for a signed-in person.
"""

from __future__ import annotations

import json

from caseworker_tui.errors import InvalidInput, NotFound
from caseworker_tui.models import User
from caseworker_tui.services.auth import locked_row
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.unit import reading, transaction

CHOICES = {"theme": 60}  # what a person may choose, and the longest value each takes


def of(actor: Actor) -> dict[str, str]:
    """The person's choices; none for an account that has made none (or has gone)."""
    with reading():
        user = User.get_or_none(User.username == actor.username)
    return _parsed(user.preferences if user else None)


def remember(actor: Actor, key: str, value: str) -> dict[str, str]:
    """Keep one choice, the others as they are (under the account's row lock: two tabs at once
    both keep theirs)."""
    if key not in CHOICES:
        raise InvalidInput(f"preference: {key!r} is not one a person chooses", "preference")
    if not isinstance(value, str) or not value or len(value) > CHOICES[key]:
        raise InvalidInput(f"{key}: a name of at most {CHOICES[key]} characters", key)
    with transaction():
        user = locked_row(actor.username)
        if user is None:
            raise NotFound(f"user: no account named {actor.username!r}")
        choices = _parsed(user.preferences) | {key: value}
        User.update(preferences=json.dumps(choices, sort_keys=True)).where(User.id == user.id).execute()
    return choices


def _parsed(text: str | None) -> dict[str, str]:
    try:
        found = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {k: v for k, v in found.items() if k in CHOICES and isinstance(v, str)} if isinstance(found, dict) else {}
