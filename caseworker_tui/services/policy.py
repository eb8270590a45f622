"""The policy in force: thresholds, timescales and lists a partnership sets without a programmer.

Everything numeric in the Community Trigger is policy. The shipped default is Leicester's; a
partnership points `policy_file` at its own TOML. A bad file is refused with the key named.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from caseworker_tui.errors import PolicyError
from caseworker_tui.models.tables import Appeal, Case, Deadline, Letter, Report, Review, ThresholdDecision
from caseworker_tui.services.deadline_steps import DEADLINE_STEPS
from caseworker_tui.services.policy_file import load_toml, read_policy_text
from caseworker_tui.services.threshold_policy import RULE_KINDS, Threshold
from caseworker_tui.services.timescales import Timescales

__all__ = ["Policy", "Threshold", "default_policy_text", "load_policy", "parse_policy"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Values the app stores fit the columns they are stored in: refused when the file is read, not
# when the first import fails on PostgreSQL with "value too long".
def _fits(*columns: Any, less: int = 0) -> Any:
    return Annotated[str, Field(min_length=1, max_length=min(c.max_length for c in columns) - less)]


_AGENCY_LABEL_ROOM = max(len(s.label.replace("{agency}", "")) for s in DEADLINE_STEPS.values()
                         if "{agency}" in s.label)  # "Recommendation due: " goes before the label
PolicyName = _fits(Case.policy_name, ThresholdDecision.policy_name)
PolicyVersion = _fits(Case.policy_version, ThresholdDecision.policy_version)
AgencyKey = _fits(Report.agency, Deadline.agency, Letter.agency)
AgencyLabel = _fits(Letter.recipient, Deadline.label, less=_AGENCY_LABEL_ROOM)
GroundName = _fits(ThresholdDecision.ground)
PersonName = _fits(Review.chair_name, Appeal.independent_chair, Letter.recipient)


class Partnership(_Strict):
    name: str = Field(min_length=1)
    address: list[str] = Field(min_length=1)
    email: str
    phone: str
    website: str = ""


class CalendarPolicy(_Strict):
    country: str = "GB"
    subdivision: str | None = "ENG"
    office_closures: list[date] = []

    @model_validator(mode="after")
    def _a_nation_the_holidays_library_knows(self) -> CalendarPolicy:
        """Checked when the file is read, or the first deadline would fail in someone's hands."""
        import holidays

        known = holidays.list_supported_countries()
        if self.country not in known:
            raise ValueError(f"country: {self.country!r} is not a country the bank holidays are known "
                             "for; use a two-letter code such as GB")
        try:
            holidays.country_holidays(self.country, subdiv=self.subdivision)
        except NotImplementedError:
            choices = ", ".join(known[self.country]) or "none (leave it out)"
            raise ValueError(f"subdivision: {self.subdivision!r} is not a part of {self.country} the bank "
                             f"holidays are known for; use one of {choices}") from None
        return self


class Reporting(_Strict):
    year_start_month: int = Field(ge=1, le=12)


class Retention(_Strict):
    closed_case_years: int = Field(ge=1, le=100)


