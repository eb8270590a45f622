"""The yearly figures, checked by hand against a year of cases walked through the real services."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from caseworker_tui.errors import InvalidInput, PermissionDenied
from caseworker_tui.models import Applicant, Case, Deadline, Incident, Report, db
from caseworker_tui.services import clock, context, intake, published, stats, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.workflow import RecommendationIn
from tests.conftest import TODAY
from tests.factories import acknowledge_with_letter, application, incident, report, victim_heard


def _application(received: datetime, meets: bool = True, who: int = 0) -> dict:
    """Three reported incidents in the month before `received` (one when the threshold is not met).

    Each applicant's personal details are distinctive, so the privacy test can look for them.
    """
    day = received.date()
    incidents = [
        incident(f"i{n}", (day - timedelta(days=back)).isoformat(),
                 report("police", (day - timedelta(days=back - 1)).isoformat(), ref=f"LP-{who:03d}{n}"),
                 description=f"Heron statue sprayed with paint, time {n} (applicant {who})")
        for n, back in enumerate([30, 20, 10] if meets else [30], start=1)
    ]
    data = application(*incidents, received=received.isoformat(), name=f"Zebedee Quartermaine-{who}",
                       reference=f"CT-{day.year}-{9000 + who}")
    data["applicant"].update(address=f"{who} Wisteria Crescent, Leicester", postcode=f"LE9 {who}ZZ",
                             email=f"zebedee{who}@example.org", phone=f"07700 90{who:04d}")
    data["dissatisfaction_reason"] = f"Nobody answered my calls about the heron ({who})."
    return data


def _new(actor, received: datetime, meets: bool = True, who: int = 0) -> int:
    clock.set_today(received.date())
    return intake.create_request(parse_application(_application(received, meets, who), context.policy()), actor).id


def _on(day: str) -> None:
    clock.set_today(date.fromisoformat(day))


def _review_and_approve(case_id: int, casey, chris, *, meeting: str, approve: str, recommendations) -> None:
    workflow.schedule_review(case_id, casey, meeting_on=date.fromisoformat(meeting), chair_name="Chris Hall",
                             agencies=["police"], participation="virtual")
    _on(meeting)  # the outcome is drafted once the meeting has been held
    workflow.draft_outcome(case_id, casey, summary="The agencies missed the pattern.",
                           recommendations=recommendations)
    victim_heard(case_id, casey)
    workflow.submit_outcome(case_id, casey)
    _on(approve)
    workflow.approve_outcome(case_id, chris)


@dataclass(frozen=True)
class Year:
    """The ids of the cases `build_year` made, by the letter the figures below refer to."""

    ids: dict[str, int]


def build_year(users) -> Year:
    """One request on the last evening of 2025/26 and seven in 2026/27, each through the services.

    2026/27, by hand:  received 7 (A C D E F G I); threshold not met 2 (B's, made on 2 April, and
    C's: a decision counts in the year it was made); declined on other grounds 2 (D's vexatious
    decline, though overturned on appeal, and I's); accepted 3 (A D E); reviews carried out 2
    (A E), with recommendations 1 (A), the victim taking part in both (virtually); withdrawn 1 (F);
    appeals lodged 2 (C D), upheld 1 (D).
    """
    casey, chris, sam = users["casey"], users["chris"], users["sam"]
    ids: dict[str, int] = {}

    # B: 23:30 on 31 March 2026, the last minute of 2025/26. Not met; declined.
    ids["B"] = b = _new(casey, datetime(2026, 3, 31, 23, 30), meets=False, who=2)
    _on("2026-04-01")
    acknowledge_with_letter(b, casey)
    _on("2026-04-02")
    workflow.decide(b, casey, accept=False)

    # A: 1 April 2026 (Wednesday; acknowledge by Thu 2 Apr, decide by 15 Apr). Review due 8 May.
    ids["A"] = a = _new(casey, datetime(2026, 4, 1, 10, 0), who=1)
    _on("2026-04-02")
    acknowledge_with_letter(a, casey)                                    # on time
    _on("2026-04-10")
    workflow.decide(a, casey, accept=True)                            # on time; 9 days
    _review_and_approve(a, casey, chris, meeting="2026-04-17", approve="2026-04-22",  # 12 days
                        recommendations=[RecommendationIn("police", "Visit weekly", date(2026, 5, 20))])

    # C: Monday 15 June (acknowledge by Tue 16 Jun). Not met; appeal not upheld.
    ids["C"] = c = _new(casey, datetime(2026, 6, 15, 9, 0), meets=False, who=3)
    _on("2026-06-17")
    acknowledge_with_letter(c, casey)                                    # late
    _on("2026-06-20")
    workflow.decide(c, casey, accept=False)                           # on time; 5 days
    _on("2026-06-25")
    workflow.record_appeal(c, casey, lodged_on=date(2026, 6, 25), grounds="The third report was missed.")
    workflow.decide_appeal(c, sam, upheld=False, independent_chair="Pat Fielding", reason="Correctly decided.")

    # D: Wednesday 1 July (acknowledge by 2 Jul, decide by 15 Jul). Declined as vexatious, late;
    # the appeal is upheld and the fresh decision (due 11 Aug) accepts it on 30 July.
    ids["D"] = d = _new(casey, datetime(2026, 7, 1, 15, 0), who=4)
    _on("2026-07-02")
    acknowledge_with_letter(d, casey)                                    # on time
    _on("2026-07-20")
    workflow.decide(d, casey, accept=False, ground="vexatious", reason="Same matter as last year.")  # late
    _on("2026-07-22")
    workflow.record_appeal(d, casey, lodged_on=date(2026, 7, 22), grounds="It is a new matter.")
    _on("2026-07-28")
    workflow.decide_appeal(d, sam, upheld=True, independent_chair="Pat Fielding", reason="A new matter.")
    _on("2026-07-30")
    workflow.decide(d, casey, accept=True)                            # on time; 29 days from receipt

    # E: Monday 3 August. Accepted 10 Aug (7 days), approved 25 Aug (15 days), no recommendations;
    # the outcome went out on 25 Aug, inside the review's 28 days (due 7 Sep).
    ids["E"] = e = _new(casey, datetime(2026, 8, 3, 11, 0), who=5)
    _on("2026-08-04")
    acknowledge_with_letter(e, casey)                                    # on time
    _on("2026-08-10")
    workflow.decide(e, casey, accept=True)                            # on time
    _review_and_approve(e, casey, chris, meeting="2026-08-18", approve="2026-08-25", recommendations=[])
    with db.connection_context():
        Deadline.update(closed_at=datetime(2026, 8, 25, 16, 0), closed_how="done").where(
            (Deadline.case == e) & (Deadline.step == "review")).execute()

    # F: 1 September, withdrawn the next day: its steps are cancelled and measure nothing.
    ids["F"] = f = _new(casey, datetime(2026, 9, 1, 9, 0), who=6)
    _on("2026-09-02")
    workflow.withdraw(f, casey, "The neighbour moved away.")

    # I: Monday 5 October. Acknowledged 6 Oct; declined as malicious on 9 Oct (4 days).
    ids["I"] = i = _new(casey, datetime(2026, 10, 5, 9, 0), who=7)
    _on("2026-10-06")
    acknowledge_with_letter(i, casey)                                    # on time
    _on("2026-10-09")
    workflow.decide(i, casey, accept=False, ground="malicious", reason="Made to harass the neighbour.")

    # G: Friday 20 November, not yet acknowledged (due Mon 23 Nov: late by today, 25 Nov).
    ids["G"] = _new(casey, datetime(2026, 11, 20, 16, 0), who=8)
    clock.set_today(TODAY)
    return Year(ids)


@pytest.fixture
def year(users) -> Year:
    return build_year(users)


def test_the_public_counts_of_a_year_match_the_cases_counted_by_hand(year, users):
    result = stats.figures(users["sam"], 2026)
    assert result.period.label == "2026/27"
    assert result.public == stats.PublicFigures(
        received=7, threshold_not_met=2, declined_other_grounds=2, accepted=3, reviews_carried_out=2,
        reviews_with_recommendations=1, withdrawn=1, appeals_lodged=2, appeals_upheld=1, victim_took_part=2)


def test_the_performance_measures_match_the_steps_counted_by_hand(year, users):
    result = stats.figures(users["chris"], 2026)
    on_time = {m.step: (m.on_time, m.late) for m in result.on_time}
    assert on_time == {
        "acknowledge": (4, 2),     # A D E I on time; C late; G open past due; F cancelled
        "decide": (5, 1),          # A C D(fresh) E I on time; D's first decision late; G not yet due
        "review": (1, 2),          # E done by 7 Sep; A and D open past due
        "chair_approval": (2, 0),  # A and E approved before their review dates
        "recommendation": (0, 1),  # A's, due 20 May, not done
        "victim_update": (0, 4),   # A D E I never updated in the 10 working days after acknowledgement;
    }                              # C closed before its update was due
    assert result.on_time[0].share == pytest.approx(4 / 6)
    assert result.median_days_to_decision == 7      # 4, 5, 7, 9, 29
    assert result.median_days_to_outcome == 13.5    # 12 and 15
    assert result.recommendations_overdue == 1      # A's, due 20 May
    assert [(m.label, m.requests) for m in result.per_month] == [
        ("Apr 2026", 1), ("May 2026", 0), ("Jun 2026", 1), ("Jul 2026", 1), ("Aug 2026", 1),
        ("Sep 2026", 1), ("Oct 2026", 1), ("Nov 2026", 1), ("Dec 2026", 0), ("Jan 2027", 0),
        ("Feb 2027", 0), ("Mar 2027", 0)]


def test_the_last_minute_of_march_counts_in_the_year_before(year, users):
    result = stats.figures(users["sam"], 2025)
    assert (result.period.first_day, result.period.last_day) == (date(2025, 4, 1), date(2026, 3, 31))
    assert result.public == stats.PublicFigures(received=1)  # B's decision was made on 2 April: 2026/27's
    assert result.per_month[-1].label == "Mar 2026" and result.per_month[-1].requests == 1
    assert result.median_days_to_decision == 2


def test_a_calendar_year_policy_counts_january_to_december(year, users):
    policy = context.policy()
    context.use_policy(policy.model_copy(update={"reporting": policy.reporting.model_copy(
        update={"year_start_month": 1})}))
    result = stats.figures(users["sam"], 2026)
    assert result.period.label == "2026"
    assert (result.period.first_day, result.period.last_day) == (date(2026, 1, 1), date(2026, 12, 31))
    assert result.public.received == 8 and result.public.threshold_not_met == 2
    assert [m.label for m in result.per_month][::11] == ["Jan 2026", "Dec 2026"]
    assert stats.figures(users["sam"], 2025).public == stats.PublicFigures()


def test_the_default_year_is_the_one_today_falls_in(year, users):
    assert stats.figures(users["sam"]).period.year == 2026
    clock.set_today(date(2027, 3, 31))
    assert stats.figures(users["sam"]).period.label == "2026/27"
    clock.set_today(date(2027, 4, 1))
    assert stats.figures(users["sam"]).period.label == "2027/28"


def test_years_to_choose_run_from_the_first_request_to_today(year, users):
    assert [y.label for y in stats.available_years(users["sam"])] == ["2026/27", "2025/26"]


def test_an_empty_year_is_zeros_not_an_error(database, users):
    result = stats.figures(users["sam"], 2019)
    assert result.public == stats.PublicFigures()
    assert [m.requests for m in result.per_month] == [0] * 12
    assert all((m.on_time, m.late, m.share) == (0, 0, None) for m in result.on_time)
    assert (result.median_days_to_decision, result.median_days_to_outcome) == (None, None)
    assert result.recommendations_overdue == 0
    shown = published.published(users["sam"], 2026, 2026)  # the year the app is in use: truly none
    assert "| Applications received | 0 |" in published.render_markdown(shown)
    assert "Appeals upheld,0" in published.render_csv(shown)
    before = published.published(users["sam"], 2019, 2019)  # a year before any record: not held, not 0
    assert "| Applications received | not held |" in published.render_markdown(before)
    assert [y.label for y in stats.available_years(users["sam"])] == ["2026/27"]


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil.example\",\"Safer\")", "+1+cmd|' /C calc'!A0",
                                  "-2+3", "@SUM(A1:A9)", "\tTabbed", "Plain Partnership"])
def test_no_csv_cell_reads_as_a_formula(database, users, tmp_path, name):
    """A policy's partnership name goes into the CSV as text, whatever it starts with."""
    policy = context.policy()
    context.use_policy(policy.model_copy(update={"partnership": policy.partnership.model_copy(update={"name": name})}))
    result = published.published(users["sam"], 2026, 2026)
    _, csv_path = published.export(users["sam"], result, tmp_path)
    for text in (published.render_csv(result), csv_path.read_text(encoding="utf-8")):
        rows = list(csv.reader(io.StringIO(text)))
        cells = [cell for row in rows for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
        expected = name if name == "Plain Partnership" else f"'{name}"
        assert rows[0][1] == f"{expected} 2026/27"
        assert rows[2] == ["Applications received", "0"]


def _personal_values() -> set[str]:
    """Every name, address, postcode, e-mail, phone, description and reference the cases hold."""
    with db.connection_context():
        rows = [
            *Case.select(Case.reference, Case.applicant_name, Case.postcode, Case.dissatisfaction_reason).tuples(),
            *Applicant.select(Applicant.name, Applicant.address, Applicant.postcode, Applicant.email,
                              Applicant.phone).tuples(),
            *Incident.select(Incident.description, Incident.location).tuples(),
            *Report.select(Report.agency_reference).tuples(),
        ]
    return {value for row in rows for value in row if value}


def test_no_personal_field_appears_in_any_export_format(year, users, tmp_path):
    personal = _personal_values()
    assert len(personal) > 40  # the look-up found the cases' details
    published.set_note(users["sam"], 2026, "A new caseworker joined in June.")
    result = published.published(users["sam"], 2024, 2026)
    written = published.export(users["sam"], result, tmp_path / "published")
    outputs = {
        "table": published.render_table(result), "csv": published.render_csv(result),
        "json": published.render_json(result), "md": published.render_markdown(result),
        **{path.name: path.read_text(encoding="utf-8") for path in written},
    }
    for name, text in outputs.items():
        leaked = sorted(value for value in personal if value in text)
        assert not leaked, f"{name} shows {leaked}"
        assert "Zebedee" not in text and "CT-" not in text and "@" not in text


def test_the_publishable_files_hold_the_title_the_counts_and_the_notes_only(year, users, tmp_path):
    result = published.published(users["sam"], 2026, 2026)
    markdown_path, csv_path = published.export(users["sam"], result, tmp_path)
    assert markdown_path.name == "safer-leicester-partnership-community-trigger-2026-27.md"
    markdown = markdown_path.read_text(encoding="utf-8")
    assert markdown.startswith("# Safer Leicester Partnership: Community Trigger (ASB Case Review) figures 2026/27")
    assert "| Reviews resulting in recommendations | 1 |" in markdown
    assert "Acknowledged on time" not in markdown and "Median" not in markdown
    lines = csv_path.read_bytes().decode("utf-8").split("\r\n")
    assert lines[0] == "Community Trigger (ASB Case Review),Safer Leicester Partnership 2026/27"
    assert lines[1:7] == ["Measure,2026/27", "Applications received,7", "Times the threshold was found not met,2",
                          "Case reviews carried out,2", "Reviews resulting in recommendations,1",
                          "Accepted for a case review,3"]
    assert json.loads(published.render_json(result))["years"][0]["public"]["received"] == 7


def test_only_supervisors_chairs_and_admins_see_the_figures(database, users):
    for who in ("casey", "jo"):
        with pytest.raises(PermissionDenied):
            stats.figures(users[who])
        with pytest.raises(PermissionDenied):
            stats.available_years(users[who])
    for who in ("sam", "chris", "ada"):
        assert stats.figures(users[who]).public.received == 0


def test_a_year_out_of_range_is_refused_naming_the_field(database, users):
    with pytest.raises(InvalidInput) as caught:
        stats.figures(users["sam"], 10_000)
    assert caught.value.field == "year"


@pytest.mark.parametrize(("start_month", "year", "label", "first", "last"), [
    (4, 2026, "2026/27", date(2026, 4, 1), date(2027, 3, 31)),
    (4, 2099, "2099/00", date(2099, 4, 1), date(2100, 3, 31)),
    (1, 2026, "2026", date(2026, 1, 1), date(2026, 12, 31)),
    (9, 2027, "2027/28", date(2027, 9, 1), date(2028, 8, 31)),
])
def test_reporting_years_follow_the_policy(start_month, year, label, first, last):
    policy = context.policy()
    context.use_policy(policy.model_copy(update={"reporting": policy.reporting.model_copy(
        update={"year_start_month": start_month})}))
    period = stats.reporting_year(year)
    assert (period.label, period.first_day, period.last_day) == (label, first, last)
    assert stats.year_of(first) == year and stats.year_of(last) == year
    assert stats.year_of(first - timedelta(days=1)) == year - 1


@pytest.mark.parametrize(("histogram", "median"), [
    ([], None), ([(5, 1)], 5), ([(3, 1), (5, 1)], 4), ([(1, 2), (10, 1)], 1), ([(9, 1), (2, 3), (4, 2)], 3),
])
def test_the_median_is_read_from_a_histogram(histogram, median):
    assert stats._median(histogram) == median
