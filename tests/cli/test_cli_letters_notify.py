"""`caseworker letters send --via notify-letter|notify-email`, `letters poll` and the layout half of
`letters check`, as a shell user runs them, against the GOV.UK Notify stand-in on loopback."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from docx import Document

from caseworker_tui import cli
from caseworker_tui.services import clock, letters
from tests.cli.test_cli_letters_send import case  # noqa: F401 - the declined case the CLI works on
from tests.notifyserver import NotifyServer
from tests.services.test_letter_pdf import require_libreoffice


@pytest.fixture
def notify(monkeypatch):
    server = NotifyServer().start()
    monkeypatch.setenv("CASEWORKER_NOTIFY_API_KEY", server.api_key)
    monkeypatch.setenv("CASEWORKER_NOTIFY_KEY_KIND", "test")
    monkeypatch.setenv("CASEWORKER_NOTIFY_BASE_URL", server.url)
    monkeypatch.setenv("CASEWORKER_NOTIFY_EMAIL_TEMPLATE", server.email_template)
    yield server
    server.stop()


def test_a_letter_sent_by_notify_post_is_polled_until_posted(case, capsys, notify):  # noqa: F811
    require_libreoffice()
    assert cli.main(["letters", "render", case.reference, "threshold_not_met"]) == 0
    capsys.readouterr()
    assert cli.main(["letters", "send", case.reference, "threshold_not_met", "--via", "notify-letter"]) == 0
    out = capsys.readouterr().out
    [made] = notify.notifications.values()
    assert out.startswith("sent CT-2026-0001 threshold_not_met v1 by post to Ann Lee through GOV.UK Notify")
    assert made.id in out and "Notify TEST key: nothing really goes" in out
    assert notify.api_key not in out
    for _ in range(3):
        assert cli.main(["letters", "poll"]) == 0
    out = capsys.readouterr().out
    assert "CT-2026-0001 threshold_not_met v1: received (printed and posted by Notify's printer)" in out
    assert letters.list_letters(case.id)[0].delivery_status == "received"
    assert cli.main(["letters", "poll"]) == 0  # a posted letter is followed for a week, in case it comes back
    assert capsys.readouterr().out == "asked GOV.UK Notify about 1 letter(s); 0 changed\n"
    clock.set_today(date(2026, 12, 3))
    assert cli.main(["letters", "poll"]) == 0
    assert cli.main(["letters", "poll"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "asked GOV.UK Notify about 0 letter(s); 0 changed"


def test_a_poll_refused_by_notify_says_why_and_fails(case, capsys, notify):  # noqa: F811
    require_libreoffice()
    assert cli.main(["letters", "render", case.reference, "threshold_not_met"]) == 0
    assert cli.main(["letters", "send", case.reference, "threshold_not_met", "--via", "notify-email"]) == 0
    capsys.readouterr()
    notify.rate_limit_after = 0
    assert cli.main(["letters", "poll"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("caseworker: GOV.UK Notify did not give the status: 429 Exceeded rate limit")


def test_a_missing_key_kind_is_refused_before_anything_goes(case, capsys, notify, monkeypatch):  # noqa: F811
    require_libreoffice()
    monkeypatch.delenv("CASEWORKER_NOTIFY_KEY_KIND")
    assert cli.main(["letters", "render", case.reference, "threshold_not_met"]) == 0
    assert cli.main(["letters", "send", case.reference, "threshold_not_met", "--via", "notify-letter"]) != 0
    assert "set notify_key_kind to test, team or live" in capsys.readouterr().err
    assert notify.notifications == {}


def test_check_measures_each_template_against_notifys_layout(capsys, tmp_path):
    require_libreoffice()
    assert cli.main(["letters", "check"]) == 0  # every shipped template, rendered, converted and measured
    shipped_ok = capsys.readouterr().out.splitlines()
    assert len(shipped_ok) == len(letters.KINDS) and all(line.startswith("ok  ") for line in shipped_ok)
    shipped = letters.template_path("acknowledgement")
    own = tmp_path / "letters"
    own.mkdir()
    shutil.copy(shipped, own / "acknowledgement.docx")
    assert cli.main(["letters", "check", "--dir", str(own)]) == 0
    assert "ok  acknowledgement.docx" in capsys.readouterr().out

    document = Document(own / "acknowledgement.docx")  # a council's edit: a line above the head
    for _ in range(5):
        document.element.body.insert(0, document.add_paragraph("PRIVATE")._p)
    document.save(own / "acknowledgement.docx")
    assert cli.main(["letters", "check", "--dir", str(own)]) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "acknowledgement.docx: 'Alexandra Catherine Sample-Whitworth' is not in Notify's address area" in err
    assert cli.main(["letters", "check", "--dir", str(own), "--no-layout"]) == 0
