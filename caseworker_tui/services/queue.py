"""The intake queue: open requests, most urgent first, a page at a time.

Filtering, sorting and paging happen in the database, so a page costs the same with 40 cases as
with 100,000. A module of its own because the queue is the first screen: it loads nothing that
opening a case needs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from peewee import JOIN, SQL, NodeList, Value, fn
from peewee import Case as SqlCase

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import AuditEvent, Case, Review, User
from caseworker_tui.services import clock, lifecycle, typed_text
from caseworker_tui.services.calendar import Countdown, countdown
from caseworker_tui.services.deadline_steps import step_words
from caseworker_tui.services.permissions import Actor, require
from caseworker_tui.services.stages import STAGE_LABELS, stage_label
from caseworker_tui.services.unit import reading

PAGE_SIZE = 50
RETURNED_STAGE = lifecycle.step("return_outcome").to_stage  # where the chair's return leads
MAX_SEARCH_WORDS = 20


@dataclass(frozen=True)
class QueueFilter:
    stage: str | None = None
    mine: bool = False
    high_risk: bool = False
    search: str = ""
    include_closed: bool = False


@dataclass(frozen=True)
class QueueRow:
    id: int
    reference: str
    received_at: datetime
    applicant: str
    stage: str
    stage_label: str
    next_due_on: date | None
    next_step: str
    countdown: Countdown | None  # None: nothing is due
    high_risk: bool
    risk_score: int | None
    assignee: str
    warning: str = ""  # a letter that did not reach the person, e.g. "⚠ letter returned" (also leads next_step)
    returned: Returned | None = None  # the chair sent the draft outcome back


@dataclass(frozen=True)
class Returned:
    """An outcome the chair returned: who did, and what they asked for."""

    by: str  # the chair's name as recorded on their account ("Chris Hall")
    comments: str


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    stage_counts: dict[str, int]


def search_words(text: str) -> list[str]:
    """The distinct words of a search, case-folded; a search no case could match is refused.

    Each word is one more condition nested in the query, and a pasted page of text nested
    deeply enough to exhaust Python's recursion; no reference, name and postcode has this many."""
    words = list(dict.fromkeys(typed_text.checked(text, "search").casefold().split()))
    if len(words) > MAX_SEARCH_WORDS:
        raise InvalidInput(f"search: at most {MAX_SEARCH_WORDS} words (a reference, a name or a postcode), "
                           f"not {len(words)}", "search")
    return words


def _search_clause(text: str):
    """Every word must appear in the reference, name or postcode (case-insensitive)."""
    clause = None
    for word in search_words(text):
        term = _contains(word)
        clause = term if clause is None else clause & term
    return clause


def _contains(word: str):
    """search_text holds its words case-folded, so a plain LIKE finds what `contains` would; on
    PostgreSQL `contains` is ILIKE, which made a search of 100,000 cases four times slower."""
    pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return NodeList((Case.search_text, SQL("LIKE"), Value(pattern, converter=False), SQL("ESCAPE"),
                     Value("\\", converter=False)))


def _filtered(actor: Actor, flt: QueueFilter, *, with_stage: bool = True):
    query = Case.select()
    conditions = []
    if not flt.include_closed:
        conditions.append(Case.is_open == True)  # noqa: E712 - peewee expression
    if flt.mine:
        mine = User.select(User.id).where(User.username == actor.username)
        conditions.append(Case.assigned_to.in_(mine))
    if flt.high_risk:
        conditions.append(Case.high_risk == True)  # noqa: E712
    if flt.search.strip():
        conditions.append(_search_clause(flt.search))
    if with_stage and flt.stage:
        conditions.append(Case.stage == flt.stage)
    for condition in conditions:
        query = query.where(condition)
    return query


def _warned(warning: str | None, words: str) -> str:
    """The next step's words, led by a failed delivery's warning so that a narrow column still shows it."""
    return f"{warning} · {words}" if warning else words


