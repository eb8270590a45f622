"""A report's method, officer and "reported as hate at the time", kept as the application gave them.

A correction recomputes the verdict from the stored record, and two rules read these (a policy's
`excluded_methods`, and `hate_incident` with `reported_as_hate`), so they are stored, not dropped
at intake. A report from before this release has no method and was not marked as hate.
"""

from peewee import BooleanField, CharField, TextField

COLUMNS = [
    ("method", CharField(max_length=20, null=True)),
    ("officer", TextField(default="")),
    ("as_hate", BooleanField(default=False)),
]


def up(migrator, db):
    migrator.migrate(*(migrator.add_column("report", name, field) for name, field in COLUMNS))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_column("report", name) for name, _ in COLUMNS))
