"""Subject access: everything held about one person, found by name or reference, in one file."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest

from caseworker_tui import cli
from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import AuditEvent, db
from caseworker_tui.services import context, intake, subject_access, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.cases import open_case
from tests.factories import application, incident, meets_rule_a, report


def _new(actor, data) -> int:
    return intake.create_request(parse_application(data, context.policy()), actor).id


@pytest.fixture
def cases(users) -> dict[str, int]:
    casey = users["casey"]
    first = _new(casey, meets_rule_a(name="Ann Lee"))
    second = _new(casey, application(incident("i1", "2026-10-05", report("police", "2026-10-06")), name="ann  LEE"))
    # Ann is a witness in Bea's case; Bea is a witness in nobody's.
    bea = _new(casey, application(
        incident("i1", "2026-10-01", report("police", "2026-10-02"), report("council", "2026-10-03", by="Ann Lee",
                                                                             ref="LCC/1")),
        name="Bea Kahn"))
    zoe = _new(casey, meets_rule_a(name="Zoë Øberg"))
    workflow.add_note(first, casey, "Ann prefers calls after 5pm.")
    open_case(first, users["jo"])
    return {"first": first, "second": second, "bea": bea, "zoe": zoe}


def test_a_name_finds_every_case_of_the_applicant_and_reports_they_made_elsewhere(users, cases):
    result = subject_access.gather(users["sam"], "  ann   lee ")

    assert [c["id"] for c in result.cases] == [cases["first"], cases["second"]]
    first = result.cases[0]
    assert first["applicant"]["email"] == "ann@example.org" and first["applicant"]["needs"] == []
    assert [i["id"] for i in first["incidents"]] and all(i["reports"] for i in first["incidents"])
    assert first["verdict"]["threshold_met"] is True
    assert [n["text"] for n in first["notes"]] == ["Ann prefers calls after 5pm."]
    assert [e["action"] for e in first["history"]] == ["received", "note_added"]
    assert [v["username"] for v in first["viewed_by"]] == ["jo"]
    assert len(first["deadlines"]) == 2
    # Ann's report in Bea's case: the report, and nothing else of Bea's.
    assert result.reports == [{"reference": "CT-2026-0003", "incident": "i1",
                               "incident_occurred_on": date(2026, 10, 1), "agency": "council",
                               "reported_on": date(2026, 10, 3), "reporter": "Ann Lee",
                               "agency_reference": "LCC/1"}]
    assert "Bea Kahn" not in json.dumps(result.as_json(), default=str)


def test_a_reference_finds_that_case_only(users, cases):
    result = subject_access.gather(users["ada"], "ct-2026-0002")
    assert [c["id"] for c in result.cases] == [cases["second"]]
    assert result.reports == []  # a reference is not anybody's name


def test_names_beyond_ascii_are_matched_without_regard_to_case(users, cases):
    assert [c["id"] for c in subject_access.gather(users["sam"], "ZOË ØBERG").cases] == [cases["zoe"]]
    assert subject_access.gather(users["sam"], "Zoe Oberg").cases == []


def test_nobody_by_that_name_gives_an_empty_answer_and_no_name_is_refused(users, cases):
    result = subject_access.gather(users["sam"], "Lee")  # part of a name is not the name
    assert (result.cases, result.reports) == ([], [])
    with pytest.raises(InvalidInput, match="person"):
        subject_access.gather(users["sam"], "   ")


def test_the_search_is_audited_by_what_it_found_never_by_the_name(users, cases):
    subject_access.gather(users["sam"], "Ann Lee")
    with db.connection_context():
        event = AuditEvent.select().where(AuditEvent.action == "subject_access").get()
    assert event.actor == "sam"
    assert json.loads(event.details_json) == {"cases": ["CT-2026-0001", "CT-2026-0002"], "reports": 1}
    assert "Ann" not in event.details_json + event.reason


def test_the_file_is_json_for_its_owner_only_and_never_replaced(users, cases, tmp_path):
    result = subject_access.gather(users["sam"], "Ann Lee")
    path = subject_access.write(result, tmp_path / "sar" / "ann.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["query"] == "Ann Lee" and len(data["cases_as_applicant"]) == 2
    assert data["cases_as_applicant"][0]["received_at"] == "2026-11-20T14:05:00"
    with pytest.raises(InvalidInput, match="already exists"):
        subject_access.write(result, path)


def test_the_command_writes_the_file_and_says_where(users, cases, database_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_USER", "ada")
    out = tmp_path / "ann.json"
    assert cli.main(["subject-access", "Ann Lee", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "2 cases as applicant and 1 report" in said and str(out) in said
    assert len(json.loads(out.read_text(encoding="utf-8"))["cases_as_applicant"]) == 2

    assert cli.main(["subject-access", "CT-2026-0003"]) == 0
    written = capsys.readouterr().out.rsplit(" written to ", 1)[1].strip()
    assert written.startswith(str(tmp_path / "data" / "subject-access"))
    assert json.loads(Path(written).read_text(encoding="utf-8"))["cases_as_applicant"][0]["id"] == cases["bea"]

    assert cli.main(["subject-access", " "]) == 2
    assert "person: give a name" in capsys.readouterr().err
