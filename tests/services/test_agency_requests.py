"""Agencies asked for an update get the request letter by e-mail, its PDF attached, through a real SMTP
server on loopback, where the policy gives an address and a mail server is configured; otherwise the
letter is made and left for a person to send, saying why. Recorded as a delivery, on the timeline,
and never sent twice. On both databases.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from caseworker_tui.config import load_settings
from caseworker_tui.models import Case, LetterDelivery
from caseworker_tui.services import cases, context, intake, letters, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.letters import sending
from tests.factories import meets_rule_a
from tests.services.test_letter_pdf import require_libreoffice
from tests.services.test_letter_sending import _events
from tests.services.test_letter_sending import configure as configure  # noqa: F401 - the sending tests' settings

POLICE = "ct.updates@police.example"


@pytest.fixture(autouse=True)
def _libreoffice() -> None:
    require_libreoffice()


@pytest.fixture
def police_by_email():
    """The tests' own policy: Leicester's, with an address for the police's update requests."""
    policy = context.policy()
    police = policy.agencies["police"].model_copy(update={"email": POLICE})
    context.use_policy(policy.model_copy(update={"agencies": {**policy.agencies, "police": police}}))


def _asked(casey, agencies: list[str]) -> int:
    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey).id
    workflow.request_updates(case_id, casey, agencies)
    return case_id


def _deliveries(letter_id: int) -> list[tuple[str, str, str]]:
    with Case._meta.database.connection_context():
        return [(d.channel, d.carrier, d.status) for d in LetterDelivery.select().where(LetterDelivery.letter == letter_id)]


def test_the_request_is_emailed_with_its_pdf_where_there_is_an_address_and_left_to_send_where_not(
        users, mail, configure, police_by_email):
    casey = users["casey"]
    settings = configure(mail)
    assert [r.words() for r in letters.routes(["police", "council"], settings)] == [
        f"Leicestershire Police: e-mailed to {POLICE}, the PDF attached",
        "Leicester City Council: made for you to send (the policy gives no e-mail address: [agencies.council] email)"]
    case_id = _asked(casey, ["police", "council"])

    police, council = letters.send_update_requests(case_id, casey, ["police", "council"], settings)

    [(_, rcpt_tos, message)] = mail.inbox.received
    assert rcpt_tos == [POLICE] and message["Subject"].endswith("Request for an update (to an agency)")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert "CT-2026-0001" in text and "Leicestershire Police" in text
    assert message["Message-ID"].startswith(f"<{sending.send_key(police.letter)}@")
    assert police.emailed_to == POLICE and police.letter.sent_on is not None and police.letter.channel == "email"
    assert _deliveries(police.letter.id) == [("email", "smtp", "sent")]
    assert council.emailed_to is None and council.letter.sent_on is None and not _deliveries(council.letter.id)
    assert letters.outcome_words([police, council]) == (
        f"The request to Leicestershire Police was e-mailed to {POLICE}. The request letter to Leicester City Council "
        "is made: send it from the Letters tab (the policy gives no e-mail address: [agencies.council] email).")
    [sent] = _events("letter_sent")
    assert sent["recipient"] == "agency" and sent["sent_via"] == "smtp" and sent["kind"] == "agency_update_request"
    timeline = [t.text for t in cases.open_case(case_id, casey, record_view=False).timeline]
    assert "Letter sent by e-mail: agency update request (version 1) to Leicestershire Police" in timeline
    assert "Letter produced: agency update request (version 2) to Leicester City Council" in timeline
    # The agency's own update is still awaited: sending the request meets nothing.
    assert {u.agency for u in cases.open_case(case_id, casey, record_view=False).updates if u.answered_on is None} == {
        "police", "council"}


def test_with_no_mail_server_the_letters_are_made_and_left_saying_so(users, monkeypatch, tmp_path, police_by_email):
    casey = users["casey"]
    monkeypatch.setenv("CASEWORKER_OUTPUT_DIR", str(tmp_path / "out"))
    settings = load_settings()
    case_id = _asked(casey, ["police"])

    [police] = letters.send_update_requests(case_id, casey, ["police"], settings)

    assert police.emailed_to is None and police.letter.sent_on is None
    assert police.words() == ("The request letter to Leicestershire Police is made: send it from the Letters tab "
                              "(no mail server is configured: smtp_url and smtp_sender).")


def test_a_person_may_choose_to_send_the_letters_themselves(users, mail, configure, police_by_email):
    casey = users["casey"]
    case_id = _asked(casey, ["police"])
    [police] = letters.send_update_requests(case_id, casey, ["police"], configure(mail), email=False)
    assert not mail.inbox.received and police.letter.sent_on is None
    assert "(you chose to send it yourself)" in police.words()


def test_a_refused_request_is_said_and_a_retry_sends_it_once_under_the_same_key(users, mail, configure, police_by_email):
    casey = users["casey"]
    settings = configure(mail)
    case_id = _asked(casey, ["police"])
    mail.inbox.refuse_recipients = True

    [police] = letters.send_update_requests(case_id, casey, ["police"], settings)

    assert police.emailed_to is None and "it was not e-mailed: The mail server refused the letter" in police.words()
    assert letters.get_letter(police.letter.id).delivery_status == "failed"
    mail.inbox.refuse_recipients = False
    again = letters.send(police.letter.id, casey, "email", settings)  # the Letters tab's Send, the same version
    assert again.letter.sent_on is not None
    with pytest.raises(letters.SendRefused, match="it is not sent twice"):
        letters.send(police.letter.id, casey, "email", settings)
    [(_, _, message)] = mail.inbox.received
    assert message["Message-ID"].startswith(f"<{sending.send_key(police.letter)}@")
