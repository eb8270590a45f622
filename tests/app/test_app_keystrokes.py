"""The desk never loses a keystroke: leaving asks first, keys say what they do, type-ahead lands."""

from __future__ import annotations

import asyncio

from textual import events
from textual.widgets import Input, Select, TextArea

from caseworker_tui.dialogs.common import DiscardDialog, TextDialog
from caseworker_tui.screens.case_detail import CaseScreen
from caseworker_tui.screens.deadlines import DeadlinesScreen
from caseworker_tui.screens.new_request import NewRequestScreen
from caseworker_tui.screens.queue import IntakeScreen
from caseworker_tui.screens.sign_in import SignInScreen
from tests.apphelpers import SIZE, make_app, seed_cases, settle


async def _new_request_with(pilot, text: str) -> NewRequestScreen:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, NewRequestScreen)
    await pilot.press(*text)
    return form


# --- leaving asks first --------------------------------------------------------------------------

async def test_ctrl_q_with_typed_input_asks_and_no_stays(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_request_with(pilot, "Rita")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("ctrl+q")  # asked once, however often the key is pressed
        await settle(pilot)
        assert sum(isinstance(s, DiscardDialog) for s in app.screen_stack) == 1
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is form and app.is_running
        assert form.query_one("#applicant-name", Input).value == "Rita"
        await pilot.press("ctrl+q", "y")
        await settle(pilot)
    assert app.return_code == 0 and not app.is_running


async def test_ctrl_q_with_nothing_typed_quits_at_once(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


async def test_a_home_key_from_a_typed_form_asks_and_yes_puts_the_form_away(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await _new_request_with(pilot, "Rita")
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NewRequestScreen)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, DeadlinesScreen)
        await pilot.press("f3")  # the form left behind is gone, not waiting with its input
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


async def test_signing_out_with_a_typed_dialog_asks_first(database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(made["fresh"])
        await settle(pilot)
        await pilot.press("n")  # add a note
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Called the applicant back")
        app.action_sign_out()  # as the command palette does
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#text", TextArea).text == "Called the applicant back"
        app.action_sign_out()
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.actor is None


async def test_esc_in_a_dialog_asks_only_when_something_was_typed(database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(made["fresh"])
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Half a note", "escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#text", TextArea).text == "Half a note"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert not any("Half a note" in e.text for e in app.screen.detail.timeline)


async def test_signing_out_and_in_again_starts_afresh(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_sign_out()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        app.screen.query_one("#username", Input).value = "casey"
        app.screen.query_one("#passphrase", Input).value = "demo"
        await pilot.click("#sign-in")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen) and app.actor.username == "casey"
        app.action_sign_out()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.query_one("#passphrase", Input).value == ""


# --- keys that say what they do ------------------------------------------------------------------

async def _case(app, pilot, case_id: int) -> CaseScreen:
    await settle(pilot)
    app.open_case(case_id)
    await settle(pilot)
    assert isinstance(app.screen, CaseScreen)
    return app.screen


async def test_a_step_the_stage_rules_out_says_why_in_the_tables_words(database_url, users):
    made = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _case(app, pilot, made["overdue"])
        assert screen.check_action("submit", ()) is False  # not in the footer
        await pilot.press("s")
        await settle(pilot)
        assert app.screen is screen
        assert list(app._notifications)[-1].message == (
            "Cannot submit the outcome to the chair: CT-2026-0101 is acknowledged; this step needs it to be "
            "outcome drafted.")


async def test_after_a_final_appeal_decision_no_appeal_is_offered(database_url, users):
    from datetime import date

    from caseworker_tui.services import workflow

    casey, sam = users["casey"], users["sam"]
    case_id = seed_cases(users)["not_met"]
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False)
    app = make_app(database_url, actor=casey)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _case(app, pilot, case_id)
        assert screen.check_action("appeal", ())  # declined: an appeal may be recorded
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds="The reports were not read.")
    workflow.decide_appeal(case_id, sam, upheld=False, independent_chair="Dr R. Khan", reason="The decision stands.")
    app = make_app(database_url, actor=casey)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _case(app, pilot, case_id)
        assert screen.detail.stage == "closed"
        assert "record_appeal" not in screen.detail.actions
        assert screen.check_action("appeal", ()) is False
        await pilot.press("l")
        await settle(pilot)
        assert app.screen is screen, "no dialog opens to take grounds that will be refused"
        assert list(app._notifications)[-1].message == "The appeal on this case has been decided; that decision is final."


async def test_the_outcome_editor_submits_with_a_key_of_its_own_after_asking(database_url, users):
    from datetime import date

    from caseworker_tui.dialogs.common import ConfirmDialog
    from caseworker_tui.screens.outcome import OutcomeScreen
    from caseworker_tui.services import workflow

    case_id = seed_cases(users)["overdue"]
    workflow.decide(case_id, users["casey"], accept=True)
    workflow.schedule_review(case_id, users["casey"], meeting_on=date(2026, 11, 25), chair_name="Chris Hall",
                             agencies=["police"], participation="in_person")
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await _case(app, pilot, case_id)
        await pilot.press("o")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, OutcomeScreen)
        keys = {b.binding.key: b.binding.description for b in editor.active_bindings.values()}
        assert keys["f4"] == "Deadlines" and keys["f9"] == "Submit to chair"
        await pilot.press(*"The reports were never linked")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "CT-2026-0101" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("n")  # not yet: nothing is saved or submitted
        await settle(pilot)
        assert app.screen is editor and editor.detail.stage == "under_review"
        await pilot.press("f4")  # Deadlines, as everywhere: with typed text, asked first
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is editor
        assert editor.query_one("#summary", TextArea).text == "The reports were never linked"
        await pilot.press("f8")
        await settle(pilot)
        remover = editor.query_one(".remove-recommendation")
        assert remover not in editor.focus_chain
        await pilot.click(remover)
        await settle(pilot)
        assert not editor.query("RecommendationRow")


