"""Every role against every operation, driven by `permissions.PERMISSIONS`, on both databases.

A role the table refuses gets PermissionDenied and the database is left exactly as it was (no
audit event, no new version of the case). Then the first role it allows does the step, recorded
under that person's name, and every other allowed role gets past the check on the same case.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from argon2 import PasswordHasher
from peewee import fn

from caseworker_tui.config import data_dir
from caseworker_tui.errors import CaseworkerError, PermissionDenied
from caseworker_tui.models import ALL_MODELS, AgencyUpdateRequest, AuditEvent, Case, Recommendation
from caseworker_tui.services import accounts, context, intake, passphrases, queue, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.permissions import PERMISSIONS, Actor
from caseworker_tui.services.workflow import RecommendationIn
from tests.conftest import TODAY
from tests.factories import meets_rule_a, victim_heard

# Enforced by services outside the case workflow, each tested with its own service.
ELSEWHERE = {
    "produce_letter", "mark_letter_sent", "send_letter", "view_stats", "publish_figures", "view_access_log",
    "preview_retention", "apply_retention", "subject_access", "backup",
}


@pytest.fixture(autouse=True)
def _cheap_passphrase_hashes(monkeypatch):
    """Accounts are made for every test here; the hash's strength is not what is under test."""
    monkeypatch.setattr(passphrases, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


# --- cases at each stage, walked there through the services ---------------------------------------

def _received(users) -> int:
    application = parse_application(meets_rule_a(), context.policy())
    return intake.create_request(application, users["casey"]).id


def _acknowledged(users) -> int:
    case_id = _received(users)
    workflow.acknowledge(case_id, users["casey"])
    return case_id


def _accepted(users) -> int:
    case_id = _acknowledged(users)
    workflow.decide(case_id, users["casey"], accept=True)
    return case_id


def _under_review(users) -> int:
    case_id = _accepted(users)
    workflow.schedule_review(case_id, users["casey"], meeting_on=date(2026, 11, 25), chair_name="Chris Hall",
                             agencies=["police", "council"], participation="virtual")
    return case_id


def _outcome_drafted(users) -> int:
    case_id = _under_review(users)
    workflow.draft_outcome(case_id, users["casey"], summary="Agencies missed the pattern.",
                           recommendations=[RecommendationIn("police", "Visit weekly", date(2027, 1, 15))])
    return case_id


def _consulted(users) -> int:
    case_id = _outcome_drafted(users)
    workflow.consult_victim(case_id, users["casey"], out_dir=data_dir() / "letters")
    return case_id


def _awaiting_chair(users) -> int:
    case_id = _outcome_drafted(users)
    victim_heard(case_id, users["casey"])
    workflow.submit_outcome(case_id, users["casey"])
    return case_id


def _approved(users) -> int:
    case_id = _awaiting_chair(users)
    workflow.approve_outcome(case_id, users["chris"])
    return case_id


def _declined(users) -> int:
    case_id = _acknowledged(users)
    workflow.decide(case_id, users["casey"], accept=False, reason="The reports concern another household.")
    return case_id


def _appealed(users) -> int:
    case_id = _declined(users)
    workflow.record_appeal(case_id, users["casey"], lodged_on=TODAY, grounds="The neighbour's reports count.")
    return case_id


def _appeal_final(users) -> int:
    """A decline whose appeal was not upheld, under a policy that names somewhere to escalate to."""
    from caseworker_tui.services.policy import Escalation

    context.use_policy(context.policy().model_copy(update={"escalation": Escalation(name="the OPCC")}))
    case_id = _appealed(users)
    workflow.decide_appeal(case_id, users["sam"], upheld=False, independent_chair="Pat Reed", reason="Sound.")
    return case_id


def _referred(users) -> int:
    case_id = _appeal_final(users)
    workflow.refer_escalation(case_id, users["casey"], referred_on=TODAY)
    return case_id


def _updates_requested(users) -> int:
    case_id = _received(users)
    workflow.request_updates(case_id, users["casey"], ["police"])
    return case_id


def _nothing(users) -> None:
    return None


def _update_id(case_id: int) -> int:
    with Case._meta.database.connection_context():
        return AgencyUpdateRequest.get(AgencyUpdateRequest.case == case_id).id


def _recommendation_id(case_id: int) -> int:
    with Case._meta.database.connection_context():
        return Recommendation.get(Recommendation.case == case_id).id


# --- the operations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Operation:
    action: str                                   # the key in PERMISSIONS
    service: Callable                             # the service function under test
    setup: Callable[[dict], int | None]           # a case where the step is otherwise allowed
    call: Callable[[int | None, Actor], object]
    writes: bool = True

    @property
    def id(self) -> str:
        name = self.service.__name__
        return self.action if name == self.action else f"{self.action}-via-{name}"


W = workflow
OPERATIONS = [
    Operation("create_request", intake.create_request, _nothing,
              lambda _, a: intake.create_request(parse_application(meets_rule_a(), context.policy()), a)),
    Operation("create_request", intake.import_text, _nothing,
              lambda _, a: intake.import_text(json.dumps([meets_rule_a()]), a)),
    Operation("view_cases", queue.queue_page, _received, lambda _, a: queue.queue_page(a), writes=False),
    Operation("acknowledge", W.acknowledge, _received, lambda c, a: W.acknowledge(c, a)),
    Operation("take", W.assign, _received, lambda c, a: W.assign(c, a, a.username)),
    Operation("assign", W.assign, _received, lambda c, a: W.assign(c, a, "jo")),
    Operation("add_note", W.add_note, _received, lambda c, a: W.add_note(c, a, "Rang the applicant.")),
    Operation("triage", W.triage, _received, lambda c, a: W.triage(c, a, {"children": True})),
    Operation("record_contact", W.record_contact, _received,
              lambda c, a: W.record_contact(c, a, at=datetime(2026, 11, 24, 9, 0), channel="phone", said="Rang.")),
    Operation("decide", W.decide, _acknowledged, lambda c, a: W.decide(c, a, accept=True)),
    Operation("request_updates", W.request_updates, _received, lambda c, a: W.request_updates(c, a, ["police"])),
    Operation("record_update", W.record_update, _updates_requested,
              lambda c, a: W.record_update(_update_id(c), a, "Officers visited twice.")),
    Operation("schedule_review", W.schedule_review, _accepted,
              lambda c, a: W.schedule_review(c, a, meeting_on=date(2026, 11, 25), chair_name="Chris Hall",
                                             agencies=["police"], participation="in_person")),
    Operation("record_findings", W.record_findings, _under_review,
              lambda c, a: W.record_findings(c, a, "Reports were not linked.")),
    Operation("extend_review", W.extend_review, _accepted,
              lambda c, a: W.extend_review(c, a, new_date=date(2027, 1, 20), reason="Police records awaited.")),
    Operation("draft_outcome", W.draft_outcome, _under_review,
              lambda c, a: W.draft_outcome(c, a, summary="Missed pattern.", recommendations=[])),
    Operation("submit_outcome", W.submit_outcome, _outcome_drafted, lambda c, a: W.submit_outcome(c, a)),
    Operation("approve_outcome", W.approve_outcome, _awaiting_chair, lambda c, a: W.approve_outcome(c, a)),
    Operation("return_outcome", W.return_outcome, _awaiting_chair,
              lambda c, a: W.return_outcome(c, a, "Name the officer.")),
    Operation("follow_up", W.follow_up, _approved,
              lambda c, a: W.follow_up(_recommendation_id(c), a, "Weekly visits started.")),
    Operation("record_appeal", W.record_appeal, _declined,
              lambda c, a: W.record_appeal(c, a, lodged_on=TODAY, grounds="The neighbour's reports count.")),
    Operation("decide_appeal", W.decide_appeal, _appealed,
              lambda c, a: W.decide_appeal(c, a, upheld=False, independent_chair="Pat Reed",
                                           reason="The decision followed the policy.")),
    Operation("refer_escalation", W.refer_escalation, _appeal_final,
              lambda c, a: W.refer_escalation(c, a, referred_on=TODAY, note="Papers sent.")),
    Operation("record_escalation_answer", W.record_escalation_answer, _referred,
              lambda c, a: W.record_escalation_answer(c, a, answered_on=TODAY, answer="Agreed with the panel.")),
    Operation("withdraw", W.withdraw, _received, lambda c, a: W.withdraw(c, a, "The applicant moved away.")),
    Operation("close", W.close, _declined, lambda c, a: W.close(c, a, "Decision letter sent.")),
    Operation("change_spoc", W.change_spoc, _received, lambda c, a: W.change_spoc(c, a, "jo")),
    Operation("consult_victim", W.consult_victim, _outcome_drafted,
              lambda c, a: W.consult_victim(c, a, out_dir=data_dir() / "letters")),
    Operation("record_views", W.record_views, _consulted, lambda c, a: W.record_views(c, a, "Happy with it.")),
    Operation("correct_record", W.correct_record, _received,
              lambda c, a: W.correct_record(c, a, lambda r: {**r, "dissatisfaction_reason": "Not answered."},
                                            expected_version=None)),
    Operation("manage_users", accounts.add_user, _nothing,
              lambda _, a: accounts.add_user("newcomer", "caseworker", "a long passphrase", by=a)),
]

ROLE_USERS = {"caseworker": "casey", "supervisor": "sam", "chair": "chris", "admin": "ada"}


def test_every_action_in_the_table_is_exercised_here_or_named_as_elsewhere():
    covered = {op.action for op in OPERATIONS}
    assert covered | ELSEWHERE == set(PERMISSIONS), "add the new action to OPERATIONS (or ELSEWHERE)"
    assert not covered & ELSEWHERE


def test_every_workflow_step_is_in_the_matrix():
    steps = {name for name, member in inspect.getmembers(workflow, inspect.isfunction)
             if member.__module__.startswith(workflow.__name__) and not name.startswith("_")
             and "actor" in inspect.signature(member).parameters}
    assert steps <= {op.service.__name__ for op in OPERATIONS}
    assert {"acknowledge", "decide", "approve_outcome", "decide_appeal", "withdraw"} <= steps


def test_every_role_is_in_the_matrix():
    from caseworker_tui.models import ROLES

    assert set(ROLE_USERS) == set(ROLES)
    assert set().union(*PERMISSIONS.values()) <= set(ROLES)


def _state(case_id: int | None) -> tuple:
    """Everything a refused operation must leave alone: every table's row count, and the case as stored."""
    counts = ", ".join(f'(SELECT COUNT(*) FROM "{model._meta.table_name}")' for model in ALL_MODELS)
    database = Case._meta.database
    with database.connection_context():
        rows = database.execute_sql(f"SELECT {counts}").fetchone()  # one round trip for all tables
        case = Case.get_by_id(case_id).__data__ if case_id else None
    return tuple(rows), case


def _last_event() -> tuple[int, str]:
    """How many audit events there are, and who made the latest."""
    with Case._meta.database.connection_context():
        event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
        return AuditEvent.select(fn.COUNT(AuditEvent.id)).scalar(), event.actor


def _check(operation: Operation, users: dict[str, Actor]) -> list[str]:
    """What is wrong with one operation's row of the matrix (nothing, when it holds)."""
    problems = []
    allowed_roles = PERMISSIONS[operation.action]
    case_id = operation.setup(users)
    for role in sorted(set(ROLE_USERS) - allowed_roles):
        actor = users[ROLE_USERS[role]]
        before = _state(case_id)
        try:
            operation.call(case_id, actor)
        except PermissionDenied as refused:
            if f"({role})" not in str(refused):
                problems.append(f"{operation.id}: the refusal does not name the role: {refused}")
        else:
            return [*problems, f"{operation.id}: {role} was not refused"]
        if _state(case_id) != before:
            problems.append(f"{operation.id}: {role} was refused but something was written")
    for n, role in enumerate(sorted(allowed_roles)):
        actor = users[ROLE_USERS[role]]
        events_before = _last_event()[0]
        try:
            operation.call(case_id, actor)
        except PermissionDenied as exc:
            problems.append(f"{operation.id}: {role} may by the table, but was refused: {exc}")
            continue
        except CaseworkerError:
            if n == 0:  # the refusals left the case as it was, so the first allowed role must succeed
                raise
            continue  # the case has moved on; getting past the check is what counts
        if operation.writes:
            events, who = _last_event()
            if not (events > events_before and who == actor.username):
                problems.append(f"{operation.id}: {role}'s change left no audit event in their name")
    return problems


def test_role_matrix(users):
    """One database for the whole matrix: each operation works on cases of its own."""
    problems = [problem for operation in OPERATIONS for problem in _check(operation, users)]
    assert problems == []
