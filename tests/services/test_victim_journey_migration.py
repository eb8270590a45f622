"""Migration 0009: a case from before it keeps every value, names no contact of its own (so its
caseworker is it) and reads as not yet consulted on an action plan."""

from __future__ import annotations

from playhouse.migrations import Runner

from caseworker_tui.models import Case, Review, bind
from caseworker_tui.models.schema import MIGRATIONS, upgrade
from caseworker_tui.services.workflow import spoc_of


def test_a_reviewed_case_from_before_0009_gains_empty_journey_columns(tmp_path):
    database = bind(f"sqlite:///{tmp_path / 'older.sqlite'}")
    with database.connection_context():
        Runner(database, str(MIGRATIONS)).up(target="0005_contact_log")
        database.execute_sql(
            "INSERT INTO app_user (username, display_name, role, password_hash, active, failed_attempts, created_at) "
            "VALUES ('casey', 'Casey', 'caseworker', 'x', 1, 0, '2026-11-20 09:00:00')")
        database.execute_sql(
            "INSERT INTO case_request (reference, received_at, stage, is_open, assigned_to_id, applicant_name, postcode, "
            "search_text, dissatisfied, dissatisfaction_reason, threshold_met, verdict_json, policy_name, policy_version, "
            "high_risk, extended, version, created_at, updated_at, updated_by) VALUES ('CT-2026-0001', "
            "'2026-11-20 09:00:00', 'awaiting_chair', 1, 1, 'Ann Lee', '', '', 1, '', 1, '{}', 'p', '1', 0, 0, 3, "
            "'2026-11-20 09:00:00', '2026-11-20 09:00:00', 'casey')")
        database.execute_sql(
            "INSERT INTO review (case_id, due_on, extension_reason, chair_name, agencies_json, participation, "
            "not_invited_reason, findings, summary, returned_comments) VALUES (1, '2026-12-18', '', 'Chris Hall', "
            "'[]', 'virtual', '', 'Not linked.', 'Missed the pattern.', '')")
    assert "0009_victim_journey" in upgrade(database)
    with database.connection_context():
        case, review = Case.get_by_id(1), Review.get(Review.case == 1)
        assert (case.reference, case.stage, case.version, case.spoc_id) == ("CT-2026-0001", "awaiting_chair", 3, None)
        assert spoc_of(case).username == "casey"
        assert (review.summary, review.participation, review.virtual_link) == ("Missed the pattern.", "virtual", "")
        assert (review.consulted_on, review.victim_views, review.views_on, review.no_reply) == (None, "", None, False)
