"""A case or a letter by its id, or NotFound naming the id: the one way every use case finds its row.

Each runs inside the caller's transaction. `locked` takes the case's row lock first, as every
writer does (on PostgreSQL a row lock, so writers queue instead of colliding; on SQLite the
IMMEDIATE transaction already holds the database).
"""

from __future__ import annotations

from peewee import prefetch

from caseworker_tui.errors import NotFound
from caseworker_tui.models import Case, Incident, Letter, Report, is_postgres


def case_by_id(case_id: int, *, locked: bool = False) -> Case:
    query = Case.select().where(Case.id == case_id)
    case = (query.for_update() if locked and is_postgres() else query).first()
    if case is None:
        raise NotFound(f"no case with id {case_id}")
    return case


def incidents_of(case: Case) -> list[Incident]:
    """The case's incidents in their order, each with its `reports` in theirs: two queries in all."""
    return list(prefetch(Incident.select().where(Incident.case == case).order_by(Incident.position),
                         Report.select().order_by(Report.position)))


def letter_by_id(letter_id: int) -> Letter:
    row = Letter.get_or_none(Letter.id == letter_id)
    if row is None:
        raise NotFound(f"no letter with id {letter_id}")
    return row
