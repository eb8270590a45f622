"""`caseworker policy check FILE`: a council's file checked, every problem at once with its key,
and a valid file read back in words; exit code 2 when it is refused, never a traceback."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from caseworker_tui import cli
from caseworker_tui.services.policy import default_policy_text

DATA = resources.files("caseworker_tui.data")
EXAMPLES = ("leicester", "gosport", "east-herts", "richmond", "cleveland", "birmingham")


def check(capsys, path: Path | str) -> tuple[int, str, str]:
    status = cli.main(["policy", "check", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.out, captured.err


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_shipped_policy_is_valid_and_read_back_in_words(capsys, name):
    status, out, err = check(capsys, DATA.joinpath(f"policy-{name}.toml"))
    assert (status, err) == (0, "")
    assert "is a valid policy file" in out
    assert "A request meets the threshold when at least 3 complaints about the behaviour have been made" in out
    assert "Excluded methods: none" in out
    assert "Acknowledge the request" in out and "Agencies:" in out and "Named people" in out


def test_leicesters_rule_expression_in_words(capsys):
    _, out, _ = check(capsys, DATA.joinpath("policy-leicester.toml"))
    assert ("by the local rules (s.104(5)), when (either the victim reported at least 3 different incidents "
            "or at least 3 different people (the victim may be one) reported the same incident or the victim "
            "reported an incident that was hate-related) and the applicant is dissatisfied with the agencies' "
            "response.") in out
    assert "Decide whether the threshold is met, and send the decision letter within 14 calendar days of receipt" in out


def test_gosports_decision_counts_from_the_acknowledgement(capsys):
    _, out, _ = check(capsys, DATA.joinpath("policy-gosport.toml"))
    assert ("Decide whether the threshold is met, and send the decision letter within 15 working days of the "
            "acknowledgement") in out
    assert "There are no local rules." in out
    assert "health: NHS Integrated Care Board\n" in out  # counted: no "(its reports do not count …)"


def test_east_herts_decides_in_14_working_days(capsys):
    _, out, _ = check(capsys, DATA.joinpath("policy-east-herts.toml"))
    assert "send the decision letter within 14 working days of receipt" in out
    assert "Decide an appeal within 15 working days of the appeal being lodged" in out


def test_cleveland_and_birmingham_rules_in_words(capsys):
    _, out, _ = check(capsys, DATA.joinpath("policy-cleveland.toml"))
    assert "or at least 5 reports were made by at least 2 different people." in out
    _, out, _ = check(capsys, DATA.joinpath("policy-birmingham.toml"))
    assert ("when (both the victim reported at least 3 different incidents and at least one report was made in "
            "the 1 month before the request) or the victim reported an incident that was hate-related and "
            "reported it as a hate incident at the time.") in out
    assert "health: NHS Integrated Care Board (its reports do not count towards the threshold)" in out


def test_excluded_methods_and_named_people_are_listed(capsys, tmp_path):
    text = default_policy_text().replace("excluded_methods = []", 'excluded_methods = ["diary_sheet", "online"]')
    text = text.replace("named_people = []", 'named_people = ["Pat Lee", "Sam Roy"]')
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    status, out, _ = check(capsys, path)
    assert status == 0
    assert "Excluded methods: a report made by diary sheet or online does not count." in out
    assert "without an account): Pat Lee, Sam Roy" in out


def test_a_broken_file_lists_every_problem_each_with_its_key(capsys, tmp_path):
    text = (default_policy_text()
            .replace("lookback_months = 6", "lookback_months = 0")
            .replace('label = "Leicestershire Police"', "label = 5")
            .replace('country = "GB"', 'country = "XX"')
            .replace('[timescales.decide]             # decide whether the threshold is met, and send the letter\n'
                     'days = 14\nunit = "calendar"', '[timescales.decide]\ndays = 14\nunit = "weeks"'))
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    status, out, err = check(capsys, path)
    assert (status, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == f"caseworker: {path} is refused:"
    keys = sorted(line.strip().split(":")[0] for line in lines[1:])
    assert keys == ["agencies.police.label", "calendar.country", "threshold.lookback_months", "timescales.decide.unit"]


@pytest.mark.parametrize(("content", "words"), [
    (default_policy_text().encode("utf-16"), "saved as UTF-16"),
    (default_policy_text().replace('version = "2026.1"', 'version = "2026.1 é"').encode("latin-1", "replace"),
     "version (line 7): is not UTF-8 text"),
    (b"name = [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]\n", "name (line 1): values are nested more than 8 deep"),
    (b"name = \n", "is not valid TOML"),
], ids=["utf-16", "latin-1", "nested", "not toml"])
def test_an_unreadable_file_is_refused_in_one_line(capsys, tmp_path, content, words):
    path = tmp_path / "policy.toml"
    path.write_bytes(content)
    status, out, err = check(capsys, path)
    assert (status, out) == (2, "")
    assert words in err


def test_a_missing_file_is_refused(capsys, tmp_path):
    status, _, err = check(capsys, tmp_path / "nowhere.toml")
    assert status == 2 and "cannot read policy file" in err


def test_the_check_needs_no_policy_in_force(capsys, tmp_path, monkeypatch):
    """A council checks its new file while the one in force is broken (or is that very file)."""
    broken = tmp_path / "in-force.toml"
    broken.write_text("name = 1\n", encoding="utf-8")
    monkeypatch.setenv("CASEWORKER_POLICY_FILE", str(broken))
    status, out, _ = check(capsys, DATA.joinpath("policy-gosport.toml"))
    assert status == 0 and "Gosport Community Safety Partnership" in out
