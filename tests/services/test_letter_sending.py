"""Sending letters: e-mailed through a real SMTP server on loopback with their PDF attached, or put in
the day's print pack; the step the letter answers is met; a version is never sent twice; the mail
server's password is kept out of the database, the audit trail and the log. On both databases.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from caseworker_tui.config import load_settings
from caseworker_tui.errors import ConfigError, PermissionDenied
from caseworker_tui.models import AuditEvent, Case, Deadline, Letter
from caseworker_tui.services import context, intake, letters, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.letters import sending
from tests.factories import application, incident, meets_rule_a, report
from tests.mailserver import MailServer, self_signed_certificate
from tests.services.test_letter_pdf import require_libreoffice

# aiosmtpd warns of AUTH without STARTTLS even on an smtps:// connection, which is encrypted throughout.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

PASSWORD = "s3cret-Pa55word!"
SENDER = "Safer Leicester Partnership <asb.review@leicester.example>"
REPLY_TO = "Community Trigger team <community.trigger@leicester.example>"


@pytest.fixture(autouse=True)
def _libreoffice() -> None:
    require_libreoffice()


@pytest.fixture
def configure(monkeypatch, tmp_path):
    """Point the settings at a server, the password coming from the environment as in production."""
    def configure(server: MailServer, password: str | None = None):
        monkeypatch.setenv("CASEWORKER_SMTP_URL", server.url)
        monkeypatch.setenv("CASEWORKER_SMTP_SENDER", SENDER)
        monkeypatch.setenv("CASEWORKER_SMTP_REPLY_TO", REPLY_TO)
        monkeypatch.setenv("CASEWORKER_OUTPUT_DIR", str(tmp_path / "out"))
        if password:
            monkeypatch.setenv("CASEWORKER_SMTP_PASSWORD", password)
        return load_settings()
    return configure


def _declined(casey, **applicant) -> int:
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02")),
                       incident("i2", "2026-10-05", report("health", "2026-10-06")))
    data["applicant"].update(applicant)
    case_id = intake.create_request(parse_application(data, context.policy()), casey).id
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=False)
    return case_id


def _open_steps(case_id: int) -> set[str]:
    with Case._meta.database.connection_context():
        return {d.step for d in Deadline.select().where((Deadline.case == case_id) & Deadline.closed_at.is_null())}


def _events(action: str) -> list[dict]:
    with Case._meta.database.connection_context():
        return [json.loads(e.details_json) for e in AuditEvent.select().where(AuditEvent.action == action)]


# --- by e-mail --------------------------------------------------------------------------------

def test_the_decision_letter_is_emailed_with_its_pdf_and_its_step_is_met(users, tmp_path, mail, configure):
    casey = users["casey"]
    case_id = _declined(casey)
    produced = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    assert letters.recipient_of(produced.id).email == "ann@example.org"
    assert "notify_decision" in _open_steps(case_id)

    result = letters.send(produced.id, casey, "email", configure(mail))

    [(mail_from, rcpt_tos, message)] = mail.inbox.received
    assert mail_from == "asb.review@leicester.example" and rcpt_tos == ["ann@example.org"]
    assert message["From"] == SENDER
    assert message["To"] == "Ann Lee <ann@example.org>"
    assert message["Reply-To"] == REPLY_TO
    assert message["Subject"] == "Your Community Trigger request CT-2026-0001: threshold not met"
    assert "Dear Ann Lee," in message.get_body(("plain",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "CT-2026-0001_threshold_not_met_v1.pdf"
    (tmp_path / "received.pdf").write_bytes(attachment.get_content())
    reader = PdfReader(tmp_path / "received.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Dear Ann Lee," in text and "CT-2026-0001" in text

    sent = result.letter
    assert (sent.sent_on, sent.channel, sent.sent_via, sent.delivery_status) == (date(2026, 11, 25), "email", "smtp", "sent")
    assert sent.sent_to == "ann@example.org" and sent.sent_at is not None
    assert sent.provider_id == message["Message-ID"] and sent.provider_id.endswith("@leicester.example>")
    assert "notify_decision" not in _open_steps(case_id)
    [event] = _events("letter_sent")
    assert event["closed_step"] == "notify_decision" and event["channel"] == "email" and event["sent_via"] == "smtp"
    assert event["provider_id"] == sent.provider_id and "ann@example.org" not in json.dumps(event)


def test_a_second_send_of_the_same_version_is_refused_and_nothing_more_goes(users, tmp_path, mail, configure):
    casey = users["casey"]
    produced = letters.produce(_declined(casey), "threshold_not_met", casey, tmp_path / "out")
    settings = configure(mail)
    letters.send(produced.id, casey, "email", settings)
    with pytest.raises(letters.SendRefused, match="already sent on 25 November 2026 by email; it is not sent twice"):
        letters.send(produced.id, casey, "email", settings)
    with pytest.raises(letters.SendRefused, match="already sent"):
        letters.send(produced.id, casey, "post", settings)
    assert len(mail.inbox.received) == 1


def test_two_people_sending_at_once_send_it_once(users, tmp_path, mail, configure):
    casey, sam = users["casey"], users["sam"]
    produced = letters.produce(_declined(casey), "threshold_not_met", casey, tmp_path / "out")
    letters.make_pdf(produced.id, casey)
    settings = configure(mail)
    outcomes: list[str] = []

    def press_send(actor) -> None:
        try:
            letters.send(produced.id, actor, "email", settings)
            outcomes.append("sent")
        except letters.SendRefused:
            outcomes.append("refused")

    threads = [threading.Thread(target=press_send, args=(who,)) for who in (casey, sam)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["refused", "sent"]
    assert len(mail.inbox.received) == 1
    assert len(_events("letter_sent")) == 1


def test_a_refused_recipient_is_not_sent_and_the_retry_goes_once_under_the_same_key(users, tmp_path, mail, configure):
    casey = users["casey"]
    case_id = _declined(casey)
    produced = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    settings = configure(mail)
    mail.inbox.refuse_recipients = True
    with pytest.raises(letters.SendFailed, match="refused the letter: 550 5.1.1 No such mailbox here. Nothing was sent"):
        letters.send(produced.id, casey, "email", settings)
    assert letters.get_letter(produced.id).delivery_status == "failed"
    assert "notify_decision" in _open_steps(case_id)
    assert _events("letter_send_failed")[0]["status"] == "failed"
    mail.inbox.refuse_recipients = False
    sent = letters.send(produced.id, casey, "email", settings).letter
    assert len(mail.inbox.received) == 1
    assert sent.provider_id == f"<{sending.send_key(sent)}@leicester.example>"


def test_a_server_that_cannot_be_reached_sends_nothing(users, tmp_path, mail, configure):
    casey = users["casey"]
    case_id = _declined(casey)
    produced = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    settings = configure(mail)
    mail.stop()
    with pytest.raises(letters.SendFailed, match=r"could not be reached .* Nothing was sent"):
        letters.send(produced.id, casey, "email", settings)
    assert letters.get_letter(produced.id).sent_on is None
    assert "notify_decision" in _open_steps(case_id)


def test_a_send_whose_end_is_unknown_is_never_repeated_by_itself(users, tmp_path, mail, configure, monkeypatch):
    """The server took the message but its answer never came: it may have gone, so no retry sends it."""
    casey = users["casey"]
    case_id = _declined(casey)
    produced = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    settings = configure(mail)
    monkeypatch.setattr(sending, "SMTP_TIMEOUT_SECONDS", 1.0)
    mail.inbox.stall_seconds = 3.0
    with pytest.raises(letters.SendUncertain, match="it may have been sent"):
        letters.send(produced.id, casey, "email", settings)
    assert letters.get_letter(produced.id).delivery_status == "unknown"
    mail.inbox.stall_seconds = 0
    with pytest.raises(letters.SendUncertain, match="may already have gone.*mark it sent, or produce a new version"):
        letters.send(produced.id, casey, "email", settings)
    letters.mark_sent(produced.id, casey, date(2026, 11, 25), "email")  # a person checked: it arrived
    assert "notify_decision" not in _open_steps(case_id)
    again = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    assert letters.send(again.id, casey, "email", settings).letter.version_no == 2


def test_a_replaced_version_is_not_sent(users, tmp_path, mail, configure):
    casey = users["casey"]
    case_id = _declined(casey)
    first = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    second = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    with pytest.raises(letters.SendRefused, match="Version 1 .* replaced by a later version"):
        letters.send(first.id, casey, "email", configure(mail))
    assert letters.latest_letter(case_id, "threshold_not_met").id == second.id
    assert mail.inbox.received == []


def test_a_send_is_refused_without_an_address_or_a_mail_server(users, tmp_path, mail, configure, monkeypatch):
    casey = users["casey"]
    no_email = _declined(casey, email=None, preferred_contact="post")
    produced = letters.produce(no_email, "threshold_not_met", casey, tmp_path / "out")
    with pytest.raises(letters.SendRefused, match="There is no e-mail address for Ann Lee; send the letter by post"):
        letters.send(produced.id, casey, "email", configure(mail))
    monkeypatch.delenv("CASEWORKER_SMTP_URL")
    with_email = letters.produce(_declined(casey), "threshold_not_met", casey, tmp_path / "out")
    with pytest.raises(letters.SendRefused, match="No mail server is configured: set smtp_url"):
        letters.send(with_email.id, casey, "email", load_settings())
    monkeypatch.setenv("CASEWORKER_SMTP_URL", mail.url)
    monkeypatch.delenv("CASEWORKER_SMTP_SENDER")
    with pytest.raises(letters.SendRefused, match="No sender is configured"):
        letters.send(with_email.id, casey, "email", load_settings())
    assert mail.inbox.received == []
    assert letters.get_letter(with_email.id).delivery_status is None


def test_only_those_who_work_cases_send_letters(users, tmp_path, mail, configure):
    produced = letters.produce(_declined(users["casey"]), "threshold_not_met", users["casey"], tmp_path / "out")
    with pytest.raises(PermissionDenied, match="may not send a letter"):
        letters.send(produced.id, users["chris"], "email", configure(mail))
    assert letters.send(produced.id, users["sam"], "email", configure(mail)).letter.channel == "email"


# --- to an agency -------------------------------------------------------------------------------

def test_an_update_request_goes_to_the_agency_address_the_policy_gives(users, tmp_path, mail, configure):
    casey = users["casey"]
    policy = context.policy()
    police = policy.agencies["police"].model_copy(update={"email": "ct.updates@police.example"})
    context.use_policy(policy.model_copy(update={"agencies": {**policy.agencies, "police": police}}))
    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey).id
    workflow.request_updates(case_id, casey, ["police", "council"])
    to_police = letters.produce(case_id, "agency_update_request", casey, tmp_path / "out", agency="police")
    to_council = letters.produce(case_id, "agency_update_request", casey, tmp_path / "out", agency="council")
    settings = configure(mail)
    with pytest.raises(letters.SendRefused, match=r"no e-mail address for Leicester City Council \(set \[agencies.council\] email"):
        letters.send(to_council.id, casey, "email", settings)
    letters.send(to_police.id, casey, "email", settings)
    [(_, rcpt_tos, message)] = mail.inbox.received
    assert rcpt_tos == ["ct.updates@police.example"]
    assert message["To"] == "Leicestershire Police <ct.updates@police.example>"
    assert message["Subject"] == "Community Trigger CT-2026-0001: Request for an update (to an agency)"
    assert "Dear colleague," in message.get_body(("plain",)).get_content()
    assert letters.get_letter(to_police.id).agency == "police"
    with pytest.raises(Exception, match="agency: choose the agency whose letter to send: council, police"):
        letters.latest_letter(case_id, "agency_update_request")
    assert letters.latest_letter(case_id, "agency_update_request", agency="police").id == to_police.id


def test_the_policy_refuses_an_agency_email_that_is_no_address():
    from pydantic import ValidationError

    from caseworker_tui.services.policy import Agency

    assert Agency(label="Police", complaints="x", email="ct@police.example").email == "ct@police.example"
    assert Agency(label="Police", complaints="x").email is None
    with pytest.raises(ValidationError):
        Agency(label="Police", complaints="x", email="police")


# --- the password ---------------------------------------------------------------------------------

def test_the_password_signs_in_and_is_kept_out_of_the_database_audit_and_log(users, tmp_path, configure, caplog,
                                                                             database_url, monkeypatch):
    cert = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))  # the client trusts the test's certificate, as a partnership's CA
    server = MailServer(password=PASSWORD, tls="starttls", cert=cert).start()
    try:
        casey = users["casey"]
        produced = letters.produce(_declined(casey), "threshold_not_met", casey, tmp_path / "out")
        settings = configure(server, password=PASSWORD)
        assert PASSWORD not in repr(settings)
        with caplog.at_level(logging.DEBUG):
            letters.send(produced.id, casey, "email", settings)
    finally:
        server.stop()
    assert server.inbox.logins == [("letters", PASSWORD)] and len(server.inbox.received) == 1
    assert PASSWORD not in caplog.text
    with Case._meta.database.connection_context():
        events = [e.details_json + e.reason for e in AuditEvent.select()]
        letter_rows = [repr(row.__data__) for row in Letter.select()]
    assert events and not any(PASSWORD in text for text in events + letter_rows)
    if database_url.startswith("sqlite:///"):  # the file itself, and its write-ahead log
        files = list(Path(database_url.removeprefix("sqlite:///")).parent.glob("cases.sqlite*"))
        assert files and not any(PASSWORD.encode() in f.read_bytes() for f in files)


def test_a_wrong_password_is_refused_by_the_server_and_not_repeated_in_the_message(users, tmp_path, configure,
                                                                                   monkeypatch):
    cert = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    server = MailServer(password=PASSWORD, tls="implicit", cert=cert).start()
    try:
        casey = users["casey"]
        produced = letters.produce(_declined(casey), "threshold_not_met", casey, tmp_path / "out")
        with pytest.raises(letters.SendFailed, match="refused us: 535") as caught:
            letters.send(produced.id, casey, "email", configure(server, password="not-it"))
    finally:
        server.stop()
    assert "not-it" not in str(caught.value) and server.inbox.received == []
    assert "not-it" not in json.dumps(_events("letter_send_failed"))


def test_a_named_account_without_its_password_is_refused_before_connecting(users, tmp_path, configure):
    server = MailServer(password=PASSWORD)  # never started: nothing may connect
    casey = users["casey"]
    produced = letters.produce(_declined(casey), "threshold_not_met", casey, tmp_path / "out")
    with pytest.raises(letters.SendRefused, match="account letters needs its password: set CASEWORKER_SMTP_PASSWORD"):
        letters.send(produced.id, casey, "email", configure(server))


def test_a_server_without_starttls_elsewhere_than_this_machine_is_not_used(users, tmp_path, mail, configure,
                                                                            monkeypatch):
    monkeypatch.setattr(sending, "_loopback", lambda host: False)  # as if the server were on the network
    casey = users["casey"]
    produced = letters.produce(_declined(casey), "threshold_not_met", casey, tmp_path / "out")
    with pytest.raises(letters.SendFailed, match="offers no STARTTLS, and letters are not sent unencrypted"):
        letters.send(produced.id, casey, "email", configure(mail))
    assert mail.inbox.received == []


@pytest.mark.parametrize("url", ["smtp://letters:hunter2@mail.example.org:587", "https://mail.example.org",
                                 "smtp://mail.example.org:port", "smtp://"])
def test_a_password_in_the_url_or_a_url_that_is_no_mail_server_is_refused_unrepeated(url, monkeypatch):
    monkeypatch.setenv("CASEWORKER_SMTP_URL", url)
    with pytest.raises(ConfigError, match="smtp_url must be an smtp:// or smtps:// URL") as caught:
        load_settings()
    assert "hunter2" not in str(caught.value)


# --- by post ----------------------------------------------------------------------------------

def test_letters_sent_by_post_make_the_days_print_pack(users, tmp_path, configure, mail):
    casey = users["casey"]
    first_case, second_case = _declined(casey), _declined(casey, name="Bob Stone")
    first = letters.produce(first_case, "threshold_not_met", casey, tmp_path / "out")
    second = letters.produce(second_case, "threshold_not_met", casey, tmp_path / "out")
    settings = configure(mail)
    letters.send(first.id, casey, "post", settings)
    result = letters.send(second.id, casey, "post", settings)
    pack = result.pack
    assert pack.pdf == tmp_path / "out" / "print-pack-2026-11-25.pdf" and pack.letters == 2
    assert result.letter.channel == "post" and result.letter.sent_via == "print_pack"
    assert result.letter.delivery_status == "printed"
    assert "notify_decision" not in _open_steps(first_case) | _open_steps(second_case)
    rows = pack.listing.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "reference,letter,version,to,address,postcode,pages,first page"
    assert [r.split(",")[0] for r in rows[1:]] == ["CT-2026-0001", "CT-2026-0002"]
    assert "Ann Lee" in rows[1] and "LE1 1AA" in rows[1] and "Bob Stone" in rows[2]
    reader = PdfReader(pack.pdf)
    pages_one = len(PdfReader(letters.get_letter(first.id).pdf_path).pages)
    second_starts = pages_one + pages_one % 2  # on a fresh sheet
    assert rows[2].endswith(f",{second_starts + 1}")
    assert "Dear Ann Lee," in reader.pages[0].extract_text()
    assert "Dear Bob Stone," in reader.pages[second_starts].extract_text()
    assert mail.inbox.received == []


def test_the_mail_settings_come_from_the_file_and_the_password_from_the_environment_first(monkeypatch):
    from caseworker_tui.config import config_path

    config_path().write_text('smtp_url = "smtps://letters@mail.example.org"\n'
                             f'smtp_sender = "{SENDER}"\nsmtp_password = "from-the-file"\n', encoding="utf-8")
    settings = load_settings()
    assert (settings.smtp_url, settings.smtp_sender, settings.smtp_reply_to) == (
        "smtps://letters@mail.example.org", SENDER, None)
    carrier = sending.carrier_for(settings)
    assert (carrier.host, carrier.port, carrier.implicit_tls, carrier.user) == ("mail.example.org", 465, True, "letters")
    assert carrier.password == "from-the-file" and "from-the-file" not in repr(carrier) + repr(settings)
    monkeypatch.setenv("CASEWORKER_SMTP_PASSWORD", PASSWORD)
    assert load_settings().smtp_password == PASSWORD
    monkeypatch.setenv("CASEWORKER_SMTP_SENDER", "nobody")
    with pytest.raises(ConfigError, match="smtp_sender must be an e-mail address"):
        load_settings()
