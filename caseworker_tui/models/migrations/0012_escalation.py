"""Escalation beyond the partnership after an appeal (e.g. to the Police and Crime Commissioner)."""

from peewee import CharField, DateField, ForeignKeyField, Model, TextField


def up(migrator, db):
    class Case(Model):
        class Meta:
            database = db
            table_name = "case_request"

    class Escalation(Model):
        case = ForeignKeyField(Case, backref="escalations", on_delete="CASCADE")
        body = CharField(max_length=200)
        referred_on = DateField()
        referred_by = CharField(max_length=60)
        note = TextField(default="")
        answered_on = DateField(null=True)
        answer = TextField(default="")
        answered_by = CharField(max_length=60, null=True)

        class Meta:
            database = db
            table_name = "escalation"

    db.create_tables([Escalation])
