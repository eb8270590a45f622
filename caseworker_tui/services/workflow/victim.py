"""The victim's journey: who their single point of contact is, and their say on the draft action plan.

The single point of contact (SPoC) is a member of staff: the one named on the case, else the assigned
caseworker. The victim is consulted on the drafted outcome by the draft-action-plan letter; their views,
or "no reply by the date", are recorded, and the chair approves only once either is recorded or the
reply-by date has passed (`approval_refusal`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from peewee import fn

from caseworker_tui.errors import InvalidInput, TransitionNotAllowed
from caseworker_tui.models import Case, Letter, Review, User
from caseworker_tui.services import clock, context
from caseworker_tui.services.found import case_by_id
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.timescales import Timescale
from caseworker_tui.services.unit import reading
from caseworker_tui.services.words import weekday_date
from caseworker_tui.services.workflow.running import Done, clean_text, run_step

# DOMAIN's default when a policy sets no `[timescales.action_plan_reply]`: the victim always has a date.
DEFAULT_REPLY = Timescale(days=10, unit="working", **{"from": "letter_sent"})


def day_words(day: date | None) -> str:
    """Friday 4 December 2026, as the letters give the date."""
    return weekday_date(day) if day else "a date not yet set"


def spoc_of(case: Case) -> User | None:
    """The case's single point of contact: the one named, else the assigned caseworker, else nobody."""
    user_id = case.spoc_id or case.assigned_to_id
    return User.get_or_none(User.id == user_id) if user_id else None


def change_spoc(case_id: int, actor: Actor, username: str, expected_version: int | None = None) -> Done:
    """Name another member of staff as the victim's single point of contact."""
    with reading():
        user = User.get_or_none(User.username == (username or "").strip())
    if user is None or user.role not in ("caseworker", "supervisor") or not user.active:
        raise InvalidInput(f"contact: {username!r} is not an active caseworker or supervisor", "spoc")

    def change(case: Case) -> dict:
        before = spoc_of(case)
        if before is not None and before.id == user.id:
            raise InvalidInput(f"contact: {user.display_name} is already the single point of contact", "spoc")
        case.spoc = user
        return {"from_user": before.username if before else None, "to_user": user.username, "name": user.display_name}
    return run_step(case_id, actor, "change_spoc", expected_version=expected_version, change=change)


# --- the consultation on the draft action plan ------------------------------------------------

def reply_timescale() -> Timescale:
    return context.policy().timescales.action_plan_reply or DEFAULT_REPLY


def reply_by(case: Case, review: Review) -> date | None:
    """The last day for the victim's views: counted from the action-plan letter's sending, and until it
    is sent from the day it was made (the date it bears), so never earlier than the letter says."""
    if review.consulted_on is None:
        return None
    start = review.consulted_on
    sent = (Letter.select(fn.MAX(Letter.sent_on))
            .where((Letter.case == case) & (Letter.kind == "action_plan") & Letter.sent_on.is_null(False)
                   & (Letter.created_at >= review.consulted_on)).scalar())
    if sent is not None and sent > start:
        start = sent
    return reply_timescale().due(start, context.calendar())


def views_words(review: Review) -> str:
    """What the chair reads of the victim's say on the draft plan."""
    if review.consulted_on is None:
        return "The victim has not been consulted on the draft action plan."
    if review.no_reply:
        return f"No reply by the date (recorded {day_words(review.views_on)})."
    if review.views_on is not None:
        return review.victim_views
    return ""


def approval_refusal(case: Case, review: Review) -> str | None:
    """Why the chair cannot approve yet, or None: the victim's views are in, or their date has passed."""
    if review.consulted_on is None:
        return (f"The victim has not been consulted on the draft action plan of {case.reference}; the "
                "caseworker consults them first.")
    if review.views_on is not None:
        return None
    due = reply_by(case, review)
    if due is not None and clock.today() > due:
        return None
    return (f"The victim's views on the draft action plan of {case.reference} are not recorded, and they "
            f"have until {day_words(due)} to reply.")


def reply_by_of(case_id: int) -> date | None:
    """The reply-by date of the case's consultation, for a caller that holds only the case's id."""
    with reading():
        case = case_by_id(case_id)
        review = Review.get_or_none(Review.case == case)
        return reply_by(case, review) if review is not None else None


def _review(case: Case) -> Review:
    review = Review.get_or_none(Review.case == case)
    if review is None or not review.summary:
        raise TransitionNotAllowed(f"{case.reference} has no drafted outcome to consult the victim on.")
    return review


def consult_victim(case_id: int, actor: Actor, *, out_dir: Path, letters_dir: Path | None = None,
                   expected_version: int | None = None) -> Done:
    """Send the victim the draft action plan: the consultation is recorded, then its letter is made.

    A consultation again (on a redrafted outcome) asks afresh, so earlier views are set aside. Should
    the letter fail to render, the consultation stands and the letter is offered on the Letters tab."""
    from caseworker_tui.services.letters import produce  # letters read the workflow's words

    def change(case: Case) -> dict:
        review = _review(case)
        review.consulted_on, review.victim_views, review.views_on = clock.today(), "", None
        review.views_by, review.no_reply = None, False
        review.save()
        return {"reply_by": reply_by(case, review), "reply_by_words": day_words(reply_by(case, review))}
    done = run_step(case_id, actor, "consult_victim", expected_version=expected_version, change=change)
    produce(case_id, "action_plan", actor, out_dir, letters_dir)
    return done


def record_views(case_id: int, actor: Actor, views: str = "", *, no_reply: bool = False,
                 expected_version: int | None = None) -> Done:
    """The victim's views on the draft action plan, or that none came by the reply-by date."""
    views = "" if no_reply else clean_text(views, "views")

    def change(case: Case) -> dict:
        review = Review.get_or_none(Review.case == case)
        if review is None or review.consulted_on is None:
            raise TransitionNotAllowed(f"{case.reference}'s victim has not been consulted on the draft action plan.")
        due = reply_by(case, review)
        if no_reply and due is not None and clock.today() <= due:
            raise TransitionNotAllowed(f"The victim has until {day_words(due)} to reply; \"no reply\" is "
                                       "recorded once that date has passed.")
        review.victim_views, review.no_reply = views, no_reply
        review.views_on, review.views_by = clock.today(), actor.username
        review.save()
        return {"no_reply": no_reply, "said": views or "no reply by the date"}
    return run_step(case_id, actor, "record_views", expected_version=expected_version, change=change)
