"""An outcome the chair returns comes back to its caseworker: named in the queue, counted at sign-in."""

from __future__ import annotations

from datetime import date

from caseworker_tui.services import clock, queue, workflow
from tests.conftest import TODAY
from tests.services.test_approvals import _to_awaiting_chair
from tests.services.test_deadlines_view import _new


def test_a_returned_outcome_names_the_chair_and_carries_the_comment(users):
    casey, jo, chris = users["casey"], users["jo"], users["chris"]
    mine, theirs = _new(casey, date(2026, 11, 4), "Otto Older"), _new(jo, date(2026, 11, 9), "Nora Newer")
    _to_awaiting_chair(mine, casey, date(2026, 11, 5))
    _to_awaiting_chair(theirs, jo, date(2026, 11, 20))
    workflow.assign(mine, casey, "casey")
    workflow.assign(theirs, jo, "jo")
    clock.set_today(TODAY)
    assert queue.returned_to(casey) == 0
    workflow.return_outcome(mine, chris, "Name the officer who visits.")
    workflow.return_outcome(theirs, chris, "Add the council's dates.")

    rows = {r.id: r for r in queue.queue_page(casey).rows}
    assert rows[mine].returned == queue.Returned(by="Chris Hall", comments="Name the officer who visits.")
    assert rows[theirs].returned.comments == "Add the council's dates."
    assert (queue.returned_to(casey), queue.returned_to(jo), queue.returned_to(chris)) == (1, 1, 0)

    workflow.submit_outcome(mine, casey)  # sent again: no longer waiting on the caseworker
    rows = {r.id: r for r in queue.queue_page(casey).rows}
    assert rows[mine].returned is None
    assert queue.returned_to(casey) == 0
