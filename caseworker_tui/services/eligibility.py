"""The threshold verdict, rule by rule: a pure function of an application and the policy.

DOMAIN.md defines it: a report qualifies when its agency is relevant, it was made within the
report window of its incident and within the look-back before the request; the threshold is met
when (A three incidents, or B three people about one incident, or C a hate incident) and
D dissatisfied. Every rule says, in one sentence, why it passed or not, with the evidence, and
the verdict records the policy it was computed under so a decision can be reproduced.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from pydantic import BaseModel

from caseworker_tui.services.application import APPLICANT, Application
from caseworker_tui.services.calendar import add_months
from caseworker_tui.services.policy import Policy

RULE_TITLES = {
    "three_incidents": "A. Reports about enough different incidents",
    "three_people_same_incident": "B. Enough people reporting the same incident",
    "hate_incident": "C. A hate incident or hate crime",
    "dissatisfied": "D. Dissatisfied with the agencies' response",
}
_NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def _count(n: int, singular: str, plural: str | None = None) -> str:
    word = _NUMBERS[n] if n < len(_NUMBERS) else str(n)
    return f"{word} {singular if n == 1 else (plural or singular + 's')}"


class ReportRef(BaseModel):
    """One report, as the verdict cites it."""

    incident: str
    report: int  # 1-based position within its incident
    agency: str
    reporter: str
    reported_on: date


class RuleResult(BaseModel):
    id: str
    title: str
    passed: bool
    explanation: str
    evidence: list[ReportRef]


class Exclusion(BaseModel):
    incident: str
    report: int
    reporter: str
    agency: str
    reported_on: date
    reason: str


class PolicyStamp(BaseModel):
    name: str
    version: str
    period_convention: str


class Verdict(BaseModel):
    threshold_met: bool
    rules: list[RuleResult]
    excluded: list[Exclusion]
    would_change: list[str]
    policy: PolicyStamp
    received_on: date
    lookback_from: date

    def rule(self, rule_id: str) -> RuleResult:
        return next(r for r in self.rules if r.id == rule_id)

    @property
    def summary(self) -> str:
        if self.threshold_met:
            return "Threshold met"
        return "Threshold not met"


def normalise_name(name: str) -> str:
    """Names compare case- and whitespace-insensitively."""
    return " ".join(name.split()).casefold()


def _earliest_report(received: date, policy: Policy, shorten: int) -> date:
    """The first day of the look-back (one day later under `statute`).

    The rule compares against this one date, the same date the exclusion reason states, so the
    explanation can never disagree with the verdict at a month's end.
    """
    return add_months(received, -policy.threshold.lookback_months) + timedelta(days=shorten)


def _report_deadline(occurred_on: date, policy: Policy, shorten: int) -> date:
    return add_months(occurred_on, policy.threshold.report_within_months) - timedelta(days=shorten)


def _plural_months(n: int) -> str:
    return f"{n} month{'s' if n != 1 else ''}"


def evaluate(application: Application, policy: Policy) -> Verdict:
    """The verdict for one validated application under `policy`."""
    threshold = policy.threshold
    received = application.received_on
    shorten = 1 if threshold.period_convention == "statute" else 0
    earliest = _earliest_report(received, policy, shorten)
    relevant = set(threshold.relevant_agencies)
    applicant_key = normalise_name(application.applicant.name)

    qualifying: list[tuple[ReportRef, str]] = []  # (report, reporter key)
    excluded: list[Exclusion] = []
    for incident in application.incidents:
        latest = _report_deadline(incident.occurred_on, policy, shorten)
        for position, report in enumerate(incident.reports, start=1):
            reasons = []
            if report.agency not in relevant:
                reasons.append(
                    f"{policy.agency_label(report.agency)} is not a relevant agency for the Community Trigger"
                )
            if report.reported_on > latest:
                window = _plural_months(threshold.report_within_months)
                within = (f"within the period of {window} beginning with the incident on" if shorten
                          else f"within {window} of the incident on")
                reasons.append(f"reported on {report.reported_on}, not {within} {incident.occurred_on} "
                               f"(latest {latest})")
            if report.reported_on < earliest:
                reasons.append(
                    f"reported on {report.reported_on}, not within the "
                    f"{_plural_months(threshold.lookback_months)} before the request was received on "
                    f"{received} (earliest {earliest})"
                )
            key = normalise_name(report.reporter)
            is_applicant = key in (APPLICANT, applicant_key)
            # Built from an application already validated: model_construct skips validating each
            # of the dozens of citations again, which was a third of a verdict's time.
            cited = {"incident": incident.id, "report": position, "agency": report.agency,
                     "reporter": "applicant" if is_applicant else " ".join(report.reporter.split()),
                     "reported_on": report.reported_on}
            if reasons:
                excluded.append(Exclusion.model_construct(**cited, reason="; ".join(reasons)))
            else:
                qualifying.append((ReportRef.model_construct(**cited), applicant_key if is_applicant else key))

    hate_ids = {i.id for i in application.incidents if i.hate_related}
    order = {i.id: n for n, i in enumerate(application.incidents)}
    rules = [
        _rule_a(qualifying, applicant_key, threshold.min_incidents, order),
        _rule_b(qualifying, threshold.min_people_same_incident, order),
        _rule_c(qualifying, applicant_key, hate_ids),
        _rule_d(application),
    ]
    met = any(r.passed for r in rules[:3]) and rules[3].passed
    return Verdict(
        threshold_met=met,
        rules=rules,
        excluded=excluded,
        would_change=[] if met else _would_change(rules, qualifying, applicant_key, threshold, hate_ids),
        policy=PolicyStamp(name=policy.name, version=policy.version,
                           period_convention=threshold.period_convention),
        received_on=received,
        lookback_from=earliest,
    )


def _ids(ids, order) -> str:
    return ", ".join(sorted(ids, key=order.get))


def _rule_a(qualifying, applicant_key, needed, order) -> RuleResult:
    mine = [ref for ref, who in qualifying if who == applicant_key]
    incidents = {ref.incident for ref in mine}
    n = len(incidents)
    passed = n >= needed
    if n == 0:
        text = f"The applicant made no qualifying report; the policy needs {needed} different incidents."
    else:
        text = (
            f"The applicant made qualifying reports about {n} different "
            f"incident{'' if n == 1 else 's'} ({_ids(incidents, order)}); the policy needs {needed}."
        )
    return RuleResult(id="three_incidents", title=RULE_TITLES["three_incidents"], passed=passed,
                      explanation=text, evidence=mine)


def _people_by_incident(qualifying) -> dict[str, dict[str, ReportRef]]:
    people: dict[str, dict[str, ReportRef]] = defaultdict(dict)
    for ref, who in qualifying:
        people[ref.incident].setdefault(who, ref)
    return people


def _rule_b(qualifying, needed, order) -> RuleResult:
    people = _people_by_incident(qualifying)
    if not people:
        return RuleResult(id="three_people_same_incident", title=RULE_TITLES["three_people_same_incident"],
                          passed=False, evidence=[],
                          explanation=f"No incident has a qualifying report; {needed} different people "
                                      "reporting the same incident are needed.")
    best = max(people, key=lambda i: (len(people[i]), -order[i]))
    count = len(people[best])
    passed = count >= needed
    names = ", ".join(ref.reporter for ref in people[best].values())
    if passed:
        text = (f"{_count(count, 'different person', 'different people').capitalize()} made qualifying "
                f"reports about incident {best} ({names}); the policy needs {needed}.")
    else:
        text = (f"At most {_count(count, 'person', 'people')} made qualifying reports about the same "
                f"incident ({best}: {names}); the policy needs {needed}.")
    return RuleResult(id="three_people_same_incident", title=RULE_TITLES["three_people_same_incident"],
                      passed=passed, explanation=text, evidence=list(people[best].values()))


def _rule_c(qualifying, applicant_key, hate_ids) -> RuleResult:
    mine = [ref for ref, who in qualifying if who == applicant_key and ref.incident in hate_ids]
    if mine:
        incidents = sorted({ref.incident for ref in mine})
        text = (f"The applicant made a qualifying report about hate-related incident"
                f"{'s' if len(incidents) > 1 else ''} {', '.join(incidents)}.")
    elif hate_ids:
        text = (f"Incident{'s' if len(hate_ids) > 1 else ''} {', '.join(sorted(hate_ids))} "
                f"{'are' if len(hate_ids) > 1 else 'is'} marked hate-related, but the applicant made no "
                "qualifying report about it.")
    else:
        text = "No incident in the request is marked as a hate incident or hate crime."
    return RuleResult(id="hate_incident", title=RULE_TITLES["hate_incident"], passed=bool(mine),
                      explanation=text, evidence=mine)


def _rule_d(application: Application) -> RuleResult:
    if application.dissatisfied:
        reason = application.dissatisfaction_reason.strip()
        text = "The applicant is dissatisfied with the agencies' response" + (
            f": “{reason}”" if reason else ".")
    else:
        text = "The applicant has not said they are dissatisfied with the agencies' response."
    return RuleResult(id="dissatisfied", title=RULE_TITLES["dissatisfied"],
                      passed=application.dissatisfied, explanation=text, evidence=[])


def _would_change(rules, qualifying, applicant_key, threshold, hate_ids) -> list[str]:
    """Plain sentences on what the smallest change would be, when the threshold is not met."""
    a, b, c, d = rules
    hints: list[str] = []
    if not (a.passed or b.passed or c.passed):
        have = len({ref.incident for ref, who in qualifying if who == applicant_key})
        more = threshold.min_incidents - have
        hints.append(
            f"{_count(more, 'more qualifying report').capitalize()} by the applicant about "
            f"{'a different incident' if more == 1 else 'different incidents'} would meet rule A."
        )
        people = _people_by_incident(qualifying)
        if people:
            best = max(people, key=lambda i: len(people[i]))
            more = threshold.min_people_same_incident - len(people[best])
            hints.append(f"{_count(more, 'more person', 'more people').capitalize()} making a "
                         f"qualifying report about incident {best} would meet rule B.")
        if hate_ids:
            hints.append(f"A qualifying report by the applicant about hate-related incident "
                         f"{sorted(hate_ids)[0]} would meet rule C.")
        else:
            hints.append("A qualifying report by the applicant about a hate incident or hate crime "
                         "would meet rule C.")
    if not d.passed:
        hints.append("The applicant saying they are dissatisfied with the agencies' response would "
                     "meet rule D" + (", and so the threshold." if len(hints) == 0 else
                                      " (needed as well as one of A, B or C)."))
    return hints
