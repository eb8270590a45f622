"""Several people at once, each in a real process of their own, on SQLite and PostgreSQL.

Two users save the same case from the same version: the later save is refused, names who
changed the case and when, and is applied again after a reload, so neither change is lost.
Writers in four processes at once queue for the database instead of failing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from caseworker_tui.models import AuditEvent, Case, Note, User
from caseworker_tui.services import context, intake
from caseworker_tui.services.application import parse_application
from tests.conftest import TODAY
from tests.factories import meets_rule_a

ROOT = Path(__file__).resolve().parents[2]
EDIT_CASE = Path(__file__).parents[1] / "procs" / "edit_case.py"


def _spawn(database_url: str, *args: object) -> subprocess.Popen:
    env = {**os.environ, "CASEWORKER_DATABASE_URL": database_url}
    return subprocess.Popen([sys.executable, str(EDIT_CASE), *map(str, args)], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _send(proc: subprocess.Popen, line: str) -> None:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def _read(proc: subprocess.Popen) -> dict:
    line = proc.stdout.readline()
    assert line, f"the process ended early: {proc.stderr.read()}"
    return json.loads(line)


def _finish(proc: subprocess.Popen) -> tuple[int, str]:
    _out, err = proc.communicate("\n", timeout=120)
    return proc.returncode, err


def _new_case(actor) -> int:
    return intake.create_request(parse_application(meets_rule_a(), context.policy()), actor).id


def _case(case_id: int) -> Case:
    with Case._meta.database.connection_context():
        return Case.get_by_id(case_id)


def _events(case_id: int, action: str) -> list[AuditEvent]:
    with Case._meta.database.connection_context():
        return list(AuditEvent.select().where((AuditEvent.case == case_id) & (AuditEvent.action == action))
                    .order_by(AuditEvent.id))


ROUNDS = [("children", "jo", 1), ("disability,hate_motivation", "casey", 5), ("repeat_targeting", "jo", 2)]


def test_the_later_of_two_saves_is_refused_named_and_then_applied(users, database_url):
    case_id = _new_case(users["casey"])
    triage = _spawn(database_url, "race", case_id, "casey", "caseworker", "triage")
    assign = _spawn(database_url, "race", case_id, "sam", "supervisor", "assign")
    for n, (questions, assignee, score) in enumerate(ROUNDS, start=1):
        version = _case(case_id).version
        _send(triage, questions)
        _send(assign, assignee)
        assert _read(triage) == _read(assign) == {"ready": version}

        _send(triage, "go")
        _send(assign, "go")
        by_user = {"casey": _read(triage), "sam": _read(assign)}

        refused = [user for user, result in by_user.items() if result.get("stale")]
        assert len(refused) == 1, by_user  # both started from one version: exactly one is late
        loser = refused[0]
        winner = "sam" if loser == "casey" else "casey"
        late = by_user[loser]
        changed_at = datetime.fromisoformat(late["changed_at"])
        assert late["changed_by"] == winner
        assert f"changed by {winner} at {changed_at:%d %b %Y %H:%M}" in late["message"]
        assert "nothing was saved" in late["message"]
        winner_event = _events(case_id, "triage" if winner == "casey" else "assign")[-1]
        assert changed_at.date() == TODAY and changed_at <= winner_event.at

        # Nothing is lost: both changes are in the case, each recorded once, one version each.
        case = _case(case_id)
        with Case._meta.database.connection_context():
            assigned = User.get_by_id(case.assigned_to_id).username
        assert (case.risk_score, assigned, case.version) == (score, assignee, version + 2)
        assert len(_events(case_id, "triage")) == n
        assert len(_events(case_id, "assign")) == n
    assert _finish(triage)[0] == _finish(assign)[0] == 0


def test_writers_in_four_processes_queue_and_never_fail(users, database_url):
    case_id = _new_case(users["casey"])
    writers = [_spawn(database_url, "stress", case_id, f"worker{n}", "caseworker", 25) for n in range(4)]
    for writer in writers:
        _read(writer)
    for writer in writers:
        _send(writer, "go")

    for writer in writers:
        code, err = _finish(writer)
        assert "database is locked" not in err
        assert code == 0, err
    with Case._meta.database.connection_context():
        assert Note.select().where(Note.case == case_id).count() == 100
    assert len(_events(case_id, "triage")) == 100
    assert _case(case_id).version == 101
