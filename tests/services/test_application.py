"""The import format: bad data is an error naming the incident and the field, never an exclusion."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from caseworker_tui.errors import InvalidInput
from caseworker_tui.services.application import parse_application, parse_applications
from caseworker_tui.services.policy import load_policy
from tests.factories import application, incident, meets_rule_a, report

POLICY = load_policy()


def _refused(data) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_application(data, POLICY)
    return caught.value


def _second_report(**changes) -> dict:
    """Rule A's example with its second incident's report changed."""
    data = meets_rule_a()
    data["incidents"][1]["reports"][0].update(changes)
    return data


def _without(data: dict, *path) -> dict:
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    del target[last]
    return data


def test_a_good_application_parses():
    parsed = parse_application(meets_rule_a(), POLICY)
    assert parsed.received_at == datetime(2026, 11, 20, 14, 5)
    assert [i.id for i in parsed.incidents] == ["i1", "i2", "i3"]


@pytest.mark.parametrize(("data", "field", "words"), [
    (_second_report(reported_on="2026-10-09"), "incidents.1.reports.0.reported_on", "before the incident"),
    (_second_report(reported_on="2026-11-21"), "incidents.1.reports.0.reported_on", "after the request"),
    (_second_report(agency="fire_service"), "incidents.1.reports.0.agency", "fire_service"),
    (_second_report(reporter=""), "incidents.1.reports.0.reporter", "empty"),
    (_second_report(reporter="   "), "incidents.1.reports.0.reporter", "empty"),
    (_without(meets_rule_a(), "incidents", 1, "reports", 0, "reporter"), "incidents.1.reports.0.reporter", "missing"),
    (_without(meets_rule_a(), "incidents", 1, "reports", 0, "reported_on"), "incidents.1.reports.0.reported_on",
     "missing"),
    (_second_report(reported_on=None), "incidents.1.reports.0.reported_on", "date"),
    (_second_report(reported_on="12/10/2026"), "incidents.1.reports.0.reported_on", "date"),
    (_second_report(reported_on="2026-02-30"), "incidents.1.reports.0.reported_on", "date"),
    (_second_report(reported_on=20261012), "incidents.1.reports.0.reported_on", "date"),
    (_second_report(badge="PC 1234"), "incidents.1.reports.0.badge", "not a field"),
    (_second_report(method="pigeon"), "incidents.1.reports.0.method", "'diary_sheet'"),
    (_second_report(as_hate="yes"), "incidents.1.reports.0.as_hate", "true or false"),
    (_second_report(reporter=7), "incidents.1.reports.0.reporter", "text"),
])
def test_a_bad_report_names_its_incident_and_field(data, field, words):
    error = _refused(data)
    assert error.field == field
    message = str(error)
    assert message.startswith("incident i2, report 1:")
    assert field.rsplit(".", 1)[-1] in message
    assert words in message


def _second_incident(**changes) -> dict:
    data = meets_rule_a()
    data["incidents"][1].update(changes)
    return data


@pytest.mark.parametrize(("data", "field", "words"), [
    (_second_incident(occurred_on="2026-11-21"), "incidents.1.occurred_on", "after the request"),
    (_without(meets_rule_a(), "incidents", 1, "occurred_on"), "incidents.1.occurred_on", "missing"),
    (_second_incident(occurred_on="yesterday"), "incidents.1.occurred_on", "date"),
    (_second_incident(hate_related="yes"), "incidents.1.hate_related", "true or false"),
    (_second_incident(reports={}), "incidents.1.reports", "list"),
    (_second_incident(reports=[]), "incidents.1.reports", "at least one"),
    (_second_incident(colour="red"), "incidents.1.colour", "not a field"),
    (_second_incident(id="i1"), "incidents.1.id", "another incident (incident 1 in the list)"),
])
def test_a_bad_incident_names_itself_and_the_field(data, field, words):
    error = _refused(data)
    assert error.field == field
    message = str(error)
    assert message.startswith(f"incident {data['incidents'][1]['id']}:")
    assert field.rsplit(".", 1)[-1] in message
    assert words in message


def _applicant(**changes) -> dict:
    data = meets_rule_a()
    data["applicant"].update(changes)
    return data


@pytest.mark.parametrize(("data", "field", "words"), [
    (meets_rule_a(colour="red"), "colour", "not a field"),
    (meets_rule_a(received_at="2026-11-20"), "received_at", "date and time"),
    (meets_rule_a(received_at="soon"), "received_at", "date and time"),
    (meets_rule_a(dissatisfied="yes"), "dissatisfied", "true or false"),
    (meets_rule_a(incidents="i1"), "incidents", "list"),
    (_without(meets_rule_a(), "applicant", "name"), "applicant.name", "missing"),
    (_without(meets_rule_a(), "dissatisfied"), "dissatisfied", "missing"),
    (meets_rule_a(channel="pigeon"), "channel", "'email'"),
    (_applicant(type="neighbour"), "applicant.type", "'on_behalf'"),
    (_applicant(type="on_behalf"), "applicant.on_behalf_of", "must name the victim"),
    (_applicant(type="business", on_behalf_of="Mary Smith"), "applicant.type", "must be on_behalf"),
])
def test_a_bad_request_field_is_named(data, field, words):
    error = _refused(data)
    assert error.field == field
    assert field.rsplit(".", 1)[-1] in str(error)
    assert words in str(error)


def test_a_request_that_lists_no_incidents_is_valid():
    """Every request received is recorded and counted; its verdict says why it is not met."""
    assert parse_application(meets_rule_a(incidents=[]), POLICY).incidents == []
    data = meets_rule_a()
    del data["incidents"]
    assert parse_application(data, POLICY).incidents == []


def test_the_optional_fields_of_a_report_are_read():
    parsed = parse_application(_second_report(method="officer_on_site", officer="PC Bloggs", as_hate=True),
                               POLICY)
    made = parsed.incidents[1].reports[0]
    assert (made.method, made.officer, made.as_hate) == ("officer_on_site", "PC Bloggs", True)
    assert parse_application(meets_rule_a(), POLICY).incidents[1].reports[0].method is None


@pytest.mark.parametrize(("changes", "kind", "victim"), [
    ({}, "victim", "Ann Lee"),
    ({"type": "business", "name": "Corner Shop Ltd"}, "business", "Corner Shop Ltd"),
    ({"type": "on_behalf", "on_behalf_of": "Mary Smith"}, "on_behalf", "Mary Smith"),
    ({"on_behalf_of": "Mary Smith"}, "on_behalf", "Mary Smith"),  # a first-release form: no type
    ({"on_behalf_of": ""}, "victim", "Ann Lee"),
])
def test_the_victim_is_the_applicant_or_the_person_applied_for(changes, kind, victim):
    applicant = parse_application(_applicant(**changes), POLICY).applicant
    assert (applicant.type, applicant.victim_name) == (kind, victim)


def test_a_report_is_the_victims_when_made_by_applicant_or_by_the_victims_name():
    parsed = parse_application(_applicant(type="on_behalf", on_behalf_of="José Núñez"), POLICY)
    decomposed = "Jose\u0301  NU\u0301N\u0303EZ"
    assert parsed.is_victims("applicant") and parsed.is_victims("Applicant ")
    assert parsed.is_victims(decomposed)
    assert not parsed.is_victims("Ann Lee")  # the person applying for the victim is not the victim


def test_a_date_after_the_request_is_an_error_even_for_a_neighbours_report():
    data = application(incident("i1", "2026-11-01", report("police", "2026-11-02"),
                                report("police", "2026-11-21", by="Bob Stone")))
    error = _refused(data)
    assert error.field == "incidents.0.reports.1.reported_on"
    assert str(error).startswith("incident i1, report 2:")


def test_a_report_to_an_irrelevant_but_known_agency_is_not_an_error():
    data = application(incident("i1", "2026-11-01", report("health", "2026-11-02")))
    assert parse_application(data, POLICY).incidents[0].reports[0].agency == "health"


def test_received_at_is_london_time():
    """23:30 UTC on 1 July is 00:30 on 2 July in London (BST): the request was received on the 2nd."""
    parsed = parse_application(meets_rule_a(received_at="2026-07-01T23:30:00Z",
                                            incidents=[incident("i1", "2026-06-20")]), POLICY)
    assert parsed.received_at == datetime(2026, 7, 2, 0, 30)
    assert parsed.received_on.isoformat() == "2026-07-02"


@pytest.mark.parametrize(("raw", "words"), [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ("[" * 100_000 + "]" * 100_000, "JSON"),
    (b'{"received_at": "\xff\xfe"}', "UTF-8"),
], ids=["broken", "not-an-object", "nested-too-deep", "not-utf-8"])
def test_text_that_is_not_an_application_is_refused_plainly(raw, words):
    assert words in str(_refused(raw))


def test_utf8_with_a_byte_order_mark_is_read():
    raw = b"\xef\xbb\xbf" + json.dumps(meets_rule_a(), ensure_ascii=False).encode("utf-8")
    assert len(parse_application(raw, POLICY).incidents) == 3
    assert len(parse_applications(raw, POLICY)) == 1


def test_a_file_of_applications_names_the_bad_one():
    bad = meets_rule_a()
    bad["incidents"][2]["reports"][0]["agency"] = "fire_service"
    raw = json.dumps([meets_rule_a(), meets_rule_a(), bad])
    with pytest.raises(InvalidInput) as caught:
        parse_applications(raw, POLICY)
    assert str(caught.value).startswith("application 3: incident i3, report 1:")
    assert caught.value.field == "incidents.2.reports.0.agency"


@pytest.mark.parametrize("raw", [b"\x80not utf-8", "[]", "{nope"])
def test_a_file_that_holds_no_applications_is_refused(raw):
    with pytest.raises(InvalidInput):
        parse_applications(raw, POLICY)