class Agency(_Strict):
    label: AgencyLabel
    complaints: str = Field(min_length=1)
    email: str | None = Field(default=None, pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")  # where update requests are e-mailed


class Sending(_Strict):
    """How letters leave: the postage GOV.UK Notify prints them with."""

    postage: Literal["first", "second", "economy"] = "second"


class TriageQuestion(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str = Field(min_length=1)
    weight: int = Field(ge=0, le=100)


class Triage(_Strict):
    high_risk_at: int = Field(ge=0)
    questions: list[TriageQuestion] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, questions: list[TriageQuestion]) -> list[TriageQuestion]:
        ids = [q.id for q in questions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"question ids must be unique; repeated: {', '.join(duplicates)}")
        return questions


class Escalation(_Strict):
    """Where a case can go after the partnership's own appeal, when the policy names somewhere."""

    name: str = Field(min_length=1, max_length=200)  # "the Office of the Police and Crime Commissioner"
    how: str = Field(default="", max_length=500)      # how a referral is made, shown when making one


class Policy(_Strict):
    name: PolicyName
    version: PolicyVersion
    partnership: Partnership
    threshold: Threshold
    timescales: Timescales
    calendar: CalendarPolicy
    reporting: Reporting
    retention: Retention
    decline_grounds: list[GroundName] = Field(min_length=1)
    # People who chair reviews or appeals without an account (an independent chair from a
    # neighbouring partnership), chosen by name as accounts are.
    named_people: list[PersonName] = []
    agencies: dict[AgencyKey, Agency] = Field(min_length=1)
    triage: Triage
    escalation: Escalation | None = None  # a further step after a final appeal decision, if any
    sending: Sending = Sending()

    @model_validator(mode="after")
    def _relevant_agencies_known(self) -> Policy:
        unknown = [a for a in self.threshold.relevant_agencies if a not in self.agencies]
        if unknown:
            raise ValueError(
                "threshold.relevant_agencies: names agencies missing from [agencies]: "
                + ", ".join(unknown)
            )
        return self

    def agency_label(self, agency: str) -> str:
        known = self.agencies.get(agency)
        return known.label if known else agency


# A check that spans several keys names the one at fault first: "rule: names unknown …".
_KEYED_MESSAGE = re.compile(r"^([a-z_][a-z0-9_.]*): (.+)$", re.DOTALL)


def _key(loc: tuple[Any, ...], data: Any) -> str:
    """A problem's place as a council reads its file: `threshold.rules[2] (hate_incident).kind`."""
    parts: list[str] = []
    i = 0
    while i < len(loc):
        part = loc[i]
        if loc[:i] == ("threshold",) and part == "rules" and i + 1 < len(loc) \
                and isinstance(loc[i + 1], int):
            index = loc[i + 1]
            ident = None
            with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
                ident = data["threshold"]["rules"][index].get("id")
            named = f" ({ident})" if isinstance(ident, str) and ident else ""
            parts.append(f"rules[{index + 1}]{named}")
            i += 2
            if i < len(loc) and loc[i] in RULE_KINDS:  # the union's tag: not a key in the file
                i += 1
            continue
        parts.append(str(part))
        i += 1
    return ".".join(parts)


def _describe(error: ValidationError, data: Any = None) -> list[str]:
    """Each problem as `key: message`; a whole-file check names its keys in its own message."""
    lines = []
    for problem in error.errors():
        message = problem["msg"]
        key = _key(tuple(problem["loc"]), data)
        kind = problem["type"]
        if kind == "extra_forbidden":
            message = "unknown key"
        elif kind == "union_tag_invalid":
            message = (f"kind: {problem['ctx']['tag']!r} is not a kind of rule; use one of "
                       f"{', '.join(RULE_KINDS)}")
        elif kind == "union_tag_not_found":
            message = f"kind: is missing; use one of {', '.join(RULE_KINDS)}"
        elif kind == "value_error":
            message = str(problem["ctx"]["error"])
        elif kind == "string_too_long":
            what = "the name of this table is" if key.endswith(".[key]") else "is"
            key = key.removesuffix(".[key]")
            message = (f"{what} {len(problem['input'])} characters long; at most "
                       f"{problem['ctx']['max_length']} fit where the app stores it")
        keyed = _KEYED_MESSAGE.match(message) if kind.startswith(("value_error", "union_")) else None
        if keyed and key:
            key, message = f"{key}.{keyed[1]}", keyed[2]
        lines.append(f"{key}: {message}" if key else message)
    return lines


def parse_policy(text: str, source: str = "policy") -> Policy:
    """Read a policy from TOML text; every problem names its key."""
    data = load_toml(text, source)
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = _describe(exc, data)
        raise PolicyError(f"{source}: {'; '.join(problems)}", problems) from None


def default_policy_text() -> str:
    return resources.files("caseworker_tui.data").joinpath("policy-leicester.toml").read_text(
        encoding="utf-8"
    )


def load_policy(path: Path | None = None) -> Policy:
    """The policy from `path`, or the shipped default when no path is given."""
    if path is None:
        return _default_policy()
    return parse_policy(read_policy_text(path), source=str(path))


@cache
def _default_policy() -> Policy:
    return parse_policy(default_policy_text(), source="default policy")