# --- type-ahead -----------------------------------------------------------------------------------

def _type_at_once(app, text: str) -> None:
    """Keys as a quick typist sends them: all queued before the app has handled the first (the
    pilot's `press` waits for the app to settle after each key, so it never races a screen opening)."""
    for char in text:
        app.post_message(events.Key("space" if char == " " else char, char))


async def test_a_name_typed_straight_after_n_lands_in_the_form_in_order(database_url, users):
    from textual.widgets import Checkbox

    seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.screen
        _type_at_once(app, "nAnn Smith")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewRequestScreen)
        assert form.query_one("#applicant-name", Input).value == "Ann Smith"
        assert app.focused is form.query_one("#applicant-name", Input)
        assert queue.query_one("#mine", Checkbox).value is False, "m was not taken as the queue's key"
        await pilot.press("escape")  # what was typed ahead is input like any other
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)


async def test_keys_typed_while_the_form_is_still_being_built_are_all_kept(database_url, users):
    """The form takes keys once its first fields are painted and builds the rest a section at a time
    meanwhile: nothing typed at full speed through that is lost, and all of it counts as typed."""
    from caseworker_tui.widgets.application_form import IncidentForm

    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _type_at_once(app, "nAnn")
        while not isinstance(app.screen, NewRequestScreen):
            await asyncio.sleep(0)  # not the pilot's pause, which would wait for the whole form
        form = app.screen
        for char in " Smith-Jones":  # a key at a time, each at the event loop's next turn
            assert not form._built, "the keys are to come while the rest of the form is being built"
            _type_at_once(app, char)
            await asyncio.sleep(0)
        await settle(pilot)
        assert form.query_one("#applicant-name", Input).value == "Ann Smith-Jones"
        assert app.focused is form.query_one("#applicant-name", Input)
        assert len(form.query(IncidentForm)) == 1 and form.query_one("#save")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog)


