"""Retention: closed cases older than the policy's years are anonymised, keeping the figures.

The old cases carry every kind of personal data the app holds (applicant details, a witness,
notes, an agency's answer, reasons, a letter file); after `apply` none of it is left outside
the append-only audit trail, and the yearly public figures read exactly as before.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from playhouse.shortcuts import model_to_dict

from caseworker_tui import cli
from caseworker_tui.models import (
    ALL_MODELS,
    AgencyUpdateRequest,
    Applicant,
    AuditEvent,
    Case,
    Incident,
    Letter,
    Report,
    db,
)
from caseworker_tui.services import (
    clock,
    context,
    intake,
    letters,
    retention,
    stats,
    subject_access,
    workflow,
)
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.policy import Retention
from caseworker_tui.services.workflow import RecommendationIn, correction
from tests.conftest import TODAY
from tests.factories import application, incident, report, victim_heard

PERSONAL = ["Ann Lee", "Main Street", "LE1 1AA", "ann@example.org", "07700 900123", "Uses a wheelchair",
            "Sam Advocate", "Her mother", "large_print", "Loud music", "Pat Witness", "PC-99/123",
            "Called Ann", "Officers visited", "Nothing was done", "another household", "Ann's flat",
            "Ann agreed", "Acacia Avenue", "Ann moved away", "Outcome sent"]


def _old_case(actor, chair, received: date, closed: date, how: str, out, name: str = "Ann Lee") -> int:
    """A case received and closed on these days, holding one of everything personal."""
    day = received - timedelta(days=40)
    clock.set_today(received)
    data = application(
        incident("i1", str(day), report("police", str(day + timedelta(days=1))),
                 report("council", str(day + timedelta(days=2)), by="Pat Witness", ref="PC-99/123")),
        incident("i2", str(day + timedelta(days=5)), report("council", str(day + timedelta(days=6)))),
        incident("i3", str(day + timedelta(days=9)), report("housing_provider", str(day + timedelta(days=10)))),
        received=f"{received}T10:00:00", name=name)
    data["applicant"].update(vulnerabilities="Uses a wheelchair", advocate="Sam Advocate",
                             on_behalf_of="Her mother", needs=["large_print"])
    data["incidents"][0]["location"] = "Outside Ann's flat"
    case_id = intake.create_request(parse_application(data, context.policy()), actor).id
    workflow.add_note(case_id, actor, "Called Ann; she would rather be phoned after 5pm.")
    workflow.request_updates(case_id, actor, ["police"])
    with db.connection_context():
        update_id = AgencyUpdateRequest.get(AgencyUpdateRequest.case == case_id).id
    workflow.record_update(update_id, actor, "Officers visited Ann Lee twice.")
    letters.produce(case_id, "acknowledgement", actor, out)
    workflow.acknowledge(case_id, actor)
    clock.set_today(received + timedelta(days=1))
    workflow.record_contact(case_id, actor, at=datetime.combine(received + timedelta(days=1), time(9, 0)),
                            channel="phone", said=f"{name} told us of a move to 12 Acacia Avenue after threats")
    clock.set_today(received)
    if how == "withdrawn":
        clock.set_today(closed)
        workflow.withdraw(case_id, actor, "Ann moved away.")
    elif how == "declined":
        workflow.decide(case_id, actor, accept=False, reason="The reports concern another household.")
        clock.set_today(closed)
        workflow.close(case_id, actor)
    else:  # reviewed, with a recommendation, approved and closed
        workflow.decide(case_id, actor, accept=True)
        workflow.schedule_review(case_id, actor, meeting_on=received + timedelta(days=7), chair_name="Chris Hall",
                                 agencies=["police"], participation="advocate")
        clock.set_today(received + timedelta(days=7))  # the meeting is held
        workflow.record_findings(case_id, actor, "Ann agreed the police missed two calls.")
        workflow.draft_outcome(case_id, actor, summary="Ann agreed the pattern was missed.", recommendations=[
            RecommendationIn("police", "Visit Ann Lee weekly", received + timedelta(days=60))])
        victim_heard(case_id, actor, out_dir=out)
        workflow.submit_outcome(case_id, actor)
        workflow.approve_outcome(case_id, chair)
        clock.set_today(closed)
        workflow.close(case_id, actor, "Outcome sent.")
    clock.set_today(TODAY)
    return case_id


@pytest.fixture
def cases(users, tmp_path) -> dict[str, int]:
    casey, chris, out = users["casey"], users["chris"], tmp_path / "letters"
    return {
        "withdrawn": _old_case(casey, chris, date(2019, 3, 4), date(2019, 4, 1), "withdrawn", out),
        "declined": _old_case(casey, chris, date(2019, 5, 6), date(2019, 6, 3), "declined", out),
        "reviewed": _old_case(casey, chris, date(2020, 9, 1), date(2020, 11, 24), "reviewed", out),
        # closed exactly six years ago: not older than the policy's years, so kept
        "boundary": _old_case(casey, chris, date(2020, 9, 2), date(2020, 11, 25), "withdrawn", out, "Bea Kahn"),
        "recent": _old_case(casey, chris, date(2025, 6, 2), date(2025, 7, 1), "declined", out, "Cy Dee"),
    }


def _rows(case_id: int) -> dict:
    """Every row that belongs to the case, as plain data."""
    with db.connection_context():
        found = {"case": model_to_dict(Case.get_by_id(case_id), recurse=False)}
        for model in ALL_MODELS:
            if "case" in model._meta.fields and model is not Case:
                found[model.__name__] = [model_to_dict(r, recurse=False)
                                         for r in model.select().where(model.case == case_id).order_by(model.id)]
        found["Report"] = [model_to_dict(r, recurse=False) for r in
                           Report.select().join(Incident).where(Incident.case == case_id).order_by(Report.id)]
    return found


def _text_outside_the_audit_trail(case_id: int) -> str:
    rows = _rows(case_id)
    del rows["AuditEvent"]
    return json.dumps(rows, default=str, ensure_ascii=False).casefold()


def _figures(actor, years=(2018, 2019, 2020, 2025)) -> list[dict]:
    return [stats.figures(actor, year).model_dump() for year in years]


def test_preview_lists_the_cases_due_and_changes_nothing(users, cases):
    before = {name: _rows(case_id) for name, case_id in cases.items()}

    run = retention.preview(users["sam"])

    assert (run.cutoff, run.years, run.applied) == (date(2020, 11, 25), 6, False)
    assert [c.case_id for c in run.cases] == [cases["withdrawn"], cases["declined"], cases["reviewed"]]
    assert run.cases[0].held == {"incidents": 3, "reports by others": 1, "notes": 1, "letters": 1}
    assert {name: _rows(case_id) for name, case_id in cases.items()} == before


def test_apply_removes_the_personal_data_and_keeps_the_figures(users, cases, tmp_path):
    due = [cases["withdrawn"], cases["declined"], cases["reviewed"]]
    figures = _figures(users["sam"])
    kept = {name: _rows(cases[name]) for name in ("boundary", "recent")}
    before = {case_id: _rows(case_id) for case_id in due}
    with db.connection_context():
        letter_files = [r.path for r in Letter.select().where(Letter.case.in_(due))]
    assert len(letter_files) == 4  # three acknowledgements and a draft action plan

    run = retention.apply(users["ada"])

    assert run.applied and [c.case_id for c in run.cases] == due
    assert run.letter_files_deleted == 4 and not any(tmp_path.joinpath(p).exists() for p in letter_files)
    for case_id in due:
        text = _text_outside_the_audit_trail(case_id)
        assert [p for p in PERSONAL if p.casefold() in text] == []
    assert _figures(users["sam"]) == figures
    assert {name: _rows(cases[name]) for name in ("boundary", "recent")} == kept

    for case_id in due:
        old, new = before[case_id], _rows(case_id)
        assert new["case"]["applicant_name"] == retention.ANONYMOUS
        assert new["case"]["search_text"] == old["case"]["reference"].lower()
        for field in ("reference", "stage", "received_at", "closed_at", "decided_on", "accepted_on",
                      "threshold_met", "policy_version"):
            assert new["case"][field] == old["case"][field]
        assert new["case"]["version"] == old["case"]["version"] + 1
        old_verdict, new_verdict = json.loads(old["case"]["verdict_json"]), json.loads(new["case"]["verdict_json"])
        assert new_verdict["threshold_met"] == old_verdict["threshold_met"]
        assert [r["passed"] for r in new_verdict["rules"]] == [r["passed"] for r in old_verdict["rules"]]
        assert [r["reporter"] for r in new["Report"]] == ["applicant", "Person 1", "applicant", "applicant"]
        assert [(r["agency"], r["reported_on"]) for r in new["Report"]] == [
            (r["agency"], r["reported_on"]) for r in old["Report"]]
        for table in ("ThresholdDecision", "Review", "Recommendation", "Deadline", "Appeal"):
            assert len(new[table]) == len(old[table])
        assert [d["ground"] for d in new["ThresholdDecision"]] == [d["ground"] for d in old["ThresholdDecision"]]
        assert new["Letter"] == [] and new["Note"][0]["text"] == retention.REMOVED
        # The audit trail is untouched, plus one event that says the case was anonymised.
        assert new["AuditEvent"][:-1] == old["AuditEvent"]
        assert (new["AuditEvent"][-1]["action"], new["AuditEvent"][-1]["actor"]) == ("anonymised", "ada")
    with db.connection_context():
        person = Applicant.get(Applicant.case == due[0])
    assert (person.email, person.phone, person.address, person.needs_json) == (None, None, "", "[]")
    assert subject_access.gather(users["ada"], "Ann Lee").cases == []


def test_a_correction_of_the_record_is_erased_with_the_rest(users, cases):
    """A correction keeps the old values in its typed reason, not the event: retention erases both."""
    casey, case_id = users["casey"], cases["declined"]
    with db.connection_context():
        version = Case.get_by_id(case_id).version
    done = correction.correct_applicant(case_id, casey, {"name": "Anne Leighton"}, expected_version=version,
                                      why="Ann spelt it out")
    correction.add_report(case_id, casey, "i2", {"agency": "police", "reported_on": "2019-04-01",
                                                 "reporter": "Kit Neighbour", "officer": "PC Quill"},
                        expected_version=done.version)
    assert "anne leighton" in _text_outside_the_audit_trail(case_id)

    retention.apply(users["ada"])

    with db.connection_context():
        trail = json.dumps([e.details_json for e in AuditEvent.select().where(AuditEvent.case == case_id)]).casefold()
    left = _text_outside_the_audit_trail(case_id) + trail
    assert [w for w in ("Ann Lee", "Anne Leighton", "spelt it out", "Kit Neighbour", "PC Quill")
            if w.casefold() in left] == []


def test_a_second_run_finds_nothing_new(users, cases):
    assert len(retention.apply(users["ada"]).cases) == 3
    with db.connection_context():
        events = AuditEvent.select().count()
    assert retention.preview(users["ada"]).cases == []
    assert retention.apply(users["ada"]).cases == []
    with db.connection_context():
        assert AuditEvent.select().count() == events


def test_the_years_come_from_the_policy(users, cases):
    policy = context.policy()
    context.use_policy(policy.model_copy(update={"retention": Retention(closed_case_years=7)}))
    run = retention.preview(users["ada"])
    assert run.cutoff == date(2019, 11, 25)
    assert [c.case_id for c in run.cases] == [cases["withdrawn"], cases["declined"]]


def test_the_command_lists_by_default_and_anonymises_with_apply(users, cases, database_url, monkeypatch,
                                                                 capsys):
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_USER", "ada")
    assert cli.main(["retention"]) == 0
    listed = capsys.readouterr().out
    assert "3 cases would be anonymised" in listed and "Nothing has changed" in listed
    assert "CT-2019-0001" in listed and "CT-2020-0002" not in listed
    assert _rows(cases["withdrawn"])["case"]["applicant_name"] == "Ann Lee"

    assert cli.main(["retention", "--apply"]) == 0
    done = capsys.readouterr().out
    assert "3 cases anonymised" in done and "Deleted 4 letter files" in done
    assert _rows(cases["withdrawn"])["case"]["applicant_name"] == retention.ANONYMOUS
    assert cli.main(["retention"]) == 0
    assert "No case is due" in capsys.readouterr().out


