"""Asking agencies for an update from the case screen: the confirmation says which agency's request
will be e-mailed to which address, and once confirmed the real SMTP server the test started receives
it with its PDF, while the agency with no address has its letter made to send by hand."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox

from caseworker_tui.dialogs.case import AgenciesDialog
from caseworker_tui.dialogs.common import ChoiceDialog
from caseworker_tui.services import letters
from tests.apphelpers import SIZE, make_app, open_case_screen, seed_cases, settle
from tests.mailserver import MailServer
from tests.services.test_agency_requests import POLICE
from tests.services.test_agency_requests import police_by_email as police_by_email  # noqa: F401 - the policy
from tests.services.test_letter_pdf import require_libreoffice

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


async def test_asking_agencies_says_where_each_request_is_emailed_and_sends_it_once_confirmed(
        database_url, users, tmp_path, police_by_email):
    require_libreoffice()
    case_id = seed_cases(users)["overdue"]
    mail = MailServer().start()
    try:
        app = make_app(database_url, actor=users["casey"])
        app.settings.output_dir = tmp_path / "out"
        app.settings.smtp_url, app.settings.smtp_sender = mail.url, "Community Trigger <asb.review@leicester.example>"
        async with app.run_test(size=SIZE) as pilot:
            await open_case_screen(app, pilot, case_id)
            await pilot.press("u")
            await settle(pilot)
            assert isinstance(app.screen, AgenciesDialog)
            for box in app.screen.query(Checkbox):
                box.value = box.id in ("agency-police", "agency-council")
            await pilot.press("f2")
            await settle(pilot)
            assert isinstance(app.screen, ChoiceDialog)
            assert f"Leicestershire Police: e-mailed to {POLICE}, the PDF attached" in app.screen._title
            assert "Leicester City Council: made for you to send (the policy gives no e-mail address" in app.screen._title
            assert not mail.inbox.received  # nothing goes before the person confirms
            await pilot.press("tab", "enter")
            await settle(pilot, rounds=8)
            [(_, rcpt_tos, message)] = mail.inbox.received
            assert rcpt_tos == [POLICE]
            assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]
            [done] = [n for n in app._notifications if n.message.startswith("Updates requested.")]
            assert f"The request to Leicestershire Police was e-mailed to {POLICE}." in done.message
            assert "The request letter to Leicester City Council is made: send it from the Letters tab" in done.message
            by_agency = {x.agency: x for x in letters.list_letters(case_id) if x.kind == "agency_update_request"}
            assert by_agency["police"].channel == "email" and by_agency["council"].sent_on is None
    finally:
        mail.stop()
