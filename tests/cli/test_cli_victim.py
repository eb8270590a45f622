"""`caseworker victim …`: the victim's journey from a shell, through the services the case screen uses,
acting as the named person — on both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from caseworker_tui import cli
from caseworker_tui.models import ContactLog, Deadline
from caseworker_tui.services import clock, context, intake, letters
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.cases import open_case
from caseworker_tui.services.letters.rendering import document_text
from tests.factories import drafted_outcome, meets_rule_a


@pytest.fixture
def shell(database_url, monkeypatch, tmp_path):
    """The command line pointed at the test database, acting as Casey, writing letters to tmp_path."""
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_OUTPUT_DIR", str(tmp_path / "letters"))
    monkeypatch.setenv("CASEWORKER_USER", "casey")


def _case(users) -> str:
    return intake.create_request(parse_application(meets_rule_a(), context.policy()), users["casey"]).reference


def test_a_contact_is_logged_and_the_next_update_counts_from_it(shell, users, capsys):
    reference = _case(users)
    when = (clock.now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    assert cli.main(["victim", "contact", reference, "--how", "phone", "--said", "Police visit booked",
                     "--promised", "Call back on Friday", "--at", f"{when:%Y-%m-%d %H:%M}"]) == 0
    assert "by phone" in capsys.readouterr().out
    logged = ContactLog.get()
    assert (logged.at, logged.channel, logged.by, logged.said, logged.promised) == (
        when, "phone", "casey", "Police visit booked", "Call back on Friday")
    due = Deadline.get((Deadline.step == "victim_update") & Deadline.closed_at.is_null())
    assert due.due_on == context.policy().timescales.victim_update.due(when.date(), context.calendar())

    assert cli.main(["victim", "contacts", reference]) == 0
    out = capsys.readouterr().out
    assert "Police visit booked; promised: Call back on Friday" in out
    assert f"next update to the victim due {due.due_on}" in out
    assert "last contact today" in out


@pytest.mark.parametrize(("extra", "message"), [
    (["--said", "   "], "said"),
    (["--said", "x", "--at", "tomorrow"], "--at: 'tomorrow' is not a date and time"),
    (["--said", "x", "--at", "2099-01-01 09:00"], "when: a contact cannot be in the future"),
])
def test_a_bad_contact_names_what_is_wrong_and_saves_nothing(shell, users, capsys, extra, message):
    reference = _case(users)
    assert cli.main(["victim", "contact", reference, "--how", "phone", *extra]) == 2
    assert message in capsys.readouterr().err
    assert ContactLog.select().count() == 0


def test_a_chair_may_not_log_a_contact(shell, users, capsys, monkeypatch):
    reference = _case(users)
    monkeypatch.setenv("CASEWORKER_USER", "chris")
    assert cli.main(["victim", "contact", reference, "--how", "phone", "--said", "hello"]) == 2
    assert "may not record a contact" in capsys.readouterr().err
    assert ContactLog.select().count() == 0


def test_the_contact_person_is_changed_and_a_stranger_refused(shell, users, capsys):
    reference = _case(users)
    assert cli.main(["victim", "spoc", reference, "sam"]) == 0
    from caseworker_tui.services.cases import find_case_id

    assert open_case(find_case_id(reference), users["sam"], record_view=False).spoc == "sam"
    assert cli.main(["victim", "spoc", reference, "nobody"]) == 2
    assert "'nobody' is not an active caseworker or supervisor" in capsys.readouterr().err


def test_the_victim_is_consulted_on_the_draft_plan_and_their_views_recorded(shell, users, capsys, tmp_path):
    case_id = drafted_outcome(users["casey"])
    reference = open_case(case_id, users["casey"], record_view=False).reference
    assert cli.main(["victim", "views", reference, "--no-reply"]) == 2  # not consulted yet
    assert "has not been consulted" in capsys.readouterr().err

    assert cli.main(["victim", "consult", reference]) == 0
    assert "has until" in capsys.readouterr().out
    made = [x for x in letters.list_letters(case_id) if x.kind == "action_plan"][-1]
    assert "Visit in the evenings." in document_text(Path(made.path).read_bytes())  # the plan's table included

    assert cli.main(["victim", "views", reference]) == 2  # neither --said nor --no-reply
    assert cli.main(["victim", "views", reference, "--no-reply"]) == 2  # the reply-by date is still to come
    assert cli.main(["victim", "views", reference, "--said", "Please add street lighting."]) == 0
    review = open_case(case_id, users["casey"], record_view=False).review
    assert (review.views, review.views_recorded) == ("Please add street lighting.", True)


def test_reading_the_contact_log_is_recorded_in_the_access_log(shell, users, capsys):
    from caseworker_tui.services import access_log

    reference = _case(users)
    assert cli.main(["victim", "contacts", reference]) == 0
    assert "No contact with the victim is recorded." in capsys.readouterr().out
    assert any(row.reference == reference and row.username == "casey"
               for row in access_log.access_log(users["ada"]))


def test_building_the_parser_leaves_the_workflow_unloaded():
    """The ways of contact are read from the workflow only when a `victim` line is parsed."""
    import subprocess
    import sys

    code = ("import sys; from caseworker_tui.cli.parser import build_parser; build_parser(); "
            "print('caseworker_tui.services.workflow' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
