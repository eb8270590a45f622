"""`caseworker db backup`: a consistent copy of a live SQLite database; PostgreSQL gets pg_dump."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from caseworker_tui import cli
from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import AuditEvent, bind, db
from caseworker_tui.models.schema import upgrade
from caseworker_tui.services import backup, context, intake
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.permissions import Actor
from tests.factories import meets_rule_a

ROOT = Path(__file__).resolve().parents[2]
EDIT_CASE = Path(__file__).parents[1] / "procs" / "edit_case.py"
CASEY = Actor("casey", "Casey Morgan", "caseworker")
ADA = Actor("ada", "Ada Lovelace", "admin")


def _new(actor) -> int:
    return intake.create_request(parse_application(meets_rule_a(), context.policy()), actor).id


def _whole(path: Path) -> dict[str, int]:
    """Open the copy on its own and check it is whole: every note with its event, one step a version."""
    copy = sqlite3.connect(path)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        notes = copy.execute("SELECT COUNT(*) FROM note").fetchone()[0]
        noted = copy.execute("SELECT COUNT(*) FROM audit_event WHERE action = 'note_added'").fetchone()[0]
        versions, steps = copy.execute(
            "SELECT SUM(version), (SELECT COUNT(*) FROM audit_event WHERE to_stage IS NOT NULL) "
            "FROM case_request").fetchone()
        assert (notes, versions) == (noted, steps)
        return {"cases": copy.execute("SELECT COUNT(*) FROM case_request").fetchone()[0], "notes": notes}
    finally:
        copy.close()


@pytest.fixture
def sqlite_only(tmp_path) -> str:
    """A live SQLite database of its own (backup has nothing to do on PostgreSQL but refuse)."""
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    upgrade(bind(url))
    yield url
    if not db.obj.is_closed():
        db.obj.close()


def test_a_copy_taken_while_another_process_writes_is_whole(sqlite_only, tmp_path):
    case_id = _new(CASEY)
    _new(CASEY)
    env = {**os.environ, "CASEWORKER_DATABASE_URL": sqlite_only}
    writer = subprocess.Popen([sys.executable, str(EDIT_CASE), "stress", str(case_id), "jo", "caseworker", "40"],
                              cwd=ROOT, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    writer.stdout.readline()
    writer.stdin.write("go\n")
    writer.stdin.flush()
    copies = []
    while writer.poll() is None or not copies:
        done = backup.backup(ADA, tmp_path / f"copy-{len(copies)}.sqlite")
        copies.append((done, _whole(done.path)))
    _out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err

    for done, counted in copies:
        assert done.cases == counted["cases"] == 2 and done.size == done.path.stat().st_size
    notes = [counted["notes"] for _done, counted in copies]
    assert notes == sorted(notes) and notes[-1] <= 40
    assert not list(tmp_path.glob(".*partial"))
    with db.connection_context():
        recorded = [json.loads(e.details_json)["path"] for e in
                    AuditEvent.select().where(AuditEvent.action == "backup").order_by(AuditEvent.id)]
    assert recorded == [str(done.path) for done, _counted in copies]


def test_an_existing_file_or_a_missing_folder_is_refused(sqlite_only, tmp_path):
    taken = tmp_path / "taken.sqlite"
    taken.write_text("keep me")
    with pytest.raises(InvalidInput, match="already exists"):
        backup.backup(ADA, taken)
    assert taken.read_text() == "keep me"
    with pytest.raises(InvalidInput, match="no folder"):
        backup.backup(ADA, tmp_path / "nowhere" / "copy.sqlite")
    live = Path(sqlite_only.removeprefix("sqlite:///"))
    with pytest.raises(InvalidInput, match="already exists"):
        backup.backup(ADA, live)


def test_the_command_backs_up_sqlite_and_points_postgresql_at_pg_dump(users, database_url, monkeypatch, capsys,
                                                                      tmp_path):
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_USER", "ada")
    _new(users["casey"])
    target = tmp_path / "copy.sqlite"
    code = cli.main(["db", "backup", str(target)])
    said = capsys.readouterr()
    if database_url.startswith("postgres"):
        assert code == 2 and "pg_dump -Fc" in said.err and not target.exists()
        return
    assert code == 0 and f"Backed up 1 case to {target}" in said.out
    assert _whole(target)["cases"] == 1
    assert cli.main(["db", "backup", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
