"""Correcting the record after saving: each kind of correction is versioned, audited with what
changed, on the timeline, and recomputes the verdict; a decided case then says the verdict has
changed since the decision, and the decision stands — on both databases."""

from __future__ import annotations

import json
from datetime import date

import pytest

from caseworker_tui.errors import InvalidInput, PermissionDenied, StaleCase, TransitionNotAllowed
from caseworker_tui.models import AuditEvent, Case, Incident, Report, ThresholdDecision, db
from caseworker_tui.services import context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.audit import reasons
from caseworker_tui.services.cases import open_case
from caseworker_tui.services.queue import QueueFilter, queue_page
from caseworker_tui.services.workflow import correction
from tests.factories import application, incident, meets_rule_a, report


def _new(actor, data: dict | None = None) -> int:
    return intake.create_request(parse_application(data or meets_rule_a(), context.policy()), actor).id


def _version(case_id: int) -> int:
    with db.connection_context():
        return Case.get_by_id(case_id).version


def _corrections(case_id: int) -> list[tuple[dict, str]]:
    with db.connection_context():
        events = list(AuditEvent.select().where((AuditEvent.case == case_id)
                                                & (AuditEvent.action == "correct_record")).order_by(AuditEvent.id))
        said = reasons(e.id for e in events)
    return [(json.loads(e.details_json), said.get(e.id, "")) for e in events]


def test_the_applicants_details_are_corrected_and_found_by_the_new_name(users):
    casey = users["casey"]
    case_id = _new(casey)
    done = correction.correct_applicant(case_id, casey, {"name": "Anne Leigh", "postcode": "LE2 2BB",
                                                       "preferred_contact": "phone"},
                                      expected_version=_version(case_id), why="misheard on the phone")
    assert done.changes == ["applicant name Ann Lee → Anne Leigh", "applicant postcode LE1 1AA → LE2 2BB",
                            "applicant preferred contact email → phone"]
    case = open_case(case_id, casey)
    assert (case.applicant.name, case.applicant.postcode, case.applicant.preferred_contact) == (
        "Anne Leigh", "LE2 2BB", "phone")
    assert case.version == done.version == 2
    ((details, said),) = _corrections(case_id)
    assert details["fields"] == ["applicant name", "applicant postcode", "applicant preferred contact"]
    assert "Ann Lee" not in json.dumps(details)  # the old value is in the reason, which retention erases
    assert said.endswith("— misheard on the phone")
    entry = next(e for e in case.timeline if e.text.startswith("Record corrected"))
    assert entry.text.startswith("Record corrected (by casey): applicant name Ann Lee → Anne Leigh;")
    assert [row.reference for row in queue_page(casey, QueueFilter(search="leigh")).rows] == [case.reference]


def test_an_incident_date_is_corrected_and_the_verdict_recomputed(users):
    casey = users["casey"]
    # i3 reported more than a month after it happened: two incidents qualify, so not met.
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02")),
                       incident("i2", "2026-10-10", report("council", "2026-10-12")),
                       incident("i3", "2026-09-01", report("housing_provider", "2026-11-03")))
    case_id = _new(casey, data)
    assert not open_case(case_id, casey).verdict.threshold_met
    done = correction.correct_incident(case_id, casey, "i3", {"occurred_on": "2026-11-01"},
                                     expected_version=_version(case_id))
    assert done.changes == ["incident i3 date 1 Sep 2026 → 1 Nov 2026"]
    assert (done.was_met, done.now_met) == (False, True)
    case = open_case(case_id, casey)
    assert case.verdict.threshold_met
    assert case.incidents[2].occurred_on == date(2026, 11, 1)
    assert case.verdict_since_decision == ""  # not decided yet: nothing to compare with
    ((details, said),) = _corrections(case_id)
    assert (details["threshold_met_before"], details["threshold_met"]) == (False, True)
    assert said == "incident i3 date 1 Sep 2026 → 1 Nov 2026; the verdict is now met"


def test_reports_are_added_edited_and_removed(users):
    casey = users["casey"]
    case_id = _new(casey)
    added = correction.add_report(case_id, casey, "i1", {"agency": "council", "reported_on": "2026-10-03",
                                                       "reporter": "Pat Witness", "method": "phone"},
                                expected_version=_version(case_id))
    assert added.changes == ["incident i1 report 2 added (council, 3 Oct 2026, Pat Witness)"]
    edited = correction.edit_report(case_id, casey, "i1", 2, {"reporter": "Pat Whitness"},
                                  expected_version=added.version)
    assert edited.changes == ["incident i1 report 2 reporter Pat Witness → Pat Whitness"]
    with db.connection_context():  # the method is kept, so the verdict is recomputed from it
        assert [(r.reporter, r.method) for r in Report.select().join(Incident)
                .where(Incident.case == case_id).order_by(Incident.position, Report.position)][:2] == [
            ("applicant", None), ("Pat Whitness", "phone")]
    removed = correction.remove_report(case_id, casey, "i1", 2, expected_version=edited.version)
    assert removed.changes == ["incident i1 report 2 removed (council, 3 Oct 2026, Pat Whitness)"]
    assert [len(i.reports) for i in open_case(case_id, casey).incidents] == [1, 1, 1]
    with pytest.raises(InvalidInput, match="needs at least one entry") as refused:
        correction.remove_report(case_id, casey, "i1", 1, expected_version=removed.version)
    assert refused.value.field == "incidents.0.reports"


