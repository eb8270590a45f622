"""The deadline steps, declared once: their words, tabs and measures, and labels worded when read."""

from __future__ import annotations

from caseworker_tui.models import Deadline, db
from caseworker_tui.services import cases, context, deadlines_view, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.deadline_steps import (
    DEADLINE_STEPS,
    chart_names,
    measured_steps,
    published_steps,
    step_label,
    step_tab,
    step_words,
)
from tests.factories import meets_rule_a


def test_a_step_reads_its_label_words_and_tab():
    assert step_label("agency_update", "Leicestershire Police") == "Update from Leicestershire Police"
    assert step_label("recommendation") == "Recommendation due: agency"
    assert step_label("review") == "Complete the review and send the outcome"
    assert step_words("chair_approval") == "Chair approval"
    assert (step_tab("decide"), step_tab("notify_extension"), step_tab("review")) == (
        "eligibility", "letters", "progress")


def test_a_step_no_release_declares_reads_as_its_own_words():
    assert (step_label("site_visit"), step_words("site_visit"), step_tab("site_visit")) == (
        "site visit", "site visit", "progress")
    assert step_words(None) == ""


def test_every_key_is_its_steps_own():
    assert all(key == step.key for key, step in DEADLINE_STEPS.items())


def test_the_yearly_figures_measure_the_declared_steps():
    """The figures' measures are the table's: each with its words and its chart name."""
    measured = measured_steps()
    assert list(measured) == ["acknowledge", "decide", "review", "chair_approval", "recommendation", "victim_update"]
    assert set(chart_names()) == set(measured)
    assert published_steps() == ["recommendation", "victim_update"]  # published beside the statutory counts
    assert all(measured.values()) and all(chart_names().values())


def test_a_label_is_worded_from_its_step_not_read_from_the_row(users):
    """Rewording a step needs no data migration: what a row stored when it opened is not shown."""
    casey = users["casey"]
    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey).id
    workflow.request_updates(case_id, casey, ["police"])
    with db.connection_context():
        Deadline.update(label="Words of an older release").execute()
    shown = {d.step: d.label for d in cases.open_case(case_id, casey).deadlines}
    assert shown["acknowledge"] == "Acknowledge the request"
    assert shown["agency_update"] == "Update from Leicestershire Police"
    listed = {r.step: r.label for r in deadlines_view.deadline_page(users["sam"]).rows}
    assert listed == {"acknowledge": "Acknowledge the request", "decide": "Decide whether the threshold is met",
                      "agency_update": "Update from Leicestershire Police"}
