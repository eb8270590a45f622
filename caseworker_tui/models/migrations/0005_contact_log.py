"""The contact log: each contact with the victim, as the 2025 statutory guidance asks."""

from peewee import CharField, DateTimeField, ForeignKeyField, Model, TextField


def up(migrator, db):
    class Case(Model):
        class Meta:
            database = db
            table_name = "case_request"

    class ContactLog(Model):
        case = ForeignKeyField(Case, backref="contacts", on_delete="CASCADE")
        at = DateTimeField()
        channel = CharField(max_length=20)
        by = CharField(max_length=60)
        said = TextField()
        promised = TextField(default="")

        class Meta:
            database = db
            table_name = "contact_log"

    db.create_tables([ContactLog])
