"""Hostile and malformed input: a result or a clear refusal, never a traceback or a partial write.

Text a person types (names, descriptions, notes, reasons) is data: markup, terminal escapes and
control characters are stored and given back exactly as typed; the services only trim the
whitespace around a value. Showing them safely is the screens' job.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseworker_tui import cli
from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import Case, Note, db
from caseworker_tui.services import context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.cases import list_cases, open_case
from caseworker_tui.services.deadlines import first_deadlines
from caseworker_tui.services.eligibility import evaluate
from caseworker_tui.services.workflow import RecommendationIn
from tests.factories import application, incident, meets_rule_a, report, victim_heard

HOSTILE = [
    "[bold red]shout[/]", "[@click=app.quit]Click me[/]", "[link=https://evil.example]here[/link]",
    "\x1b]52;c;aGVsbG8=\x07", "\x1b[2J\x1b[H", "\x1b[31mred\x1b[0m", "\x9b31m", "a\r\nb\tc", "\u202eevil\u202c",
    "{{ 7 * 7 }}", "{% for x in y %}", "<w:p>&amp;", "<script>alert(1)</script>",
    "'; DROP TABLE case_request; --", "\\", "%s %d %(name)s", "\x07\x08\x7f", "𝕳𝖊𝖑𝖑𝖔 👩🏽‍⚖️", "\u200b",
]
EVERYTHING = "\n".join(HOSTILE)

# Any text but lone surrogates (not text at all) and NUL, which has a test of its own below.
typed = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=4).map("".join),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=120),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats() | typed
    | st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(str),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
STORING = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


@st.composite
def mutated_applications(draw) -> Any:
    """A valid application with one place replaced, removed, or given an unknown neighbour."""
    data = meets_rule_a()
    path = draw(st.sampled_from(_paths(data)))
    how = draw(st.sampled_from(["replace", "remove", "add"]))
    if not path:
        return draw(json_values) if how == "replace" else data
    *parents, last = path
    holder = data
    for key in parents:
        holder = holder[key]
    if how == "replace":
        holder[last] = draw(json_values)
    elif how == "remove":
        del holder[last]
    elif isinstance(holder, dict):
        holder[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
    else:
        holder.append(draw(json_values))
    return data


def _parsed_or_refused(raw) -> Any:
    """The application and its verdict, or None after a refusal that says what is wrong."""
    try:
        parsed = parse_application(raw, context.policy())
    except InvalidInput as exc:
        assert str(exc).strip()
        return None
    evaluate(parsed, context.policy())
    first_deadlines(parsed.received_on, context.policy(), context.calendar())
    return parsed


# --- the import format and `caseworker check` -------------------------------------------------

@FAST
@given(data=mutated_applications())
def test_any_mutation_of_an_application_is_parsed_or_refused_clearly(data):
    as_data = _parsed_or_refused(data)
    as_text = _parsed_or_refused(json.dumps(data))
    assert as_data == as_text


@FAST
@given(content=st.one_of(st.binary(max_size=300), mutated_applications().map(lambda d: json.dumps(d).encode()),
                         typed.map(str.encode)))
def test_check_answers_anything_with_a_verdict_or_exit_2(content, tmp_path_factory, capsys):
    path = tmp_path_factory.mktemp("check") / "application.json"
    path.write_bytes(content)
    code = cli.main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert err.startswith("caseworker: ") and "Traceback" not in err and out == ""
    else:
        assert "Threshold:" in out


def test_a_number_too_long_to_read_is_refused():
    with pytest.raises(InvalidInput):
        parse_application('{"received_at": ' + "9" * 5000 + "}", context.policy())


@pytest.mark.parametrize("received, occurred", [("0001-01-20T10:00:00", "0001-01-01"),
                                                ("9999-12-31T10:00:00", "9999-12-01"),
                                                ("9999-12-31T23:59:00-12:00", "9999-12-01")])
def test_dates_at_the_ends_of_the_calendar_are_refused(received, occurred, tmp_path, capsys):
    data = application(incident("i1", occurred, report("police", occurred)), received=received)
    path = tmp_path / "edge.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli.main(["check", str(path)]) == 2
    assert capsys.readouterr().err.startswith("caseworker: ")


# --- storing: whole or nothing ------------------------------------------------------------------

def _cases() -> int:
    with db.connection_context():
        return Case.select().count()


@STORING
@given(data=mutated_applications())
def test_whatever_parses_is_stored_whole_and_whatever_is_refused_leaves_nothing(users, data):
    before = _cases()
    parsed = _parsed_or_refused(data)
    if parsed is None:
        return
    try:
        created = intake.create_request(parsed, users["casey"])
    except InvalidInput:
        assert _cases() == before
        return
    assert _cases() == before + 1
    assert open_case(created.id, users["casey"], record_view=False).reference == created.reference


def test_one_bad_application_in_a_file_stores_none_of_it(users):
    bad = meets_rule_a()
    bad["incidents"][1]["reports"][0]["agency"] = "[bold]ministry[/bold]"
    text = json.dumps([meets_rule_a(), meets_rule_a(), bad])
    with pytest.raises(InvalidInput, match=r"application 3: incident i2, report 1: agency '\[bold\]ministry"):
        intake.import_text(text, users["casey"])
    assert _cases() == 0


# --- typed text round-trips exactly ----------------------------------------------------------------

NAME = "[bold]Ann[/bold] \x1b]52;c;aGk=\x07 [@click=app.quit]Lee[/]\u202e"
REPORTER = "[i]Pat[/i]\x07 {{ witness }}"


def _hostile_application() -> dict:
    data = application(
        incident("i1", "2026-10-01", report("police", "2026-10-02"),
                 report("council", "2026-10-03", by=REPORTER, ref="\x1b[31mPC/1[/]"),
                 description=EVERYTHING),
        incident("i2", "2026-10-10", report("council", "2026-10-12")),
        incident("i3", "2026-11-01", report("housing_provider", "2026-11-03")),
        name=NAME, dissatisfaction_reason=EVERYTHING)
    data["incidents"][0]["location"] = EVERYTHING
    data["applicant"].update(address=EVERYTHING, postcode="[b]LE1[/b]", email="[b]ann[/b]\x1b@ex.org",
                             phone="\x1b[2J0116 [i]496[/i]", vulnerabilities=EVERYTHING, advocate=EVERYTHING,
                             on_behalf_of=EVERYTHING, needs=["[@click=app.quit]", "interpreter:\x1b[31m"])
    return data


def test_markup_escapes_and_control_characters_come_back_exactly_as_typed(users):
    casey, chris, sam = users["casey"], users["chris"], users["sam"]
    context.use_policy(context.policy().model_copy(update={"named_people": [NAME]}))  # chairs NAME
    case_id = intake.create_request(parse_application(_hostile_application(), context.policy()), casey).id
    workflow.add_note(case_id, casey, EVERYTHING)
    workflow.request_updates(case_id, casey, ["police"])
    workflow.record_update(open_case(case_id, casey).updates[0].id, casey, EVERYTHING)
    workflow.acknowledge(case_id, casey)
    workflow.decide(case_id, casey, accept=True, reason=EVERYTHING)
    workflow.schedule_review(case_id, casey, meeting_on=date(2026, 11, 25), chair_name=NAME,
                             agencies=["police"], participation="not_invited", not_invited_reason=EVERYTHING)
    workflow.record_findings(case_id, casey, EVERYTHING)
    workflow.extend_review(case_id, casey, new_date=date(2027, 1, 20), reason=EVERYTHING)
    workflow.draft_outcome(case_id, casey, summary=EVERYTHING,
                           recommendations=[RecommendationIn("police", EVERYTHING, date(2027, 3, 1))])
    victim_heard(case_id, casey)
    workflow.submit_outcome(case_id, casey)
    workflow.return_outcome(case_id, chris, EVERYTHING)
    returned = open_case(case_id, casey).review.returned_comments
    victim_heard(case_id, casey)
    workflow.submit_outcome(case_id, casey)
    workflow.approve_outcome(case_id, chris)
    workflow.record_appeal(case_id, casey, lodged_on=date(2026, 11, 25), grounds=EVERYTHING)
    workflow.decide_appeal(case_id, sam, upheld=False, independent_chair=NAME, reason=EVERYTHING)

    case = open_case(case_id, casey)
    person, first, review = case.applicant, case.incidents[0], case.review
    typed_back = [
        person.address, person.vulnerabilities, person.advocate, person.on_behalf_of, case.dissatisfaction_reason,
        first.description, first.location, case.updates[0].answer, case.decisions[0].reason,
        review.not_invited_reason, review.findings, review.extension_reason, review.summary, returned,
        case.recommendations[0].action, case.appeals[0].grounds, case.appeals[0].decision_reason,
    ]
    assert all(text == EVERYTHING for text in typed_back)
    assert (person.name, review.chair_name, case.appeals[0].independent_chair) == (NAME, NAME, NAME)
    assert (person.postcode, person.email, person.phone) == ("[b]LE1[/b]", "[b]ann[/b]\x1b@ex.org",
                                                             "\x1b[2J0116 [i]496[/i]")
    assert person.needs == ["[@click=app.quit]", "interpreter:\x1b[31m"]
    assert (first.reports[1].reporter, first.reports[1].agency_reference) == (REPORTER, "\x1b[31mPC/1[/]")
    assert f"casey: {EVERYTHING}" in [t.text for t in case.timeline]
    assert [a.reason for a in case.audit if a.action == "extend_review"] == [EVERYTHING]
    assert [line.applicant for line in list_cases()] == [NAME]


@STORING
@given(text=typed)
def test_any_typed_note_and_answer_come_back_trimmed_and_otherwise_exact(users, text):
    casey = users["casey"]
    case_id = _shared_case(casey)
    notes = _notes(case_id)
    if not text.strip():
        with pytest.raises(InvalidInput, match="note"):
            workflow.add_note(case_id, casey, text)
        assert _notes(case_id) == notes
        return
    workflow.add_note(case_id, casey, text)
    workflow.request_updates(case_id, casey, ["council"])
    update = open_case(case_id, casey, record_view=False).updates[-1]
    workflow.record_update(update.id, casey, text)
    case = open_case(case_id, casey, record_view=False)
    assert case.updates[-1].answer == text.strip()
    assert [t.text for t in case.timeline if t.kind == "note"][-1] == f"casey: {text.strip()}"


@STORING
@given(name=typed, description=typed)
def test_any_typed_name_and_description_are_stored_trimmed_and_otherwise_exact(users, name, description):
    data = meets_rule_a(name=name)
    data["incidents"][0]["description"] = description
    data["incidents"][0]["reports"][0]["reporter"] = name or "applicant"
    before = _cases()
    try:
        parsed = parse_application(data, context.policy())
    except InvalidInput as exc:
        assert not name.strip() or len(name.strip()) > 200, exc
        assert _cases() == before
        return
    case = open_case(intake.create_request(parsed, users["casey"]).id, users["casey"], record_view=False)
    assert _trimmed(case.applicant.name, name)
    assert _trimmed(case.incidents[0].description, description)
    assert _trimmed(case.incidents[0].reports[0].reporter, name or "applicant")


def _trimmed(stored: str, typed_text: str) -> bool:
    """Only whitespace around the text was removed (the import format trims Unicode White_Space,
    which leaves the C0 separators U+001C..U+001F that Python's str.strip would also take)."""
    return stored in typed_text and stored.strip() == typed_text.strip()


def _shared_case(actor) -> int:
    with db.connection_context():
        existing = Case.select(Case.id).first()
    if existing:
        return existing.id
    return intake.create_request(parse_application(meets_rule_a(), context.policy()), actor).id


def _notes(case_id: int) -> int:
    with db.connection_context():
        return Note.select().where(Note.case == case_id).count()


# --- limits ------------------------------------------------------------------------------------

def test_very_long_text_is_kept_up_to_the_limit_and_refused_beyond_it(users):
    casey = users["casey"]
    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey).id
    longest = "[b]" + "x" * 19_993 + "[/b]"
    workflow.add_note(case_id, casey, longest)
    with pytest.raises(InvalidInput, match="note: at most 20000 characters"):
        workflow.add_note(case_id, casey, longest + "!")
    assert _notes(case_id) == 1
    assert f"casey: {longest}" in [t.text for t in open_case(case_id, casey).timeline]

    too_long = meets_rule_a(name="A" * 201)
    with pytest.raises(InvalidInput, match="applicant: name"):
        parse_application(too_long, context.policy())


def test_a_nul_character_is_stored_or_refused_never_an_error(users, database_url):
    casey = users["casey"]
    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey).id
    try:
        workflow.add_note(case_id, casey, "before\x00after")
    except InvalidInput:
        assert _notes(case_id) == 0
        return
    assert "casey: before\x00after" in [t.text for t in open_case(case_id, casey).timeline]

