"""The review's chair is picked from a list of the chair accounts and the policy's named people,
never typed, so the record and the outcome letter name the same person."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Select

from caseworker_tui.dialogs.case import ReviewDialog
from caseworker_tui.services import workflow
from tests.apphelpers import make_app, open_case_screen, seed_cases, settle


async def test_the_review_chair_is_picked_from_the_list(database_url, users):
    case_id = seed_cases(users)["overdue"]
    workflow.decide(case_id, users["casey"], accept=True)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_case_screen(app, pilot, case_id)
        await pilot.press("v")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReviewDialog)
        chair = dialog.query_one("#chair_name", Select)
        offered = [str(prompt) for prompt, _ in chair._options if _ is not Select.NULL]
        assert offered[:4] == ["Chris Hall", "Dr R. Khan", "Pat Fielding", "Pat Reed"]  # chairs, then named people
        assert "Casey Morgan" in offered  # any account may chair; the service checks independence
        dialog.query_one("#meeting_on", Input).value = "2026-11-25"
        dialog.query_one("#agency-police", Checkbox).value = True
        chair.focus()
        await pilot.press("enter", *"Pat F", "enter")
        assert chair.value == "Pat Fielding"
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.detail.review.chair_name == "Pat Fielding"
