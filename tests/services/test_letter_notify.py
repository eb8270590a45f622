"""GOV.UK Notify: letters printed and posted from their PDF, e-mails carrying it as a file link, through
Notify's real client against the stand-in on loopback; delivery followed by polling, a failed
delivery reopening its step with a warning in the queue and the deadlines view. On both databases.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest

from caseworker_tui.config import load_settings
from caseworker_tui.models import AuditEvent, Case, LetterDelivery
from caseworker_tui.services import deadlines_view, letters, queue
from caseworker_tui.services.letters import delivery, layout
from caseworker_tui.services.letters.notify import key_words
from tests.notifyserver import NotifyServer
from tests.services.test_letter_pdf import require_libreoffice
from tests.services.test_letter_sending import _declined, _events, _open_steps  # the same cases and reads


@pytest.fixture(autouse=True)
def _libreoffice() -> None:
    require_libreoffice()


@pytest.fixture
def notify():
    server = NotifyServer().start()
    yield server
    server.stop()


@pytest.fixture
def configure(monkeypatch, tmp_path):
    """The key from the environment, as in production; the stand-in as the API's address."""
    def configure(server: NotifyServer, *, key: str | None = None, kind: str = "test"):
        monkeypatch.setenv("CASEWORKER_NOTIFY_API_KEY", key or server.api_key)
        monkeypatch.setenv("CASEWORKER_NOTIFY_KEY_KIND", kind)
        monkeypatch.setenv("CASEWORKER_NOTIFY_BASE_URL", server.url)
        monkeypatch.setenv("CASEWORKER_NOTIFY_EMAIL_TEMPLATE", server.email_template)
        monkeypatch.setenv("CASEWORKER_OUTPUT_DIR", str(tmp_path / "out"))
        return load_settings()
    return configure


def test_a_letter_by_post_goes_to_notify_as_a_valid_precompiled_letter_and_a_poll_follows_it(users, tmp_path, notify,
                                                                                            configure, caplog):
    casey = users["casey"]
    case_id = _declined(casey, preferred_contact="post")
    produced = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    caplog.set_level(logging.DEBUG)

    sent = letters.send(produced.id, casey, "notify-letter", configure(notify))

    [made] = notify.notifications.values()
    assert made.type == "letter" and made.body["postage"] == "second"  # the policy's [sending] postage
    assert made.reference == letters.sending.send_key(produced)
    assert made.address[0] == "Ann Lee" and made.address[-1] == "LE1 1AA"  # read from Notify's address area
    assert made.pdf.startswith(b"%PDF") and notify.requests == [("POST", "/v2/notifications/letter", 201)]
    assert sent.key_kind == "test" and "TEST" in key_words(sent.key_kind)
    assert (sent.letter.sent_on, sent.letter.channel, sent.letter.sent_via) == (date(2026, 11, 25), "post", "notify")
    assert sent.letter.provider_id == made.id and sent.letter.delivery_status == "created"
    assert "notify_decision" not in _open_steps(case_id)  # met when sent

    statuses = [delivery.poll(load_settings()).changes for _ in range(3)]
    assert [c.status for changes in statuses for c in changes] == ["pending-virus-check", "accepted", "received"]
    assert letters.get_letter(produced.id).delivery_status == "received"
    assert [e["status"] for e in _events("letter_delivery")] == ["pending-virus-check", "accepted", "received"]
    assert "notify_decision" not in _open_steps(case_id)
    with Case._meta.database.connection_context():
        [row] = LetterDelivery.select()
        assert (row.channel, row.carrier, row.key_kind, row.provider_id) == ("post", "notify", "test", made.id)
    secret = notify.secret
    with Case._meta.database.connection_context():
        assert not any(secret in e.details_json for e in AuditEvent.select())
    assert secret not in caplog.text and secret not in repr(load_settings())


def test_an_email_through_notify_carries_the_pdf_as_a_file_link_and_is_delivered(users, tmp_path, notify, configure):
    casey = users["casey"]
    produced = letters.produce(_declined(casey), "threshold_not_met", casey, tmp_path / "out")
    letters.send(produced.id, casey, "notify-email", configure(notify, kind="live"))

    [made] = notify.notifications.values()
    body = made.body
    assert body["email_address"] == "ann@example.org" and body["template_id"] == notify.email_template
    link = body["personalisation"]["link_to_file"]
    assert link["filename"] == "CT-2026-0001_threshold_not_met_v1.pdf" and link["confirm_email_before_download"] is True
    import base64
    assert base64.b64decode(link["file"]).startswith(b"%PDF")
    assert body["personalisation"]["name"] == "Ann Lee"
    for _ in range(3):
        delivery.poll(load_settings())
    assert letters.get_letter(produced.id).delivery_status == "delivered"
    with Case._meta.database.connection_context():
        assert LetterDelivery.get().settled


def test_a_returned_letter_reopens_its_step_with_a_warning_in_the_queue_and_the_deadlines_view(users, tmp_path, notify,
                                                                                              configure):
    casey = users["casey"]
    case_id = _declined(casey, preferred_contact="post")
    produced = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    notify.fate[letters.sending.send_key(produced)] = ["accepted", "returned-letter"]
    settings = configure(notify)
    letters.send(produced.id, casey, "notify-letter", settings)
    assert "notify_decision" not in _open_steps(case_id)

    delivery.poll(settings)
    [change] = delivery.poll(settings).changes
    assert (change.status, change.reopened) == ("returned-letter", "notify_decision")
    assert "notify_decision" in _open_steps(case_id)
    again = letters.get_letter(produced.id)
    assert again.sent_on is None and again.delivery_status == "returned-letter"
    [row] = [r for r in queue.queue_page(casey).rows if r.id == case_id]
    assert row.next_step.startswith("⚠ letter returned")
    [step] = [r for r in deadlines_view.deadline_page(casey).rows if r.case_id == case_id and r.step == "notify_decision"]
    assert step.step_words.startswith("⚠ letter returned")
    assert delivery.poll(settings).asked == 0  # settled: never asked again

    letters.send(produced.id, casey, "post", settings)  # sent again, by the print pack: the warning goes
    assert "notify_decision" not in _open_steps(case_id)
    [row] = [r for r in queue.queue_page(casey).rows if r.id == case_id]
    assert "⚠" not in row.next_step


