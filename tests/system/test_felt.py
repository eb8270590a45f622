"""The felt-speed harness, once, on the demo: real processes on a pseudo-terminal, app and floor.

Nothing here says how fast anything is. The test checks that the harness works end to end: that
every action it names was driven and seen painted on both sides, and that the table and the JSON
report what was measured.
"""

from __future__ import annotations

import json
import re

import pytest

from bench import felt


@pytest.fixture(scope="module")
def measured() -> felt.Result:
    try:
        felt.check_terminal()
    except RuntimeError as exc:
        pytest.fail(f"the felt-speed harness cannot run here: {exc}")
    [result] = felt.run([felt.DEMO_SIZE], ["sqlite"], runs=1, warmup=0)
    return result


def test_every_action_is_timed_on_the_app_and_on_the_floor(measured):
    for action in felt.ACTIONS:
        for side in ("app", "floor"):
            figure = measured.figure(side, action)
            assert figure is not None, f"{action.name} has no figure for the {side}"
            assert figure.runs and all(ms > 0 for ms in figure.runs), (action.name, side, figure.runs)
            assert len(figure.cpu) == len(figure.runs) and all(ms >= 0 for ms in figure.cpu), (action.name, side)
        assert all(ratio > 0 for ratio in measured.ratios(action)), action.name


def test_one_run_holds_a_sample_per_key_pressed(measured):
    counts = {action.name: len(measured.figure("app", action).runs) for action in felt.ACTIONS}
    assert counts["typing"] == len(felt.TYPED) - 1
    assert counts["f_again"] == 3
    assert counts["approvals_cursor"] >= 2  # down the list and back up: the demo has outcomes awaiting the chair
    assert counts["back"] == 2  # from the case opened, then from the same case opened again
    assert all(counts[name] == 1 for name in ("start", "open_case", "open_case_again", "new_request", "tab", "f3_queue"))
    for action in felt.ACTIONS:
        assert len(measured.figure("floor", action).runs) >= 1, action.name


def test_the_table_has_a_row_per_action_with_both_sides_and_the_ratio(measured):
    table = felt.format_table([measured], runs=1)
    assert "40 cases (the demo) on sqlite: median (min–max) of 1 run" in table
    assert "not measured" not in table
    for action in felt.ACTIONS:
        [row] = [line for line in table.splitlines() if line.startswith(action.label + "  ")]
        assert len(re.findall(r"\d \([\d.]+–[\d.]+\)", row)) == 2, row  # app and floor, each "median (min–max)"


def test_the_json_carries_every_sample_of_both_sides(measured):
    data = json.loads(json.dumps(felt.to_json([measured], runs=1, warmup=0)))
    [dataset] = data["datasets"]
    assert (dataset["size"], dataset["db"], dataset["demo"]) == (40, "sqlite", True)
    assert set(dataset["actions"]) == {action.name for action in felt.ACTIONS}
    for name, action in dataset["actions"].items():
        for side in ("app", "floor"):
            assert action[side]["runs"] and action[side]["median"] > 0, (name, side)
        assert action["ratio"] == pytest.approx(action["app"]["median"] / action["floor"]["median"])
    assert data["terminal"] == {"columns": 120, "rows": 40, "term": "xterm-256color"}


def test_bad_options_are_refused_with_the_option_named(capsys):
    with pytest.raises(SystemExit) as stop:
        felt.main(["--runs", "0"])
    assert stop.value.code == 2
    assert "--runs" in capsys.readouterr().err
