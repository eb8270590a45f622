"""The audit trail is append-only in the database itself: UPDATE and DELETE on audit_event fail.

The models refuse the same, but a trigger also stops a hand-written statement, another program
and the cascade from case_request (a case with events cannot be deleted: retention anonymises
cases, it never deletes them). TRUNCATE and DROP TABLE are not row operations and still work;
a later migration that rebuilds audit_event must create these triggers again.
"""

from peewee import PostgresqlDatabase, SqliteDatabase

# psycopg2 reads "%" as a parameter marker, so the message's placeholder is written "%%".
POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only: %% refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    """
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]
SQLITE_UP = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused'); END
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]


def _statements(db, postgres, sqlite):
    if isinstance(db, PostgresqlDatabase):
        return postgres
    if isinstance(db, SqliteDatabase):
        return sqlite
    return []


def up(migrator, db):
    for sql in _statements(db, POSTGRES_UP, SQLITE_UP):
        db.execute_sql(sql)


def down(migrator, db):
    for sql in _statements(db, POSTGRES_DOWN, SQLITE_DOWN):
        db.execute_sql(sql)
