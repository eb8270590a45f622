"""Delivery recorded: each hand-over of a letter to a carrier (SMTP, the print pack, GOV.UK Notify),
with the carrier's id and its latest status, so a poll can follow a letter to the door."""

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, Model


def up(migrator, db):
    class Letter(Model):
        class Meta:
            database = db
            table_name = "letter"

    class LetterDelivery(Model):
        letter = ForeignKeyField(Letter, backref="deliveries", on_delete="CASCADE")
        channel = CharField(max_length=20)
        carrier = CharField(max_length=20)
        key_kind = CharField(max_length=10, null=True)
        provider_id = CharField(max_length=255, null=True)
        status = CharField(max_length=24)
        sent_at = DateTimeField()
        checked_at = DateTimeField(null=True)
        settled = BooleanField(default=False, index=True)

        class Meta:
            database = db
            table_name = "letter_delivery"

    db.create_tables([LetterDelivery])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "letter_delivery"')
