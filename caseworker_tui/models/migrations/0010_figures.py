"""The figures as published: how each application came in, the yearly notes, and each publication.

Decisions and reviews count in the year they were made, so each gets an index led by that date.

`case_request.channel` is nullable: requests received before this release did not record it, and
the figures count them as "not recorded". The notes and publications are tables of their own.
"""

from peewee import CharField, DateTimeField, IntegerField, Model, TextField


def up(migrator, db):
    class FiguresNote(Model):
        year = IntegerField(unique=True)
        text = TextField(default="")
        updated_by = CharField(max_length=60)
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "figures_note"

    class FiguresPublication(Model):
        at = DateTimeField(index=True)
        by = CharField(max_length=60)
        first_year = IntegerField()
        last_year = IntegerField()
        how = CharField(max_length=20)

        class Meta:
            database = db
            table_name = "figures_publication"

    migrator.migrate(migrator.add_column("case_request", "channel", CharField(max_length=20, null=True)))
    db.create_tables([FiguresNote, FiguresPublication])
    migrator.migrate(migrator.add_index("threshold_decision", ("decided_at", "decision", "ground"), False),
                     migrator.add_index("review", ("approved_at", "participation"), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("review", "review_approved_at_participation"),
                     migrator.drop_index("threshold_decision", "threshold_decision_decided_at_decision_ground"))
    db.execute_sql("DROP TABLE IF EXISTS figures_publication")
    db.execute_sql("DROP TABLE IF EXISTS figures_note")
    migrator.migrate(migrator.drop_column("case_request", "channel"))
