"""Personal data on disk is its owner's alone: the data folder 0700; the SQLite database, its -wal and
-shm, backups, exports and subject-access files 0600, whatever the umask; subject-access files
named for when they were made, never for whom."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from caseworker_tui import cli
from caseworker_tui.config import data_dir
from caseworker_tui.models import bind, db
from caseworker_tui.models.schema import upgrade
from caseworker_tui.services import backup, context, intake, published
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.permissions import Actor
from tests.factories import meets_rule_a

ADA = Actor("ada", "Ada Lovelace", "admin")
SAM = Actor("sam", "Sam Okafor", "supervisor")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _everyday_umask():
    """The usual umask, which leaves new files readable by every account on the machine."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_the_data_folder_is_made_for_its_owner_alone(tmp_path, monkeypatch):
    assert _mode(data_dir()) == 0o700
    old = tmp_path / "from-an-earlier-release"
    old.mkdir(mode=0o755)
    monkeypatch.setenv("CASEWORKER_DATA_DIR", str(old))
    assert data_dir() == old and _mode(old) == 0o700


def test_a_shared_scratch_folder_named_as_the_data_folder_is_left_open(tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    scratch.chmod(0o1777)
    monkeypatch.setenv("CASEWORKER_DATA_DIR", str(scratch))
    data_dir()
    assert _mode(scratch) == 0o1777


def test_a_new_sqlite_database_and_its_wal_and_shm_are_the_owners_alone(tmp_path):
    path = tmp_path / "new" / "cases.sqlite"
    upgrade(bind(f"sqlite:///{path}"))
    with db.connection_context():  # a connection open: the -wal and -shm are there
        intake.create_request(parse_application(meets_rule_a(), context.policy()), SAM)
        assert {p.name: _mode(p) for p in path.parent.iterdir()} == {
            "cases.sqlite": 0o600, "cases.sqlite-wal": 0o600, "cases.sqlite-shm": 0o600}
    assert _mode(path.parent) == 0o700


def test_a_database_an_earlier_release_left_readable_is_closed_when_opened(tmp_path):
    path = tmp_path / "cases.sqlite"
    upgrade(bind(f"sqlite:///{path}"))
    for name in ("cases.sqlite", "cases.sqlite-wal", "cases.sqlite-shm"):
        (tmp_path / name).touch()
        (tmp_path / name).chmod(0o644)
    bind(f"sqlite:///{path}")
    assert {name: _mode(tmp_path / name) for name in ("cases.sqlite", "cases.sqlite-wal", "cases.sqlite-shm")} \
        == dict.fromkeys(("cases.sqlite", "cases.sqlite-wal", "cases.sqlite-shm"), 0o600)


def test_a_backup_is_the_owners_alone(tmp_path):
    upgrade(bind(f"sqlite:///{tmp_path / 'cases.sqlite'}"))
    done = backup.backup(ADA, tmp_path / "copy.sqlite")
    assert _mode(done.path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.sqlite"]


def test_the_exported_figures_are_the_owners_alone_even_over_an_older_export(database, users, tmp_path):
    result = published.published(users["sam"], 2026, 2026)
    folder = tmp_path / "public-figures"
    folder.mkdir()
    stem = published.export_stem(result)
    (folder / f"{stem}.csv").write_text("old", encoding="utf-8")
    (folder / f"{stem}.csv").chmod(0o644)
    written = published.export(users["sam"], result, folder)
    assert [_mode(path) for path in written] == [0o600, 0o600]
    assert written[1].read_bytes().startswith(b"Community Trigger (ASB Case Review),")
    assert _mode(published.export(users["sam"], result, tmp_path / "new" / "figures")[0].parent) == 0o700


def test_a_subject_access_file_is_named_neutrally_and_the_owners_alone(database_url, users, monkeypatch, capsys):
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_USER", "ada")
    intake.create_request(parse_application(meets_rule_a(name="Ann Lee"), context.policy()), users["casey"])
    assert cli.main(["subject-access", "Ann Lee"]) == 0
    assert cli.main(["subject-access", "Ann Lee"]) == 0  # again in the same second: a file of its own
    capsys.readouterr()
    folder = data_dir() / "subject-access"
    files = sorted(folder.iterdir())
    assert len(files) == 2 and _mode(folder) == 0o700
    for path in files:
        assert path.name.startswith("subject-access-") and "ann" not in path.name.lower()
        assert _mode(path) == 0o600
        assert json.loads(path.read_text(encoding="utf-8"))["query"] == "Ann Lee"
