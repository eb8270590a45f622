"""Convert a first-release policy file's `[threshold]` and `[timescales]` to the current shape,
keeping the rest.

The first release wrote Leicester's rules as two numbers (`min_incidents`,
`min_people_same_incident`) with the rest of the threshold built in; the current shape names
every rule and joins them by an expression. A council's file carries its own comments and
values, so the conversion edits the text of that one section and leaves every other line as
the council wrote it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from caseworker_tui.errors import PolicyError
from caseworker_tui.services.policy_file import load_toml
from caseworker_tui.services.threshold_policy import LEICESTER_RULE, OLD_SHAPE_KEYS
from caseworker_tui.services.timescales import OLD_SHAPE_KEYS as OLD_TIMESCALE_KEYS

_HEADER = re.compile(r"^\s*\[\s*threshold\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_OLD_KEY = re.compile(r"^\s*(min_incidents|min_people_same_incident)\s*=")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


@dataclass(frozen=True)
class Upgraded:
    text: str
    problem: str | None  # the converted file is still refused, and why


def _rules_block(min_incidents: int, min_people: int) -> str:
    return f'''
# A. The victim reported at least `min` different incidents.
[[threshold.rules]]
id = "three_incidents"
kind = "incidents_by_victim"
min = {min_incidents}

# B. At least `min` different people (the victim may be one) reported the same incident.
[[threshold.rules]]
id = "three_people_same_incident"
kind = "people_same_incident"
min = {min_people}

# C. The victim reported an incident marked hate-related.
[[threshold.rules]]
id = "hate_incident"
kind = "hate_incident"

# D. The applicant is dissatisfied with the agencies' response.
[[threshold.rules]]
id = "dissatisfied"
kind = "dissatisfied"
'''


# How each first-release key becomes a step: (step, unit, the event it counted from). The first
# release counted the appeal window from the decision or the approval, so the conversion keeps
# `decided` (the shipped policy now counts from the letter being sent).
_OLD_TIMESCALES = {
    "acknowledge_working_days": ("acknowledge", "working", "received"),
    "decide_calendar_days": ("decide", "calendar", "received"),
    "agency_update_working_days": ("agency_update", "working", "requested"),
    "review_calendar_days": ("review", "calendar", "accepted"),
    "appeal_window_working_days": ("appeal_window", "working", "decided"),
    "appeal_decision_calendar_days": ("appeal_decision", "calendar", "lodged"),
}
assert set(_OLD_TIMESCALES) == set(OLD_TIMESCALE_KEYS)
_TIMESCALES_HEADER = re.compile(r"^\s*\[\s*timescales\s*\]\s*(#.*)?$")


def _section(lines: list[str], header: re.Pattern[str], source: str, name: str) -> tuple[int, int]:
    start = next((n for n, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        raise PolicyError(f"{source}: {name} is not written as a [{name}] table, so it cannot be "
                          "converted automatically; convert it by hand")
    end = next((n for n in range(start + 1, len(lines)) if _ANY_HEADER.match(lines[n])), len(lines))
    return start, end


def _timescales_block(old: dict) -> str:
    """The first release's six numbers as step tables; the fresh decision takes the decide days."""
    steps = [(step, old[key], unit, anchor) for key, (step, unit, anchor) in _OLD_TIMESCALES.items()]
    steps.insert(5, ("fresh_decision", old["decide_calendar_days"], "calendar", "appeal_decided"))
    return "".join(f'[timescales.{step}]\ndays = {days}\nunit = "{unit}"\nfrom = "{anchor}"\n\n'
                   for step, days, unit, anchor in steps)


def upgrade_timescales(text: str, source: str = "policy") -> str:
    """The file with its first-release `[timescales]` as one table per step."""
    old = tomllib.loads(text)["timescales"]
    lines = text.splitlines(keepends=True)
    start, end = _section(lines, _TIMESCALES_HEADER, source, "timescales")
    missing = [key for key in OLD_TIMESCALE_KEYS if key not in old]
    if missing or set(old) - set(OLD_TIMESCALE_KEYS):
        raise PolicyError(f"{source}: timescales mixes the first release's keys with others, so it "
                          "cannot be converted automatically; convert it by hand")
    return "".join([*lines[:start], _timescales_block(old), *lines[end:]])


def upgrade_policy(text: str, source: str = "policy") -> Upgraded:
    """The file with each first-release section in the current shape; PolicyError if there is
    nothing to convert or it cannot be done."""
    from caseworker_tui.services.policy import parse_policy

    data = load_toml(text, source)
    threshold, timescales = data.get("threshold"), data.get("timescales")
    old_threshold = isinstance(threshold, dict) and any(k in threshold for k in OLD_SHAPE_KEYS)
    old_timescales = isinstance(timescales, dict) and any(k in timescales for k in OLD_TIMESCALE_KEYS)
    if not old_threshold and not old_timescales:
        raise PolicyError(f"{source}: the threshold and timescales are already in the current shape; "
                          "nothing to convert")
    if old_timescales:
        text = upgrade_timescales(text, source)
    if not old_threshold:
        return _checked(text, source, parse_policy)
    return upgrade_threshold(text, source)


def _checked(text: str, source: str, parse) -> Upgraded:
    try:
        parse(text, source=source)
    except PolicyError as exc:
        return Upgraded(text, str(exc))
    return Upgraded(text, None)


def upgrade_threshold(text: str, source: str = "policy") -> Upgraded:
    """The file with its `[threshold]` in the current shape; PolicyError if it cannot be done."""
    from caseworker_tui.services.policy import parse_policy

    data = tomllib.loads(text)
    threshold = data.get("threshold")
    if not isinstance(threshold, dict) or not any(k in threshold for k in OLD_SHAPE_KEYS):
        raise PolicyError(f"{source}: threshold is already in the current shape; nothing to "
                          "convert")
    lines = text.splitlines(keepends=True)
    start = next((n for n, line in enumerate(lines) if _HEADER.match(line)), None)
    if start is None:
        raise PolicyError(f"{source}: threshold is not written as a [threshold] table, so it "
                          "cannot be converted automatically; convert it by hand")
    end = next((n for n in range(start + 1, len(lines)) if _ANY_HEADER.match(lines[n])), len(lines))
    section = lines[start + 1:end]
    body = [line for line in section if not _OLD_KEY.match(line)]
    present = {m[1] for line in body if (m := _KEY.match(line))}
    if len(section) - len(body) != sum(key in threshold for key in OLD_SHAPE_KEYS):
        raise PolicyError(f"{source}: the threshold's old keys are not each on a line of their "
                          "own, so they cannot be converted automatically; convert them by hand")
    while body and not body[-1].strip():
        body.pop()
    if body and not body[-1].endswith("\n"):
        body[-1] += "\n"
    added = []
    if "excluded_methods" not in present:
        added.append("excluded_methods = []\n")
    if "statutory_complaints" not in present:
        added.append("# s.104(4): this many complaints about the behaviour meet the threshold "
                     "whatever the local rules say.\nstatutory_complaints = 3\n")
    added.append("# The local rules (s.104(5)): each id is a [[threshold.rules]] below.\n"
                 f'rule = "{LEICESTER_RULE}"\n')
    block = _rules_block(threshold.get("min_incidents", 3),
                         threshold.get("min_people_same_incident", 3))
    rest = lines[end:]
    converted = "".join([*lines[:start + 1], *body, *added, block, "\n" if rest else "", *rest])
    return _checked(converted, source, parse_policy)
