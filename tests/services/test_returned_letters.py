"""Notify's returned-letter reports: a letter printed and posted through the stand-in, followed until its
status settled, comes back weeks later in the CSV report Notify's Returned letters page gives; reading
that report reopens the step the letter met, with the warning a failed delivery shows in the queue and
the deadlines view, once however often the report is read. On both databases.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from caseworker_tui.config import load_settings
from caseworker_tui.errors import InvalidInput, PermissionDenied
from caseworker_tui.services import clock, deadlines_view, letters, queue
from caseworker_tui.services.letters import delivery, returned
from tests.notifyserver import NotifyServer
from tests.services.test_letter_notify import configure as configure  # noqa: F401 - the Notify tests' settings
from tests.services.test_letter_pdf import require_libreoffice
from tests.services.test_letter_sending import _declined, _events, _open_steps

# The columns of the report Notify's Returned letters page downloads (its admin site, not its API).
HEADER = ["Notification ID", "Reference", "Date sent", "Sent by", "Template name", "Template ID", "Template version",
          "Original file name", "Job row number", "Uploaded letter file name"]


@pytest.fixture(autouse=True)
def _libreoffice() -> None:
    require_libreoffice()


@pytest.fixture
def notify():
    server = NotifyServer().start()
    yield server
    server.stop()


def report(path, *rows: tuple[str, str]):
    """Notify's report, one row per returned letter: its notification id and the reference it was sent with."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    for notification_id, reference in rows:
        writer.writerow([notification_id, reference, "2026-11-25", "API", "", "", "", "", "", ""])
    path.write_text("\ufeff" + text.getvalue(), encoding="utf-8")  # Notify's CSVs open in Excel: a BOM first
    return path


def _posted_and_settled(casey, tmp_path, settings):
    """A decision letter printed and posted through Notify, its status followed until Notify let it go."""
    case_id = _declined(casey, preferred_contact="post")
    produced = letters.produce(case_id, "threshold_not_met", casey, tmp_path / "out")
    sent = letters.send(produced.id, casey, "notify-letter", settings).letter
    for _ in range(3):
        delivery.poll(settings)
    clock.set_today(date(2026, 12, 5))
    delivery.poll(settings)  # a week on, still `received`: settled, never asked again
    assert delivery.poll(settings).asked == 0 and "notify_decision" not in _open_steps(case_id)
    return case_id, sent


def test_a_letter_returned_weeks_later_reopens_its_step_with_a_warning_once(users, tmp_path, notify, configure):
    casey = users["casey"]
    case_id, sent = _posted_and_settled(casey, tmp_path, configure(notify))
    clock.set_today(date(2026, 12, 21))
    file = report(tmp_path / "returned-letters.csv", (sent.provider_id, letters.sending.send_key(sent)),
                  ("0f0e3c5c-7f6a-4b44-9f43-2d6a1b2e9d11", "another-service-letter"))

    result = returned.record_report(file, casey)

    [change] = result.recorded
    assert (change.reference, change.kind, change.status, change.reopened) == (
        "CT-2026-0001", "threshold_not_met", "returned-letter", "notify_decision")
    assert [r.reference for r in result.not_ours] == ["another-service-letter"]
    again = letters.get_letter(sent.id)
    assert again.sent_on is None and again.delivery_status == "returned-letter"
    assert "notify_decision" in _open_steps(case_id)
    [row] = [r for r in queue.queue_page(casey).rows if r.id == case_id]
    assert row.next_step.startswith("⚠ letter returned")
    [step] = [r for r in deadlines_view.deadline_page(casey).rows if r.case_id == case_id and r.step == "notify_decision"]
    assert step.step_words.startswith("⚠ letter returned")
    assert [e["status"] for e in _events("letter_delivery")][-1] == "returned-letter"

    twice = returned.record_report(file, casey)
    assert not twice.recorded and twice.already == [letters.sending.send_key(sent)]
    assert [e["status"] for e in _events("letter_delivery")].count("returned-letter") == 1


def test_a_row_is_found_by_its_reference_when_the_id_is_not_ours(users, tmp_path, notify, configure):
    casey = users["casey"]
    case_id, sent = _posted_and_settled(casey, tmp_path, configure(notify))
    file = report(tmp_path / "r.csv", ("", letters.sending.send_key(sent)))
    assert [c.reopened for c in returned.record_report(file, casey).recorded] == ["notify_decision"]


@pytest.mark.parametrize(("text", "words"), [
    ("Name,Address\nAnn,1 Main St\n", "has neither a 'Notification ID' nor a 'Reference' column"),
    ("Notification ID,Reference,Date sent\n,,2026-11-25\n", "line 2 of .* names no letter"),
])
def test_a_file_that_is_not_the_report_is_refused_naming_what_is_wrong(users, tmp_path, text, words):
    file = tmp_path / "r.csv"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=words):
        returned.record_report(file, users["casey"])
    file.write_bytes(b"\xff\xfe\x00N")
    with pytest.raises(InvalidInput, match="is not a CSV file in UTF-8"):
        returned.record_report(file, users["casey"])
    with pytest.raises(InvalidInput, match="cannot read"):
        returned.record_report(tmp_path / "missing.csv", users["casey"])


def test_only_those_who_mark_letters_sent_record_returns(users, tmp_path):
    file = report(tmp_path / "r.csv")
    with pytest.raises(PermissionDenied):
        returned.record_report(file, users["chris"])
    assert returned.record_report(file, users["casey"]).recorded == []
    assert load_settings()  # the report needs no Notify key: it is a file a person downloaded
