"""The policy file: the shipped default loads, a bad file is refused naming its key, and it can be shown.

Also the threshold's local rules as a council writes them: their kinds, the expression that joins
them (read by a parser, never evaluated as Python), and the first release's shape, refused with
how to convert it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from caseworker_tui import cli
from caseworker_tui.dialogs.common import ProblemDialog
from caseworker_tui.errors import PolicyError
from caseworker_tui.screens.case_detail import CaseScreen
from caseworker_tui.screens.queue import IntakeScreen
from caseworker_tui.services import context, rule_expression
from caseworker_tui.services.policy import default_policy_text, load_policy, parse_policy
from caseworker_tui.services.policy_upgrade import upgrade_policy
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
    assert policy.threshold.relevant_agencies == ["council", "police", "housing_provider"]
    assert (policy.threshold.excluded_methods, policy.threshold.statutory_complaints) == ([], 3)
    assert policy.threshold.rule == ("(three_incidents or three_people_same_incident or hate_incident) "
                                     "and dissatisfied")
    assert [r.model_dump() for r in policy.threshold.rules] == [
        {"id": "three_incidents", "kind": "incidents_by_victim", "min": 3},
        {"id": "three_people_same_incident", "kind": "people_same_incident", "min": 3},
        {"id": "hate_incident", "kind": "hate_incident", "reported_as_hate": False},
        {"id": "dissatisfied", "kind": "dissatisfied"},
    ]
    times = policy.timescales
    assert [(step, t.days, t.unit, t.anchor) for step, t in times if t is not None] == [
        ("acknowledge", 1, "working", "received"), ("decide", 14, "calendar", "received"),
        ("agency_update", 5, "working", "requested"), ("review", 28, "calendar", "accepted"),
        ("appeal_window", 20, "working", "letter_sent"), ("fresh_decision", 14, "calendar", "appeal_decided"),
        ("appeal_decision", 28, "calendar", "lodged"), ("victim_update", 10, "working", "last_contact"),
        ("action_plan_reply", 10, "working", "letter_sent")]
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
    (_changed('days = 14\nunit = "calendar"\nfrom = "received"', 'days = 14\nfrom = "received"'),
     "timescales.decide.unit", "required"),
    (_changed('days = 14\nunit = "calendar"\nfrom = "received"', 'days = 14\nunit = "weeks"\nfrom = "received"'),
     "timescales.decide.unit", "working"),
    (_changed('days = 14\nunit = "calendar"\nfrom = "received"', 'days = 14\nunit = "calendar"\nfrom = "meeting"'),
     "timescales", "decide.from: 'meeting' is not an event this step can count from"),
    (_changed('[timescales.acknowledge]', '[timescales.chase]\ndays = 1\nunit = "working"\nfrom = "received"\n\n'
                                          '[timescales.acknowledge]'), "timescales.chase", "unknown key"),
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


RULE = 'rule = "(three_incidents or three_people_same_incident or hate_incident) and dissatisfied"'
FIRST_RULE = 'id = "three_incidents"\nkind = "incidents_by_victim"\nmin = 3'


@pytest.mark.parametrize(("text", "key", "words"), [
    (_changed(RULE, RULE.replace("hate_incident)", "hate_crime)")), "threshold.rule", "hate_crime"),
    (_changed(RULE, RULE.replace("dissatisfied", "unhappy")), "threshold.rule", "unknown rule id unhappy"),
    (_changed(RULE, 'rule = "three_incidents or"'), "threshold.rule", "ends there"),
    (_changed(RULE, 'rule = "(three_incidents or dissatisfied"'), "threshold.rule", "not closed"),
    (_changed(RULE, 'rule = "three_incidents dissatisfied"'), "threshold.rule", "'dissatisfied' at position 17"),
    (_changed(RULE, """rule = "__import__('os')" """), "threshold.rule", "not allowed"),
    (_changed(RULE, 'rule = "three_incidents and dissatisfied"'), "threshold.rules",
     "three_people_same_incident, hate_incident defined but not used"),
    (_changed(RULE, 'rule = ""'), "threshold.rule", "missing"),
    (_changed(FIRST_RULE, FIRST_RULE + "\nminimum = 2"), "threshold.rules[1] (three_incidents).minimum",
     "unknown key"),
    (_changed(FIRST_RULE, FIRST_RULE.replace("min = 3", "min = 0")), "threshold.rules[1] (three_incidents).min",
     "greater than or equal to 1"),
    (_changed(FIRST_RULE, FIRST_RULE.replace("\nmin = 3", "")), "threshold.rules[1] (three_incidents).min",
     "required"),
    (_changed(FIRST_RULE, FIRST_RULE.replace("min = 3", 'min = "three"')),
     "threshold.rules[1] (three_incidents).min", "integer"),
    (_changed(FIRST_RULE, FIRST_RULE.replace('"incidents_by_victim"', '"incidents_by_anyone"')),
     "threshold.rules[1] (three_incidents).kind", "'incidents_by_anyone' is not a kind of rule"),
    (_changed(FIRST_RULE, FIRST_RULE.replace('kind = "incidents_by_victim"\n', "")),
     "threshold.rules[1] (three_incidents).kind", "missing"),
    (_changed('id = "dissatisfied"', 'id = "hate_incident"'), "threshold.rules", "repeated: hate_incident"),
    (_changed('id = "dissatisfied"', 'id = "statutory"'), "threshold.rules[4] (statutory).id", "reserved"),
    (_changed('id = "dissatisfied"', 'id = "Dissatisfied!"'), "threshold.rules[4] (Dissatisfied!).id",
     "lower-case letters"),
    (_changed('reported_as_hate = false', 'reported_as_hate = "no"'),
     "threshold.rules[3] (hate_incident).reported_as_hate", "boolean"),
    (_changed("statutory_complaints = 3", "statutory_complaints = 4"), "threshold.statutory_complaints",
     "never needs more than three"),
    (_changed("statutory_complaints = 3", "statutory_complaints = 0"), "threshold.statutory_complaints",
     "cannot be switched off"),
    (_changed("excluded_methods = []", 'excluded_methods = ["carrier_pigeon"]'), "threshold.excluded_methods.0",
     "diary_sheet"),
])
def test_a_bad_threshold_names_the_key(text, key, words):
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="my-policy.toml")
    message = str(caught.value)
    assert message.startswith(f"my-policy.toml: {key}: "), message
    assert words in message
    assert "Value error" not in message and "\n" not in message


@pytest.mark.parametrize("kind", [
    'kind = "reports_by_several_people"\nmin_reports = 5\nmin_people = 2',
    'kind = "recent_report"\nwithin_months = 1',
])
def test_every_kind_of_rule_can_be_written(kind):
    policy = parse_policy(_changed(FIRST_RULE, f'id = "three_incidents"\n{kind}'))
    assert policy.threshold.rules[0].kind == kind.split('"')[1]


def test_a_rule_kinds_own_check_names_its_key():
    text = _changed(FIRST_RULE, 'id = "three_incidents"\nkind = "reports_by_several_people"\n'
                                "min_reports = 2\nmin_people = 3")
    with pytest.raises(PolicyError, match=r"^p: threshold.rules\[1\] \(three_incidents\).min_people: "
                                          r"3 people cannot make only 2 reports"):
        parse_policy(text, source="p")


def test_health_counts_only_when_the_policy_lists_it():
    listed = _changed('relevant_agencies = ["council", "police", "housing_provider"]',
                      'relevant_agencies = ["council", "police", "housing_provider", "health"]')
    assert "health" in parse_policy(listed).threshold.relevant_agencies
    assert "health" not in load_policy().threshold.relevant_agencies


# --- the rule expression -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "values", "expected"), [
    ("a or b and c", {"a": False, "b": True, "c": False}, False),   # and binds tighter
    ("a or b and c", {"a": True, "b": False, "c": False}, True),
    ("(a or b) and c", {"a": True, "b": False, "c": False}, False),
    ("not a and b", {"a": False, "b": True}, True),                 # not binds tightest
    ("not (a and b)", {"a": True, "b": True}, False),
    ("a AND NOT b", {"a": True, "b": False}, True),
    ("  ((a))  ", {"a": True}, True),
])
def test_the_rule_expression_is_read_with_the_usual_precedence(text, values, expected):
    assert rule_expression.evaluate(rule_expression.parse(text), values) is expected


def test_the_rule_expression_is_written_back_with_its_letters():
    tree = rule_expression.parse("(three or people or hate) and dissatisfied")
    labels = {"three": "A", "people": "B", "hate": "C", "dissatisfied": "D"}
    assert rule_expression.render(tree, labels.__getitem__) == "(A or B or C) and D"
    assert rule_expression.names(tree) == ["three", "people", "hate", "dissatisfied"]
    assert rule_expression.render(rule_expression.parse("not (a or b) and not c")) == "not (a or b) and not c"


@pytest.mark.parametrize("text", ["", "a and", "and a", "(a", "a)", "a b", "a & b", "a.b",
                                  "__import__('os').system('true')", "a or (b and)"])
def test_a_rule_expression_that_cannot_be_read_is_refused(text):
    with pytest.raises(rule_expression.ExpressionError):
        rule_expression.parse(text)


def test_the_smallest_changes_that_would_meet_the_rule():
    tree = rule_expression.parse("(a or b or c) and d")
    none = dict.fromkeys("abcd", False)
    assert rule_expression.smallest_changes(tree, {**none, "d": True}) == [["a"], ["b"], ["c"]]
    assert rule_expression.smallest_changes(tree, none) == [["a", "d"], ["b", "d"], ["c", "d"]]


# --- the first release's threshold -------------------------------------------------------------

FIRST_RELEASE = Path(__file__).parents[1] / "data" / "policy-first-release.toml"


def _first_release() -> str:
    """The policy file the first release shipped, with a council's own minimum of incidents."""
    return FIRST_RELEASE.read_text(encoding="utf-8").replace("min_incidents = 3", "min_incidents = 4")


