"""Intake and import on both databases: all or nothing, unique references, references assigned."""

from __future__ import annotations

import json
from datetime import date

import pytest

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import ALL_MODELS, AuditEvent, Case, Deadline
from caseworker_tui.services import clock, context, intake
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.eligibility import evaluate
from caseworker_tui.services.permissions import Actor
from tests.factories import application, incident, meets_rule_a, report

CASEY = Actor("casey", "Casey Morgan", "caseworker")


def _counts() -> dict[str, int]:
    with Case._meta.database.connection_context():
        return {model.__name__: model.select().count() for model in ALL_MODELS}


def _references() -> list[str]:
    with Case._meta.database.connection_context():
        return [c.reference for c in Case.select(Case.reference).order_by(Case.id)]


def _store(data: dict):
    return intake.create_request(parse_application(data, context.policy()), CASEY)


def test_a_request_is_stored_with_its_verdict_deadlines_and_audit(database):
    data = meets_rule_a(reference="CT-2026-0042")
    created = _store(data)
    assert created.reference == "CT-2026-0042"
    assert created.verdict == evaluate(parse_application(data, context.policy()), context.policy())
    assert (created.deadlines.acknowledge_by, created.deadlines.decide_by) == (date(2026, 11, 23), date(2026, 12, 4))
    with database.connection_context():
        case = Case.get_by_id(created.id)
        assert (case.stage, case.threshold_met, case.policy_version) == ("received", True, "2026.1")
        assert case.next_due_on == date(2026, 11, 23)
        assert {d.step for d in Deadline.select().where(Deadline.case == case)} == {"acknowledge", "decide"}
        (event,) = AuditEvent.select().where(AuditEvent.case == case)
        assert (event.actor, event.action, event.to_stage) == ("casey", "received", "received")


def test_references_are_assigned_in_order_when_absent(database):
    first = _store(meets_rule_a())
    second = _store(meets_rule_a())
    assert (first.reference, second.reference) == ("CT-2026-0001", "CT-2026-0002")


def test_an_assigned_reference_follows_the_highest_of_its_year(database):
    _store(meets_rule_a(reference="CT-2026-0042"))
    _store(meets_rule_a(reference="LEGACY-17"))
    assert _store(meets_rule_a()).reference == "CT-2026-0043"


def test_the_reference_year_is_the_year_received(database):
    clock.set_today(date(2027, 1, 10))
    _store(meets_rule_a(reference="CT-2026-0042"))
    data = application(incident("i1", "2026-12-20", report("police", "2026-12-21")),
                       received="2027-01-05T09:00:00")
    assert _store(data).reference == "CT-2027-0001"


def test_a_duplicate_reference_is_refused_and_nothing_is_written(database):
    _store(meets_rule_a(reference="CT-2026-0042"))
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        _store(meets_rule_a(reference="CT-2026-0042"))
    assert caught.value.field == "reference"
    assert "CT-2026-0042" in str(caught.value)
    assert _counts() == before


def test_a_file_whose_third_application_is_bad_stores_none(database):
    bad = meets_rule_a()
    bad["incidents"][1]["reports"][0]["reported_on"] = "2026-10-01"  # before its incident
    text = json.dumps([meets_rule_a(), meets_rule_a(), bad])
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        intake.import_text(text, CASEY)
    assert str(caught.value).startswith("application 3: incident i2, report 1:")
    assert _counts() == before


def test_a_file_that_fails_while_storing_stores_none(database):
    """The third application clashes with a stored case: the first two must be rolled back."""
    _store(meets_rule_a(reference="CT-2026-0042"))
    before = _counts()
    text = json.dumps([meets_rule_a(), meets_rule_a(), meets_rule_a(reference="CT-2026-0042")])
    with pytest.raises(InvalidInput, match="CT-2026-0042"):
        intake.import_text(text, CASEY)
    assert _counts() == before
    assert _references() == ["CT-2026-0042"]


def test_a_reference_repeated_within_one_file_is_refused(database):
    text = json.dumps([meets_rule_a(reference="CT-2026-0100"), meets_rule_a(reference="CT-2026-0100")])
    with pytest.raises(InvalidInput, match="more than once"):
        intake.import_text(text, CASEY)
    assert _counts()["Case"] == 0


def test_a_good_file_stores_every_application(database):
    text = json.dumps([meets_rule_a(), meets_rule_a(reference="CT-2026-0500"), meets_rule_a()])
    created = intake.import_text(text, CASEY)
    assert [c.reference for c in created] == ["CT-2026-0001", "CT-2026-0500", "CT-2026-0501"]
    assert _references() == ["CT-2026-0001", "CT-2026-0500", "CT-2026-0501"]


def test_a_file_that_cannot_be_read_is_named(database, tmp_path):
    path = tmp_path / "latin-1.json"
    path.write_bytes(json.dumps(meets_rule_a(name="Zoë Brontë"), ensure_ascii=False).encode("latin-1"))
    with pytest.raises(InvalidInput) as caught:
        intake.import_file(path, CASEY)
    assert str(caught.value).startswith(f"{path}: not UTF-8")
    with pytest.raises(InvalidInput, match="cannot read"):
        intake.import_file(tmp_path / "absent.json", CASEY)
    assert _counts()["Case"] == 0


def test_an_assigned_reference_skips_one_the_file_names_later(database):
    text = json.dumps([meets_rule_a(), meets_rule_a(reference="CT-2026-0001")])
    assert [c.reference for c in intake.import_text(text, CASEY)] == ["CT-2026-0002", "CT-2026-0001"]


def test_references_are_unique_whatever_their_case(database):
    intake.import_text(json.dumps(meets_rule_a(reference="CT-2026-0042")), CASEY)
    with pytest.raises(InvalidInput, match="already used"):
        intake.import_text(json.dumps(meets_rule_a(reference="ct-2026-0042")), CASEY)


def test_a_request_received_in_the_future_is_refused(database):
    with pytest.raises(InvalidInput, match="received_at .* is in the future"):
        intake.import_text(json.dumps(meets_rule_a(received="2026-11-26T09:00:00")), CASEY)
