"""`caseworker letters request-updates` and `caseworker letters returned`, as a shell user runs them: the
agencies' letters e-mailed through a real SMTP server on loopback, where the policy file gives an
address; Notify's returned-letters report read back against a letter posted through the stand-in."""

from __future__ import annotations

import pytest

from caseworker_tui import cli
from caseworker_tui.services import context, intake, letters, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.letters import sending
from caseworker_tui.services.policy import default_policy_text
from tests.cli.test_cli_letters_notify import notify  # noqa: F401 - the Notify stand-in, configured
from tests.cli.test_cli_letters_send import case, mail  # noqa: F401 - the declined case, the SMTP server
from tests.factories import meets_rule_a
from tests.services.test_letter_pdf import require_libreoffice
from tests.services.test_returned_letters import report

POLICE = "ct.updates@police.example"


@pytest.fixture
def acknowledged(users, database_url, monkeypatch, tmp_path):
    """An acknowledged request whose agencies may be asked, with the CLI pointed at the test database."""
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_USER", "sam")
    monkeypatch.setenv("CASEWORKER_OUTPUT_DIR", str(tmp_path / "out"))
    made = intake.create_request(parse_application(meets_rule_a(), context.policy()), users["casey"])
    workflow.acknowledge(made.id, users["casey"])
    return made


@pytest.fixture
def police_by_email(monkeypatch, tmp_path):
    """A policy file as a council writes one: Leicester's, the police's [agencies.police] given an email."""
    text = default_policy_text()
    police = 'label = "Leicestershire Police"\n'
    assert police in text
    policy = tmp_path / "policy.toml"
    policy.write_text(text.replace(police, police + f'email = "{POLICE}"\n'), encoding="utf-8")
    monkeypatch.setenv("CASEWORKER_POLICY_FILE", str(policy))


def test_request_updates_emails_the_agency_with_an_address_and_leaves_the_other(acknowledged, capsys, mail,  # noqa: F811
                                                                              police_by_email):
    require_libreoffice()
    assert cli.main(["letters", "request-updates", acknowledged.reference, "police", "council"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"The request to Leicestershire Police was e-mailed to {POLICE}.",
        "The request letter to Leicester City Council is made: send it from the Letters tab "
        "(the policy gives no e-mail address: [agencies.council] email)."]
    [(_, rcpt_tos, message)] = mail.inbox.received
    assert rcpt_tos == [POLICE] and [a.get_filename() for a in message.iter_attachments()] == [
        "CT-2026-0001_agency_update_request_police_v1.pdf"]


def test_request_updates_refuses_an_unknown_agency_and_does_nothing(acknowledged, capsys, mail,  # noqa: F811
                                                                   police_by_email):
    before = letters.list_letters(acknowledged.id)
    assert cli.main(["letters", "request-updates", acknowledged.reference, "fire_service"]) != 0
    assert "agencies: 'fire_service' is not a known agency" in capsys.readouterr().err
    assert letters.list_letters(acknowledged.id) == before and not mail.inbox.received


def test_returned_records_the_report_and_says_what_it_left(case, capsys, notify, tmp_path):  # noqa: F811
    require_libreoffice()
    assert cli.main(["letters", "render", case.reference, "threshold_not_met"]) == 0
    assert cli.main(["letters", "send", case.reference, "threshold_not_met", "--via", "notify-letter"]) == 0
    [sent] = [x for x in letters.list_letters(case.id) if x.kind == "threshold_not_met"]
    capsys.readouterr()
    file = report(tmp_path / "returned.csv", (sent.provider_id, sending.send_key(sent)), ("", "not-from-here"))
    assert cli.main(["letters", "returned", str(file)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["CT-2026-0001 threshold_not_met v1: returned: the letter could not be delivered; "
                   "the step notify decision is open again",
                   "line 3: no letter sent from here has not-from-here; left alone",
                   "1 letter(s) recorded as returned; 0 recorded before; 1 not sent from here"]
    assert cli.main(["letters", "returned", str(file)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 letter(s) recorded as returned; 1 recorded before; " \
                                                        "1 not sent from here"
    (tmp_path / "bad.csv").write_text("Name\nAnn\n", encoding="utf-8")
    assert cli.main(["letters", "returned", str(tmp_path / "bad.csv")]) != 0
    assert "has neither a 'Notification ID' nor a 'Reference' column" in capsys.readouterr().err