def test_a_first_release_policy_is_refused_saying_what_changed_and_how_to_convert_it():
    with pytest.raises(PolicyError) as caught:
        parse_policy(_first_release(), source="old.toml")
    message = str(caught.value)
    assert message.startswith("old.toml: threshold: this file has the first release's threshold "
                              "(min_incidents, min_people_same_incident)")
    assert "caseworker policy upgrade FILE" in message and "[[threshold.rules]]" in message
    assert "statutory_complaints" in message and "\n" not in message and ";" not in message.split(": ", 2)[2][:60]
    assert "timescales: this file has the first release's timescales" in message
    assert "[timescales.decide] days = 14" in message


def test_a_first_release_policy_in_force_stops_a_command_with_one_line(tmp_path, monkeypatch, capsys):
    path = tmp_path / "old.toml"
    path.write_text(_first_release(), encoding="utf-8")
    monkeypatch.setenv("CASEWORKER_POLICY_FILE", str(path))
    assert cli.main(["policy", "show"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "first release's threshold" in line and "policy upgrade" in line


def test_policy_upgrade_converts_the_threshold_and_keeps_the_rest(tmp_path, capsys):
    path = tmp_path / "old.toml"
    path.write_text(_first_release(), encoding="utf-8")
    assert cli.main(["policy", "upgrade", str(path)]) == 0
    captured = capsys.readouterr()
    converted, shipped = parse_policy(captured.out), load_policy()
    assert converted.threshold.rule == shipped.threshold.rule
    assert converted.threshold.rules[0].min == 4  # the council's own number is kept
    # Each timescale as the first release counted it: the appeal window from the decision; the first
    # release had no consultation on the action plan (DOMAIN's default applies) and no update cadence
    # (none is owed until the council sets one), so the file gains neither.
    assert converted.timescales == shipped.timescales.model_copy(
        update={"appeal_window": shipped.timescales.appeal_window.model_copy(update={"anchor": "decided"}),
                "action_plan_reply": None, "victim_update": None})
    unchanged = {"threshold": None, "timescales": None, "named_people": []}
    assert converted.model_copy(update=unchanged) == shipped.model_copy(update=unchanged)
    assert '# "inclusive" reads the procedure' in captured.out  # the council's comments too
    assert path.read_text(encoding="utf-8") == _first_release()  # printed, not written


def test_policy_upgrade_write_replaces_the_file_and_keeps_the_original(tmp_path, capsys):
    path = tmp_path / "old.toml"
    path.write_text(_first_release(), encoding="utf-8")
    assert cli.main(["policy", "upgrade", str(path), "--write"]) == 0
    assert load_policy(path).threshold.statutory_complaints == 3
    assert (tmp_path / "old.toml.first-release").read_text(encoding="utf-8") == _first_release()


def test_policy_upgrade_of_a_current_file_changes_nothing(tmp_path, capsys):
    path = tmp_path / "policy.toml"
    path.write_text(DEFAULT_TEXT, encoding="utf-8")
    assert cli.main(["policy", "upgrade", str(path)]) == 2
    assert "nothing to convert" in capsys.readouterr().err


def test_policy_upgrade_reports_what_else_is_wrong():
    text = _first_release().replace("lookback_months = 6", "lookback_months = 0")
    upgraded = upgrade_policy(text, source="old.toml")
    assert upgraded.problem and "threshold.lookback_months" in upgraded.problem
    assert "min_incidents" not in upgraded.text


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
