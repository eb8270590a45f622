"""The supervisor's open steps and workload, as the deadlines screen reads them, on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import db
from caseworker_tui.services import clock, context, deadlines_view, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.deadlines_view import UNASSIGNED, DeadlineFilter
from tests.conftest import TODAY
from tests.factories import acknowledge_with_letter, meets_rule_a, with_victim_updates


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
    updates due Wed 2 Dec, this week; decide due Tue 8 Dec, later. The policy owes the victim no
    updates here, so the rows are the statutory steps alone (see the missed update's own test).
    """
    with_victim_updates(None)
    casey, jo = users["casey"], users["jo"]
    made = {"olive": _new(casey, date(2026, 11, 5), "Olive Old", assign="casey")}
    clock.set_today(date(2026, 11, 6))
    acknowledge_with_letter(made["olive"], casey)
    made["uma"] = _new(casey, date(2026, 11, 20), "Uma Unassigned")
    made["jay"] = _new(jo, date(2026, 11, 24), "Jay Jones", assign="jo")
    clock.set_today(TODAY)
    workflow.request_updates(made["jay"], jo, ["police", "council"])
    return made


def _steps(page) -> list[tuple[str, str, date]]:
    return [(r.applicant, r.step, r.due_on) for r in page.rows]


def test_every_open_step_soonest_first_with_its_group_and_counts(users, steps):
    page = deadlines_view.deadline_page(users["sam"])
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
    rows = deadlines_view.deadline_page(users["sam"]).rows
    olive, uma_ack, jay_ack, update = rows[0], rows[1], rows[2], rows[3]
    assert (olive.reference, olive.stage_label, olive.assignee, olive.assignee_name) == (
        "CT-2026-0001", "Acknowledged", "casey", "Casey Morgan")
    assert olive.countdown.words == "overdue by 6 days" and olive.overdue
    assert (olive.case_id, olive.tab) == (steps["olive"], "eligibility")
    assert (uma_ack.assignee, uma_ack.assignee_name, uma_ack.tab) == (None, "", "letters")  # met by its letter
    assert jay_ack.countdown.words == "due today" and not jay_ack.overdue
    assert (update.agency_label, update.label, update.tab) == (
        "Leicestershire Police", "Update from Leicestershire Police", "progress")
    assert update.countdown.words == "7 days left (5 working days)"


def test_filters_narrow_the_rows_and_the_counts(users, steps):
    sam = users["sam"]

    def applicants(flt: DeadlineFilter) -> list[str]:
        return [f"{r.applicant}:{r.step}" for r in deadlines_view.deadline_page(sam, flt).rows]

    assert applicants(DeadlineFilter(assignee="jo")) == [
        "Jay Jones:acknowledge", "Jay Jones:agency_update", "Jay Jones:agency_update", "Jay Jones:decide"]
    assert applicants(DeadlineFilter(assignee=UNASSIGNED)) == ["Uma Unassigned:acknowledge", "Uma Unassigned:decide"]
    assert applicants(DeadlineFilter(assignee="sam")) == []
    assert applicants(DeadlineFilter(stage="acknowledged")) == ["Olive Old:decide"]
    assert applicants(DeadlineFilter(agency="council")) == ["Jay Jones:agency_update"]
    assert applicants(DeadlineFilter(group="later")) == ["Uma Unassigned:decide", "Jay Jones:decide"]
    assert applicants(DeadlineFilter(group="overdue", assignee=UNASSIGNED)) == ["Uma Unassigned:acknowledge"]
    mine = deadlines_view.deadline_page(sam, DeadlineFilter(assignee="jo", group="this_week"))
    assert mine.counts == {"overdue": 0, "today": 1, "this_week": 2, "later": 1}
    assert mine.total == 2


def test_pages_hold_the_order_and_clamp(users, steps):
    sam = users["sam"]
    everything = _steps(deadlines_view.deadline_page(sam))
    second = deadlines_view.deadline_page(sam, page=2, page_size=3)
    assert (second.page, second.pages, second.total) == (2, 3, 7)
    assert _steps(second) == everything[3:6]
    last = deadlines_view.deadline_page(sam, page=99, page_size=3)
    assert last.page == 3 and _steps(last) == everything[6:]


def test_closed_steps_leave_the_view(users, steps):
    acknowledge_with_letter(steps["uma"], users["casey"])
    page = deadlines_view.deadline_page(users["sam"])
    assert page.counts["overdue"] == 1
    assert ("Uma Unassigned", "acknowledge", date(2026, 11, 23)) not in _steps(page)


@pytest.mark.parametrize(("flt", "field"), [
    (DeadlineFilter(stage="limbo"), "stage"),
    (DeadlineFilter(agency="fire"), "agency"),
    (DeadlineFilter(group="someday"), "group"),
])
def test_a_bad_filter_names_its_field(users, flt, field):
    with pytest.raises(InvalidInput) as caught:
        deadlines_view.deadline_page(users["sam"], flt)
    assert caught.value.field == field and str(caught.value).startswith(f"{field}:")


def test_workload_per_caseworker_and_the_unassigned_pile(users, steps):
    rows = [(w.username, w.display_name, w.open_cases, w.open_steps, w.overdue_steps)
            for w in deadlines_view.workload(users["sam"])]
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
    deadlines_view.deadline_page(sam)
    deadlines_view.workload(sam)
    few = len(seen)
    monkeypatch.undo()
    for n in range(3):
        extra = _new(users["jo"], TODAY, f"Extra {n}", assign="jo")
    workflow.request_updates(extra, users["jo"], ["police", "council"])
    seen = _count_queries(monkeypatch)
    deadlines_view.deadline_page(sam)
    deadlines_view.workload(sam)
    assert len(seen) == few


def test_a_missed_update_to_the_victim_is_overdue_in_the_supervisors_view(users):
    """Leicester's shipped cadence: the victim is updated every 10 working days from the last contact,
    or from the acknowledgement before any."""
    casey = users["casey"]
    case_id = _new(casey, date(2026, 11, 5), "Vera Waiting", assign="casey")
    clock.set_today(date(2026, 11, 6))
    acknowledge_with_letter(case_id, casey)  # Fri 6 Nov: the first update is owed by Fri 20 Nov
    clock.set_today(TODAY)
    page = deadlines_view.deadline_page(users["sam"], DeadlineFilter(group="overdue"))
    (update,) = [r for r in page.rows if r.step == "victim_update"]
    assert (update.applicant, update.due_on, update.label, update.tab) == (
        "Vera Waiting", date(2026, 11, 20), "Update the victim", "timeline")
    assert update.countdown.words == "overdue by 5 days"
    workflow.record_contact(case_id, casey, at=clock.now(), channel="phone", said="Explained the delay.")
    rows = deadlines_view.deadline_page(users["sam"]).rows
    assert [(r.step, r.due_on, r.group) for r in rows if r.step == "victim_update"] == [
        ("victim_update", date(2026, 12, 9), "later")]  # 10 working days from Wed 25 Nov
