"""The command palette shows applicants' names as typed: markup in a name is text, never a link or an action."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from caseworker_tui.screens.case_detail import CaseScreen
from caseworker_tui.services import context, intake
from caseworker_tui.services.application import parse_application
from tests.apphelpers import SIZE, make_app, settle
from tests.factories import meets_rule_a

CLICKER = "Ann [@click=app.quit]Lee[/]"
CLOSER = "Bea [/] Hart"
BOLD = "Cy [b]Bold[/b] Day"
ESCAPE = "Di \x1b[2J\x1b]52;c;aGk=\x07 [/ Eve"


def _new(actor, reference: str, name: str) -> None:
    intake.create_request(parse_application(meets_rule_a(reference=reference, name=name), context.policy()), actor)


async def _search(pilot, text: str) -> list:
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*text)
    await pilot.pause(0.5)
    await settle(pilot)
    options = pilot.app.screen.query_one(CommandList).options
    return [option.prompt for option in options]


async def test_a_name_with_markup_is_found_and_shown_as_typed(database_url, users):
    casey = users["casey"]
    _new(casey, "CT-2026-0201", CLICKER)
    _new(casey, "CT-2026-0202", CLOSER)
    _new(casey, "CT-2026-0203", BOLD)
    _new(casey, "CT-2026-0204", ESCAPE)
    app = make_app(database_url, actor=casey)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompts = await _search(pilot, "[/")
        shown = [prompt.plain for prompt in prompts]
        assert any(f"CT-2026-0201 · {CLICKER} ·" in line for line in shown), shown
        assert any(f"CT-2026-0202 · {CLOSER} ·" in line for line in shown), shown
        assert any(f"CT-2026-0203 · {BOLD} ·" in line for line in shown), shown
        assert any("CT-2026-0204 · Di ␛[2J␛]52;c;aGk=␇ [/ Eve ·" in line for line in shown), shown
        assert not any(c in line for line in shown for c in "\x1b\x07")
        for prompt in prompts:  # the matched letters are highlighted; no span carries a link or an action
            assert not [span for span in prompt.spans if "click" in repr(span.style) or "link" in repr(span.style)]
        await pilot.press("escape")
        await settle(pilot)

        prompts = await _search(pilot, "hart")
        assert [p.plain.split("\n")[0] for p in prompts] == [f"CT-2026-0202 · {CLOSER} · Received"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.detail.reference == "CT-2026-0202"


async def test_a_search_the_cases_cannot_hold_says_why_nothing_is_found(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompts = await _search(pilot, " ".join(f"w{n}" for n in range(30)))
        assert len(prompts) == 1 and "search" in prompts[0].plain and "words" in prompts[0].plain
