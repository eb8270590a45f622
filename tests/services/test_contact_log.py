"""The contact log: each contact with the victim recorded, on the timeline, and the next update
owed from it when the policy sets a cadence — on both databases."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from caseworker_tui.errors import InvalidInput, PermissionDenied
from caseworker_tui.models import Case, Deadline
from caseworker_tui.services import clock, context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.cases import open_case
from tests.factories import meets_rule_a, with_victim_updates


def _new(actor) -> int:
    return intake.create_request(parse_application(meets_rule_a(), context.policy()), actor).id


def _owed(case_id: int) -> date | None:
    with Case._meta.database.connection_context():
        row = Deadline.get_or_none((Deadline.case == case_id) & (Deadline.step == "victim_update")
                                   & Deadline.closed_at.is_null())
        return row.due_on if row else None


def test_a_contact_is_logged_on_the_timeline_and_in_the_header(users):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.record_contact(case_id, casey, at=datetime(2026, 11, 23, 10, 30), channel="phone",
                            said="Told Ann the request was received.", promised="A call on Friday.")
    case = open_case(case_id, casey)
    (contact,) = case.contacts
    assert (contact.channel, contact.by, contact.promised) == ("phone", "casey", "A call on Friday.")
    assert case.last_contact_working_days == 2  # Mon 23 to Wed 25 November
    entry = next(e for e in case.timeline if e.kind == "contact")
    assert entry.text == ("Contact with the victim by phone (by casey): Told Ann the request was received. "
                          "— promised: A call on Friday.")


def test_without_a_cadence_no_update_is_owed(users):
    with_victim_updates(None)
    casey = users["casey"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)
    workflow.record_contact(case_id, casey, at=datetime(2026, 11, 25, 8, 0), channel="email", said="Update.")
    assert _owed(case_id) is None


def test_the_next_update_counts_from_the_acknowledgement_then_from_each_contact(users):
    with_victim_updates(10)
    casey = users["casey"]
    case_id = _new(casey)
    workflow.acknowledge(case_id, casey)
    assert _owed(case_id) == date(2026, 12, 9)  # 10 working days from Wed 25 November
    clock.set_today(date(2026, 12, 2))
    workflow.record_contact(case_id, casey, at=datetime(2026, 12, 2, 8, 30), channel="in_person",
                            said="Went through the review's timetable.")
    assert _owed(case_id) == date(2026, 12, 16)
    workflow.withdraw(case_id, casey, "Ann moved away.")
    assert _owed(case_id) is None  # nothing is owed on a finished case


@pytest.mark.parametrize(("change", "field"), [
    ({"channel": "pigeon"}, "channel"),
    ({"said": "  "}, "said"),
    ({"at": datetime(2026, 11, 26, 9, 0)}, "at"),  # tomorrow
    ({"at": datetime(2026, 11, 1, 9, 0)}, "at"),  # before the request was received
])
def test_bad_input_names_the_field_and_saves_nothing(users, change, field):
    casey = users["casey"]
    case_id = _new(casey)
    values = {"at": datetime(2026, 11, 24, 9, 0), "channel": "phone", "said": "Called."} | change
    with pytest.raises(InvalidInput) as caught:
        workflow.record_contact(case_id, casey, **values)
    assert caught.value.field == field
    assert open_case(case_id, casey).contacts == []


def test_only_those_who_work_cases_log_contacts(users):
    case_id = _new(users["casey"])
    with pytest.raises(PermissionDenied):
        workflow.record_contact(case_id, users["chris"], at=datetime(2026, 11, 24, 9, 0), channel="phone",
                                said="Called.")
