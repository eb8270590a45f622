"""The figures as published: three years side by side, the notes, the reminder, the ways of applying."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest

from caseworker_tui.errors import InvalidInput, PermissionDenied
from caseworker_tui.models import AuditEvent, Case, FiguresNote, db
from caseworker_tui.services import clock, context, intake, published, workflow
from caseworker_tui.services.application import CHANNELS, parse_application
from caseworker_tui.services.workflow import RecommendationIn
from tests.conftest import TODAY
from tests.factories import victim_heard
from tests.services.test_stats import _application, _on


def _new(actor, received: datetime, *, meets: bool, who: int, channel: str | None = None) -> int:
    clock.set_today(received.date())
    data = _application(received, meets, who)
    if channel:
        data["channel"] = channel
    return intake.create_request(parse_application(data, context.policy()), actor).id


def build_three_years(users) -> dict[str, int]:
    """2024/25 to 2026/27, by hand:

    2024/25: received 2 (Z by paper form, X with no channel); threshold not met 2 (Z; X, whose
             not-met decision is overturned on appeal the next year and still counts); appeals lodged 1.
    2025/26: received 0; appeals upheld 1 (X's); accepted 1 (X's fresh decision); reviews carried
             out 1, with recommendations 1 (X's), the victim there in person.
    2026/27: received 1 (Y by phone); threshold not met 1 (Y).
    """
    casey, chris, sam = users["casey"], users["chris"], users["sam"]
    ids = {}
    ids["Z"] = z = _new(casey, datetime(2024, 5, 6, 10, 0), meets=False, who=1, channel="paper")
    _on("2024-05-07")
    workflow.acknowledge(z, casey)
    workflow.decide(z, casey, accept=False)

    ids["X"] = x = _new(casey, datetime(2025, 3, 3, 10, 0), meets=False, who=2)
    _on("2025-03-04")
    workflow.acknowledge(x, casey)
    _on("2025-03-10")
    workflow.decide(x, casey, accept=False)
    _on("2025-03-20")
    workflow.record_appeal(x, casey, lodged_on=date(2025, 3, 20), grounds="Two reports were missed.")
    _on("2025-04-08")
    workflow.decide_appeal(x, sam, upheld=True, independent_chair="Pat Fielding", reason="Reports missed.")
    _on("2025-04-15")
    workflow.decide(x, casey, accept=True, reason="Met once the missed reports are counted.")
    workflow.schedule_review(x, casey, meeting_on=date(2025, 4, 29), chair_name="Chris Hall",
                             agencies=["police"], participation="in_person")
    _on("2025-04-29")
    workflow.draft_outcome(x, casey, summary="The pattern was missed.",
                           recommendations=[RecommendationIn("police", "Patrol the park", date(2025, 6, 30))])
    victim_heard(x, casey)
    workflow.submit_outcome(x, casey)
    _on("2025-05-06")
    workflow.approve_outcome(x, chris)

    ids["Y"] = y = _new(casey, datetime(2026, 6, 1, 9, 0), meets=False, who=3, channel="phone")
    _on("2026-06-02")
    workflow.acknowledge(y, casey)
    _on("2026-06-08")
    workflow.decide(y, casey, accept=False)
    clock.set_today(TODAY)
    return ids


@pytest.fixture
def three_years(users) -> dict[str, int]:
    return build_three_years(users)


def _row(rows, key):
    return next(r for r in rows if r.key == key).values


def test_three_years_side_by_side_count_a_not_met_decision_though_overturned(three_years, users):
    result = published.published(users["sam"], 2024, 2026)
    assert [y.period.label for y in result.years] == ["2024/25", "2025/26", "2026/27"]
    statutory = published.statutory_rows(result)
    assert [r.key for r in statutory] == ["received", "threshold_not_met", "reviews_carried_out",
                                          "reviews_with_recommendations"]
    assert {r.key: r.values for r in statutory} == {
        "received": [2, 0, 1], "threshold_not_met": [2, 0, 1], "reviews_carried_out": [0, 1, 0],
        "reviews_with_recommendations": [0, 1, 0]}
    own = published.own_rows(result)
    assert _row(own, "appeals_lodged") == [1, 0, 0]
    assert _row(own, "appeals_upheld") == [0, 1, 0]
    assert _row(own, "accepted") == [0, 1, 0]
    assert _row(own, "victim_took_part") == [0, 1, 0]
    assert _row(own, "independent_chair") == ["not recorded"] * 3
    # Timeliness is of the steps each year's requests owe: X's recommendation, due 30 June 2025, is open.
    assert _row(own, "on_time_recommendation") == ["0 of 1 (0%)", "none due yet", "none due yet"]
    assert _row(own, "channel_paper") == [1, 0, 0]
    assert _row(own, "channel_phone") == [0, 0, 1]
    assert _row(own, "channel_not_recorded") == [1, 0, 0]
    assert len([r for r in own if r.key.startswith("channel_")]) == len(CHANNELS) + 1


def test_a_year_before_the_first_request_held_is_not_held_rather_than_zero(three_years, users):
    """The records begin in 2024/25: 2023/24's work was recorded elsewhere, so no row shows it as 0."""
    result = published.published(users["sam"], 2023, 2024)
    for row in [*published.statutory_rows(result), *published.own_rows(result), *published.performance_rows(result)]:
        assert row.values[0] == published.NOT_HELD, row.key
    assert published.statutory_rows(result)[0].values[1] == 2
    assert 'a year before that shows "not held"' in published.render_markdown(result)
    assert "not held" not in published.render_markdown(published.published(users["sam"], 2024, 2026))


def test_the_markdown_reads_back_as_a_page_a_partnership_could_publish(three_years, users):
    published.set_note(users["sam"], 2025, "One appeal upheld | a fresh decision followed.")
    text = published.render_markdown(published.published(users["sam"], 2024, 2026))
    lines = text.splitlines()
    assert lines[0] == "# Safer Leicester Partnership: Community Trigger (ASB Case Review) figures 2024/25 to 2026/27"
    assert "Each reporting year runs from 1 April to 31 March." in text and "25 November 2026" in text
    tables = [line for line in lines if line.startswith("| ")]
    cells = {line.split(" | ")[0][2:]: [c.strip(" |") for c in line.split(" | ")[1:]] for line in tables}
    assert cells["Measure"] == ["2024/25", "2025/26", "2026/27"]
    assert cells["Times the threshold was found not met"] == ["2", "0", "1"]
    assert cells["Applications by phone call"] == ["0", "0", "1"]
    statutory = lines.index(next(line for line in lines if line.startswith("## Statutory")))
    own = lines.index("## The partnership's own measures")
    assert statutory < lines.index("| Applications received | 2 | 0 | 1 |") < own
    assert lines[lines.index("## Notes") + 2] == "- **2025/26**: One appeal upheld \\| a fresh decision followed."
    assert "Zebedee" not in text and "CT-" not in text and "@" not in text


def test_the_csv_reads_back_measure_by_year_with_the_notes_last(three_years, users):
    published.set_note(users["sam"], 2026, "=HYPERLINK(\"http://evil.example\")")
    rows = list(csv.reader(io.StringIO(published.render_csv(published.published(users["sam"], 2024, 2026)))))
    assert rows[0] == ["Community Trigger (ASB Case Review)", "Safer Leicester Partnership 2024/25 to 2026/27"]
    assert rows[1] == ["Measure", "2024/25", "2025/26", "2026/27"]
    table = {row[0]: row[1:] for row in rows[2:]}
    assert [row[0] for row in rows[2:6]] == ["Applications received", "Times the threshold was found not met",
                                             "Case reviews carried out", "Reviews resulting in recommendations"]
    assert table["Times the threshold was found not met"] == ["2", "0", "1"]
    assert table["Reviews chaired independently"] == ["not recorded"] * 3
    assert rows[-1] == ["Notes", "", "", "'=HYPERLINK(\"http://evil.example\")"]  # the formula guard


def test_a_supervisor_writes_a_years_note_and_others_may_not(three_years, users):
    assert published.set_note(users["sam"], 2026, "  Two staff   joined.\n") == "Two staff joined."
    assert published.published(users["chris"], 2026, 2026).note(2026) == "Two staff joined."
    for who in ("casey", "chris", "ada"):
        with pytest.raises(PermissionDenied):
            published.set_note(users[who], 2026, "Mine instead.")
    assert published.published(users["sam"], 2026, 2026).note(2026) == "Two staff joined."
    published.set_note(users["sam"], 2026, "")
    assert published.published(users["sam"], 2026, 2026).notes == {}
    with db.connection_context():
        assert AuditEvent.select().where(AuditEvent.action == "figures_note").count() == 2


@pytest.mark.parametrize(("text", "why"), [
    ("Case CT-2024-9001 was the first.", "case reference"),
    ("Zebedee Quartermaine-2 appealed.", "name an applicant"),
    ("x" * 1001, "at most 1000"),
])
def test_a_note_that_would_identify_someone_is_refused_and_nothing_saved(three_years, users, text, why):
    published.set_note(users["sam"], 2024, "Kept.")
    with pytest.raises(InvalidInput) as caught:
        published.set_note(users["sam"], 2024, text)
    assert why in str(caught.value) and caught.value.field == "note"
    with db.connection_context():
        assert [n.text for n in FiguresNote.select()] == ["Kept."]


def test_the_reminder_comes_twelve_months_after_the_last_publication(three_years, users):
    sam = users["sam"]
    assert "have not been published yet" in published.reminder(sam)  # first year began 1 April 2024
    assert "due since 1 April 2025" in published.reminder(sam)
    for who in ("casey", "chris", "ada"):
        assert published.reminder(users[who]) is None
    result = published.published(sam, 2024, 2026)
    published.record_publication(sam, result, "md")
    assert published.reminder(sam) is None
    clock.set_today(date(2027, 11, 24))
    assert published.reminder(sam) is None
    clock.set_today(date(2027, 11, 25))
    assert published.reminder(sam).startswith("The yearly figures were last published on 25 November 2026")


def test_marking_published_is_a_supervisors(three_years, users):
    result = published.published(users["chris"], 2026, 2026)
    with pytest.raises(PermissionDenied):
        published.mark_published(users["chris"], result)
    published.mark_published(users["sam"], result)
    assert published.last_published().date() == TODAY


def test_no_reminder_before_any_request(database, users):
    assert published.reminder(users["sam"]) is None


def test_years_out_of_order_or_too_many_are_refused(database, users):
    for first, last in ((2026, 2024), (2010, 2026)):
        with pytest.raises(InvalidInput) as caught:
            published.published(users["sam"], first, last)
        assert caught.value.field == "years"


def test_the_channel_comes_through_import_and_a_wrong_one_is_refused(database, users):
    data = _application(datetime(2026, 11, 2, 9, 0), True, 4) | {"channel": "in_person"}
    created = intake.import_text(json.dumps(data), users["casey"])
    with db.connection_context():
        assert Case.get_by_id(created[0].id).channel == "in_person"
    assert published.published(users["sam"]).years[0].by_channel["in_person"] == 1
    with pytest.raises(InvalidInput) as caught:
        intake.import_text(json.dumps(data | {"channel": "pigeon"}), users["casey"])
    assert caught.value.field == "channel" and "must be one of" in str(caught.value)