async def test_keys_pressed_one_by_one_after_n_fill_the_name_too(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Ann Smith")
        await settle(pilot)
        assert app.screen.query_one("#applicant-name", Input).value == "Ann Smith"


# --- tabbing through a form ------------------------------------------------------------------------

async def test_tabbing_back_into_a_filled_field_keeps_its_text(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_request_with(pilot, "Ann Smith")
        await pilot.press("tab", "shift+tab", *" Jones")
        assert form.query_one("#applicant-name", Input).value == "Ann Smith Jones"
        assert all(not box.select_on_focus for box in form.query(Input))


async def test_the_remove_buttons_are_clicked_never_tabbed_to(database_url, users):
    from caseworker_tui.widgets.application_form import IncidentForm, RowRemover

    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_request_with(pilot, "Ann")
        await pilot.press("f8")
        await settle(pilot)
        assert len(form.query(IncidentForm)) == 2
        removers = list(form.query(RowRemover))
        assert removers and not any(r in form.focus_chain for r in removers)
        for _ in range(len(form.focus_chain)):  # Enter on every stop of a full round of Tab removes nothing
            await pilot.press("tab")
            assert not isinstance(app.focused, RowRemover)
        last = form.query(IncidentForm).last()
        await pilot.click(last.query_one(".remove-incident"))
        await settle(pilot)
        assert len(form.query(IncidentForm)) == 1


# --- a refusal keeps what was typed ------------------------------------------------------------------

def _declined(users) -> int:
    from caseworker_tui.services import workflow

    case_id = seed_cases(users)["not_met"]
    workflow.acknowledge(case_id, users["casey"])
    workflow.decide(case_id, users["casey"], accept=False)
    return case_id


def _beside(dialog, field: str) -> str:
    from textual.widgets import Static

    notes = dialog.query_one(f"#{field}").parent.query(".dialog-field-error").results(Static)
    return " ".join(str(n.render()) for n in notes)


async def test_an_appeal_the_service_refuses_comes_back_with_its_grounds(database_url, users):
    from caseworker_tui.dialogs.case import AppealDialog

    case_id = _declined(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await _case(app, pilot, case_id)
        await pilot.press("l")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AppealDialog)
        dialog.query_one("#lodged_on", Input).value = "2026-12-30"
        dialog.query_one("#grounds", TextArea).focus()
        await pilot.press(*"Nobody read the reports")
        await pilot.press("f2")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, AppealDialog) and again is not dialog
        assert again.query_one("#grounds", TextArea).text == "Nobody read the reports"
        assert again.query_one("#lodged_on", Input).value == "2026-12-30"
        assert "cannot be in the future" in _beside(again, "lodged_on")
        assert app.focused is again.query_one("#lodged_on")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiscardDialog), "what came back is still the person's typing"


async def test_an_appeal_decision_by_someone_not_independent_comes_back_as_typed(database_url, users):
    from datetime import date

    from textual.widgets import RadioButton

    from caseworker_tui.dialogs.case import AppealDecisionDialog
    from caseworker_tui.services import workflow

    case_id = _declined(users)
    workflow.record_appeal(case_id, users["casey"], lodged_on=date(2026, 11, 25), grounds="Not read.")
    app = make_app(database_url, actor=users["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await _case(app, pilot, case_id)
        await pilot.press("j")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AppealDecisionDialog)
        dialog.query_one("#upheld", RadioButton).value = True
        dialog.query_one("#independent_chair", Select).value = "Casey Morgan"  # she made the decision
        dialog.query_one("#reason", TextArea).text = "The reports were not read together."
        await pilot.press("f2")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, AppealDecisionDialog)
        assert again.query_one("#upheld", RadioButton).value is True
        assert again.query_one("#reason", TextArea).text == "The reports were not read together."
        assert "made the decision appealed" in _beside(again, "independent_chair")
        assert again.query_one("#independent_chair", Select).value == "Casey Morgan"
        again.query_one("#independent_chair", Select).focus()
        await pilot.press("enter", *"Pat R", "enter")  # picked from the list by typing the name's start
        assert again.query_one("#independent_chair", Select).value == "Pat Reed"
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.detail.stage == "acknowledged"


