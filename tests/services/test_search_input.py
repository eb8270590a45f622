"""Searches a person types or pastes: a result, or a refusal naming the field, on both databases.

A page of pasted text, a NUL or half of a character pair (a lone surrogate) used to reach the
database driver, or nest the query past Python's recursion limit.
"""

from __future__ import annotations

import pytest

from caseworker_tui.errors import InvalidInput
from caseworker_tui.services import context, intake, subject_access
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.queue import MAX_SEARCH_WORDS, QueueFilter, queue_page
from tests.factories import meets_rule_a

PAGE_OF_TEXT = " ".join(f"word{n}" for n in range(600))
NOT_TEXT = {"nul": "ann\x00lee", "lone surrogate": "ann \udcff lee", "lone high surrogate": "\ud800"}


@pytest.fixture
def ann(users) -> int:
    data = meets_rule_a(name="Ann Lee")
    return intake.create_request(parse_application(data, context.policy()), users["casey"]).id


def _search(actor, text: str) -> list[int]:
    return [row.id for row in queue_page(actor, QueueFilter(search=text, include_closed=True)).rows]


def test_a_search_of_many_words_is_refused_naming_the_field(users, ann):
    with pytest.raises(InvalidInput, match=f"search: at most {MAX_SEARCH_WORDS} words") as refused:
        _search(users["casey"], PAGE_OF_TEXT)
    assert refused.value.field == "search"


def test_a_repeated_word_counts_once_and_every_word_still_has_to_match(users, ann):
    assert _search(users["casey"], " ".join(["lee"] * 600)) == [ann]
    assert _search(users["casey"], "ann lee le1") == [ann]
    assert _search(users["casey"], "ann lee nobody") == []


@pytest.mark.parametrize("text", NOT_TEXT.values(), ids=NOT_TEXT.keys())
def test_a_search_that_is_not_text_is_refused_naming_the_field(users, ann, text):
    with pytest.raises(InvalidInput, match="search: contains") as refused:
        _search(users["casey"], text)
    assert refused.value.field == "search"


@pytest.mark.parametrize("text", NOT_TEXT.values(), ids=NOT_TEXT.keys())
def test_a_subject_access_name_that_is_not_text_is_refused_naming_the_field(users, ann, text):
    with pytest.raises(InvalidInput, match="person: contains") as refused:
        subject_access.gather(users["sam"], text)
    assert refused.value.field == "person"


def test_a_subject_access_name_of_many_words_is_answered_or_refused(users, ann):
    many = " ".join("abcdefghij"[n % 10] for n in range(99))  # 99 words within the longest name
    assert subject_access.gather(users["sam"], many).cases == []
    with pytest.raises(InvalidInput, match="person: at most 200 characters"):
        subject_access.gather(users["sam"], PAGE_OF_TEXT)
    assert [c["id"] for c in subject_access.gather(users["sam"], "ANN  lee").cases] == [ann]


def test_a_subject_access_name_with_like_wildcards_finds_only_that_name(users, ann):
    assert subject_access.gather(users["sam"], "Ann L%").cases == []
    assert subject_access.gather(users["sam"], "A_n Lee").cases == []
