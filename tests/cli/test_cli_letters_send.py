"""`caseworker letters render --pdf` and `caseworker letters send`, as a shell user runs them, with
LibreOffice and a real SMTP server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from caseworker_tui import cli
from caseworker_tui.services import context, intake, letters, workflow
from caseworker_tui.services.application import parse_application
from tests.factories import application, incident, report
from tests.mailserver import MailServer
from tests.services.test_letter_pdf import require_libreoffice


@pytest.fixture
def case(users, database_url, monkeypatch, tmp_path):
    """A declined case whose decision letter is due, with the CLI pointed at the test database."""
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_USER", "sam")
    monkeypatch.setenv("CASEWORKER_OUTPUT_DIR", str(tmp_path / "out"))
    data = application(incident("i1", "2026-10-01", report("police", "2026-10-02")),
                       incident("i2", "2026-10-05", report("health", "2026-10-06")))
    made = intake.create_request(parse_application(data, context.policy()), users["casey"])
    workflow.acknowledge(made.id, users["casey"])
    workflow.decide(made.id, users["casey"], accept=False)
    return made


@pytest.fixture
def mail(monkeypatch):
    server = MailServer().start()
    monkeypatch.setenv("CASEWORKER_SMTP_URL", server.url)
    monkeypatch.setenv("CASEWORKER_SMTP_SENDER", "Safer Leicester Partnership <asb.review@leicester.example>")
    yield server
    server.stop()


def test_render_with_pdf_prints_both_paths(case, capsys):
    require_libreoffice()
    assert cli.main(["letters", "render", case.reference, "threshold_not_met", "--pdf"]) == 0
    docx, made = capsys.readouterr().out.split()
    assert made == str(Path(docx).with_suffix(".pdf"))
    assert "Dear Ann Lee," in PdfReader(made).pages[0].extract_text()


def test_render_with_pdf_but_no_libreoffice_keeps_the_word_letter_and_says_what_to_install(case, capsys, monkeypatch,
                                                                                           tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert cli.main(["letters", "render", case.reference, "threshold_not_met", "--pdf"]) == 0
    captured = capsys.readouterr()
    assert Path(captured.out.strip()).is_file() and captured.out.strip().endswith(".docx")
    [line] = captured.err.splitlines()
    assert line.startswith("caseworker: No PDF can be made") and "libreoffice-writer-nogui" in line


def test_send_emails_the_latest_version_and_refuses_to_send_it_again(case, capsys, mail):
    require_libreoffice()
    assert cli.main(["letters", "render", case.reference, "threshold_not_met"]) == 0
    assert cli.main(["letters", "render", case.reference, "threshold_not_met"]) == 0
    capsys.readouterr()
    assert cli.main(["letters", "send", case.reference, "threshold_not_met"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sent CT-2026-0001 threshold_not_met v2 to ann@example.org (<letter-")
    [(_, rcpt_tos, message)] = mail.inbox.received
    assert rcpt_tos == ["ann@example.org"]
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "CT-2026-0001_threshold_not_met_v2.pdf"
    assert [x.channel for x in letters.list_letters(case.id)] == [None, "email"]
    assert cli.main(["letters", "send", case.reference, "threshold_not_met"]) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "already sent on 25 November 2026 by email; it is not sent twice" in err and "Traceback" not in err
    assert len(mail.inbox.received) == 1


def test_send_by_post_writes_the_days_print_pack(case, capsys, tmp_path):
    require_libreoffice()
    assert cli.main(["letters", "render", case.reference, "threshold_not_met"]) == 0
    capsys.readouterr()
    assert cli.main(["letters", "send", case.reference, "threshold_not_met", "--via", "post"]) == 0
    pack, listing = capsys.readouterr().out.split()
    assert pack == str(tmp_path / "out" / "print-pack-2026-11-25.pdf")
    assert "Dear Ann Lee," in PdfReader(pack).pages[0].extract_text()
    assert Path(listing).read_text(encoding="utf-8").splitlines()[1].startswith("CT-2026-0001,threshold_not_met,1,")


def test_send_explains_what_is_missing_in_one_line(case, capsys, monkeypatch, tmp_path):
    assert cli.main(["letters", "send", case.reference, "threshold_not_met"]) == cli.EXIT_BAD_INPUT
    assert "no threshold_not_met letter has been produced for CT-2026-0001" in capsys.readouterr().err
    assert cli.main(["letters", "render", case.reference, "threshold_not_met"]) == 0
    capsys.readouterr()
    assert cli.main(["letters", "send", case.reference, "threshold_not_met"]) == cli.EXIT_BAD_INPUT
    assert "No mail server is configured: set smtp_url" in capsys.readouterr().err
    monkeypatch.setenv("CASEWORKER_SMTP_URL", "smtp://127.0.0.1:9")
    monkeypatch.setenv("CASEWORKER_SMTP_SENDER", "ct@leicester.example")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert cli.main(["letters", "send", case.reference, "threshold_not_met"]) == cli.EXIT_BAD_INPUT
    [line] = capsys.readouterr().err.splitlines()
    assert "libreoffice-writer-nogui" in line
    with pytest.raises(SystemExit):
        cli.main(["letters", "send", case.reference, "threshold_not_met", "--via", "pigeon"])
    assert "invalid choice: 'pigeon'" in capsys.readouterr().err
