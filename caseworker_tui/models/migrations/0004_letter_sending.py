"""Letters that reach people: each keeps its PDF, the agency it is to, and how it was sent.

All columns are nullable, so letters produced before this release keep their rows as they were:
no PDF yet, and sent (if at all) as marked by hand. `send_key` is unique: a send claims it before
the message leaves, so a retry of the same letter version can never send it twice.
"""

from peewee import CharField, DateTimeField, TextField

COLUMNS = [
    ("pdf_path", TextField(null=True)),
    ("agency", CharField(max_length=40, null=True)),
    ("sent_via", CharField(max_length=20, null=True)),
    ("sent_at", DateTimeField(null=True)),
    ("sent_to", CharField(max_length=320, null=True)),
    ("provider_id", CharField(max_length=255, null=True)),
    ("delivery_status", CharField(max_length=20, null=True)),
    ("send_key", CharField(max_length=80, null=True)),
]


def up(migrator, db):
    migrator.migrate(*(migrator.add_column("letter", name, field) for name, field in COLUMNS))
    migrator.migrate(migrator.add_index("letter", ("send_key",), True))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("letter", "letter_send_key"))
    migrator.migrate(*(migrator.drop_column("letter", name) for name, _ in COLUMNS))
