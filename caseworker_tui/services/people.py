"""The people a record names (a review chair, an appeal's independent chair): accounts, or the
policy's list of named people, never free text, so the record and the letter cannot disagree."""

from __future__ import annotations

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import User
from caseworker_tui.services import context
from caseworker_tui.services.names import name_key
from caseworker_tui.services.unit import reading


def named_person(name: str, *, field: str, label: str) -> str:
    """The name as the app holds it, of the account or policy-listed person `name` names."""
    wanted = name_key(name)
    if not wanted:
        raise InvalidInput(f"{label}: please choose who", field)
    for user in User.select(User.username, User.display_name).where(User.active == True):  # noqa: E712
        if wanted in (name_key(user.username), name_key(user.display_name)):
            return user.display_name
    for person in context.policy().named_people:
        if wanted == name_key(person):
            return person
    raise InvalidInput(f"{label}: {name.strip()!r} is neither an account nor one of the policy's "
                       "named people (named_people)", field)


def chair_choices() -> list[str]:
    """Everyone a chair can be chosen from, chairs and the policy's named people first."""
    with reading():
        users = list(User.select(User.display_name, User.role).where(User.active == True)  # noqa: E712
                     .order_by(User.display_name))
    chairs = [u.display_name for u in users if u.role == "chair"]
    return list(dict.fromkeys(chairs + list(context.policy().named_people)
                              + [u.display_name for u in users]))
