"""The policy file: the shipped default loads, a bad file is refused naming its key, and it can be shown."""

from __future__ import annotations

import pytest

from caseworker_tui import cli
from caseworker_tui.errors import PolicyError
from caseworker_tui.screens.case_detail import CaseScreen
from caseworker_tui.screens.dialogs import ProblemDialog
from caseworker_tui.screens.intake import IntakeScreen
from caseworker_tui.services import context
from caseworker_tui.services.policy import default_policy_text, load_policy, parse_policy
from tests.apphelpers import SIZE, make_app, seed_cases, settle

DEFAULT_TEXT = default_policy_text()


def _changed(old: str, new: str) -> str:
    assert old in DEFAULT_TEXT
    return DEFAULT_TEXT.replace(old, new, 1)


def test_the_shipped_default_is_leicesters():
    policy = load_policy()
    assert policy.name == "Safer Leicester Partnership"
    assert policy.threshold.period_convention == "inclusive"
    assert (policy.threshold.report_within_months, policy.threshold.lookback_months) == (1, 6)
    assert (policy.threshold.min_incidents, policy.threshold.min_people_same_incident) == (3, 3)
    assert policy.threshold.relevant_agencies == ["council", "police", "housing_provider"]
    assert (policy.timescales.acknowledge_working_days, policy.timescales.decide_calendar_days) == (1, 14)
    assert policy.timescales.agency_update_working_days == 5
    assert policy.timescales.review_calendar_days == 28
    assert policy.timescales.appeal_window_working_days == 20
    assert (policy.calendar.country, policy.calendar.subdivision) == ("GB", "ENG")
    assert policy.reporting.year_start_month == 4


def test_a_partnerships_own_file_is_read(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(_changed('version = "2026.1"', 'version = "2027.2"'), encoding="utf-8")
    assert load_policy(path).version == "2027.2"


@pytest.mark.parametrize(("text", "key", "words"), [
    (_changed("lookback_months = 6", 'lookback_months = 6\ncolour = "red"'), "threshold.colour", "unknown key"),
    ("colour = 1\n" + DEFAULT_TEXT, "colour", "unknown key"),
    (_changed("lookback_months = 6", 'lookback_months = "six"'), "threshold.lookback_months", "integer"),
    (_changed("lookback_months = 6", "lookback_months = 0"), "threshold.lookback_months", "greater than"),
    (_changed('period_convention = "inclusive"', 'period_convention = "lenient"'),
     "threshold.period_convention", "statute"),
    (_changed("decide_calendar_days = 14\n", ""), "timescales.decide_calendar_days", "required"),
    (_changed("office_closures = []", 'office_closures = ["2026-13-01"]'), "calendar.office_closures", "date"),
    (_changed('label = "Leicestershire Police"', "label = 5"), "agencies.police.label", "string"),
    (_changed('relevant_agencies = ["council", "police", "housing_provider"]',
              'relevant_agencies = ["council", "fire_service"]'), "threshold.relevant_agencies", "fire_service"),
    (_changed('id = "children"', 'id = "disability"'), "triage.questions", "disability"),
])
def test_a_bad_policy_names_the_key(text, key, words):
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="my-policy.toml")
    message = str(caught.value)
    assert message.startswith(f"my-policy.toml: {key}")
    assert words in message
    assert "Value error" not in message and "(top level)" not in message


def test_bad_toml_says_where():
    with pytest.raises(PolicyError, match=r"my-policy.toml is not valid TOML: .*line \d+"):
        parse_policy(_changed("lookback_months = 6", "lookback_months 6"), source="my-policy.toml")


def test_a_missing_file_is_a_policy_error(tmp_path):
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(tmp_path / "absent.toml")


def test_policy_show_prints_the_policy_in_force(capsys):
    assert cli.main(["policy", "show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Policy in force: Safer Leicester Partnership, version 2026.1")
    assert parse_policy(out) == load_policy()  # what is shown is the policy itself, not a summary


def test_policy_show_prints_a_partnerships_own_file(tmp_path, monkeypatch, capsys):
    path = tmp_path / "policy.toml"
    path.write_text(_changed('version = "2026.1"', 'version = "2027.2"'), encoding="utf-8")
    monkeypatch.setenv("CASEWORKER_POLICY_FILE", str(path))
    assert cli.main(["policy", "show"]) == 0
    out = capsys.readouterr().out
    assert "version 2027.2" in out.splitlines()[0]
    assert parse_policy(out).version == "2027.2"


def test_a_bad_policy_file_stops_the_command_with_one_line(tmp_path, monkeypatch, capsys):
    path = tmp_path / "policy.toml"
    path.write_text(_changed("lookback_months = 6", 'lookback_months = "six"'), encoding="utf-8")
    monkeypatch.setenv("CASEWORKER_POLICY_FILE", str(path))
    assert cli.main(["policy", "show"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert "threshold.lookback_months" in line and "Traceback" not in captured.err


def _app_under(policy_text: str, tmp_path, database_url: str, actor):
    """The app for `actor` with a partnership's own policy file in force, not yet read."""
    path = tmp_path / "policy.toml"
    path.write_text(policy_text, encoding="utf-8")
    context.read_policy_from(path)
    return make_app(database_url, actor=actor)


async def test_the_app_reads_the_policy_after_its_first_screen_and_stops_on_a_bad_one(database_url, users,
                                                                                    tmp_path):
    app = _app_under(_changed("lookback_months = 6", 'lookback_months = "six"'), tmp_path, database_url,
                     users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ProblemDialog)
        assert isinstance(app.screen_stack[-2], IntakeScreen)  # the queue came first, without the policy
        shown = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "The policy in force cannot be used" in shown and "threshold.lookback_months" in shown
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 2


async def test_the_app_reads_a_partnerships_own_policy_once_it_is_up(database_url, users, tmp_path):
    app = _app_under(_changed('version = "2026.1"', 'version = "2027.2"'), tmp_path, database_url, users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert context._policy is not None and context._policy.version == "2027.2"


async def test_a_supervisor_whose_home_needs_the_policy_is_told_why_it_cannot_open(database_url, users, tmp_path):
    app = _app_under(_changed("lookback_months = 6", "lookback_months = 0"), tmp_path, database_url, users["sam"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ProblemDialog)
        assert len(app.screen_stack) == 2  # the deadlines view never opened without its policy
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 2


async def test_a_case_asked_for_as_the_app_starts_opens_once_the_policy_is_read(database_url, users):
    seed_cases(users)
    context.read_policy_from(None)
    app = make_app(database_url, actor=users["casey"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
