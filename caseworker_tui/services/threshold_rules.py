"""One function per kind of threshold rule (and the statutory rule): passed or not, why, the evidence,
what would change it. What they are told and how they answer is in `threshold_facts`.

Each rule is told the same facts (the qualifying reports, the excluded ones and the request) and
answers in two voices: `explanation` for the caseworker, naming incidents by their ids, and
`letter_sentence` for the applicant, speaking to them ("you reported …") and naming incidents
by their dates, never by ids, rule ids or other reporters' names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from caseworker_tui.services.threshold_facts import (
    STATUTORY_TITLE,
    Answer,
    Facts,
    ReportRef,
    cap,
    count,
    months,
    number,
    rule_answer,
    rule_result,
)
from caseworker_tui.services.threshold_periods import earliest_start, month_name_day
from caseworker_tui.services.threshold_policy import (
    STATUTORY,
    Dissatisfied,
    HateIncident,
    IncidentsByVictim,
    LocalRule,
    PeopleSameIncident,
    RecentReport,
    ReportsBySeveralPeople,
)
from caseworker_tui.services.words import plural

# --- the statutory rule -----------------------------------------------------------------------

def complaints(facts: Facts) -> dict[tuple[str, str], ReportRef]:
    """One complaint per person per incident: the same person telling two agencies is one."""
    found: dict[tuple[str, str], ReportRef] = {}
    for c in facts.qualifying:
        found.setdefault((c.ref.incident, c.person), c.ref)
    return found


def statutory(facts: Facts, needed: int) -> Answer:
    made = complaints(facts)
    n = len(made)
    passed = n >= needed
    by_person: dict[str, list[str]] = defaultdict(list)
    for ref in made.values():
        by_person[ref.reporter].append(ref.incident)
    listed = "; ".join(f"{who} about {facts.ids(ids)}" for who, ids in by_person.items())
    law = "section 104(4) of the Anti-social Behaviour, Crime and Policing Act 2014"
    if not facts.incidents:
        text = (f"The request lists no incidents, so no complaint can be counted; s.104(4) makes "
                f"{needed} complaints meet the threshold.")
        letter = ("Your request did not list any incidents of anti-social behaviour, so there was "
                  "nothing we could count towards the threshold.")
    elif passed:
        text = (f"{count(n, 'complaint').capitalize()} about the behaviour qualify ({listed}); "
                f"s.104(4) makes {needed} meet the threshold whatever the local rules say.")
        letter = (f"{count(n, 'complaint').capitalize()} about the behaviour were made in a way "
                  f"that counts, by {_complainers(facts, made)}; by law ({law}) "
                  f"{number(needed)} complaints meet the threshold.")
    else:
        detail = f" ({listed})" if listed else ""
        text = (f"{count(n, 'complaint').capitalize()} about the behaviour "
                f"{'qualifies' if n == 1 else 'qualify'}{detail}; s.104(4) needs {needed}, so the "
                "local rules decide.")
        letter = (f"We counted {count(n, 'complaint')} about the behaviour made in a way that "
                  f"counts; by law ({law}) {number(needed)} would meet the threshold.")
    more = needed - n
    change = "" if passed else (
        f"{count(more, 'more complaint' if n else 'complaint')} about the behaviour (a qualifying "
        "report by anyone about an incident they have not yet complained of)")
    kept = (f"It would not be met with {count(n - needed + 1, 'complaint')} fewer."
            if passed else "")
    result = rule_result(facts, STATUTORY, STATUTORY, passed, text, letter, list(made.values()), change,
                     facts.excluded, kept)
    return Answer(result.model_copy(update={"title": STATUTORY_TITLE}), change)


def _complainers(facts: Facts, made: dict[tuple[str, str], ReportRef]) -> str:
    people = {person for _, person in made}
    others = len(people - {facts.victim})
    if facts.victim not in people:
        return count(others, "other person", "other people")
    if not others:
        return facts.voice.you
    return f"{facts.voice.you} and {count(others, 'other person', 'other people')}"


# --- local rules, by kind ---------------------------------------------------------------------

def incidents_by_victim(rule: IncidentsByVictim, facts: Facts) -> Answer:
    mine = facts.victims()
    incidents = {c.ref.incident for c in mine}
    n, needed, voice = len(incidents), rule.min, facts.voice
    passed = n >= needed
    if n == 0:
        text = (f"{cap(voice.victim)} made no qualifying report; the policy needs {needed} "
                "different incidents.")
        letter = (f"{cap(voice.you)} made no report that counts towards the threshold; "
                  f"{count(needed, 'different incident')} reported in a way that counts are "
                  "needed.")
    else:
        text = (f"{cap(voice.victim)} made qualifying reports about "
                f"{plural(n, 'different incident')} ({facts.ids(incidents)}); "
                f"the policy needs {needed}.")
        letter = (f"{cap(voice.you)} reported {count(n, 'different incident')} in a way that "
                  f"counts (on {facts.dates(incidents)}); {number(needed)} "
                  f"{'is' if needed == 1 else 'are'} needed.")
    more = needed - n
    change = (f"{count(more, 'more qualifying report' if n else 'qualifying report')} by "
              f"{voice.victim} about "
              f"{'a different incident' if more == 1 else 'different incidents'}")
    kept = f"It would not be met with {count(n - needed + 1, 'incident')} fewer counted."
    return rule_answer(facts, rule, passed, text, letter, [c.ref for c in mine], change,
                   facts.excluded_victims(), kept)


def _people_by_incident(facts: Facts) -> dict[str, dict[str, ReportRef]]:
    people: dict[str, dict[str, ReportRef]] = defaultdict(dict)
    for c in facts.qualifying:
        people[c.ref.incident].setdefault(c.person, c.ref)
    return people


def people_same_incident(rule: PeopleSameIncident, facts: Facts) -> Answer:
    needed = rule.min
    people = _people_by_incident(facts)
    if not people:
        text = (f"No incident has a qualifying report; {needed} different people reporting the "
                "same incident are needed.")
        letter = (f"No incident was reported in a way that counts, so none was reported by "
                  f"{count(needed, 'different person', 'different people')}.")
        change = (f"{count(needed, 'person', 'people')} making a qualifying report about one "
                  "incident")
        return rule_answer(facts, rule, False, text, letter, [], change, facts.excluded)
    best = max(people, key=lambda i: (len(people[i]), -facts.incidents[i].position))
    n = len(people[best])
    passed = n >= needed
    names = ", ".join(ref.reporter for ref in people[best].values())
    you_too = facts.victim in people[best]
    if passed:
        text = (f"{count(n, 'different person', 'different people').capitalize()} made qualifying "
                f"reports about incident {best} ({names}); the policy needs {needed}.")
        letter = (f"{count(n, 'different person', 'different people').capitalize()}"
                  f"{', ' + facts.voice.you + ' among them,' if you_too and n > 1 else ''} "
                  f"reported the incident on {facts.dates([best])} in a way that counts; "
                  f"{number(needed)} are needed.")
    else:
        text = (f"At most {count(n, 'person', 'people')} made qualifying reports about the same "
                f"incident ({best}: {names}); the policy needs {needed}.")
        letter = (f"At most {count(n, 'person', 'people')} reported any one incident in a way "
                  f"that counts; {number(needed)} different people are needed.")
    more = needed - n
    change = (f"{count(more, 'more person', 'more people')} making a qualifying report about "
              f"incident {best}")
    kept = f"It would not be met with {count(n - needed + 1, 'person', 'people')} fewer."
    return rule_answer(facts, rule, passed, text, letter, list(people[best].values()), change,
                   facts.excluded, kept)


def hate_incident(rule: HateIncident, facts: Facts) -> Answer:
    voice = facts.voice
    hate_ids = facts.ordered(i for i, f in facts.incidents.items() if f.hate_related)

    def counts(ref: ReportRef) -> bool:
        incident = facts.incidents[ref.incident]
        return incident.hate_related and (
            not rule.reported_as_hate or ref.report in incident.as_hate_reports)

    mine = [c.ref for c in facts.victims() if counts(c.ref)]
    at_the_time = " as a hate incident at the time" if rule.reported_as_hate else ""
    plural = len(hate_ids) > 1
    if mine:
        incidents = {ref.incident for ref in mine}
        text = (f"{cap(voice.victim)} made a qualifying report{at_the_time} about hate-related "
                f"incident{'s' if len(incidents) > 1 else ''} {facts.ids(incidents)}.")
        letter = (f"{cap(voice.you)} reported an incident of hate{at_the_time} (on "
                  f"{facts.dates(incidents)}) in a way that counts.")
    elif hate_ids:
        text = (f"Incident{'s' if plural else ''} {', '.join(hate_ids)} "
                f"{'are' if plural else 'is'} marked hate-related, but {voice.victim} made no "
                f"qualifying report{at_the_time} about {'them' if plural else 'it'}.")
        letter = (f"The incident{'s' if plural else ''} on {facts.dates(hate_ids)} "
                  f"{'were' if plural else 'was'} described as hate-related, but we have no "
                  f"report{at_the_time} from {voice.you} that counts.")
    else:
        text = "No incident in the request is marked as a hate incident or hate crime."
        letter = "None of the incidents was described as a hate incident or hate crime."
    if hate_ids:
        change = (f"a qualifying report by {voice.victim} about hate-related incident "
                  f"{hate_ids[0]}{' made as a hate incident' if rule.reported_as_hate else ''}")
    else:
        change = f"a qualifying report by {voice.victim} about a hate incident or hate crime"
    relevant = [x for x in facts.excluded_victims() if facts.incidents[x.incident].hate_related]
    kept = "It would not be met if none of these reports counted."
    return rule_answer(facts, rule, bool(mine), text, letter, mine, change, relevant, kept)


def reports_by_several_people(rule: ReportsBySeveralPeople, facts: Facts) -> Answer:
    reports = [c.ref for c in facts.qualifying]
    n, people = len(reports), len({c.person for c in facts.qualifying})
    passed = n >= rule.min_reports and people >= rule.min_people
    needs = (f"{rule.min_reports} reports by at least {rule.min_people} "
             f"{'person' if rule.min_people == 1 else 'people'}")
    text = (f"{plural(n, 'qualifying report')} "
            f"{'was' if n == 1 else 'were'} made, by {people} different "
            f"{'person' if people == 1 else 'people'}; the policy needs {needs}.")
    letter = (f"{count(n, 'report').capitalize()} that count{'s' if n == 1 else ''} "
              f"{'was' if n == 1 else 'were'} made about the behaviour, by "
              f"{count(people, 'person', 'people')}; {number(rule.min_reports)} reports by at "
              f"least {count(rule.min_people, 'person', 'people')} are needed.")
    more_reports = max(0, rule.min_reports - n)
    more_people = max(0, rule.min_people - people)
    if more_people == 0:
        change = count(more_reports, "more qualifying report")
    elif more_reports <= more_people:
        newcomers = count(more_people, "more person", "more people")
        change = f"a qualifying report by {'each of ' if more_people > 1 else ''}{newcomers}"
    else:
        change = (f"{count(more_reports, 'more qualifying report')}, "
                  f"{more_people} of them by people who have not reported yet")
    kept = "It would not be met with fewer reports or people than the policy needs."
    return rule_answer(facts, rule, passed, text, letter, reports, change, facts.excluded, kept)


def recent_report(rule: RecentReport, facts: Facts) -> Answer:
    since = earliest_start(facts.received_on, rule.within_months, facts.convention)
    recent = [c.ref for c in facts.qualifying if c.ref.reported_on >= since]
    latest = max((c.ref.reported_on for c in facts.qualifying), default=None)
    window = months(rule.within_months)
    if recent:
        newest = max(ref.reported_on for ref in recent)
        text = (f"{count(len(recent), 'qualifying report').capitalize()} "
                f"{'was' if len(recent) == 1 else 'were'} made within the {window} before the "
                f"request (on or after {since}); the latest on {newest}.")
        letter = (f"A report that counts was made in the {window} before the request (the latest "
                  f"on {month_name_day(newest)}).")
    else:
        last = f"; the latest qualifying report was made on {latest}" if latest else ""
        text = (f"No qualifying report was made within the {window} before the request (on or "
                f"after {since}){last}.")
        letter = (f"No report that counts was made in the {window} before the request (since "
                  f"{month_name_day(since)}).")
    change = f"a qualifying report made on or after {since}"
    kept = f"It would not be met if no report made on or after {since} counted."
    return rule_answer(facts, rule, bool(recent), text, letter, recent, change, facts.excluded, kept)


def dissatisfied(rule: Dissatisfied, facts: Facts) -> Answer:
    if facts.dissatisfied:
        reason = facts.dissatisfaction_reason.strip()
        text = "The applicant is dissatisfied with the agencies' response" + (
            f": “{reason}”" if reason else ".")
        letter = "You told us you are dissatisfied with the agencies' response."
    else:
        text = "The applicant has not said they are dissatisfied with the agencies' response."
        letter = "You did not tell us you are dissatisfied with the agencies' response."
    change = "the applicant saying they are dissatisfied with the agencies' response"
    kept = "It would not be met if the applicant withdrew their dissatisfaction."
    return rule_answer(facts, rule, facts.dissatisfied, text, letter, [], change, [], kept)


EVALUATORS: dict[str, Callable[..., Answer]] = {
    "incidents_by_victim": incidents_by_victim,
    "people_same_incident": people_same_incident,
    "hate_incident": hate_incident,
    "reports_by_several_people": reports_by_several_people,
    "recent_report": recent_report,
    "dissatisfied": dissatisfied,
}


def evaluate_rule(rule: LocalRule, facts: Facts) -> Answer:
    return EVALUATORS[rule.kind](rule, facts)
