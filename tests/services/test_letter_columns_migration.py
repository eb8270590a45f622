"""Migration 0004: a database from the release before it upgrades without losing a letter."""

from __future__ import annotations

from playhouse.migrations import Runner

from caseworker_tui.models import bind
from caseworker_tui.models.schema import MIGRATIONS, upgrade


def test_letters_made_before_0004_keep_every_value_and_gain_empty_sending_columns(tmp_path):
    database = bind(f"sqlite:///{tmp_path / 'older.sqlite'}")
    with database.connection_context():
        Runner(database, str(MIGRATIONS)).up(target="0003_audit_append_only")
        database.execute_sql(
            "INSERT INTO app_user (username, display_name, role, password_hash, active, failed_attempts, created_at) "
            "VALUES ('casey', 'Casey', 'caseworker', 'x', 1, 0, '2026-11-20 09:00:00')")
        database.execute_sql(
            "INSERT INTO case_request (reference, received_at, stage, is_open, applicant_name, postcode, search_text, "
            "dissatisfied, dissatisfaction_reason, threshold_met, verdict_json, policy_name, policy_version, high_risk, "
            "extended, version, created_at, updated_at, updated_by) VALUES ('CT-2026-0001', '2026-11-20 09:00:00', "
            "'received', 1, 'Ann Lee', '', '', 1, '', 1, '{}', 'p', '1', 0, 0, 1, '2026-11-20 09:00:00', "
            "'2026-11-20 09:00:00', 'casey')")
        database.execute_sql(
            "INSERT INTO letter (case_id, kind, version_no, path, checksum, large_print, recipient, created_by, "
            "created_at, sent_on, channel) VALUES (1, 'acknowledgement', 1, '/srv/letters/a.docx', 'abc', 0, "
            "'Ann Lee', 'casey', '2026-11-20 10:00:00', '2026-11-20', 'post')")
    assert upgrade(database)[:1] == ["0004_letter_sending"]  # and any later ones
    with database.connection_context():
        cursor = database.execute_sql(
            "SELECT kind, path, recipient, sent_on, channel, pdf_path, agency, sent_via, sent_at, sent_to, provider_id, "
            "delivery_status, send_key FROM letter")
        assert cursor.fetchall() == [("acknowledgement", "/srv/letters/a.docx", "Ann Lee", "2026-11-20", "post",
                                      None, None, None, None, None, None, None, None)]
