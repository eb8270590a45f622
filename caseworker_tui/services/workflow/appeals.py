"""Appeals against a decision or an outcome, heard by an independent chair."""

from __future__ import annotations

from datetime import date

from peewee import fn

from caseworker_tui.errors import InvalidInput, TransitionNotAllowed
from caseworker_tui.models import (
    Appeal,
    Case,
    Letter,
    Review,
    ThresholdDecision,
    User,
)
from caseworker_tui.services import clock, context
from caseworker_tui.services.deadlines import close_steps, open_step
from caseworker_tui.services.names import same_name
from caseworker_tui.services.people import named_person
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.unit import reading
from caseworker_tui.services.workflow.running import NOT_RECEIVED, Done, clean_text, run_step


def appeal_window_end(case: Case) -> date | None:
    """The last day an appeal can be lodged (None: nothing to appeal yet).

    The window counts from its anchor: the decision or the outcome's approval (`decided`), or
    the letter that told the applicant (`letter_sent`) — until that letter is sent, from the
    day it became owed, so the window is never shorter than the letter says."""
    window, calendar = context.policy().timescales.appeal_window, context.calendar()
    against = "decision" if case.accepted_on is None else "outcome"
    start = _appealed_on(case, against)
    if start is None:
        return None
    if window.anchor == "letter_sent":
        from caseworker_tui.services.letters.kinds import appealable_kinds  # the letters import the workflow

        sent = (Letter.select(fn.MAX(Letter.sent_on)).where(
            (Letter.case == case) & Letter.kind.in_(appealable_kinds(against))
            & Letter.sent_on.is_null(False)).scalar())
        if sent is not None and sent > start:
            start = sent
    return window.due(start, calendar)


def _appealed_on(case: Case, against: str) -> date | None:
    """The day of the decision or the approved outcome an appeal is against."""
    if against == "decision":
        return case.decided_on
    review = Review.get_or_none(Review.case == case)
    return review.approved_at.date() if review and review.approved_at else None


def _not_independent(case: Case, appeal: Appeal, chair: str) -> str | None:
    """Why `chair` cannot decide this appeal, or None: DOMAIN's three people are compared by name
    and by account, whoever is signed in."""
    involved: list[tuple[str, list[str | None]]] = []
    if appeal.against == "decision":
        decision = (ThresholdDecision.select().where(ThresholdDecision.case == case)
                    .order_by(ThresholdDecision.id.desc()).first())
        if decision is not None:
            maker = User.get_or_none(User.username == decision.decided_by)
            involved.append(("made the decision appealed",
                             [decision.decided_by, maker.display_name if maker else None]))
    else:
        review = Review.get_or_none(Review.case == case)
        if review is not None and review.approved_by:
            involved.append(("approved the outcome appealed", [review.approved_by, review.approved_by_name]))
    if case.assigned_to_id:
        assignee = User.get_by_id(case.assigned_to_id)
        involved.append(("is the caseworker assigned", [assignee.username, assignee.display_name]))
    for why, names in involved:
        if any(same_name(chair, n) for n in names):
            return why
    return None


def record_appeal(case_id: int, actor: Actor, *, lodged_on: date, grounds: str,
                  expected_version: int | None = None) -> Done:
    grounds = clean_text(grounds, "grounds")
    policy = context.policy()

    def change(case: Case) -> dict:
        if Appeal.select().where((Appeal.case == case) & Appeal.decided_on.is_null()).exists():
            raise TransitionNotAllowed(f"{case.reference} already has an appeal waiting for a decision.")
        if case.stage == "closed" and Appeal.select().where(Appeal.case == case).exists():
            raise TransitionNotAllowed("The appeal on this case has been decided; that decision is final.")
        last = appeal_window_end(case)
        if last is None:
            raise TransitionNotAllowed(f"{case.reference} has no decision or approved outcome to appeal against.")
        if lodged_on > clock.today():
            raise InvalidInput("lodged on: cannot be in the future", "lodged_on")
        if lodged_on > last:
            raise InvalidInput(f"lodged on: the appeal window closed on {last} "
                               f"({policy.timescales.appeal_window.words})", "lodged_on")
        against = "decision" if case.accepted_on is None else "outcome"
        appealed_on = _appealed_on(case, against)
        if appealed_on and lodged_on < appealed_on:
            raise InvalidInput(f"lodged on: an appeal against the {against} is lodged on or after it "
                               f"({appealed_on:%d %b %Y})", "lodged_on")
        Appeal.create(case=case, against=against, lodged_on=lodged_on, grounds=grounds,
                      stage_before=case.stage, recorded_by=actor.username)
        open_step(case, "appeal_decision", policy.timescales.appeal_decision.due(lodged_on, context.calendar()))
        return {"against": against, "lodged_on": lodged_on}
    return run_step(case_id, actor, "record_appeal", expected_version=expected_version, change=change, reason=grounds)


def decide_appeal(case_id: int, actor: Actor, *, upheld: bool, independent_chair: str, reason: str,
                  expected_version: int | None = None) -> Done:
    """An independent chair decides: upheld sends the case back; not upheld is final (closed)."""
    independent_chair = clean_text(independent_chair, "independent_chair")
    reason = clean_text(reason, "reason")
    policy = context.policy()
    with reading():
        independent_chair = named_person(independent_chair, field="independent_chair",
                                         label="independent chair")

    def change(case: Case) -> dict:
        appeal = (Appeal.select().where((Appeal.case == case) & Appeal.decided_on.is_null())
                  .order_by(Appeal.id.desc()).first())
        review = Review.get_or_none(Review.case == case)
        if review and review.approved_by and actor.username == review.approved_by:
            raise InvalidInput("independent chair: the chair who approved the outcome cannot decide its appeal",
                               "independent_chair")
        why = _not_independent(case, appeal, independent_chair)
        if why:
            raise InvalidInput(f"independent chair: {independent_chair} {why}, so cannot decide the "
                               "appeal independently", "independent_chair")
        appeal.decided_on, appeal.upheld = clock.today(), upheld
        appeal.independent_chair, appeal.decision_reason = independent_chair, reason
        appeal.save()
        close_steps(case, "appeal_decision")
        today = clock.today()
        if not upheld:
            case.stage = "closed"
            case.closed_at = clock.now()
            # Final, as close() is: only the recommendations stay open for follow-up.
            close_steps(case, "notify_decision", "review", "notify_extension", "victim_update", how="cancelled")
            close_steps(case, "agency_update", how=NOT_RECEIVED)
        elif appeal.against == "decision":
            case.stage, case.decided_on = "acknowledged", None
            # The first decision's letter is superseded: the fresh decision owes one of its own.
            close_steps(case, "notify_decision", how="cancelled")
            open_step(case, "decide", policy.timescales.fresh_decision.due(today, context.calendar()))
        else:
            case.stage, case.closed_at = "under_review", None
            due = policy.timescales.review.due(today, context.calendar())
            if review:
                review.due_on, review.extended_to, review.approved_by = due, None, None
                review.approved_by_name, review.approved_at, review.submitted_at = None, None, None
                review.save()
            close_steps(case, "review", how="cancelled")
            # The outcome is reviewed afresh: its recommendations are no longer owed (a new
            # approval opens the new ones), and a redraft replaces them.
            close_steps(case, "recommendation", how="cancelled")
            open_step(case, "review", due)
        return {"upheld": upheld, "independent_chair": independent_chair}
    return run_step(case_id, actor, "decide_appeal", expected_version=expected_version, change=change, reason=reason)
