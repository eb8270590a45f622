"""The victim's journey: each case's single point of contact, the review's virtual link, and the
consultation on the draft action plan (when the letter went, and the victim's views or none by the date).

Every column is nullable or has a default, so a case from before this release reads as it was: its
single point of contact is its caseworker, and it has not been consulted.
"""

from peewee import BooleanField, CharField, DateField, ForeignKeyField, Model, TextField

REVIEW_COLUMNS = [
    ("virtual_link", TextField(default="")),
    ("consulted_on", DateField(null=True)),
    ("victim_views", TextField(default="")),
    ("views_on", DateField(null=True)),
    ("views_by", CharField(max_length=60, null=True)),
    ("no_reply", BooleanField(default=False)),
]


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = "app_user"

    spoc = ForeignKeyField(User, null=True, field=User.id, on_delete="SET NULL")
    migrator.migrate(migrator.add_column("case_request", "spoc_id", spoc))
    migrator.migrate(*(migrator.add_column("review", name, field) for name, field in REVIEW_COLUMNS))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_column("review", name) for name, _ in REVIEW_COLUMNS))
    migrator.migrate(migrator.drop_column("case_request", "spoc_id"))
