"""The `caseworker` command: output shapes, exit codes, one clear line for bad input, never a traceback.

Also the properties the command relies on: the services load without Textual, and
`db upgrade` leaves a schema that matches the models.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from playhouse.schema_diff import diff_models

from caseworker_tui import cli, services
from caseworker_tui.cli import common
from caseworker_tui.models import ALL_MODELS, AuditEvent, Case, bind
from caseworker_tui.services import auth, passphrases, workflow
from caseworker_tui.services.permissions import Actor
from tests.factories import application, incident, meets_rule_a, report

DATA = Path(__file__).parents[1] / "data"
GOOD = b"plum orchard at dusk\n"
SERVICES = Path(services.__file__).parent
CONSOLE_SCRIPT = Path(sys.executable).parent / "caseworker"


@pytest.fixture(autouse=True)
def _cheap_passphrase_hashes(monkeypatch):
    """`users add` hashes a passphrase; the hash's strength is not what is under test."""
    monkeypatch.setattr(passphrases, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def cli_database(database_url, monkeypatch) -> str:
    """The commands' database is the test's (SQLite file, then PostgreSQL)."""
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def as_sam(cli_database, users, monkeypatch) -> None:
    """The commands act as the supervisor, as a person at the shell would name themselves."""
    monkeypatch.setenv("CASEWORKER_USER", "sam")


def run(capsys, *argv: str, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _one_line_error(status: int, out: str, err: str) -> str:
    assert status == 2
    assert out == ""
    assert "Traceback" not in err
    (line,) = err.splitlines()
    assert line.startswith("caseworker: ")
    return line


def _write(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _references() -> list[str]:
    with Case._meta.database.connection_context():
        return [c.reference for c in Case.select(Case.reference).order_by(Case.id)]


# --- check --------------------------------------------------------------------------------------

def test_check_json_has_the_documented_shape(capsys):
    status, out, err = run(capsys, "check", str(DATA / "not-met-late-reports.json"), "--json")
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert {"threshold_met", "rules", "excluded", "deadlines", "policy"} <= set(result)
    assert result["threshold_met"] is False
    assert [r["id"] for r in result["rules"]] == [
        "statutory", "three_incidents", "three_people_same_incident", "hate_incident", "dissatisfied"]
    for rule in result["rules"]:
        assert {"id", "passed", "explanation", "letter_sentence", "evidence", "excluded",
                "would_change"} <= set(rule)
        assert isinstance(rule["passed"], bool) and rule["explanation"] and rule["letter_sentence"]
        assert isinstance(rule["evidence"], list)
    assert [r["passed"] for r in result["rules"]] == [False, False, False, False, True]
    assert result["met_by"] is None and result["reason"].startswith("Not met: one complaint")
    assert [x["incident"] for x in result["excluded"]] == ["i1", "i2", "i3"]
    for excluded in result["excluded"]:
        assert {"incident", "reporter", "agency", "reason"} <= set(excluded)
        assert excluded["reporter"] == "applicant" and excluded["reason"]
    assert [x["agency"] for x in result["excluded"]] == ["police", "council", "health"]
    assert result["deadlines"] == {"acknowledge_by": "2026-11-23", "decide_by": "2026-12-04"}
    assert result["policy"] == {"name": "Safer Leicester Partnership", "version": "2026.1",
                                "period_convention": "inclusive"}


@pytest.mark.parametrize(("name", "met"), [
    ("meets-rule-a.json", True), ("meets-rule-b.json", True), ("meets-rule-c-hate.json", True),
    ("not-met-late-reports.json", False), ("meets-statutory-not-dissatisfied.json", True),
])
def test_check_exits_0_whether_or_not_the_threshold_is_met(capsys, name, met):
    status, out, _ = run(capsys, "check", str(DATA / name), "--json")
    assert status == 0
    assert json.loads(out)["threshold_met"] is met


def test_check_reads_stdin(capsys, monkeypatch):
    raw = (DATA / "meets-rule-c-hate.json").read_bytes()
    status, out, _ = run(capsys, "check", "-", "--json", stdin=raw, monkeypatch=monkeypatch)
    assert status == 0
    result = json.loads(out)
    assert result["threshold_met"] is True
    assert result["deadlines"] == {"acknowledge_by": "2026-11-25", "decide_by": "2026-12-08"}


def test_check_json_says_when_the_statutory_rule_met_it(capsys):
    status, out, _ = run(capsys, "check", str(DATA / "meets-statutory-not-dissatisfied.json"), "--json")
    assert status == 0
    result = json.loads(out)
    assert (result["threshold_met"], result["met_by"]) == (True, "statutory")
    statutory, *local = result["rules"]
    assert statutory["id"] == "statutory" and statutory["passed"]
    assert [r["passed"] for r in local] == [True, False, False, False]


def test_check_prints_a_readable_table(capsys):
    status, out, _ = run(capsys, "check", str(DATA / "not-met-late-reports.json"))
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "CT-2026-0103 — received Fri 20 Nov 2026"
    assert "Safer Leicester Partnership, version 2026.1 (inclusive periods)" in lines[1]
    assert "Threshold: NOT MET  — met by 3 complaints (s.104(4)), or by (A or B or C) and D" in out
    assert "✗ not met  Statutory rule (s.104(4)): enough complaints about the behaviour" in out
    assert "✗ not met  A. Reports about enough different incidents" in out
    assert "✓ passed   D. Dissatisfied with the agencies' response" in out
    assert "Excluded reports:" in out and "not a relevant agency" in out
    assert "What would change the verdict:" in out
    assert lines[-1] == "Acknowledge by Mon 23 Nov 2026; decide by Fri 04 Dec 2026."


def _unknown_agency() -> dict:
    data = meets_rule_a()
    data["incidents"][0]["reports"][0]["agency"] = "fire_service"
    return data


@pytest.mark.parametrize(("content", "words"), [
    (b"{\"received_at\": ", "not valid JSON"),
    (b"", "not valid JSON"),
    (json.dumps(meets_rule_a(colour="red")).encode(), "colour is not a field"),
    (json.dumps(application(incident("i1", "2026-02-30"))).encode(), "incident i1: occurred_on"),
    ((DATA / "bad-report-before-incident.json").read_bytes(), "incident i1, report 1: reported_on"),
    (json.dumps(_unknown_agency()).encode(), "incident i1, report 1: agency 'fire_service'"),
    (json.dumps(meets_rule_a(name="Zoë Brontë"), ensure_ascii=False).encode("latin-1"), "not UTF-8"),
], ids=["invalid-json", "empty", "unknown-field", "bad-date", "report-before-incident", "unknown-agency",
        "not-utf-8"])
def test_check_refuses_bad_input_with_one_line(capsys, tmp_path, content, words):
    path = tmp_path / "application.json"
    path.write_bytes(content)
    line = _one_line_error(*run(capsys, "check", str(path)))
    assert words in line


def test_check_refuses_a_request_received_in_the_future_as_import_does(capsys, tmp_path, as_sam):
    path = _write(tmp_path / "from-2099.json", meets_rule_a(received="2099-01-04T10:00:00"))
    checked = _one_line_error(*run(capsys, "check", str(path)))
    imported = _one_line_error(*run(capsys, "import", str(path)))
    assert "received_at 2099-01-04 10:00 is in the future" in checked
    assert checked.removeprefix("caseworker: ") in imported
    assert _references() == []


def test_check_refuses_a_missing_file_with_one_line(capsys, tmp_path):
    line = _one_line_error(*run(capsys, "check", str(tmp_path / "absent.json"), "--json"))
    assert "absent.json" in line and "No such file" in line


def test_check_reads_a_file_with_a_byte_order_mark(capsys, tmp_path):
    path = tmp_path / "from-notepad.json"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "meets-rule-a.json").read_bytes())
    assert run(capsys, "check", str(path))[0] == 0


# --- the console script, as a user runs it -----------------------------------------------------------

def _script(*argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([str(CONSOLE_SCRIPT), *argv], input=stdin, capture_output=True, timeout=60)


def test_the_console_script_checks_a_file():
    done = _script("check", str(DATA / "meets-rule-a.json"), "--json")
    assert done.returncode == 0, done.stderr.decode()
    result = json.loads(done.stdout)
    assert result["threshold_met"] is True
    assert result["deadlines"] == {"acknowledge_by": "2026-11-23", "decide_by": "2026-12-04"}


def test_the_console_script_refuses_bytes_that_are_not_utf8_on_stdin():
    done = _script("check", "-", stdin=b'{"received_at": "\xff"}')
    assert done.returncode == 2
    assert done.stdout == b""
    err = done.stderr.decode()
    assert "Traceback" not in err
    (line,) = err.splitlines()
    assert line.startswith("caseworker: ") and "UTF-8" in line


# --- import --------------------------------------------------------------------------------------

def test_import_prints_the_references(capsys, as_sam):
    status, out, err = run(capsys, "import", str(DATA / "meets-rule-a.json"), str(DATA / "meets-rule-b.json"),
                           str(DATA / "not-met-late-reports.json"))
    assert (status, err) == (0, "")
    lines = [line.split("\t") for line in out.splitlines()]
    assert [fields[0] for fields in lines] == ["CT-2026-0042", "CT-2026-0101", "CT-2026-0103"]
    assert [fields[1] for fields in lines] == ["threshold met", "threshold met", "threshold not met"]
    assert _references() == ["CT-2026-0042", "CT-2026-0101", "CT-2026-0103"]


def test_import_assigns_references_when_absent(capsys, as_sam, tmp_path):
    batch = _write(tmp_path / "batch.json", [application(incident("i1")), application(incident("i1"))])
    status, out, _ = run(capsys, "import", str(DATA / "meets-rule-a.json"), str(batch))
    assert status == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == ["CT-2026-0042", "CT-2026-0043", "CT-2026-0044"]


def test_import_of_a_bad_file_stores_nothing_and_exits_2(capsys, as_sam):
    status, out, err = run(capsys, "import", str(DATA / "batch-third-bad.json"))
    line = _one_line_error(status, out, err)
    assert "application 3" in line and "fire_service" in line and "nothing from this file was saved" in line
    assert _references() == []


def test_import_stores_the_good_files_and_refuses_the_bad(capsys, as_sam, tmp_path):
    latin = tmp_path / "latin-1.json"
    latin.write_bytes(json.dumps(meets_rule_a(name="Zoë Brontë"), ensure_ascii=False).encode("latin-1"))
    status, out, err = run(capsys, "import", str(DATA / "meets-rule-a.json"), str(latin),
                           str(DATA / "batch-third-bad.json"))
    assert status == 2
    assert out.startswith("CT-2026-0042\t") and len(out.splitlines()) == 1
    assert "Traceback" not in err
    first, second = err.splitlines()
    assert "latin-1.json" in first and "not UTF-8" in first
    assert "batch-third-bad.json" in second
    assert _references() == ["CT-2026-0042"]


# --- cases ---------------------------------------------------------------------------------------

@pytest.fixture
def two_cases(capsys, as_sam, tmp_path) -> None:
    """One received long ago (acknowledgement overdue), one yesterday (due today)."""
    old = _write(tmp_path / "old.json", application(incident("i1", "2026-09-20", report("police", "2026-09-21")),
                                                    received="2026-10-01T09:00:00", name="Ola Old",
                                                    reference="CT-2026-0001"))
    new = _write(tmp_path / "new.json", application(incident("i1", "2026-11-20", report("police", "2026-11-21")),
                                                    received="2026-11-24T09:00:00", name="Nia New",
                                                    reference="CT-2026-0002"))
    assert run(capsys, "import", str(old), str(new))[0] == 0


def test_cases_json(capsys, two_cases):
    status, out, _ = run(capsys, "cases", "--json")
    assert status == 0
    rows = json.loads(out)
    assert rows == [
        {"reference": "CT-2026-0001", "applicant": "Ola Old", "stage": "received", "received": "2026-10-01",
         "next_deadline": "2026-10-02", "next_step": rows[0]["next_step"], "countdown": "overdue by 54 days"},
        {"reference": "CT-2026-0002", "applicant": "Nia New", "stage": "received", "received": "2026-11-24",
         "next_deadline": "2026-11-25", "next_step": rows[1]["next_step"], "countdown": "due today"},
    ]
    assert rows[0]["next_step"] and "cknowledge" in rows[0]["next_step"]


def test_cases_overdue_and_stage(capsys, two_cases):
    status, out, _ = run(capsys, "cases", "--overdue", "--json")
    assert [r["reference"] for r in json.loads(out)] == ["CT-2026-0001"]
    with Case._meta.database.connection_context():
        recent = Case.get(Case.reference == "CT-2026-0002").id
    workflow.acknowledge(recent, Actor("sam", "Sam Okafor", "supervisor"))
    status, out, _ = run(capsys, "cases", "--stage", "acknowledged", "--json")
    assert [r["reference"] for r in json.loads(out)] == ["CT-2026-0002"]
    status, out, _ = run(capsys, "cases", "--stage", "received")
    assert "CT-2026-0001" in out and "CT-2026-0002" not in out
    status, out, _ = run(capsys, "cases", "--stage", "closed")
    assert (status, out.strip()) == (0, "No cases match.")


def test_cases_refuses_an_unknown_stage(capsys, as_sam):
    line = _one_line_error(*run(capsys, "cases", "--stage", "lost"))
    assert "stage" in line and "received" in line


# --- users ---------------------------------------------------------------------------------------

def test_users_add_reads_the_passphrase_from_stdin_and_lists(capsys, cli_database, monkeypatch):
    status, out, _ = run(capsys, "users", "add", "Dana", "--role", "caseworker", "--display-name", "Dana Ray",
                         stdin=b"correct horse battery\n", monkeypatch=monkeypatch)
    assert (status, out.strip()) == (0, "Added dana (caseworker).")
    assert auth.sign_in("dana", "correct horse battery").role == "caseworker"
    status, out, _ = run(capsys, "users", "list")
    assert status == 0
    assert out.split() == ["dana", "caseworker", "Dana", "Ray"]


def test_users_add_refuses_a_taken_name_and_a_weak_passphrase(capsys, cli_database, monkeypatch):
    assert run(capsys, "users", "add", "dana", "--role", "admin", stdin=GOOD, monkeypatch=monkeypatch)[0] == 0
    monkeypatch.setenv("CASEWORKER_USER", "dana")
    line = _one_line_error(*run(capsys, "users", "add", "dana", "--role", "admin", stdin=GOOD,
                                monkeypatch=monkeypatch))
    assert "taken" in line
    line = _one_line_error(*run(capsys, "users", "add", "eve", "--role", "admin", stdin=b"\n",
                                monkeypatch=monkeypatch))
    assert "passphrase: at least 12 characters" in line
    line = _one_line_error(*run(capsys, "users", "add", "eve", "--role", "admin", stdin=b"Password1234\n",
                                monkeypatch=monkeypatch))
    assert "passphrase: this one is among the first any guessing tool tries" in line
    assert [u.username for u in auth.list_users()] == ["dana"]


def test_users_list_when_there_are_none(capsys, cli_database):
    status, out, _ = run(capsys, "users", "list")
    assert status == 0 and "No accounts yet" in out


# --- who a command acts as ----------------------------------------------------------------------

def _actors_of(action: str) -> list[str]:
    with AuditEvent._meta.database.connection_context():
        return [e.actor for e in AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)]


def test_without_an_account_named_the_operating_system_user_is_the_person(capsys, cli_database, monkeypatch):
    me = common.shell_user()
    monkeypatch.setenv("USER", "ada")  # the name the shell says is not who runs the command
    monkeypatch.setenv("LOGNAME", "ada")
    line = _one_line_error(*run(capsys, "import", str(DATA / "meets-rule-a.json")))
    assert line == (f"caseworker: --as: this command acts as a person, and the operating-system user {me!r} has no "
                    "account: name yours with --as NAME (or CASEWORKER_USER)")
    # The first account is made with the database's own access, recorded as the command line's user.
    assert run(capsys, "users", "add", "ada", "--role", "admin", stdin=GOOD, monkeypatch=monkeypatch)[0] == 0
    assert _actors_of("user_added") == [f"cli:{me}"]
    line = _one_line_error(*run(capsys, "users", "add", "eve", "--role", "chair", stdin=GOOD, monkeypatch=monkeypatch))
    assert "has no account" in line  # and only the first
    assert run(capsys, "--as", "ada", "users", "add", me, "--role", "supervisor", stdin=GOOD,
               monkeypatch=monkeypatch)[0] == 0
    assert run(capsys, "import", str(DATA / "meets-rule-a.json"))[0] == 0
    assert _actors_of("received") == [me]


def test_as_names_the_account_that_acts(capsys, cli_database, users, monkeypatch):
    assert run(capsys, "--as", "sam", "import", str(DATA / "meets-rule-a.json"))[0] == 0
    monkeypatch.setenv("CASEWORKER_USER", "ada")
    assert run(capsys, "users", "add", "dana", "--role", "chair", stdin=GOOD, monkeypatch=monkeypatch)[0] == 0
    monkeypatch.setenv("CASEWORKER_USER", "casey")
    assert run(capsys, "--as", " Sam ", "import", str(DATA / "meets-rule-b.json"))[0] == 0  # --as wins
    assert _actors_of("received") == ["sam", "sam"]
    assert _actors_of("user_added")[-1] == "ada"


def test_the_named_accounts_role_is_checked_as_in_the_app(capsys, cli_database, users, monkeypatch):
    line = _one_line_error(*run(capsys, "--as", "casey", "stats"))
    assert line == "caseworker: Casey Morgan (caseworker) may not view stats."
    line = _one_line_error(*run(capsys, "--as", "sam", "users", "add", "eve", "--role", "admin",
                                stdin=GOOD, monkeypatch=monkeypatch))
    assert line == "caseworker: Sam Okafor (supervisor) may not run `caseworker users add`: it is for administrators."
    line = _one_line_error(*run(capsys, "--as", "chris", "import", str(DATA / "meets-rule-a.json")))
    assert "Chris Hall (chair) may not record a new request" in line
    assert _references() == [] and "eve" not in [u.username for u in auth.list_users()]


def test_an_account_that_does_not_exist_is_refused_naming_where_it_came_from(capsys, cli_database, monkeypatch):
    line = _one_line_error(*run(capsys, "--as", "nobody", "stats"))
    assert line == "caseworker: --as: no active account named 'nobody'"
    monkeypatch.setenv("CASEWORKER_USER", "nobody")
    line = _one_line_error(*run(capsys, "import", str(DATA / "meets-rule-a.json")))
    assert line == "caseworker: CASEWORKER_USER: no active account named 'nobody'"
    assert _references() == []
    line = _one_line_error(*run(capsys, "cases"))  # applicants' names are read by a person too
    assert line == "caseworker: CASEWORKER_USER: no active account named 'nobody'"


# --- the database schema ---------------------------------------------------------------------------

def _assert_schema_matches_the_models(database) -> None:
    with database.connection_context():
        difference = diff_models(database, ALL_MODELS)
        assert not difference, str(difference)
        for model in ALL_MODELS:
            table = model._meta.table_name
            columns = {c.name: c for c in database.get_columns(table)}
            assert set(columns) == {f.column_name for f in model._meta.sorted_fields}, table
            for field in model._meta.sorted_fields:
                if not field.primary_key:
                    assert columns[field.column_name].null == field.null, f"{table}.{field.column_name}"
            keys = {(k.column, k.dest_table) for k in database.get_foreign_keys(table)}
            assert keys == {(f.column_name, f.rel_model._meta.table_name) for f in model._meta.refs}, table


def test_demo_refuses_a_negative_number_of_cases_and_keeps_the_old_demo(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CASEWORKER_DATA_DIR", str(tmp_path))
    demo = tmp_path / "demo.sqlite"
    demo.write_bytes(b"the demo a colleague is using")
    line = _one_line_error(*run(capsys, "demo", "--cases", "-3"))
    assert "--cases must be 0 or more" in line
    assert demo.read_bytes() == b"the demo a colleague is using"


def test_db_upgrade_builds_a_new_database_once(capsys, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", url)
    status, out, _ = run(capsys, "db", "upgrade")
    assert status == 0 and out.startswith("Applied: 0001_initial")
    status, out, _ = run(capsys, "db", "upgrade")
    assert (status, out.strip()) == (0, "The database is up to date.")
    _assert_schema_matches_the_models(bind(url))


def test_db_upgrade_is_idempotent_and_the_schema_matches_the_models(capsys, cli_database):
    for _ in range(2):
        status, out, _ = run(capsys, "db", "upgrade")
        assert (status, out.strip()) == (0, "The database is up to date.")
    _assert_schema_matches_the_models(bind(cli_database))


# --- layering ------------------------------------------------------------------------------------

def test_the_services_load_without_textual():
    """Every service module, imported in a fresh interpreter, leaves Textual out of sys.modules."""
    script = (
        "import importlib, json, pkgutil, sys\n"
        "import caseworker_tui.services as services\n"
        "names = sorted(m.name for m in pkgutil.iter_modules(services.__path__))\n"
        "for name in names:\n"
        "    importlib.import_module(f'caseworker_tui.services.{name}')\n"
        "textual = sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.'))\n"
        "print(json.dumps({'imported': names, 'textual': textual}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    modules = [p.stem for p in SERVICES.glob("*.py") if p.stem != "__init__"]
    packages = [p.parent.name for p in SERVICES.glob("*/__init__.py")]
    assert result["imported"] == sorted(modules + packages)
    assert result["textual"] == []
