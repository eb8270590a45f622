"""The `[threshold]` section of a policy file: which reports qualify, and the local rules.

DOMAIN.md fixes its shape, since councils edit it: the report window, the look-back, relevant
agencies, excluded methods, the number of complaints that meets the statutory rule (s.104(4)),
and local rules (s.104(5)) as named rules of known kinds joined by an expression. Unknown keys,
unknown kinds and unknown rule ids are refused by name, never ignored.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from caseworker_tui.services import rule_expression
from caseworker_tui.services.old_shape import refuses_old_keys

# How a report reached its agency, as the import format spells it; a policy may exclude some.
REPORT_METHODS = ("phone", "online", "in_writing", "in_person", "officer_on_site", "diary_sheet")
ReportMethod = Literal[
    "phone", "online", "in_writing", "in_person", "officer_on_site", "diary_sheet"]
# The verdict's first line carries this id; a local rule may not take it.
STATUTORY = "statutory"
_RULE_ID = re.compile(r"[a-z][a-z0-9_]{0,59}")

OLD_SHAPE_KEYS = ("min_incidents", "min_people_same_incident")
LEICESTER_RULE = "(three_incidents or three_people_same_incident or hate_incident) and dissatisfied"


class _Strict(BaseModel):
    # Strict: TOML has real numbers and booleans, so "no" for false is a mistake to name.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Rule(_Strict):
    id: str

    @field_validator("id")
    @classmethod
    def _an_id_the_expression_can_name(cls, value: str) -> str:
        if not _RULE_ID.fullmatch(value):
            raise ValueError(f"{value!r} is not a rule id: use lower-case letters, digits and _, "
                             "starting with a letter")
        if value in ("and", "or", "not", STATUTORY):
            raise ValueError(f"{value!r} is reserved; give the rule another id")
        return value


class IncidentsByVictim(_Rule):
    """The victim reported at least `min` different incidents."""

    kind: Literal["incidents_by_victim"]
    min: int = Field(ge=1, le=50)


class PeopleSameIncident(_Rule):
    """At least `min` different people (the victim may be one) reported the same incident."""

    kind: Literal["people_same_incident"]
    min: int = Field(ge=1, le=50)


class HateIncident(_Rule):
    """The victim reported an incident marked hate-related (reported as hate, if asked)."""

    kind: Literal["hate_incident"]
    reported_as_hate: bool = False


class ReportsBySeveralPeople(_Rule):
    """At least `min_reports` reports, made by at least `min_people` different people."""

    kind: Literal["reports_by_several_people"]
    min_reports: int = Field(ge=1, le=100)
    min_people: int = Field(ge=1, le=50)

    @model_validator(mode="after")
    def _people_fit_the_reports(self) -> ReportsBySeveralPeople:
        if self.min_people > self.min_reports:
            raise ValueError(f"min_people: {self.min_people} people cannot make only "
                             f"{self.min_reports} reports; make it at most min_reports")
        return self


class RecentReport(_Rule):
    """At least one report within the `within_months` months before the request."""

    kind: Literal["recent_report"]
    within_months: int = Field(ge=1, le=60)


class Dissatisfied(_Rule):
    """The applicant is dissatisfied with the agencies' response."""

    kind: Literal["dissatisfied"]


LocalRule = Annotated[
    IncidentsByVictim | PeopleSameIncident | HateIncident | ReportsBySeveralPeople | RecentReport
    | Dissatisfied,
    Field(discriminator="kind"),
]
RULE_KINDS = ("incidents_by_victim", "people_same_incident", "hate_incident",
              "reports_by_several_people", "recent_report", "dissatisfied")


def old_shape_message() -> str:
    """What changed in `[threshold]` since the first release, and how to convert a file."""
    return (
        "this file has the first release's threshold (min_incidents, min_people_same_incident). "
        "The threshold now names each local rule in a [[threshold.rules]] table, joins them in "
        "`rule`, and adds statutory_complaints (s.104(4)). Convert the file with `caseworker "
        "policy upgrade FILE` (your other settings and comments are kept), or by hand: remove "
        'those two keys, add statutory_complaints = 3 and rule = "' + LEICESTER_RULE + '", and '
        "one [[threshold.rules]] table per rule with its id, kind and numbers (e.g. id = "
        '"three_incidents", kind = "incidents_by_victim", min = 3), as `caseworker policy show` '
        "prints them"
    )


class Threshold(_Strict):
    period_convention: Literal["inclusive", "statute"] = "inclusive"
    report_within_months: int = Field(ge=1, le=24)
    lookback_months: int = Field(ge=1, le=60)
    relevant_agencies: list[str] = Field(min_length=1)
    excluded_methods: list[ReportMethod] = []
    statutory_complaints: int = 3
    # No local rules at all is allowed: then only the statutory rule decides.
    rule: str = ""
    rules: list[LocalRule] = []

    @field_validator("statutory_complaints")
    @classmethod
    def _within_the_act(cls, value: int) -> int:
        if not 1 <= value <= 3:
            raise ValueError(f"must be 1, 2 or 3, not {value}: s.104(4) never needs more than "
                             "three complaints, and it cannot be switched off")
        return value

    _refuse_the_old_shape = refuses_old_keys(OLD_SHAPE_KEYS, old_shape_message)

    @model_validator(mode="after")
    def _rules_and_expression_agree(self) -> Threshold:
        ids = [r.id for r in self.rules]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rules: each rule needs its own id; repeated: {', '.join(repeated)}")
        if not self.rule.strip():
            if self.rules:
                raise ValueError("rule: is missing; say how the rules combine, e.g. "
                                 f'rule = "{" or ".join(ids)}"')
            return self
        try:
            tree = rule_expression.parse(self.rule)
        except rule_expression.ExpressionError as exc:
            raise ValueError(f"rule: {exc}") from None
        used = rule_expression.names(tree)
        unknown = [i for i in used if i not in ids]
        if unknown:
            known = ", ".join(ids) or "none"
            raise ValueError(f"rule: names unknown rule id{'s' if len(unknown) > 1 else ''} "
                             f"{', '.join(unknown)} (rules defined in [[threshold.rules]]: "
                             f"{known})")
        unused = [i for i in ids if i not in used]
        if unused:
            raise ValueError(f"rules: rule{'s' if len(unused) > 1 else ''} {', '.join(unused)} "
                             "defined but not used in threshold.rule")
        return self

    def expression(self) -> rule_expression.Expression | None:
        """The parsed `rule`, or None when the policy has no local rules."""
        return rule_expression.parse(self.rule) if self.rule.strip() else None

    def local_rule(self, rule_id: str) -> LocalRule:
        return next(r for r in self.rules if r.id == rule_id)
