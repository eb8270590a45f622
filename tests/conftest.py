"""Shared fixtures: a fixed clock, the default policy, and a real database per test.

`database` runs each test that uses it twice: on a temporary SQLite file and on the local
PostgreSQL server. Locally, PostgreSQL tests are skipped when no server answers; in CI
(`CASEWORKER_REQUIRE_POSTGRES=1`) an absent server is a failure, never a skip.

The tests sit by layer: services/ (the use cases, no terminal), app/ (the app driven by the pilot,
and its snapshots), cli/ (the `caseworker` command) and system/ (real processes, servers and
browsers: crashes, concurrency, serving, the benchmark, hostile input, the install).
"""

from __future__ import annotations

import os
from datetime import date

import pytest

from caseworker_tui.models import ALL_MODELS, bind, db
from caseworker_tui.models.schema import upgrade
from caseworker_tui.services import accounts, clock, context, passphrases
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.policy import load_policy

TODAY = date(2026, 11, 25)
# Independent chairs without accounts, as a partnership lists them in its policy's named_people.
NAMED_PEOPLE = ["Dr R. Khan", "Pat Fielding", "Pat Reed"]
POSTGRES_URL = os.environ.get("CASEWORKER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("CASEWORKER_REQUIRE_POSTGRES") == "1"

_postgres_ready: bool | None = None
_postgres_problem = ""
_postgres_database = None


def _postgres_available() -> bool:
    """Connect once; build the schema once per session (tests then truncate)."""
    global _postgres_ready, _postgres_problem, _postgres_database
    if _postgres_ready is None:
        try:
            database = _postgres_database = bind(POSTGRES_URL)
            with database.connection_context():
                database.drop_tables(ALL_MODELS, safe=True, cascade=True)
                database.execute_sql("DROP TABLE IF EXISTS schema_migration")
            upgrade(database)
            _postgres_ready = True
        except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
            _postgres_ready, _postgres_problem = False, f"{type(exc).__name__}: {exc}"
    return _postgres_ready


def pytest_report_header(config):
    where = POSTGRES_URL.split("@")[-1]
    mode = "required" if REQUIRE_POSTGRES else "when available"
    return [f"databases: SQLite (temporary file) and PostgreSQL at {where} ({mode})"]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Every test runs on Wednesday 25 November 2026 under the shipped policy (plus named people)."""
    monkeypatch.setenv("CASEWORKER_TODAY", TODAY.isoformat())
    clock.set_today(TODAY)
    context.use_policy(load_policy().model_copy(update={"named_people": NAMED_PEOPLE}))
    yield
    clock.set_today(TODAY)


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch):
    """Argon2 at its cheapest: the suite creates many accounts; production keeps the library's defaults."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(passphrases, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """Config, data and letters go to a per-test folder, never the user's own."""
    monkeypatch.setenv("CASEWORKER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CASEWORKER_CONFIG", str(tmp_path / "config.toml"))


def _truncate_postgres(database) -> None:
    tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
    with database.connection_context():
        database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    """A migrated, empty database; the URL is what the app and the CLI are given."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
        upgrade(bind(url))
        return url
    if not _postgres_available():
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {_postgres_problem}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    db.initialize(_postgres_database)  # one pool for the whole session
    _truncate_postgres(_postgres_database)
    return POSTGRES_URL


@pytest.fixture
def database(database_url):
    yield db.obj
    if not db.obj.is_closed():
        db.obj.close()


@pytest.fixture
def users(database) -> dict[str, Actor]:
    """One account per role (passphrase 'demo'), as actors."""
    made = {}
    for username, role, name in [("casey", "caseworker", "Casey Morgan"), ("jo", "caseworker", "Jo Patel"),
                                 ("sam", "supervisor", "Sam Okafor"), ("chris", "chair", "Chris Hall"),
                                 ("ada", "admin", "Ada Lovelace")]:
        accounts.add_demo_users([(username, role, name)], "demo")
        made[username] = Actor(username, name, role)
    return made


def pytest_terminal_summary(terminalreporter):
    """Say plainly how many tests ran on each database, so a run's log shows both were used."""
    counts: dict[str, dict[str, int]] = {"sqlite": {}, "postgres": {}}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for backend in counts:
                if f"[{backend}" in nodeid or f"-{backend}]" in nodeid:
                    counts[backend][outcome] = counts[backend].get(outcome, 0) + 1
    where = POSTGRES_URL.split("@")[-1]
    for backend, label in (("sqlite", "SQLite (temporary files)"), ("postgres", f"PostgreSQL at {where}")):
        found = counts[backend]
        words = ", ".join(f"{n} {outcome}" for outcome, n in sorted(found.items())) or "none ran"
        terminalreporter.write_line(f"database tests on {label}: {words}")


@pytest.fixture
def mail():
    """A real SMTP server on loopback (aiosmtpd) that keeps what it is sent, for the sending tests."""
    from tests.mailserver import MailServer

    server = MailServer().start()
    yield server
    server.stop()
