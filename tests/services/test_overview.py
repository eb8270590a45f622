"""The supervisor's open steps and workload, and the chair's approvals, on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from caseworker_tui.errors import InvalidInput, NotFound
from caseworker_tui.models import db
from caseworker_tui.services import clock, context, intake, overview, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.overview import UNASSIGNED, DeadlineFilter
from caseworker_tui.services.workflow import RecommendationIn
from tests.conftest import TODAY
from tests.factories import meets_rule_a


def _new(actor, received: date, name: str, assign: str | None = None) -> int:
    clock.set_today(received)
    data = meets_rule_a(received=f"{received.isoformat()}T10:00:00", name=name)
    case_id = intake.create_request(parse_application(data, context.policy()), actor).id
    if assign:
        workflow.assign(case_id, actor, assign)
    return case_id


@pytest.fixture
def steps(users) -> dict[str, int]:
    """Three cases whose open steps fall in every group on Wednesday 25 Nov 2026.

    olive (Casey): decide due Thu 19 Nov, overdue. uma (nobody's): acknowledge due Mon 23 Nov,
    overdue; decide due Fri 4 Dec, later. jay (Jo): acknowledge due today; police and council
    updates due Wed 2 Dec, this week; decide due Tue 8 Dec, later.
    """
    casey, jo = users["casey"], users["jo"]
    made = {"olive": _new(casey, date(2026, 11, 5), "Olive Old", assign="casey")}
    clock.set_today(date(2026, 11, 6))
    workflow.acknowledge(made["olive"], casey)
    made["uma"] = _new(casey, date(2026, 11, 20), "Uma Unassigned")
    made["jay"] = _new(jo, date(2026, 11, 24), "Jay Jones", assign="jo")
    clock.set_today(TODAY)
    workflow.request_updates(made["jay"], jo, ["police", "council"])
    return made


def _steps(page) -> list[tuple[str, str, date]]:
    return [(r.applicant, r.step, r.due_on) for r in page.rows]


def test_every_open_step_soonest_first_with_its_group_and_counts(users, steps):
    page = overview.deadline_page(users["sam"])
    assert _steps(page) == [
        ("Olive Old", "decide", date(2026, 11, 19)),
        ("Uma Unassigned", "acknowledge", date(2026, 11, 23)),
        ("Jay Jones", "acknowledge", date(2026, 11, 25)),
        ("Jay Jones", "agency_update", date(2026, 12, 2)),
        ("Jay Jones", "agency_update", date(2026, 12, 2)),
        ("Uma Unassigned", "decide", date(2026, 12, 4)),
        ("Jay Jones", "decide", date(2026, 12, 8)),
    ]
    assert [r.group for r in page.rows] == ["overdue", "overdue", "today", "this_week", "this_week",
                                            "later", "later"]
    assert page.counts == {"overdue": 2, "today": 1, "this_week": 2, "later": 2}
    assert (page.total, page.page, page.pages) == (7, 1, 1)
    updates = [r for r in page.rows if r.step == "agency_update"]
    assert updates[0].id < updates[1].id  # the same day: the older step first
    assert [u.agency for u in updates] == ["police", "council"]


def test_a_row_says_whose_it_is_how_late_and_where_it_is_done(users, steps):
    rows = overview.deadline_page(users["sam"]).rows
    olive, uma_ack, jay_ack, update = rows[0], rows[1], rows[2], rows[3]
    assert (olive.reference, olive.stage_label, olive.assignee, olive.assignee_name) == (
        "CT-2026-0001", "Acknowledged", "casey", "Casey Morgan")
    assert olive.countdown == "overdue by 6 days" and olive.overdue
    assert (olive.case_id, olive.tab) == (steps["olive"], "eligibility")
    assert (uma_ack.assignee, uma_ack.assignee_name, uma_ack.tab) == (None, "", "timeline")
    assert jay_ack.countdown == "due today" and not jay_ack.overdue
    assert (update.agency_label, update.label, update.tab) == (
        "Leicestershire Police", "Update from Leicestershire Police", "progress")
    assert update.countdown == "7 days left (5 working days)"


def test_filters_narrow_the_rows_and_the_counts(users, steps):
    sam = users["sam"]

    def applicants(flt: DeadlineFilter) -> list[str]:
        return [f"{r.applicant}:{r.step}" for r in overview.deadline_page(sam, flt).rows]

    assert applicants(DeadlineFilter(assignee="jo")) == [
        "Jay Jones:acknowledge", "Jay Jones:agency_update", "Jay Jones:agency_update", "Jay Jones:decide"]
    assert applicants(DeadlineFilter(assignee=UNASSIGNED)) == ["Uma Unassigned:acknowledge", "Uma Unassigned:decide"]
    assert applicants(DeadlineFilter(assignee="sam")) == []
    assert applicants(DeadlineFilter(stage="acknowledged")) == ["Olive Old:decide"]
    assert applicants(DeadlineFilter(agency="council")) == ["Jay Jones:agency_update"]
    assert applicants(DeadlineFilter(group="later")) == ["Uma Unassigned:decide", "Jay Jones:decide"]
    assert applicants(DeadlineFilter(group="overdue", assignee=UNASSIGNED)) == ["Uma Unassigned:acknowledge"]
    mine = overview.deadline_page(sam, DeadlineFilter(assignee="jo", group="this_week"))
    assert mine.counts == {"overdue": 0, "today": 1, "this_week": 2, "later": 1}
    assert mine.total == 2


def test_pages_hold_the_order_and_clamp(users, steps):
    sam = users["sam"]
    everything = _steps(overview.deadline_page(sam))
    second = overview.deadline_page(sam, page=2, page_size=3)
    assert (second.page, second.pages, second.total) == (2, 3, 7)
    assert _steps(second) == everything[3:6]
    last = overview.deadline_page(sam, page=99, page_size=3)
    assert last.page == 3 and _steps(last) == everything[6:]


def test_closed_steps_leave_the_view(users, steps):
    workflow.acknowledge(steps["uma"], users["casey"])
    page = overview.deadline_page(users["sam"])
    assert page.counts["overdue"] == 1
    assert ("Uma Unassigned", "acknowledge", date(2026, 11, 23)) not in _steps(page)


@pytest.mark.parametrize(("flt", "field"), [
    (DeadlineFilter(stage="limbo"), "stage"),
    (DeadlineFilter(agency="fire"), "agency"),
    (DeadlineFilter(group="someday"), "group"),
])
def test_a_bad_filter_names_its_field(users, flt, field):
    with pytest.raises(InvalidInput) as caught:
        overview.deadline_page(users["sam"], flt)
    assert caught.value.field == field and str(caught.value).startswith(f"{field}:")


def test_workload_per_caseworker_and_the_unassigned_pile(users, steps):
    rows = [(w.username, w.display_name, w.open_cases, w.open_steps, w.overdue_steps)
            for w in overview.workload(users["sam"])]
    assert rows == [
        ("casey", "Casey Morgan", 1, 1, 1),
        ("jo", "Jo Patel", 1, 4, 0),
        ("sam", "Sam Okafor", 0, 0, 0),
        (UNASSIGNED, "Unassigned", 1, 2, 1),
    ]


def _count_queries(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = db.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return real(sql, params, *args, **kwargs)
    monkeypatch.setattr(db.obj, "execute_sql", counting)
    return seen


def test_no_query_per_row(users, steps, monkeypatch):
    """The same number of statements for three cases as for six: grouped in SQL, never row by row."""
    sam = users["sam"]
    seen = _count_queries(monkeypatch)
    overview.deadline_page(sam)
    overview.workload(sam)
    overview.awaiting_approval(sam)
    few = len(seen)
    monkeypatch.undo()
    for n in range(3):
        _new(users["jo"], TODAY, f"Extra {n}", assign="jo")
    _to_awaiting_chair(_new(users["casey"], date(2026, 11, 4), "Extra Chair"), users["casey"], TODAY)
    seen = _count_queries(monkeypatch)
    overview.deadline_page(sam)
    overview.workload(sam)
    overview.awaiting_approval(sam)
    assert len(seen) == few


# --- the chair's approvals -------------------------------------------------------------------------

def _to_awaiting_chair(case_id: int, who, submitted: date, recommendations=None) -> None:
    clock.set_today(submitted)
    workflow.acknowledge(case_id, who)
    workflow.decide(case_id, who, accept=True)
    workflow.schedule_review(case_id, who, meeting_on=submitted, chair_name="Chris Hall",
                             agencies=["police", "council"], participation="virtual")
    workflow.record_findings(case_id, who, "The reports were never linked.")
    workflow.draft_outcome(case_id, who, summary="Agencies missed the pattern.", recommendations=recommendations or [
        RecommendationIn("police", "Visit weekly", date(2027, 1, 15)),
        RecommendationIn("council", "Noise monitoring", date(2027, 2, 1))])
    workflow.submit_outcome(case_id, who)


@pytest.fixture
def waiting(users) -> dict[str, int]:
    casey, jo = users["casey"], users["jo"]
    made = {"newer": _new(jo, date(2026, 11, 9), "Nora Newer"), "older": _new(casey, date(2026, 11, 4), "Otto Older")}
    _to_awaiting_chair(made["older"], casey, date(2026, 11, 5))
    _to_awaiting_chair(made["newer"], jo, date(2026, 11, 20))
    made["drafting"] = _new(casey, date(2026, 11, 10), "Dora Drafting")
    clock.set_today(TODAY)
    return made


def test_outcomes_awaiting_approval_oldest_first_with_who_submitted(users, waiting):
    rows = overview.awaiting_approval(users["chris"])
    assert [r.applicant for r in rows] == ["Otto Older", "Nora Newer"]
    older, newer = rows
    assert (older.submitted_by, older.submitted_at.date(), older.age_days) == ("Casey Morgan", date(2026, 11, 5), 20)
    assert (newer.submitted_by, newer.age_days) == ("Jo Patel", 5)
    assert (older.due_on, older.countdown, older.overdue) == (date(2026, 12, 3), "8 days left (6 working days)", False)
    assert newer.due_on == date(2026, 12, 18)
    assert [r.applicant for r in overview.awaiting_approval(users["chris"], limit=1)] == ["Otto Older"]


def test_an_extended_review_is_due_on_its_new_date(users, waiting):
    workflow.extend_review(waiting["older"], users["casey"], new_date=date(2027, 1, 8), reason="Police records.")
    older = overview.awaiting_approval(users["chris"])[0]
    assert older.due_on == date(2027, 1, 8)
    detail = overview.approval_detail(users["chris"], waiting["older"])
    assert (detail.due_on, detail.extension_reason) == (date(2027, 1, 8), "Police records.")


def test_approved_and_returned_outcomes_leave_the_list(users, waiting):
    chris = users["chris"]
    workflow.approve_outcome(waiting["older"], chris)
    workflow.return_outcome(waiting["newer"], chris, "Name the officer.")
    assert overview.awaiting_approval(chris) == []


def test_the_detail_holds_the_case_the_review_and_the_draft(users, waiting):
    chris = users["chris"]
    workflow.return_outcome(waiting["newer"], chris, "Name the officer.")
    workflow.submit_outcome(waiting["newer"], users["sam"])
    detail = overview.approval_detail(chris, waiting["newer"])
    assert (detail.reference, detail.applicant, detail.stage) == ("CT-2026-0001", "Nora Newer", "awaiting_chair")
    assert detail.verdict_summary == "✓ Threshold met (rules passed: A, D)"
    assert detail.decision == "Accepted by Jo Patel on 20 Nov 2026"
    assert detail.incidents[0] == "i1 01 Oct 2026 at 1 Main Street: Loud music all night — reported to Leicestershire Police 02 Oct"
    assert len(detail.incidents) == 3
    assert (detail.meeting_on, detail.chair_name, detail.participation) == (date(2026, 11, 20), "Chris Hall", "virtually")
    assert detail.agencies == ["Leicestershire Police", "Leicester City Council"]
    assert detail.findings == "The reports were never linked."
    assert detail.summary == "Agencies missed the pattern."
    assert [(r.position, r.agency_label, r.action, r.due_on) for r in detail.recommendations] == [
        (1, "Leicestershire Police", "Visit weekly", date(2027, 1, 15)),
        (2, "Leicester City Council", "Noise monitoring", date(2027, 2, 1))]
    assert [(c.by, c.comments) for c in detail.returns] == [("Chris Hall", "Name the officer.")]
    assert detail.submitted_by == "Sam Okafor"  # the latest submission
    # The version the chair read is the one an approval must match.
    assert workflow.approve_outcome(waiting["newer"], chris, expected_version=detail.version).stage == "approved"


def test_the_detail_of_a_case_without_a_review_is_not_found(users, waiting):
    with pytest.raises(NotFound, match="no review"):
        overview.approval_detail(users["chris"], waiting["drafting"])
    with pytest.raises(NotFound):
        overview.approval_detail(users["chris"], 999_999)
