"""The lifecycle table is the one place a step is declared: everything else must follow from it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from caseworker_tui.services.lifecycle import STEPS, offered
from caseworker_tui.services.permissions import ACTION_WORDS, PERMISSIONS
from caseworker_tui.services.stages import FINISHED, STAGES

PACKAGE = Path(__file__).resolve().parents[2] / "caseworker_tui"


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_every_step_has_a_service_function_a_permission_and_a_binding(step):
    from caseworker_tui.screens.case_detail import CaseScreen

    module, function = step.service.split(".")
    service = importlib.import_module(f"caseworker_tui.services.{module}")
    assert callable(getattr(service, function, None)), f"{step.service} is not a function"
    assert PERMISSIONS[step.name] == step.roles
    assert ACTION_WORDS[step.name] == step.words
    bindings = {b.id: b for b in CaseScreen.BINDINGS}
    assert bindings[step.name].key == step.key
    assert bindings[step.name].action == step.screen_action
    assert callable(getattr(CaseScreen, f"action_{step.screen_action}", None))
    assert set(step.stages) <= set(STAGES)
    assert step.to_stage is None or step.to_stage in STAGES


def test_keys_and_screen_actions_are_unique():
    keys = [s.key for s in STEPS]
    assert len(keys) == len(set(keys))
    assert len({s.screen_action for s in STEPS}) == len(STEPS)


def test_a_finished_case_offers_only_what_follows_a_close():
    for stage in FINISHED:
        names = offered(stage, "supervisor", frozenset({"recommendation_open", "takeable"}))
        assert "withdraw" not in names and "take" not in names


def _stage_lists(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            stages = [w for w in words if w in STAGES]
            if len(stages) >= 2:
                yield node.lineno, stages


def test_no_stage_list_is_written_outside_the_lifecycle():
    """A group of stages is the lifecycle's to declare; a copy elsewhere drifts (as withdraw's did).
    The demo's plan is exempt: it is a sample mix of cases, not a rule; so are the timescales'
    anchors, events that share some stages' names ("received", "accepted")."""
    allowed = {PACKAGE / "services" / "lifecycle.py", PACKAGE / "services" / "stages.py",
               PACKAGE / "services" / "demo_plan.py", PACKAGE / "services" / "timescales.py"}
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path in allowed or "migrations" in path.parts:
            continue
        for line, stages in _stage_lists(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(PACKAGE)}:{line} {stages}")
    assert not found, "stage lists outside services/lifecycle.py:\n" + "\n".join(found)


def test_a_stage_s_own_steps_come_before_those_open_at_any_stage():
    from caseworker_tui.services.lifecycle import stage_work_first

    assert stage_work_first(["add_note", "take", "acknowledge", "request_updates", "withdraw"]) == [
        "acknowledge", "request_updates", "add_note", "take", "withdraw"]
