"""What the deadlines screen reads: every open step across all cases, and each caseworker's load.

Filtering, counting and paging happen in the database: a page reads the index of open
deadlines by due date as far as its last row, and each group's count one stretch of that index,
so no screen ever loads every open step.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce

from peewee import JOIN, Value, fn
from peewee import Case as SqlCase

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import Case, Deadline, User
from caseworker_tui.services import clock, context
from caseworker_tui.services.calendar import Countdown, WorkingCalendar, countdown
from caseworker_tui.services.deadline_steps import step_label, step_tab, step_words
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.stages import STAGE_LABELS, stage_label
from caseworker_tui.services.unit import reading

PAGE_SIZE = 50
UNASSIGNED = "unassigned"  # the assignee filter's word for "nobody has the case"
WEEK_DAYS = 7

GROUP_LABELS = {"overdue": "Overdue", "today": "Due today", "this_week": "This week", "later": "Later"}
GROUPS = tuple(GROUP_LABELS)


@dataclass(frozen=True)
class DeadlineFilter:
    assignee: str | None = None  # a username, or UNASSIGNED
    stage: str | None = None
    agency: str | None = None  # the agency an update or a recommendation is owed by
    group: str | None = None  # one of GROUPS


@dataclass(frozen=True)
class DeadlineRow:
    id: int
    case_id: int
    reference: str
    applicant: str
    stage: str
    stage_label: str
    step: str
    step_words: str
    label: str
    agency: str | None
    agency_label: str
    due_on: date
    countdown: Countdown
    group: str
    assignee: str | None
    assignee_name: str
    tab: str
    warning: str = ""  # its letter did not reach the person, e.g. "⚠ letter returned" (also leads step_words)

    @property
    def overdue(self) -> bool:
        return self.group == "overdue"


@dataclass(frozen=True)
class DeadlinePage:
    rows: list[DeadlineRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # every group, in order, for the filter without its group


def _in_group(group: str, today: date):
    """The group as a range of due dates, so each count reads one stretch of the index."""
    week_end = today + timedelta(days=WEEK_DAYS)
    return {"overdue": Deadline.due_on < today, "today": Deadline.due_on == today,
            "this_week": (Deadline.due_on > today) & (Deadline.due_on <= week_end),
            "later": Deadline.due_on > week_end}[group]


def group_of(due_on: date, today: date) -> str:
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "today"
    return "this_week" if due_on <= today + timedelta(days=WEEK_DAYS) else "later"


def _check(flt: DeadlineFilter, page_size: int) -> None:
    if flt.stage and flt.stage not in STAGE_LABELS:
        raise InvalidInput(f"stage: must be one of {', '.join(STAGE_LABELS)}", "stage")
    agencies = context.policy().agencies
    if flt.agency and flt.agency not in agencies:
        raise InvalidInput(f"agency: must be one of {', '.join(agencies)}", "agency")
    if flt.group and flt.group not in GROUPS:
        raise InvalidInput(f"group: must be one of {', '.join(GROUPS)}", "group")
    if not 1 <= page_size <= 500:
        raise InvalidInput("page size: between 1 and 500 rows", "page_size")


def _open_steps(query, flt: DeadlineFilter):
    """`query` over open deadlines, narrowed by everything but the group.

    The case's assignee and stage are matched through a list of case ids read from their own
    indexes, which is cheaper than looking every open step's case up by its key.
    """
    query = query.where(Deadline.closed_at.is_null())
    cases = []
    if flt.assignee == UNASSIGNED:
        cases.append(Case.assigned_to.is_null())
    elif flt.assignee:
        cases.append(Case.assigned_to.in_(User.select(User.id).where(User.username == flt.assignee)))
    if flt.stage:
        cases.append(Case.stage == flt.stage)
    if cases:
        query = query.where(Deadline.case.in_(Case.select(Case.id).where(*cases)))
    if flt.agency:
        query = query.where(Deadline.agency == flt.agency)
    return query


def deadline_page(actor: Actor, flt: DeadlineFilter = DeadlineFilter(), page: int = 1,
                  page_size: int = PAGE_SIZE) -> DeadlinePage:
    """One page of every open step across all cases, soonest due first, with counts per group."""
    require(actor, "view_cases")
    _check(flt, page_size)
    today, calendar = clock.today(), context.calendar()
    with reading():
        # One statement, one count per group over its own range of due dates: cheaper than
        # grouping by an expression that must be worked out for every open step.
        counting = [_open_steps(Deadline.select(Value(g).alias("grp"), fn.COUNT(Deadline.id).alias("n")), flt)
                    .where(_in_group(g, today)) for g in GROUPS]
        found = {r["grp"]: r["n"] for r in reduce(operator.add, counting).dicts()}
        counts = {g: found.get(g, 0) for g in GROUPS}
        total = counts[flt.group] if flt.group else sum(counts.values())
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        query = _open_steps(
            Deadline.select(Deadline.id, Deadline.step, Deadline.agency, Deadline.due_on,
                            Case.id.alias("case_id"), Case.reference, Case.applicant_name, Case.stage,
                            User.username, User.display_name)
            .join(Case).join(User, JOIN.LEFT_OUTER, on=(Case.assigned_to == User.id)), flt)
        if flt.group:
            query = query.where(_in_group(flt.group, today))
        found_rows = list(query.order_by(Deadline.due_on, Deadline.id).paginate(page, page_size).dicts())
        from caseworker_tui.services.letters.delivery import warnings as undelivered  # with a page, not at start-up

        warned = undelivered(list({r["case_id"] for r in found_rows}))
    rows = [_deadline_row(r, today, calendar, warned.get(r["case_id"], {}).get(r["step"], "")) for r in found_rows]
    return DeadlinePage(rows=rows, total=total, page=page, pages=pages, counts=counts)


def _deadline_row(r: dict, today: date, calendar: WorkingCalendar, warning: str = "") -> DeadlineRow:
    """A page's row, its label worded from its step and agency rather than read from the table."""
    agency_label = context.policy().agency_label(r["agency"]) if r["agency"] else None
    return DeadlineRow(
        id=r["id"], case_id=r["case_id"], reference=r["reference"], applicant=r["applicant_name"],
        stage=r["stage"], stage_label=stage_label(r["stage"]), step=r["step"],
        step_words=f"{warning} · {step_words(r['step'])}" if warning else step_words(r["step"]),
        label=step_label(r["step"], agency_label),
        agency=r["agency"], agency_label=agency_label or "",
        due_on=r["due_on"], countdown=countdown(r["due_on"], today, calendar), group=group_of(r["due_on"], today),
        assignee=r["username"], assignee_name=r["display_name"] or "", tab=step_tab(r["step"]), warning=warning,
    )


