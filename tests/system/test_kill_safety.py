"""Start-ups, letters and demo builds in real processes, at once or killed at the worst moment.

Several desks starting together all upgrade the schema without an error; a letter producer
killed between naming its file and committing its row leaves nothing later taken for a letter;
a demo build killed part-way is built again rather than opened as ready.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg2
import pytest

from caseworker_tui.config import demo_database_url
from caseworker_tui.models import FileSweep, Letter, User, bind, db
from caseworker_tui.services import context, intake
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.demo_ready import ensure_demo, ready_marker
from tests.factories import meets_rule_a

ROOT = Path(__file__).resolve().parents[2]
STARTS = 6


def _python(code: str, url: str) -> subprocess.Popen:
    env = {**os.environ, "CASEWORKER_DATABASE_URL": url}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def fresh_url(database_url, tmp_path):
    """A database nobody has upgraded yet: a new SQLite file, or a PostgreSQL database of its own."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    name = database_url.rsplit("/", 1)[1] + "_fresh"
    admin = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_desks_starting_at_once_all_upgrade_the_schema(fresh_url):
    starts = [subprocess.Popen([sys.executable, "-m", "caseworker_tui", "db", "upgrade"], cwd=ROOT, text=True,
                               env={**os.environ, "CASEWORKER_DATABASE_URL": fresh_url},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(STARTS)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in starts]

    assert [code for code, _out, _err in results] == [0] * STARTS, [err for _c, _o, err in results]
    assert sum(out.startswith("Applied:") for _c, out, _e in results) == 1  # the others found it done
    assert sum("up to date" in out for _c, out, _e in results) == STARTS - 1


KILLED_PRODUCER = """
    import os, signal, sys
    from caseworker_tui.models import bind
    from caseworker_tui.services import letters
    from caseworker_tui.services.letters import producing
    from caseworker_tui.services.permissions import Actor

    bind(os.environ["CASEWORKER_DATABASE_URL"])
    # The worst moment: the file has its letter's name, the row is not yet committed.
    producing._sync_dir = lambda folder: os.kill(os.getpid(), signal.SIGKILL)
    letters.produce(int(sys.argv[1]) if len(sys.argv) > 1 else {case_id}, "acknowledgement",
                    Actor("casey", "Casey Morgan", "caseworker"), {out!r})
"""


def test_a_letter_killed_before_its_row_is_committed_is_never_taken_for_a_letter(users, database_url, tmp_path):
    from caseworker_tui.services import letters

    casey, out = users["casey"], tmp_path / "letters"
    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey).id
    killed = _python(KILLED_PRODUCER.format(case_id=case_id, out=str(out)), database_url)
    assert killed.wait(timeout=120) == -9, killed.stderr.read()
    left = sorted(p.name for p in out.iterdir())
    assert left == [f"{_reference(case_id)}_acknowledgement_v1.docx"]  # named, yet no row records it
    with db.connection_context():
        assert Letter.select().count() == 0 and FileSweep.select().count() == 1

    produced = letters.produce(case_id, "acknowledgement", casey, out)

    with db.connection_context():
        rows = list(Letter.select())
        assert FileSweep.select().count() == 0
    assert [r.id for r in rows] == [produced.id]
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [Path(produced.path).name]  # no .part, nothing unrecorded
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == produced.checksum


def _reference(case_id: int) -> str:
    from caseworker_tui.models import Case

    with db.connection_context():
        return Case.get_by_id(case_id).reference


KILLED_DEMO = """
    import os, signal
    from caseworker_tui.config import demo_database_url
    from caseworker_tui.services.demo import build_demo

    def progress(done, total):
        if done == 5:
            os.kill(os.getpid(), signal.SIGKILL)

    build_demo(demo_database_url(), progress=progress)
"""


def test_a_killed_demo_build_is_built_again_not_opened(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the demo database is a SQLite file")
    url = demo_database_url()
    killed = _python(KILLED_DEMO, url)
    assert killed.wait(timeout=300) == -9, killed.stderr.read()
    assert Path(url[len("sqlite:///"):]).exists() and not ready_marker(url).exists()

    built: list[int] = []
    ensure_demo(url, progress=lambda done, total: built.append(done))
    assert built and built[-1] == 40 and ready_marker(url).exists()
    with db.connection_context():
        assert User.select().exists()
    opened: list[int] = []
    ensure_demo(url, progress=lambda done, total: opened.append(done))
    assert opened == []  # ready: opened, not built again
    bind(database_url)


PRODUCER = """
    import os
    from caseworker_tui.models import bind
    from caseworker_tui.services import letters
    from caseworker_tui.services.permissions import Actor

    bind(os.environ["CASEWORKER_DATABASE_URL"])
    for _ in range({count}):
        letters.produce({case_id}, "acknowledgement", Actor("casey", "Casey Morgan", "caseworker"), {out!r})
"""


def test_producers_in_four_processes_give_every_letter_its_own_version(users, database_url, tmp_path):
    casey, out = users["casey"], tmp_path / "letters"
    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey).id
    producers = [_python(PRODUCER.format(count=4, case_id=case_id, out=str(out)), database_url) for _ in range(4)]
    for producer in producers:
        assert producer.wait(timeout=300) == 0, producer.stderr.read()

    with db.connection_context():
        rows = list(Letter.select().order_by(Letter.version_no))
    assert [r.version_no for r in rows] == list(range(1, 17))
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(r.path).name for r in rows)
    for row in rows:
        assert hashlib.sha256(Path(row.path).read_bytes()).hexdigest() == row.checksum
