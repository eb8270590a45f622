"""What every threshold rule is told and how it answers: the facts of a request, the words
for numbers and months, and a rule's result in the caseworker's and the applicant's voices."""


from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from caseworker_tui.services.threshold_periods import Convention, month_name_day
from caseworker_tui.services.threshold_policy import (
    LocalRule,
)
from caseworker_tui.services.words import plural

_NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

KIND_TITLES = {
    "incidents_by_victim": "Reports about enough different incidents",
    "people_same_incident": "Enough people reporting the same incident",
    "hate_incident": "A hate incident or hate crime",
    "reports_by_several_people": "Enough reports by several people",
    "recent_report": "A recent report",
    "dissatisfied": "Dissatisfied with the agencies' response",
}
STATUTORY_TITLE = "Statutory rule (s.104(4)): enough complaints about the behaviour"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """'three incidents', 'one person': numbers to ten in words, as letters write them."""
    word = _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)
    return f"{word} {singular if n == 1 else (plural or singular + 's')}"


def number(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def months(n: int) -> str:
    return plural(n, "month")


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


class ReportRef(BaseModel):
    """One report, as the verdict cites it."""

    incident: str
    report: int  # 1-based position within its incident
    agency: str
    reporter: str  # "applicant" (or "victim", when someone applied for them), else the name
    reported_on: date
    method: str | None = None
    by_victim: bool = False


class Exclusion(BaseModel):
    """A report that did not count, and why, in both voices."""

    incident: str
    report: int
    reporter: str
    agency: str
    reported_on: date
    reason: str
    letter_reason: str = ""
    method: str | None = None
    by_victim: bool = False


class RuleResult(BaseModel):
    """One rule's answer. Fields after `evidence` came with the second release: stored verdicts
    from the first have none, so each has a default."""

    id: str
    title: str
    passed: bool
    explanation: str
    evidence: list[ReportRef]
    kind: str = ""
    letter_sentence: str = ""
    incidents: list[str] = []
    excluded: list[Exclusion] = []
    would_change: str = ""


@dataclass(frozen=True)
class Voice:
    """Who the rules speak of: to the caseworker, and to the applicant in a letter."""

    victim: str  # "the applicant", or "the victim" when someone applied for them
    you: str  # "you", or "the person you applied for"


def cap(text: str) -> str:
    """`text` to start a sentence: its first letter a capital, the rest as written."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Counted:
    """A qualifying report with what the rules ask of it."""

    ref: ReportRef
    person: str  # the reporter's name key; the victim's for every report of theirs


@dataclass(frozen=True)
class IncidentFacts:
    id: str
    position: int
    occurred_on: date
    hate_related: bool
    as_hate_reports: frozenset[int] = frozenset()  # positions of reports made as hate


@dataclass
class Facts:
    """Everything a rule may look at, gathered once per verdict."""

    qualifying: list[Counted]
    excluded: list[Exclusion]
    incidents: dict[str, IncidentFacts]
    victim: str  # the victim's name key
    voice: Voice
    received_on: date
    convention: Convention
    dissatisfied: bool
    dissatisfaction_reason: str

    def ordered(self, ids: Iterable[str]) -> list[str]:
        return sorted(set(ids), key=lambda i: self.incidents[i].position)

    def ids(self, ids: Iterable[str]) -> str:
        return ", ".join(self.ordered(ids))

    def dates(self, ids: Iterable[str]) -> str:
        """Incidents as a letter names them: by the day they happened."""
        return _and([month_name_day(self.incidents[i].occurred_on) for i in self.ordered(ids)])

    def victims(self) -> list[Counted]:
        return [c for c in self.qualifying if c.person == self.victim]

    def excluded_victims(self) -> list[Exclusion]:
        return [x for x in self.excluded if x.by_victim]


def rule_result(facts: Facts, rule_id: str, kind: str, passed: bool, explanation: str, letter: str,
            evidence: list[ReportRef], change: str, excluded: list[Exclusion],
            kept: str = "") -> RuleResult:
    """`change` is the clause that would make a rule not passed pass; `kept` says, for a passed
    rule, what would undo it."""
    would = kept if passed else (f"{cap(change)} would meet it." if change else "")
    return RuleResult(id=rule_id, title="", passed=passed, explanation=explanation,
                      evidence=evidence, kind=kind, letter_sentence=letter,
                      incidents=facts.ordered(e.incident for e in evidence),
                      excluded=excluded, would_change=would)


@dataclass(frozen=True)
class Answer:
    result: RuleResult
    change: str  # the clause for "what would change the verdict" ("" when nothing would)


def rule_answer(facts: Facts, rule: LocalRule, passed: bool, text: str, letter: str,
            evidence: list[ReportRef], change: str, excluded: list[Exclusion],
            kept: str = "") -> Answer:
    return Answer(rule_result(facts, rule.id, rule.kind, passed, text, letter, evidence, change,
                          excluded, kept), change)
