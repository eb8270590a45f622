"""A policy in words: what a council's file means, for the person who wrote it to check.

`caseworker policy check` prints this, so a partnership can read back its own threshold and
timescales as sentences ("Decide … within 15 working days of the acknowledgement") before the
file is put in force, and see a mistake a valid file can still hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from caseworker_tui.services import rule_expression
from caseworker_tui.services.timescales import ANCHOR_WORDS, Timescales
from caseworker_tui.services.words import plural

if TYPE_CHECKING:
    from caseworker_tui.services.policy import Policy
    from caseworker_tui.services.threshold_policy import LocalRule, Threshold




def _listed(words: list[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def rule_words(rule: LocalRule) -> str:
    """One local rule as the clause of a sentence."""
    kind = rule.kind
    if kind == "incidents_by_victim":
        return f"the victim reported at least {plural(rule.min, 'different incident')}"
    if kind == "people_same_incident":
        return f"at least {rule.min} different people (the victim may be one) reported the same incident"
    if kind == "hate_incident":
        made = " and reported it as a hate incident at the time" if rule.reported_as_hate else ""
        return f"the victim reported an incident that was hate-related{made}"
    if kind == "reports_by_several_people":
        people = "1 person" if rule.min_people == 1 else f"{rule.min_people} different people"
        return f"at least {plural(rule.min_reports, 'report')} were made by at least {people}"
    if kind == "recent_report":
        return f"at least one report was made in the {plural(rule.within_months, 'month')} before the request"
    return "the applicant is dissatisfied with the agencies' response"


def _expression_words(tree: rule_expression.Expression, threshold: Threshold) -> str:
    if isinstance(tree, rule_expression.Name):
        return rule_words(threshold.local_rule(tree.id))
    if isinstance(tree, rule_expression.Not):
        return f"it is not so that {_expression_words(tree.operand, threshold)}"
    joiner = "and" if isinstance(tree, rule_expression.And) else "or"
    parts = []
    for operand in tree.operands:
        words = _expression_words(operand, threshold)
        if isinstance(operand, rule_expression.Or):
            words = f"(either {words})"
        elif isinstance(operand, rule_expression.And):
            words = f"(both {words})"
        parts.append(words)
    return f" {joiner} ".join(parts)


def threshold_words(policy: Policy) -> str:
    """"A request meets the threshold when …": the statutory rule first, then the local rules."""
    threshold = policy.threshold
    count = threshold.statutory_complaints
    sentence = (f"A request meets the threshold when at least {plural(count, 'complaint')} about the "
                "behaviour have been made, by the victim or by anyone else (s.104(4), whatever the local "
                "rules say)")
    tree = threshold.expression()
    if tree is None:
        return sentence + ". There are no local rules."
    return f"{sentence}; or, by the local rules (s.104(5)), when {_expression_words(tree, threshold)}."


def reports_words(policy: Policy) -> list[str]:
    """Which reports count, and the methods that do not."""
    threshold = policy.threshold
    agencies = _listed([policy.agency_label(a) for a in threshold.relevant_agencies], "or")
    statute = ("periods as s.104(11) counts them: each begins on its first day"
               if threshold.period_convention == "statute" else "both bounds included")
    lines = [f"A report counts when it was made to {agencies}, within "
             f"{plural(threshold.report_within_months, 'month')} of its incident and within the "
             f"{plural(threshold.lookback_months, 'month')} before the request ({statute})."]
    if threshold.excluded_methods:
        methods = _listed([m.replace("_", " ") for m in threshold.excluded_methods], "or")
        lines.append(f"Excluded methods: a report made by {methods} does not count.")
    else:
        lines.append("Excluded methods: none; a report counts however it was made.")
    return lines


def timescale_words(timescales: Timescales) -> list[str]:
    """Each step's timescale as a sentence, in the order the policy's model declares them."""
    lines = []
    for step, field in Timescales.model_fields.items():
        timescale = getattr(timescales, step)
        if timescale is None:
            lines.append(f"{field.description}: no timescale set ([timescales.{step}]).")
            continue
        days = plural(timescale.days, f"{timescale.unit} day")
        lines.append(f"{field.description} within {days} of {ANCHOR_WORDS[timescale.anchor]} "
                     f"([timescales.{step}]).")
    return lines


def describe(policy: Policy) -> list[str]:
    """The whole policy in words, section by section."""
    calendar = policy.calendar
    nation = calendar.country + (f"-{calendar.subdivision}" if calendar.subdivision else "")
    closures = len(calendar.office_closures)
    lines = [f"{policy.name}, version {policy.version}", "", threshold_words(policy), *reports_words(policy),
             "", "Timescales (working days skip weekends, bank holidays of " + nation
             + (f" and {plural(closures, 'office closure')}" if closures else "") + "):",
             *(f"  {line}" for line in timescale_words(policy.timescales)), "", "Agencies:"]
    relevant = set(policy.threshold.relevant_agencies)
    for key, agency in policy.agencies.items():
        counted = "" if key in relevant else " (its reports do not count towards the threshold)"
        lines.append(f"  {key}: {agency.label}{counted}")
    people = policy.named_people
    lines += ["", "Named people (may chair a review or decide an appeal without an account): "
              + (", ".join(people) if people else "none"),
              "Grounds to decline a request that meets the threshold: " + ", ".join(policy.decline_grounds),
              (f"After a final appeal decision a case can be referred to {policy.escalation.name}."
               if policy.escalation else "No escalation beyond the partnership's own appeal is named.")]
    return lines
