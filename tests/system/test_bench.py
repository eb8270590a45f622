"""The benchmark's generator at a small size, on both databases, and the harness's table and JSON.

The national-scale datasets are built by `python -m bench`, never here: these tests check that
generated cases are ones the app itself could have recorded, and that the figures are reported
as measured.
"""

from __future__ import annotations

import json
import statistics

import pytest

from bench import generate, measure
from caseworker_tui.models import (
    Applicant,
    AuditEvent,
    Case,
    Deadline,
    Incident,
    Letter,
    Report,
    User,
)
from caseworker_tui.services import cases, queue
from caseworker_tui.services.eligibility import Verdict
from caseworker_tui.services.letters import KINDS
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.stages import FINISHED, STAGES

SIZE = 50
SAM = Actor("sam", "Sam Okafor", "supervisor")


def _digest(database) -> list[tuple]:
    """What two builds with the same seed must agree on, row for row."""
    with database.bind_ctx([Case, Deadline, Report, Incident]), database.connection_context():
        return [
            *Case.select(Case.id, Case.reference, Case.stage, Case.next_due_on, Case.next_due_step, Case.version,
                         Case.risk_score, Case.verdict_json).order_by(Case.id).tuples(),
            *Deadline.select(Deadline.id, Deadline.case, Deadline.step, Deadline.due_on, Deadline.closed_how)
            .order_by(Deadline.id).tuples(),
            *Report.select(Report.id, Report.incident, Report.agency, Report.reported_on, Report.reporter)
            .order_by(Report.id).tuples(),
        ]


@pytest.fixture
def built(database_url, database) -> dict[str, int]:
    return generate.build(database_url, SIZE, progress=False)


def test_generator_writes_cases_as_the_app_would_have(built, database):
    with database.connection_context():
        assert Case.select().count() == SIZE == built["case_request"]
        assert Applicant.select().count() == SIZE
        assert sorted(u.username for u in User.select()) == ["ada", "casey", "chris", "jo", "sam"]
        reports_per_case = Report.select().count() / SIZE
        assert 7 <= reports_per_case <= 13, reports_per_case
        for case in Case.select():
            assert case.stage in STAGES
            assert case.is_open == (case.stage not in FINISHED)
            assert (case.closed_at is not None) == (case.stage in FINISHED)
            assert Verdict.model_validate_json(case.verdict_json).threshold_met == case.threshold_met
            first_open = (Deadline.select().where((Deadline.case == case) & Deadline.closed_at.is_null())
                          .order_by(Deadline.due_on, Deadline.id).first())
            assert (case.next_due_on, case.next_due_step) == (
                (first_open.due_on, first_open.step) if first_open else (None, None)), case.reference
            events = list(AuditEvent.select().where(AuditEvent.case == case).order_by(AuditEvent.id))
            assert events[0].action == "received"
            assert [e.to_stage for e in events if e.to_stage][-1] == case.stage
        assert {letter.kind for letter in Letter.select()} <= set(KINDS)


def test_generated_cases_open_in_the_services(built, database):
    page = queue.queue_page(SAM)
    with database.connection_context():
        open_cases = Case.select().where(Case.is_open == True).count()  # noqa: E712
        ids = [c.id for c in Case.select(Case.id)]
    assert page.total == open_cases
    for case_id in ids:
        detail = cases.open_case(case_id, SAM, record_view=False)
        assert detail.incidents and detail.timeline


def test_the_seed_alone_decides_the_rows_on_either_database(built, database, tmp_path):
    again, other = f"sqlite:///{tmp_path / 'again.sqlite'}", f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert generate.build(again, SIZE, progress=False) == built
    generate.build(other, SIZE, seed=generate.SEED + 1, progress=False)
    rows = _digest(database)
    assert rows == _digest(generate.open_database(again))
    assert rows != _digest(generate.open_database(other))


# --- the harness's table and JSON ------------------------------------------------------------------

def test_start_up_is_timed_from_the_spawn_to_the_first_paint(built, database_url):
    """The real probe and floor, as processes: the paint comes before the exit, and the ratio is
    the app's paint over the floor's."""
    result = measure.Result(SIZE, "test")
    measure.measure_startup(database_url, 1, result, lambda step: None)
    figures = {name: figure.runs[0] for name, figure in result.figures.items()}
    assert 0 < figures["startup_s"] < figures["process_s"]
    assert 0 < figures["floor_s"] < figures["floor_process_s"]
    assert figures["startup_ratio"] == pytest.approx(figures["startup_s"] / figures["floor_s"])
    assert figures["rss_mb"] > figures["floor_rss_mb"] > 10


def _results() -> list[measure.Result]:
    lite = measure.Result(1000, "sqlite", load=(0.5, 0.7))
    lite.figures["open_case_ms"] = measure.Figure("open a case", "ms", [30.0, 10.0, 20.0], 150, cpu=[9.0, 8.0, 7.0])
    lite.figures["verdicts_per_s"] = measure.Figure("verdicts", "/s", [4000.0, 6000.0, 5000.0], 5000,
                                                    higher_is_better=True)
    lite.skipped["letter_ms"] = "no letters here"
    pg = measure.Result(1000, "postgres", load=(0.6, 0.6))
    pg.figures["open_case_ms"] = measure.Figure("open a case", "ms", [50.0, 70.0, 400.0], 150)
    return [lite, pg]


def test_the_table_shows_median_min_max_and_the_target_met_or_not():
    table = measure.format_table(_results())
    lines = table.splitlines()
    header = next(line for line in lines if line.startswith("figure"))
    assert "1,000 sqlite" in header and "1,000 postgres" in header and "target" in header
    open_row = next(line for line in lines if line.startswith("open a case"))
    assert "20.0 (10.0–30.0) ✓" in open_row and "70.0 (50.0–400) ✓" in open_row and "≤ 150" in open_row
    verdicts = next(line for line in lines if line.startswith("verdicts"))
    assert "5,000 (4,000–6,000) ✓" in verdicts and "≥ 5,000" in verdicts
    assert "letter_ms: no letters here" in table
    assert "open_case_ms     3.50 ✗" in table  # PostgreSQL 70 ÷ SQLite 20, over the 2× allowed
    cpu_row = [line for line in lines if line.startswith("open a case")][-1]
    assert cpu_row.split()[-1] == "8.0"


def test_the_json_carries_every_run_and_its_summary():
    data = json.loads(json.dumps(measure.to_json(_results(), runs=3)))
    lite, pg = data["datasets"]
    figure = lite["figures"]["open_case_ms"]
    assert figure["runs"] == [30.0, 10.0, 20.0]
    assert (figure["median"], figure["min"], figure["max"], figure["met"]) == (20.0, 10.0, 30.0, True)
    assert figure["cpu_median"] == statistics.median([9.0, 8.0, 7.0])
    assert lite["skipped"] == {"letter_ms": "no letters here"}
    assert pg["figures"]["open_case_ms"]["median"] == 70.0
    [versus] = data["postgres_vs_sqlite"]
    assert (versus["figure"], versus["ratio"], versus["met"]) == ("open_case_ms", 3.5, False)
    assert data["runs"] == 3 and data["today"] == generate.ANCHOR.isoformat()


def test_bad_sizes_are_refused_with_the_option_named(capsys):
    with pytest.raises(SystemExit) as stop:
        measure.main(["--sizes", "ten"])
    assert stop.value.code == 2
    assert "--sizes" in capsys.readouterr().err