def test_notify_refusals_send_nothing_and_say_why_never_echoing_the_key(users, tmp_path, notify, configure):
    casey = users["casey"]
    produced = letters.produce(_declined(casey, preferred_contact="post"), "threshold_not_met", casey, tmp_path / "out")
    wrong = notify.api_key[:-36] + "00000000-0000-4000-8000-000000000000"
    with pytest.raises(letters.SendFailed, match="refused the API key") as caught:
        letters.send(produced.id, casey, "notify-letter", configure(notify, key=wrong))
    assert "00000000-0000-4000" not in str(caught.value) and notify.notifications == {}
    assert notify.requests[-1][2] == 403

    notify.rate_limit_after = 0
    with pytest.raises(letters.SendFailed, match="limiting"):
        letters.send(produced.id, casey, "notify-letter", configure(notify))
    assert notify.requests[-1][2] == 429
    notify.rate_limit_after = None

    settings = configure(notify)
    settings.notify_email_template = "11111111-1111-4111-8111-111111111111"
    with pytest.raises(letters.SendFailed, match="400 Template not found"):
        letters.send(produced.id, casey, "notify-email", settings)
    assert letters.get_letter(produced.id).delivery_status == "failed" and notify.notifications == {}

    notify.fail_next_with = 500  # Notify kept nothing: looked up by reference, it is sent again safely
    with pytest.raises(letters.SendFailed, match="holds no letter under its reference"):
        letters.send(produced.id, casey, "notify-letter", configure(notify))
    sent = letters.send(produced.id, casey, "notify-letter", configure(notify))  # the same version, once
    assert len(notify.notifications) == 1 and sent.letter.sent_via == "notify"


def test_a_poll_stops_at_a_refusal_and_carries_on_later(users, tmp_path, notify, configure):
    casey = users["casey"]
    produced = letters.produce(_declined(casey, preferred_contact="post"), "threshold_not_met", casey, tmp_path / "out")
    settings = configure(notify)
    letters.send(produced.id, casey, "notify-letter", settings)
    notify.rate_limit_after = 0
    result = delivery.poll(settings)
    assert result.changes == [] and "429" in result.problem
    notify.rate_limit_after = None
    assert [c.status for c in delivery.poll(settings).changes] == ["pending-virus-check"]


def test_the_shipped_letters_meet_notifys_layout_and_a_moved_address_does_not(users, tmp_path):
    casey = users["casey"]
    produced = letters.produce(_declined(casey), "threshold_not_met", casey, tmp_path / "out")
    pdf = letters.make_pdf(produced.id, casey).pdf_path
    assert layout.problems(pdf, ["Ann Lee", "LE1 1AA"]) == []
    assert [line.text for line in layout.address_block(pdf)] == ["Ann Lee", "1 Main Street", "Leicester", "LE1 1AA"]

    from docx import Document

    moved = Document(produced.path)
    for _ in range(4):  # lines before the head push the address below the window
        moved.element.body.insert(0, moved.add_paragraph("Private and confidential")._p)
    moved.save(tmp_path / "moved.docx")
    from caseworker_tui.services.letters.pdf import to_pdf
    found = layout.problems(to_pdf(tmp_path / "moved.docx"), ["Ann Lee"])
    assert found[0].startswith("'Ann Lee' is not in Notify's address area")
    assert any("Private and confidential" in p and "only the address" in p for p in found)


def test_each_status_change_is_on_the_case_timeline(users, tmp_path, notify, configure):
    from caseworker_tui.services.cases import open_case

    casey = users["casey"]
    case_id = _declined(casey, preferred_contact="post")
    produced = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    notify.fate[letters.sending.send_key(produced)] = ["accepted", "validation-failed"]
    settings = configure(notify)
    letters.send(produced.id, casey, "notify-letter", settings)
    delivery.poll(settings)
    delivery.poll(settings)
    texts = [t.text for t in open_case(case_id, casey).timeline if t.kind == "letter"]
    assert "Letter threshold not met (version 1) accepted by GOV.UK Notify for printing" in texts
    assert ("Letter threshold not met (version 1) refused by GOV.UK Notify: the PDF is outside its letter layout; "
            "its step is open again") in texts


def test_a_letter_whose_pdf_notify_would_not_print_is_refused_before_it_goes(users, tmp_path, notify, configure):
    from docx import Document

    casey = users["casey"]
    produced = letters.produce(_declined(casey, preferred_contact="post"), "threshold_not_met", casey, tmp_path / "out")
    edited = Document(produced.path)  # edited in Word before sending: a line above the head
    for _ in range(4):
        edited.element.body.insert(0, edited.add_paragraph("Private and confidential")._p)
    edited.save(produced.path)
    with pytest.raises(letters.SendRefused, match="GOV.UK Notify would not print this letter: .*'Ann Lee' is not in"):
        letters.send(produced.id, casey, "notify-letter", configure(notify))
    assert notify.notifications == {} and letters.get_letter(produced.id).delivery_status is None
