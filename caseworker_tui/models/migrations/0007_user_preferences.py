"""Each person's own choices (the theme), kept with their account rather than in the shared settings
file, which the app then never writes. Nullable: an account with no choices yet has none."""

from peewee import TextField


def up(migrator, db):
    migrator.migrate(migrator.add_column("app_user", "preferences", TextField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("app_user", "preferences"))