def test_a_stale_correction_is_refused_and_saves_nothing(users):
    casey, jo = users["casey"], users["jo"]
    case_id = _new(casey)
    seen = _version(case_id)
    workflow.acknowledge(case_id, jo)
    with pytest.raises(StaleCase, match="nothing was saved"):
        correction.correct_applicant(case_id, casey, {"name": "Anne Leigh"}, expected_version=seen)
    assert open_case(case_id, casey).applicant.name == "Ann Lee"
    assert _corrections(case_id) == []


def test_bad_input_names_the_field_in_the_forms_words_and_saves_nothing(users):
    casey = users["casey"]
    case_id = _new(casey)
    version = _version(case_id)
    with pytest.raises(InvalidInput) as refused:
        correction.correct_incident(case_id, casey, "i2", {"occurred_on": "2026-12-01"}, expected_version=version)
    assert str(refused.value) == ("incident i2: date 2026-12-01 is after the request was received (2026-11-20)")
    assert refused.value.field == "incidents.1.occurred_on"
    with pytest.raises(InvalidInput, match="applicant: e-mail is needed when preferred contact is e-mail") as refused:
        correction.correct_applicant(case_id, casey, {"email": None}, expected_version=version)
    assert refused.value.field == "applicant.email"
    with pytest.raises(InvalidInput, match="incident i1, report 1: reported on 2026-09-01 is before the incident"):
        correction.edit_report(case_id, casey, "i1", 1, {"reported_on": "2026-09-01"}, expected_version=version)
    with pytest.raises(InvalidInput, match="Nothing was changed"):
        correction.correct_applicant(case_id, casey, {"name": " Ann Lee "}, expected_version=version)
    assert _version(case_id) == version
    assert _corrections(case_id) == []


def test_the_verdict_changed_since_the_decision_and_the_decision_stands(users):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=True)
    correction.correct_incident(case_id, casey, "i3", {"occurred_on": "2026-09-01"},
                              expected_version=_version(case_id))
    case = open_case(case_id, casey)
    assert not case.verdict.threshold_met
    assert case.verdict_since_decision == "The verdict has changed since the decision on 25 November 2026: now not met."
    assert case.stage == "accepted"  # the decision is not changed by itself
    with db.connection_context():
        assert [d.computed_met for d in ThresholdDecision.select().where(ThresholdDecision.case == case_id)] == [True]
    correction.correct_incident(case_id, casey, "i3", {"occurred_on": "2026-11-01"},
                              expected_version=_version(case_id))
    assert open_case(case_id, casey).verdict_since_decision == ""  # back as it was decided on


def test_only_case_workers_correct_and_never_an_anonymised_case(users):
    casey, chris = users["casey"], users["chris"]
    case_id = _new(casey)
    with pytest.raises(PermissionDenied, match="may not correct the record"):
        correction.correct_applicant(case_id, chris, {"name": "Anne Leigh"}, expected_version=None)
    with db.connection_context():
        AuditEvent.create(case=case_id, actor="ada", at=Case.get_by_id(case_id).updated_at, action="anonymised")
    with pytest.raises(TransitionNotAllowed, match="anonymised"):
        correction.correct_applicant(case_id, casey, {"name": "Anne Leigh"}, expected_version=None)


def test_an_incident_added_or_removed_in_a_correction(users):
    casey = users["casey"]
    case_id = _new(casey)

    def swap(record: dict) -> dict:
        record["incidents"] = [i for i in record["incidents"] if i["id"] != "i2"] + [
            incident("i4", "2026-11-10", report("council", "2026-11-11"))]
        return record
    done = workflow.correct_record(case_id, casey, swap, expected_version=_version(case_id))
    assert done.changes == ["incident i4 added (10 Nov 2026, 1 report)", "incident i2 removed (10 Oct 2026)"]
    assert [i.key for i in open_case(case_id, casey).incidents] == ["i1", "i3", "i4"]
    with db.connection_context():
        assert Report.select().join(Incident).where(Incident.case == case_id).count() == 3
