"""A process killed with SIGKILL at a random moment leaves the database consistent.

A worker imports a file of many applications, walks cases through the lifecycle, or produces
letters, and is killed mid-way, again and again. After each kill: no half-recorded case, no
stage change without its audit event, no letter row without its file, and (SQLite) no damage.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from caseworker_tui.models import (
    Applicant,
    AuditEvent,
    Case,
    Deadline,
    Incident,
    Letter,
    Report,
    Review,
    ThresholdDecision,
    db,
)
from caseworker_tui.services import context, intake
from caseworker_tui.services.application import parse_application
from tests.factories import meets_rule_a

ROOT = Path(__file__).resolve().parents[2]
SERVER = Path(__file__).parents[1] / "procs" / "crash_server.py"
KILLS = 5  # per kind of work and database: 15 per database
FILE_SIZE = 60  # applications in the imported file
REVIEWED = ("accepted", "under_review", "outcome_drafted", "awaiting_chair")


@pytest.fixture
def server(database_url):
    env = {**os.environ, "CASEWORKER_DATABASE_URL": database_url}
    proc = subprocess.Popen([sys.executable, str(SERVER)], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    yield proc
    proc.stdin.close()
    proc.wait(timeout=30)


def _read(proc: subprocess.Popen) -> dict:
    line = proc.stdout.readline()
    assert line, f"the crash server ended: {proc.stderr.read()}"
    return json.loads(line)


def _kill_during(server: subprocess.Popen, task: dict, rng: random.Random, longest: float) -> float:
    """Start the work, kill it after a random delay; return the delay."""
    server.stdin.write(json.dumps(task) + "\n")
    server.stdin.flush()
    pid = _read(server)["started"]
    delay = rng.uniform(0.0, longest)
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):  # it died on its own: the next line says how
        os.kill(pid, signal.SIGKILL)
    ended = _read(server)
    assert ended == {"ended": pid, "signal": signal.SIGKILL, "code": None}, server.stderr.read()
    return delay


def _new_cases(actor, n: int) -> list[int]:
    return [intake.create_request(parse_application(meets_rule_a(), context.policy()), actor).id
            for _ in range(n)]


def assert_consistent() -> None:
    """Every case whole, its stage explained by its audit trail; every letter row has its file."""
    with db.connection_context():
        if isinstance(db.obj, SqliteDatabase):
            assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
        applicants = defaultdict(int)
        for a in Applicant.select(Applicant.case):
            applicants[a.case_id] += 1
        incidents = {i.id: i.case_id for i in Incident.select(Incident.id, Incident.case)}
        reported = {r.incident_id for r in Report.select(Report.incident)}
        deadlines = defaultdict(list)
        for d in Deadline.select().order_by(Deadline.due_on, Deadline.id):
            deadlines[d.case_id].append(d)
        staged = defaultdict(list)
        received = defaultdict(int)
        for e in AuditEvent.select().where(AuditEvent.case.is_null(False)).order_by(AuditEvent.id):
            received[e.case_id] += e.action == "received"
            if e.to_stage:
                staged[e.case_id].append(e)
        reviews = {r.case_id for r in Review.select(Review.case)}
        accepted = {t.case_id for t in ThresholdDecision.select().where(ThresholdDecision.decision == "accepted")}
        cases = list(Case.select())
        letters = list(Letter.select())

    for case in cases:
        where = f"{case.reference} (id {case.id}, {case.stage})"
        assert applicants[case.id] == 1, where
        mine = [i for i, c in incidents.items() if c == case.id]
        assert mine and all(i in reported for i in mine), where
        assert len(deadlines[case.id]) >= 2 and received[case.id] == 1, where
        steps = staged[case.id]
        assert steps[0].to_stage == "received", where
        for before, after in zip(steps, steps[1:], strict=False):
            assert after.from_stage == before.to_stage, where
        assert steps[-1].to_stage == case.stage, where
        assert case.version == len(steps), where  # every save of the case is one audited step
        still_open = [d for d in deadlines[case.id] if d.closed_at is None]
        assert case.next_due_on == (still_open[0].due_on if still_open else None), where
        if case.stage in REVIEWED:
            assert case.id in reviews and case.id in accepted, where
    for letter in letters:
        file = Path(letter.path)
        assert file.is_file(), f"letter {letter.id} has no file {file}"
        assert hashlib.sha256(file.read_bytes()).hexdigest() == letter.checksum


def _count_cases() -> int:
    with db.connection_context():
        return Case.select().count()


def test_a_killed_import_stores_whole_files_or_nothing(users, server, tmp_path):
    path = tmp_path / "applications.json"
    path.write_text(json.dumps([meets_rule_a() for _ in range(FILE_SIZE)]), encoding="utf-8")
    rng = random.Random()
    for kill in range(KILLS):
        delay = _kill_during(server, {"task": "import", "path": str(path)}, rng, longest=1.0)
        assert _count_cases() % FILE_SIZE == 0, f"kill {kill + 1} after {delay:.3f}s"
        assert_consistent()


def test_a_killed_transition_leaves_no_stage_without_its_event(users, server):
    _new_cases(users["casey"], 8)
    rng = random.Random()
    for _kill in range(KILLS):
        _kill_during(server, {"task": "walk", "seed": rng.randrange(1 << 30)}, rng, longest=0.6)
        assert_consistent()
    with db.connection_context():
        moved = Case.select().where(Case.stage != "received").count()
    assert moved > 0  # the kills landed while work was going on, not before it began


def test_a_killed_letter_leaves_no_row_without_its_file(users, server, tmp_path):
    from caseworker_tui.services import letters

    cases = _new_cases(users["casey"], 4)
    letters.produce(cases[0], "acknowledgement", users["casey"], tmp_path / "letters")
    rng = random.Random()
    for _kill in range(KILLS):
        _kill_during(server, {"task": "letters", "out": str(tmp_path / "letters")}, rng, longest=1.2)
        assert_consistent()