def queue_page(actor: Actor, flt: QueueFilter = QueueFilter(), page: int = 1,
               page_size: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue, most urgent first: overdue, then high risk, then nearest due date."""
    require(actor, "view_cases")
    today = clock.today()
    overdue_first = SqlCase(None, [((Case.next_due_on < today), 0)], 1)
    with reading():
        # The counts per stage give the total too: one query fewer on every page.
        counts_query = (_filtered(actor, flt, with_stage=False)
                        .select(Case.stage, fn.COUNT(Case.id).alias("n")).group_by(Case.stage).dicts())
        counts = {r["stage"]: r["n"] for r in counts_query}
        total = counts.get(flt.stage, 0) if flt.stage else sum(counts.values())
        base = _filtered(actor, flt)
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        query = (base.select(Case.id, Case.reference, Case.received_at, Case.applicant_name, Case.stage,
                             Case.next_due_on, Case.next_due_step, Case.high_risk, Case.risk_score,
                             User.display_name.alias("assignee"))
                 .join(User, JOIN.LEFT_OUTER, on=(Case.assigned_to == User.id))
                 .order_by(overdue_first, Case.high_risk.desc(), Case.next_due_on.asc(nulls="LAST"),
                           Case.received_at, Case.id)
                 .paginate(page, page_size).dicts())
        from caseworker_tui.services.letters.delivery import warnings as undelivered  # with a page, not at start-up

        found = list(query)
        warned = {case_id: " · ".join(dict.fromkeys(steps.values()))
                  for case_id, steps in undelivered([r["id"] for r in found]).items()}
        rows = [
            QueueRow(
                id=r["id"], reference=r["reference"], received_at=r["received_at"],
                applicant=r["applicant_name"], stage=r["stage"], stage_label=stage_label(r["stage"]),
                next_due_on=r["next_due_on"], next_step=_warned(warned.get(r["id"]), step_words(r["next_due_step"])),
                countdown=countdown(r["next_due_on"], today, None) if r["next_due_on"] else None,
                high_risk=bool(r["high_risk"]), risk_score=r["risk_score"], assignee=r["assignee"] or "",
                warning=warned.get(r["id"], ""),
            )
            for r in found
        ]
        returned = _returned({r.id for r in rows if r.stage == RETURNED_STAGE})
    rows = [replace(r, returned=returned[r.id]) if r.id in returned else r for r in rows]
    ordered = {s: counts[s] for s in STAGE_LABELS if s in counts}
    return QueuePage(rows=rows, total=total, page=page, pages=pages, stage_counts=ordered)


def _returned(case_ids: set[int]) -> dict[int, Returned]:
    """The returned outcomes among these cases, with the name of the chair who last returned each.

    Asked only of the page's drafted outcomes: a draft with the chair's comments on it came back."""
    if not case_ids:
        return {}
    comments = {r.case_id: r.returned_comments for r in
                Review.select(Review.case, Review.returned_comments)
                .where(Review.case.in_(case_ids), Review.returned_comments != "")}
    by: dict[int, str] = {}
    events = (AuditEvent.select(AuditEvent.case, AuditEvent.actor, User.display_name.alias("name"))
              .join(User, JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.username))
              .where(AuditEvent.case.in_(list(comments)), AuditEvent.action == "return_outcome")
              .order_by(AuditEvent.at, AuditEvent.id).dicts())
    for event in events:  # the latest return wins
        by[event["case"]] = event["name"] or event["actor"]
    return {case_id: Returned(by=by.get(case_id, "the chair"), comments=text) for case_id, text in comments.items()}


def returned_to(actor: Actor) -> int:
    """How many of the actor's open cases the chair has returned for the outcome to be revised."""
    require(actor, "view_cases")
    with reading():
        return (Case.select().join(Review, on=(Review.case == Case.id)).switch(Case)
                .join(User, on=(Case.assigned_to == User.id))
                .where(User.username == actor.username, Case.is_open == True,  # noqa: E712
                       Case.stage == RETURNED_STAGE, Review.returned_comments != "").count())
