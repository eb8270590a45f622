"""The threshold decision and the agencies' updates that inform it."""

from __future__ import annotations

from caseworker_tui.errors import InvalidInput, TransitionNotAllowed
from caseworker_tui.models import (
    AgencyUpdateRequest,
    Case,
    Deadline,
    Review,
    ThresholdDecision,
)
from caseworker_tui.services import clock, context
from caseworker_tui.services.deadlines import close_steps, open_step
from caseworker_tui.services.grounds import MET_GROUND, NOT_MET_GROUND
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.workflow.running import NOT_RECEIVED, Done, case_of, clean_text, run_step


def decide(case_id: int, actor: Actor, *, accept: bool, ground: str | None = None, reason: str = "",
           expected_version: int | None = None) -> Done:
    """Accept (threshold met) or decline (not met, or a policy ground with a reason)."""
    policy = context.policy()
    reason = (reason or "").strip()
    if accept:
        ground = MET_GROUND
    else:
        ground = ground or NOT_MET_GROUND
        if ground != NOT_MET_GROUND and ground not in policy.decline_grounds:
            raise InvalidInput(f"ground: must be threshold_not_met or one of {', '.join(policy.decline_grounds)}", "ground")
        if ground != NOT_MET_GROUND and not reason:
            raise InvalidInput(f"reason: declining as {ground} needs a reason", "reason")

    def change(case: Case) -> dict:
        against = (accept != case.threshold_met) and ground in (MET_GROUND, NOT_MET_GROUND)
        if against and not reason:
            verdict = "met" if case.threshold_met else "not met"
            raise InvalidInput(f"reason: the computed verdict is that the threshold is {verdict}; "
                               "deciding otherwise needs a reason", "reason")
        today = clock.today()
        ThresholdDecision.create(
            case=case, decision="accepted" if accept else "declined", ground=ground, reason=reason,
            computed_met=case.threshold_met, against_verdict=against, decided_by=actor.username,
            decided_at=clock.now(), policy_name=policy.name, policy_version=policy.version)
        # The letter is owed when the decision was: after an upheld appeal, that is the fresh
        # decision's date (from the appeal decision), not the first one's (from receipt).
        owed = (Deadline.select(Deadline.due_on).where((Deadline.case == case) & (Deadline.step == "decide")
                                                       & Deadline.closed_at.is_null()).first())
        decide_by = owed.due_on if owed else policy.timescales.decide.due(
            case.received_at.date(), context.calendar())
        close_steps(case, "decide")  # the acknowledgement stays owed until it is sent
        open_step(case, "notify_decision", decide_by)
        case.decided_on = today
        if accept:
            case.accepted_on = today
            review_time = policy.timescales.review
            due = review_time.due(case.received_at.date() if review_time.anchor == "received" else today,
                                  context.calendar())
            Review.delete().where(Review.case == case).execute()
            Review.create(case=case, due_on=due)
            open_step(case, "review", due)
        else:
            # Nobody chases agencies for a request that has been declined (as on closing).
            close_steps(case, "agency_update", how=NOT_RECEIVED)
        return {"ground": ground, "against_verdict": against}
    return run_step(case_id, actor, "decide", expected_version=expected_version,
                to_stage="accepted" if accept else "declined", change=change, reason=reason)


def request_updates(case_id: int, actor: Actor, agencies: list[str], expected_version: int | None = None) -> Done:
    policy, calendar = context.policy(), context.calendar()
    if not agencies:
        raise InvalidInput("agencies: choose at least one agency", "agencies")
    unknown = [a for a in agencies if a not in policy.agencies]
    if unknown:
        raise InvalidInput(f"agencies: {unknown[0]!r} is not a known agency", "agencies")

    def change(case: Case) -> dict:
        today = clock.today()
        due = policy.timescales.agency_update.due(today, calendar)
        for agency in dict.fromkeys(agencies):
            request = AgencyUpdateRequest.create(case=case, agency=agency, requested_on=today, due_on=due,
                                                 requested_by=actor.username)
            open_step(case, "agency_update", due, agency=agency, agency_label=policy.agency_label(agency),
                      ref_id=request.id)
        return {"agencies": list(dict.fromkeys(agencies)), "due_on": due}
    return run_step(case_id, actor, "request_updates", expected_version=expected_version, change=change)


def record_update(update_id: int, actor: Actor, answer: str) -> Done:
    answer = clean_text(answer, "answer")
    case_id = case_of(AgencyUpdateRequest, update_id, "agency update request")

    def change(case: Case) -> dict:
        row = AgencyUpdateRequest.get_by_id(update_id)
        if row.answered_on is not None:
            raise TransitionNotAllowed(f"The update from {row.agency} was already recorded on {row.answered_on}.")
        AgencyUpdateRequest.update(answered_on=clock.today(), answer=answer).where(
            AgencyUpdateRequest.id == update_id).execute()
        close_steps(case, "agency_update", ref_id=update_id)
        return {"agency": row.agency}
    return run_step(case_id, actor, "record_update", expected_version=None, change=change)

