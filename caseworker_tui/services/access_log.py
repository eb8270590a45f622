"""Who opened which case, when: personal data is read on a need-to-know basis, and this shows it.

Views are recorded by `cases.open_case`; only an admin reads them back, newest first
(`caseworker access-log`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import fn

from caseworker_tui.errors import InvalidInput, NotFound
from caseworker_tui.models import Case, CaseView
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.unit import reading

MAX_LIMIT = 10_000


@dataclass(frozen=True)
class CaseAccess:
    at: datetime
    username: str
    case_id: int
    reference: str


def access_log(actor: Actor, case_id: int | None = None, limit: int = 200, *,
               reference: str | None = None) -> list[CaseAccess]:
    """The latest `limit` case views, of one case (by id or reference) or of all."""
    require(actor, "view_access_log")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: between 1 and {MAX_LIMIT}", "limit")
    with reading():
        if reference is not None:
            found = Case.get_or_none(fn.LOWER(Case.reference) == reference.strip().lower())
            if found is None:
                raise NotFound(f"no case with reference {reference.strip()!r}")
            case_id = found.id
        query = (CaseView.select(CaseView.at, CaseView.username, CaseView.case, Case.reference)
                 .join(Case).order_by(CaseView.at.desc(), CaseView.id.desc()).limit(limit))
        if case_id is not None:
            query = query.where(CaseView.case == case_id)
        rows = list(query.dicts())
    return [CaseAccess(r["at"], r["username"], r["case"], r["reference"]) for r in rows]