@dataclass(frozen=True)
class WorkloadRow:
    username: str  # UNASSIGNED for the cases nobody has
    display_name: str
    open_cases: int
    open_steps: int
    overdue_steps: int


def workload(actor: Actor) -> list[WorkloadRow]:
    """Per caseworker (and the unassigned pile): open cases, open steps, overdue steps.

    It reads every open step's case, so screens ask for it when it may have moved, not per page.
    """
    require(actor, "view_cases")
    today = clock.today()
    overdue = fn.SUM(SqlCase(None, [(Deadline.due_on < today, 1)], 0))
    with reading():
        cases = {r["assigned_to"]: r["n"] for r in (
            Case.select(Case.assigned_to, fn.COUNT(Case.id).alias("n"))
            .where(Case.is_open == True)  # noqa: E712 - peewee expression
            .group_by(Case.assigned_to).dicts())}
        steps = {r["assigned_to"]: (r["n"], r["late"] or 0) for r in (
            Deadline.select(Case.assigned_to, fn.COUNT(Deadline.id).alias("n"), overdue.alias("late"))
            .join(Case).where(Deadline.closed_at.is_null())
            .group_by(Case.assigned_to).dicts())}
        busy = (set(cases) | set(steps)) - {None}
        people = list(User.select(User.id, User.username, User.display_name)
                      .where((User.active & User.role.in_(("caseworker", "supervisor"))) | User.id.in_(busy))
                      .order_by(User.display_name, User.username))

    def row(key: int | None, username: str, name: str) -> WorkloadRow:
        n_steps, n_late = steps.get(key, (0, 0))
        return WorkloadRow(username, name, cases.get(key, 0), n_steps, n_late)

    return [row(u.id, u.username, u.display_name) for u in people] + [row(None, UNASSIGNED, "Unassigned")]
