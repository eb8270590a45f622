"""The threshold verdict: a pure function of an application and the policy, as DOMAIN.md sets it.

A report qualifies when its agency is relevant, it was made within the report window of its
incident and within the look-back before the request, and its method is not excluded; anything
else is excluded with its reason. The statutory rule (s.104(4)) comes first and cannot be
switched off: enough complaints, by anyone, meet the threshold whatever the local rules say.
Then the policy's local rules, each by id, joined by its expression. Every rule says why it
passed or not, with its evidence and what would change it, and the verdict records the policy
it was computed under so that a decision can be reproduced.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from caseworker_tui.services import rule_expression
from caseworker_tui.services.application import Application
from caseworker_tui.services.names import name_key, tidy_name
from caseworker_tui.services.policy import Policy
from caseworker_tui.services.threshold_facts import (
    KIND_TITLES,
    Answer,
    Counted,
    Exclusion,
    Facts,
    IncidentFacts,
    ReportRef,
    RuleResult,
    Voice,
    cap,
    count,
    months,
)
from caseworker_tui.services.threshold_periods import earliest_start, month_name_day, period_end
from caseworker_tui.services.threshold_rules import evaluate_rule, statutory

__all__ = ["Exclusion", "PolicyStamp", "ReportRef", "RuleResult", "Verdict", "evaluate",
           "normalise_name", "rule_label"]

# Every name comparison goes through this one helper (kept under its first-release name).
normalise_name = name_key


class PolicyStamp(BaseModel):
    name: str
    version: str
    period_convention: str


class Verdict(BaseModel):
    """The verdict as stored with a case (JSON). Fields after `lookback_from` came with the
    second release; verdicts stored by the first lack them, so each has a default."""

    threshold_met: bool
    rules: list[RuleResult]  # the local rules, in the policy's order
    excluded: list[Exclusion]
    would_change: list[str]
    policy: PolicyStamp
    received_on: date
    lookback_from: date
    statutory: RuleResult | None = None
    met_by: Literal["statutory", "local"] | None = None
    reason: str = ""  # one line: met or not, and by which rule
    rule_expression: str = ""  # the policy's `rule`, as written
    rule_shown: str = ""  # the same with each rule by its letter: "(A or B or C) and D"
    statutory_complaints: int | None = None

    @property
    def all_rules(self) -> list[RuleResult]:
        """The statutory rule first, then each local rule: the order a verdict is read in."""
        return ([self.statutory] if self.statutory else []) + self.rules

    def rule(self, rule_id: str) -> RuleResult:
        """One rule's result by its id; `statutory` is the statutory rule's."""
        return next(r for r in self.all_rules if r.id == rule_id)

    @property
    def summary(self) -> str:
        if self.threshold_met:
            return "Threshold met"
        return "Threshold not met"


def rule_label(position: int) -> str:
    """Local rules are lettered in the policy's order, as Leicester's procedure letters them."""
    return chr(ord("A") + position)


def evaluate(application: Application, policy: Policy) -> Verdict:
    """The verdict for one validated application under `policy`."""
    threshold = policy.threshold
    convention = threshold.period_convention
    received = application.received_on
    earliest = earliest_start(received, threshold.lookback_months, convention)
    facts = _facts(application, policy, earliest)

    first = statutory(facts, threshold.statutory_complaints)
    labels = {r.id: rule_label(n) for n, r in enumerate(threshold.rules)}
    answers: dict[str, Answer] = {}
    for rule in threshold.rules:
        answer = evaluate_rule(rule, facts)
        title = f"{labels[rule.id]}. {KIND_TITLES[rule.kind]}"
        answers[rule.id] = Answer(answer.result.model_copy(update={"title": title}), answer.change)
    tree = threshold.expression()
    values = {rule_id: a.result.passed for rule_id, a in answers.items()}
    local = tree is not None and rule_expression.evaluate(tree, values)
    shown = rule_expression.render(tree, labels.__getitem__) if tree is not None else ""
    met = first.result.passed or local
    met_by = "statutory" if first.result.passed else ("local" if local else None)
    return Verdict(
        threshold_met=met,
        rules=[a.result for a in answers.values()],
        excluded=facts.excluded,
        would_change=[] if met else _would_change(first, answers, tree, values, labels),
        policy=PolicyStamp(name=policy.name, version=policy.version, period_convention=convention),
        received_on=received,
        lookback_from=earliest,
        statutory=first.result,
        met_by=met_by,
        reason=_reason(facts, first, threshold.statutory_complaints, met_by, shown, values, labels),
        rule_expression=threshold.rule,
        rule_shown=shown,
        statutory_complaints=threshold.statutory_complaints,
    )


def _facts(application: Application, policy: Policy, earliest: date) -> Facts:
    """Each report qualified or excluded, with its reasons; the facts every rule is told."""
    threshold = policy.threshold
    convention = threshold.period_convention
    relevant = set(threshold.relevant_agencies)
    excluded_methods = set(threshold.excluded_methods)
    on_behalf = application.applicant.type == "on_behalf"
    victim = name_key(application.applicant.victim_name)
    victim_cited = "victim" if on_behalf else "applicant"
    window = months(threshold.report_within_months)
    lookback = months(threshold.lookback_months)
    received = application.received_on

    qualifying: list[Counted] = []
    excluded: list[Exclusion] = []
    incidents: dict[str, IncidentFacts] = {}
    for position, incident in enumerate(application.incidents):
        latest = period_end(incident.occurred_on, threshold.report_within_months, convention)
        incidents[incident.id] = IncidentFacts(
            incident.id, position, incident.occurred_on, incident.hate_related,
            frozenset(n for n, r in enumerate(incident.reports, start=1) if r.as_hate))
        for n, report in enumerate(incident.reports, start=1):
            reasons: list[str] = []
            letter: list[str] = []
            label = policy.agency_label(report.agency)
            if report.agency not in relevant:
                reasons.append(f"{label} is not a relevant agency for the Community Trigger")
                letter.append(f"{label} is not one of the agencies the Community Trigger covers")
            if report.reported_on > latest:
                within = (f"within the period of {window} beginning with the incident on"
                          if convention == "statute" else f"within {window} of the incident on")
                reasons.append(f"reported on {report.reported_on}, not {within} "
                               f"{incident.occurred_on} (latest {latest})")
                letter.append(f"it was made on {month_name_day(report.reported_on)}, more than "
                              f"{window_words(threshold.report_within_months)} after the incident "
                              f"on {month_name_day(incident.occurred_on)}")
            if report.reported_on < earliest:
                reasons.append(f"reported on {report.reported_on}, not within the {lookback} "
                               f"before the request was received on {received} "
                               f"(earliest {earliest})")
                letter.append(f"it was made on {month_name_day(report.reported_on)}, more than "
                              f"{window_words(threshold.lookback_months)} before your request")
            if report.method in excluded_methods:
                how = report.method.replace("_", " ")
                reasons.append(f"made by {how}, a method this policy does not count")
                letter.append(f"reports made by {how} do not count towards the threshold here")
            by_victim = application.is_victims(report.reporter)
            # Built from an application already validated: model_construct skips validating each
            # of the dozens of citations again, which was a third of a verdict's time.
            cited = {"incident": incident.id, "report": n, "agency": report.agency,
                     "reporter": victim_cited if by_victim else tidy_name(report.reporter),
                     "reported_on": report.reported_on, "method": report.method,
                     "by_victim": by_victim}
            if reasons:
                excluded.append(Exclusion.model_construct(
                    **cited, reason="; ".join(reasons), letter_reason=cap("; ".join(letter))))
            else:
                person = victim if by_victim else name_key(report.reporter)
                qualifying.append(Counted(ReportRef.model_construct(**cited), person))
    voice = (Voice("the victim", "the person you applied for") if on_behalf
             else Voice("the applicant", "you"))
    return Facts(qualifying=qualifying, excluded=excluded, incidents=incidents, victim=victim,
                 voice=voice, received_on=received, convention=convention,
                 dissatisfied=application.dissatisfied,
                 dissatisfaction_reason=application.dissatisfaction_reason)


def window_words(n: int) -> str:
    return "a month" if n == 1 else f"{n} months"


def _reason(facts: Facts, first: Answer, needed: int, met_by: str | None, shown: str,
            values: dict[str, bool], labels: dict[str, str]) -> str:
    """The verdict's own line: met or not, and by which rule."""
    made = len({(c.ref.incident, c.person) for c in facts.qualifying})
    if met_by == "statutory":
        return (f"Met by the statutory rule (s.104(4)): {count(made, 'complaint')} about the "
                f"behaviour, {needed} needed, whatever the local rules say.")
    passed = [labels[i] for i, ok in values.items() if ok]
    if met_by == "local":
        return f"Met by the local rules, {shown}: {', '.join(passed)} passed."
    if not facts.incidents:
        return "Not met: the request lists no incidents, so there is nothing to count."
    local = f"; the local rules, {shown}, are not met" if shown else ""
    return (f"Not met: {count(made, 'complaint')} about the behaviour, {needed} needed by "
            f"s.104(4){local}.")


def _would_change(first: Answer, answers: dict[str, Answer], tree, values: dict[str, bool],
                  labels: dict[str, str]) -> list[str]:
    """The smallest changes that would meet the threshold, when it is not met."""
    hints = []
    if first.change:
        hints.append(f"{cap(first.change)} would meet the threshold by the statutory rule.")
    if tree is None:
        return hints
    sets = rule_expression.smallest_changes(tree, values)
    for rule_id in answers:
        partners = [[labels[o] for o in chosen if o != rule_id]
                    for chosen in sets if rule_id in chosen]
        if not partners or not answers[rule_id].change:
            continue
        alone = [] in partners
        others = " or ".join(" and ".join(p) for p in partners if p)
        tail = ", and so the threshold." if alone else f" (needed as well as {others})."
        hints.append(f"{cap(answers[rule_id].change)} would meet rule {labels[rule_id]}{tail}")
    return hints
