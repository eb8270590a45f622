"""Indexes that keep the screens fast at national scale (100,000 cases and more).

Each one holds every column its queries read, so they are answered from the index alone. A case
row carries its verdict, a few kilobytes, so reading the rows themselves is what costs: the first
page of a queue of 25,000 open cases read 100 MB without the queue's index.

- The intake queue's count, page and counts per stage filter on is_open, stage, assigned_to,
  high_risk and search_text, sort on the overdue flag, high_risk, next_due_on, received_at and
  id, and show reference, applicant, next step and risk score. (SQLite keeps the id in every
  index anyway; PostgreSQL answers from an index alone only when it holds every column.)
- The deadlines view pages the open steps by (due_on, id) and counts them by group and by the
  case's assignee: a partial index of the open steps alone, in that order. It replaces
  (closed_at, due_on), whose order PostgreSQL cannot use under `closed_at IS NULL`.
- The yearly figures read each case's latest decision, the chair's approval and how each step
  was closed: these widen what the indexes by case already find. The deadline one replaces
  (case_id, step), which it begins with.
"""

from peewee import SQL
from playhouse.migrate import make_index_name

QUEUE = ("is_open", "stage", "high_risk", "next_due_on", "received_at", "assigned_to_id", "risk_score",
         "next_due_step", "reference", "applicant_name", "search_text", "id")
ADDED = [
    ("case_request", QUEUE, None),
    ("deadline", ("due_on", "id", "case_id", "closed_at"), SQL('"closed_at" IS NULL')),
    ("threshold_decision", ("case_id", "decision", "ground", "decided_at"), None),
    ("review", ("case_id", "approved_at"), None),
    ("deadline", ("case_id", "step", "closed_how", "closed_at", "due_on"), None),
]
REPLACED = [("deadline", ("closed_at", "due_on")), ("deadline", ("case_id", "step"))]


def up(migrator, db):
    for table, columns, where in ADDED:
        migrator.migrate(migrator.add_index(table, columns, False, where=where))
    for table, columns in REPLACED:
        migrator.migrate(migrator.drop_index(table, make_index_name(table, columns)))


def down(migrator, db):
    for table, columns in REPLACED:
        migrator.migrate(migrator.add_index(table, columns, False))
    for table, columns, _ in ADDED:
        migrator.migrate(migrator.drop_index(table, make_index_name(table, columns)))
