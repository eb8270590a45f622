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


def _run(capsys, *args: str, acting_as: str | None = None) -> tuple[int, str, str]:
    status = cli.main([*(["--as", acting_as] if acting_as else []), "stats", *args])
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
    assert dict(rows[1:])["Times the threshold was found not met"] == "2"
    assert dict(rows[1:])["Declined on other grounds"] == "2"


def test_year_picks_the_reporting_year_starting_then(configured, users, capsys):
    build_year(users)
    status, out, _ = _run(capsys, "--year", "2025", "--format", "json")
    figures = json.loads(out)["years"][0]
    assert status == 0
    assert figures["period"] == {"year": 2025, "label": "2025/26", "first_day": "2025-04-01",
                                 "last_day": "2026-03-31"}
    assert figures["public"]["received"] == 1


def test_the_table_adds_the_performance_measures(configured, users, capsys):
    build_year(users)
    status, out, _ = _run(capsys)
    assert status == 0
    assert "Acknowledged on time" in out and "4 of 6 (67%)" in out
    assert "Median days, receipt to decision" in out


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


def test_a_year_with_no_requests_prints_zeros_and_one_before_the_records_not_held(configured, users, capsys):
    status, out, err = _run(capsys, "--year", "2026", "--format", "md")
    assert (status, err) == (0, "")
    assert "2026/27" in out and "| Applications received | 0 |" in out
    status, out, err = _run(capsys, "--year", "2019", "--format", "md")
    assert (status, err) == (0, "")
    assert "2019/20" in out and "| Applications received | not held |" in out
    assert 'a year before that shows "not held"' in out


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


def test_years_side_by_side_with_notes_and_each_print_for_publishing_recorded(configured, users, capsys):
    from caseworker_tui.services import published

    build_year(users)
    status, out, err = _run(capsys, "--year", "2025", "--note", "The first year of the new form.", acting_as="sam")
    assert (status, out, err) == (0, "Note for 2025 saved.\n", "")
    status, out, _ = _run(capsys, "--years", "2024-2026", "--format", "md")
    assert status == 0
    assert out.splitlines()[0].endswith("figures 2024/25 to 2026/27")
    assert "| Measure | 2024/25 | 2025/26 | 2026/27 |" in out
    assert "| Times the threshold was found not met | not held | 0 | 2 |" in out  # the records begin in 2025/26
    assert "The records these figures come from begin on 31 March 2026" in out
    assert "- **2025/26**: The first year of the new form." in out
    assert published.reminder(users["sam"]) is None  # printing the page published it
    status, out, _ = _run(capsys, "--years", "2025-2026", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1] == ["Measure", "2025/26", "2026/27"] and rows[-1] == ["Notes", "The first year of the new form.", ""]


def test_a_caseworker_cannot_write_a_note(configured, users, capsys):
    status, out, err = _run(capsys, "--year", "2026", "--note", "Mine.", acting_as="casey")
    assert (status, out) == (2, "")
    assert "may not" in err and "Traceback" not in err


def test_marking_published_records_it(configured, users, capsys):
    from caseworker_tui.services import published

    build_year(users)
    assert published.reminder(users["sam"]) is not None  # 2025/26's figures were never published
    status, out, _ = _run(capsys, "--years", "2025-2026", "--mark-published", acting_as="sam")
    assert (status, out) == (0, "Figures 2025/26 to 2026/27 marked published.\n")
    assert published.reminder(users["sam"]) is None


@pytest.mark.parametrize("years", ["2024-26", "2026-2024", "24-2026", "2010-2026"])
def test_bad_years_exit_2_naming_the_option(configured, capsys, years):
    status, out, err = _run(capsys, f"--years={years}")
    assert (status, out) == (2, "")
    assert err.startswith("caseworker: years: ") or err.startswith("caseworker: --years: ")


def test_check_and_import_take_the_channel_and_the_figures_count_it(configured, users, capsys, tmp_path):
    from tests.factories import meets_rule_a

    path = tmp_path / "phoned.json"
    path.write_text(json.dumps(meets_rule_a(channel="phone")), encoding="utf-8")
    assert _run_any(capsys, "check", str(path))[0] == 0
    assert _run_any(capsys, "import", str(path))[0] == 0
    _, out, _ = _run(capsys, "--format", "csv")
    assert dict((row[0], row[1]) for row in csv.reader(io.StringIO(out)))["Applications by phone call"] == "1"
    path.write_text(json.dumps(meets_rule_a(channel="fax")), encoding="utf-8")
    status, _, err = _run_any(capsys, "check", str(path))
    assert status != 0 and "channel must be one of" in err


def _run_any(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err
