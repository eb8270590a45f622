"""A malformed policy file is refused when it is read, with one message naming the key: its
encoding, a nation the bank holidays are not known for, values nested too deeply, values longer
than the columns they end up in. Never a traceback, and never a failure later in someone's work.
"""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from caseworker_tui.errors import PolicyError
from caseworker_tui.models import Case, Deadline, Review
from caseworker_tui.services import context, intake, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.policy import default_policy_text, load_policy, parse_policy
from caseworker_tui.services.policy_file import MAX_NESTING
from tests.factories import meets_rule_a

DEFAULT_TEXT = default_policy_text()


def _changed(old: str, new: str) -> str:
    assert old in DEFAULT_TEXT
    return DEFAULT_TEXT.replace(old, new, 1)


def _refused(tmp_path, content: bytes | str) -> str:
    path = tmp_path / "policy.toml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    return str(refused.value)


def _line_of(text: str, fragment: str) -> int:
    return text[:text.index(fragment)].count("\n") + 1


# --- encodings -------------------------------------------------------------------------------------

def test_a_file_in_windows_1252_is_refused_naming_the_key_and_line(tmp_path):
    text = _changed('[partnership]\nname = "Safer Leicester Partnership"', '[partnership]\nname = "Société Leicester"')
    message = _refused(tmp_path, text.encode("cp1252", errors="replace"))
    line = _line_of(text, "Société")
    assert f"partnership.name (line {line}): is not UTF-8 text (byte 0xe9)" in message
    assert "save it as UTF-8" in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"], ids=["with BOM", "LE, no BOM", "BE, no BOM"])
def test_a_file_in_utf16_is_refused_saying_so(tmp_path, encoding):
    message = _refused(tmp_path, DEFAULT_TEXT.encode(encoding))
    assert "saved as UTF-16" in message and "must be UTF-8" in message


def test_a_utf8_byte_order_mark_is_allowed(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_bytes(codecs.BOM_UTF8 + DEFAULT_TEXT.encode("utf-8"))
    assert load_policy(path) == load_policy()
    assert parse_policy("\ufeff" + DEFAULT_TEXT) == load_policy()


# --- the nation's bank holidays ------------------------------------------------------------------

def test_an_unknown_country_is_refused_when_read(tmp_path):
    message = _refused(tmp_path, _changed('country = "GB"', 'country = "XX"'))
    assert "calendar.country: 'XX' is not a country the bank holidays are known for" in message


def test_an_unknown_subdivision_is_refused_with_the_choices(tmp_path):
    message = _refused(tmp_path, _changed('subdivision = "ENG"', 'subdivision = "YORKS"'))
    assert "calendar.subdivision: 'YORKS' is not a part of GB" in message
    assert "ENG, NIR, SCT, WLS" in message


def test_each_nation_of_the_uk_is_accepted():
    for nation in ("ENG", "NIR", "SCT", "WLS"):
        assert parse_policy(_changed('subdivision = "ENG"', f'subdivision = "{nation}"')).calendar.subdivision == nation


# --- nesting -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 1_000, 100_000])
def test_values_nested_too_deeply_are_refused_naming_the_key(tmp_path, depth):
    text = _changed("named_people = []", "named_people = " + "[" * depth + "]" * depth)
    message = _refused(tmp_path, text)
    assert f"named_people (line {_line_of(text, 'named_people = [')}): values are nested more than" in message


def test_inline_tables_nested_too_deeply_are_refused(tmp_path):
    text = _changed("named_people = []", "named_people = " + "{a = " * 5_000 + "1" + "}" * 5_000)
    assert "named_people (line" in _refused(tmp_path, text)


def test_brackets_inside_strings_and_comments_do_not_count_as_nesting():
    deep = "[" * 50
    text = _changed('named_people = []', f'named_people = ["{deep}"]  # {deep}')
    assert parse_policy(text).named_people == [deep]


def test_tables_nested_too_deeply_by_dotted_names_are_refused(tmp_path):
    dotted = ".".join(f"t{n}" for n in range(5_000))
    message = _refused(tmp_path, DEFAULT_TEXT + f"\n[agencies.police.{dotted}]\nx = 1\n")
    assert "agencies.police.t0.t1" in message and "nested more than" in message


def test_a_shallow_nesting_is_a_plain_type_error_naming_the_key(tmp_path):
    message = _refused(tmp_path, _changed("named_people = []", 'named_people = [["Pat Lee"]]'))
    assert "named_people.0: Input should be a valid string" in message


# --- lengths: what fits the columns the values end up in -------------------------------------------

@pytest.mark.parametrize(("old", "new", "words", "most"), [
    ('version = "2026.1"', f'version = "{"9" * 41}"', "version: is", 40),
    ('name = "Safer Leicester Partnership"\n', f'name = "{"N" * 121}"\n', "name: is", 120),
    ('label = "Leicestershire Police"', f'label = "{"P" * 181}"', "agencies.police.label: is", 180),
    ("named_people = []", f'named_people = ["{"Pat " * 50}Lee"]', "named_people.0: is", 200),
    ('"frivolous"]', f'"frivolous", "{"g" * 41}"]', "decline_grounds.6: is", 40),
    ("[agencies.health]", f"[agencies.{'h' * 41}]", f"agencies.{'h' * 41}: the name of this table is", 40),
])
def test_a_value_longer_than_its_column_is_refused_when_read(tmp_path, old, new, words, most):
    message = _refused(tmp_path, _changed(old, new))
    assert words in message and f"characters long; at most {most} fit where the app stores it" in message


def test_every_problem_is_given_at_once_each_naming_its_key():
    text = _changed('label = "Leicestershire Police"', f'label = "{"P" * 181}"')
    text = text.replace("named_people = []", f'named_people = ["{"x" * 201}"]').replace('version = "2026.1"', "version = 7")
    with pytest.raises(PolicyError) as refused:
        parse_policy(text)
    keys = sorted(problem.split(":")[0] for problem in refused.value.problems)
    assert keys == ["agencies.police.label", "named_people.0", "version"]


def test_the_longest_values_the_file_allows_are_stored_on_each_database(users):
    """The limits are the columns' own: an agency label and a named person at the limit are saved."""
    policy = load_policy()
    label, chair = "L" * 180, "C" * 200
    police = policy.agencies["police"].model_copy(update={"label": label})
    context.use_policy(policy.model_copy(update={"agencies": {**policy.agencies, "police": police},
                                                  "named_people": [chair]}))
    casey = users["casey"]
    case_id = intake.create_request(parse_application(meets_rule_a(), context.policy()), casey).id
    workflow.acknowledge(case_id, casey)
    workflow.request_updates(case_id, casey, ["police"])
    workflow.decide(case_id, casey, accept=True)
    workflow.schedule_review(case_id, casey, meeting_on=date(2026, 11, 25), chair_name=chair,
                             agencies=["police"], participation="virtual")
    with Case._meta.database.connection_context():
        assert Deadline.get(Deadline.case == case_id, Deadline.step == "agency_update").label == f"Update from {label}"
        assert Review.get(Review.case == case_id).chair_name == chair
