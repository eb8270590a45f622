"""Who holds a case: anyone who works cases takes an unassigned one; only a supervisor moves a held one."""

from __future__ import annotations

import pytest

from caseworker_tui.errors import PermissionDenied
from caseworker_tui.models import AuditEvent, Case, User
from caseworker_tui.services import context, intake, workflow
from caseworker_tui.services.application import parse_application
from tests.factories import meets_rule_a


def _new(actor) -> int:
    return intake.create_request(parse_application(meets_rule_a(), context.policy()), actor).id


def _holder(case_id: int) -> str | None:
    with Case._meta.database.connection_context():
        case = Case.get_by_id(case_id)
        return User.get_by_id(case.assigned_to_id).username if case.assigned_to_id else None


def test_a_caseworker_takes_an_unassigned_case_and_may_take_it_again(users):
    casey = users["casey"]
    case_id = _new(casey)
    workflow.assign(case_id, casey, "casey")
    workflow.assign(case_id, casey, "casey")  # already theirs: nothing is taken from anyone
    assert _holder(case_id) == "casey"


def test_a_caseworker_may_not_take_a_colleagues_case(users):
    casey, jo = users["casey"], users["jo"]
    case_id = _new(casey)
    workflow.assign(case_id, jo, "jo")
    with Case._meta.database.connection_context():
        version = Case.get_by_id(case_id).version
    with pytest.raises(PermissionDenied, match="may not assign cases to others"):
        workflow.assign(case_id, casey, "casey")
    with Case._meta.database.connection_context():
        assert Case.get_by_id(case_id).version == version  # nothing was written
        assert AuditEvent.select().where((AuditEvent.case == case_id) & (AuditEvent.action == "take")).count() == 1
    assert _holder(case_id) == "jo"


def test_a_supervisor_may_take_a_colleagues_case_or_hand_it_on(users):
    casey, jo, sam = users["casey"], users["jo"], users["sam"]
    case_id = _new(casey)
    workflow.assign(case_id, jo, "jo")
    workflow.assign(case_id, sam, "sam")
    assert _holder(case_id) == "sam"
    workflow.assign(case_id, sam, "casey")
    assert _holder(case_id) == "casey"
