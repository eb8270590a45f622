"""Convert a policy file's first-release `[threshold]` to the current shape, keeping the rest.

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
from caseworker_tui.services.threshold_policy import LEICESTER_RULE, OLD_SHAPE_KEYS

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


def upgrade_threshold(text: str, source: str = "policy") -> Upgraded:
    """The file with its `[threshold]` in the current shape; PolicyError if it cannot be done."""
    from caseworker_tui.services.policy import parse_policy

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source} is not valid TOML: {exc}") from None
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
    try:
        parse_policy(converted, source=source)
    except PolicyError as exc:
        return Upgraded(converted, str(exc))
    return Upgraded(converted, None)