# --- the timeline ------------------------------------------------------------------------------------

async def test_the_days_events_are_in_the_order_they_happened(database_url, users):
    from textual.widgets import DataTable

    from caseworker_tui.services import workflow

    casey = users["casey"]
    case_id = seed_cases(users)["fresh"]
    workflow.add_note(case_id, casey, "Called the applicant before writing to the agencies.")
    workflow.request_updates(case_id, casey, ["police"])
    with_police = [u for u in _updates(case_id) if u.agency == "police"][0]
    workflow.record_update(with_police.id, casey, "Two officers visited.")
    workflow.add_note(case_id, casey, "Told the applicant what the police said.")
    app = make_app(database_url, actor=casey)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _case(app, pilot, case_id)
        table = screen.query_one("#timeline-table", DataTable)
        today = [str(table.get_row_at(i)[2]) for i in range(table.row_count)
                 if str(table.get_row_at(i)[0]) == "25 Nov 2026"]
        order = [next(i for i, text in enumerate(today) if words in text)
                 for words in ("Called the applicant", "Update requested", "replied", "Told the applicant")]
        assert order == sorted(order), today


def _updates(case_id: int):
    from caseworker_tui.models import AgencyUpdateRequest

    with AgencyUpdateRequest._meta.database.connection_context():
        return list(AgencyUpdateRequest.select().where(AgencyUpdateRequest.case == case_id))


async def test_a_kind_with_no_events_says_so_and_long_events_wrap(database_url, users):
    from textual.widgets import DataTable, Select, Static

    from caseworker_tui.services import workflow

    case_id = seed_cases(users)["fresh"]
    long_note = "The applicant described three years of noise, " * 8
    workflow.add_note(case_id, users["casey"], long_note)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _case(app, pilot, case_id)
        table = screen.query_one("#timeline-table", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width, "nothing runs off the edge"
        [note_row] = [key for key, row in table.rows.items() if "three years" in str(table.get_row(key)[2])]
        assert table.rows[note_row].height > 1, "the long note wraps onto more lines"
        screen.query_one("#timeline-kind", Select).value = "appeal"
        await settle(pilot)
        empty = screen.query_one("#timeline-empty", Static)
        assert empty.display and not table.display
        assert str(empty.render()) == "No events of this kind yet."
        screen.query_one("#timeline-kind", Select).value = "note"
        await settle(pilot)
        assert table.display and not empty.display and table.row_count == 1


def _keys_at_once(app, *keys: str) -> None:
    """Named keys and characters, all queued at once, as `_type_at_once` queues text."""
    for key in keys:
        character = {"enter": "\r", "tab": "\t", "space": " "}.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


async def test_a_tab_typed_ahead_of_the_form_moves_on_before_the_next_keys(database_url, users):
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _keys_at_once(app, "n", *"Maria Lopez", "tab", *"12 High Street", "tab", *"LE1 1AA", "tab",
                      *"0116 496 0000", "tab", *"maria@example.org", "tab", "p", "h")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewRequestScreen)
        _assert_applicant_typed(form)


def _assert_applicant_typed(form) -> None:
    from textual.widgets import Select

    values = {wid: form.query_one(f"#applicant-{wid}", Input).value
              for wid in ("name", "address", "postcode", "phone", "email")}
    assert values == {"name": "Maria Lopez", "address": "12 High Street", "postcode": "LE1 1AA",
                      "phone": "0116 496 0000", "email": "maria@example.org"}
    assert form.query_one("#applicant-preferred_contact", Select).value == "phone", "typed 'ph' chose Phone"
    assert form.query_one("#channel", Select).value is Select.NULL


