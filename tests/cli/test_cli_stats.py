"""`caseworker stats`: each format, the year chosen, and bad input, on both databases."""

from __future__ import annotations

import csv
import io
import json

import pytest

from caseworker_tui import cli
from caseworker_tui.services.policy import default_policy_text
from tests.services.test_stats import build_year


@pytest.fixture
def configured(database_url, users, monkeypatch):
    """The CLI pointed at the test database, acting as the supervisor."""
    monkeypatch.setenv("CASEWORKER_DATABASE_URL", database_url)
    monkeypatch.setenv("CASEWORKER_USER", "sam")
    return database_url


def _run(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["stats", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_markdown_is_the_current_years_public_counts_under_a_title(configured, users, capsys):
    build_year(users)
    status, out, err = _run(capsys, "--format", "md")
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "# Safer Leicester Partnership: Community Trigger (ASB Case Review) figures 2026/27"
    assert "| Applications received | 7 |" in out and "| Appeals upheld | 1 |" in out
    assert "Zebedee" not in out and "CT-" not in out


def test_csv_reads_back_as_measure_and_count(configured, users, capsys):
    build_year(users)
    status, out, _ = _run(capsys, "--year", "2026", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert status == 0
    assert rows[0] == ["Community Trigger (ASB Case Review)", "Safer Leicester Partnership 2026/27"]
    assert dict(rows[1:])["Threshold not met"] == "1"
    assert dict(rows[1:])["Declined on other grounds"] == "1"


def test_year_picks_the_reporting_year_starting_then(configured, users, capsys):
    build_year(users)
    status, out, _ = _run(capsys, "--year", "2025", "--format", "json")
    figures = json.loads(out)
    assert status == 0
    assert figures["period"] == {"year": 2025, "label": "2025/26", "first_day": "2025-04-01",
                                 "last_day": "2026-03-31"}
    assert figures["public"]["received"] == 1


def test_the_table_adds_the_performance_measures(configured, users, capsys):
    build_year(users)
    status, out, _ = _run(capsys)
    assert status == 0
    assert "Acknowledged on time" in out and "4 of 6 (67%)" in out
    assert "Median days from receipt to decision" in out


def test_a_calendar_year_policy_reads_year_as_january_to_december(configured, users, capsys, tmp_path,
                                                                   monkeypatch):
    build_year(users)
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(default_policy_text().replace("year_start_month = 4", "year_start_month = 1"),
                           encoding="utf-8")
    monkeypatch.setenv("CASEWORKER_POLICY_FILE", str(policy_file))
    status, out, _ = _run(capsys, "--year", "2026", "--format", "csv")
    assert status == 0
    assert out.splitlines()[0].endswith("Safer Leicester Partnership 2026")
    assert "Applications received,8" in out


def test_a_year_with_no_requests_prints_zeros(configured, users, capsys):
    status, out, err = _run(capsys, "--year", "2019", "--format", "md")
    assert (status, err) == (0, "")
    assert "2019/20" in out and "| Applications received | 0 |" in out


@pytest.mark.parametrize("year", ["abc", "26", "2026/27", "-2026"])
def test_a_bad_year_exits_2_with_a_clear_message(configured, capsys, year):
    status, out, err = _run(capsys, f"--year={year}")
    assert (status, out) == (2, "")
    assert err.startswith("caseworker: --year: give the year the reporting year starts in, like 2026")
    assert "Traceback" not in err


def test_a_year_out_of_range_exits_2(configured, capsys):
    status, _, err = _run(capsys, "--year", "1066")
    assert status == 2
    assert "year: must be between" in err


def test_an_unknown_format_is_refused_by_the_parser(configured, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["stats", "--format", "xml"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