async def test_the_applicant_pressed_straight_after_n_fills_every_field_in_order(database_url, users):
    """Tab goes down the text fields a person gives in order, then to the dropdown, which takes
    letters: nothing typed lands in the wrong field or is lost."""
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Maria Lopez", "tab", *"12 High Street", "tab", *"LE1 1AA", "tab",
                          *"0116 496 0000", "tab", *"maria@example.org", "tab", "p", "h")
        await settle(pilot)
        _assert_applicant_typed(app.screen)


# --- dropdowns ------------------------------------------------------------------------------------

async def test_a_letter_on_a_closed_dropdown_chooses_and_again_chooses_the_next(database_url, users):
    from textual.widgets import Select

    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_request_with(pilot, "Ann")
        await settle(pilot)
        contact = form.query_one("#applicant-preferred_contact", Select)
        contact.focus()
        await pilot.press("p")
        assert contact.value == "post"
        await pilot.press("p")  # the same letter again: the next option with it
        assert contact.value == "phone"
        contact._typed_at = 0  # after a pause too
        await pilot.press("p")
        assert contact.value == "post"
        contact._typed_at = 0
        await pilot.press("E")
        assert contact.value == "email" and not contact.expanded
        contact._typed_at = 0
        await pilot.press("z")  # no option: the value stays, and nothing else takes the key
        assert contact.value == "email" and app.focused is contact


async def test_keys_typed_straight_after_choosing_with_enter_reach_the_next_field(database_url, users):
    """Enter in the open list, then at once Tab and a date: the list closes and gives the focus back
    in the same step, so the keys already on their way go on, in order, to where the focus now is."""
    from textual.widgets import Select

    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_request_with(pilot, "Ann")
        await settle(pilot)
        agency = form.query_one("#agency", Select)
        agency.focus()
        await pilot.press("enter")  # opens the list
        await settle(pilot)
        assert agency.expanded
        _keys_at_once(app, "down", "enter", "tab", *"2026-10-01", "tab", "tab", *"PC-1")
        await settle(pilot)
        assert not agency.expanded and agency.value is not Select.NULL
        assert form.query_one("#reported_on", Input).value == "2026-10-01"
        assert form.query_one("#reporter", Input).value == "applicant"
        assert form.query_one("#agency_reference", Input).value == "PC-1"
        assert app.focused is form.query_one("#agency_reference", Input)


async def test_keys_typed_straight_after_esc_in_an_open_list_reach_the_next_field(database_url, users):
    from textual.widgets import Select

    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_request_with(pilot, "Ann")
        await settle(pilot)
        contact = form.query_one("#applicant-preferred_contact", Select)
        contact.focus()
        await pilot.press("enter")
        await settle(pilot)
        _keys_at_once(app, "down", "escape", "tab", *"Sam")
        await settle(pilot)
        assert contact.value == "email" and not contact.expanded
        assert isinstance(form, NewRequestScreen) and app.screen is form, "Esc closed the list, not the form"
        assert app.focused.id == "applicant-on_behalf_of"
        assert form.query_one("#applicant-on_behalf_of", Input).value == "Sam"


# --- the footer -----------------------------------------------------------------------------------

async def test_the_case_footer_offers_the_stage_s_next_steps_first(database_url, users):
    """At 80 columns the footer shows only its first few keys: they are the stage's next steps."""
    from caseworker_tui.services.lifecycle import BY_NAME
    from tests.apphelpers import open_case_screen

    cases = seed_cases(users)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, first in (("fresh", "acknowledge"), ("overdue", "decide")):
            screen = await open_case_screen(app, pilot, cases[key])
            shown = [b.binding.id for b in screen.active_bindings.values() if b.binding.show]
            assert shown[0] == first, shown
            assert shown.index("add_note") > shown.index(first)
            assert BY_NAME["add_note"].key in {b.binding.key for b in screen.active_bindings.values()}
            await pilot.press("escape")
            await settle(pilot)
