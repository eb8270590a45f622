"""A second user in a process of its own, editing a case while the test edits it too.

    edit_case.py race CASE_ID USERNAME ROLE ACTION
        for each VALUE line on stdin: read the case's version, print {"ready": version}, wait
        for a "go" line, then triage (VALUE: comma-separated question ids) or assign (VALUE: a
        username) with that version; on StaleCase print who changed it, reload and apply the
        change again. An empty line ends.
    edit_case.py stress CASE_ID USERNAME ROLE COUNT
        print {"ready": …}, wait for a line on stdin, then COUNT times add a note and triage,
        without a version: writes from several processes must queue, never fail.

The database is CASEWORKER_DATABASE_URL. Every result is one JSON line on stdout.
"""

from __future__ import annotations

import json
import os
import sys

from caseworker_tui.errors import StaleCase
from caseworker_tui.models import bind
from caseworker_tui.services import workflow
from caseworker_tui.services.cases import open_case
from caseworker_tui.services.permissions import Actor


def emit(**values) -> None:
    print(json.dumps(values, default=str), flush=True)


def change(action: str, case_id: int, actor: Actor, value: str, version: int) -> int:
    if action == "triage":
        answers = {q: True for q in value.split(",") if q}
        return workflow.triage(case_id, actor, answers, expected_version=version).version
    if action == "assign":
        return workflow.assign(case_id, actor, value, expected_version=version).version
    raise SystemExit(f"unknown action {action}")


def race(case_id: int, actor: Actor, action: str) -> None:
    while value := sys.stdin.readline().strip():
        version = open_case(case_id, actor, record_view=False).version
        emit(ready=version)
        sys.stdin.readline()
        try:
            emit(saved=change(action, case_id, actor, value, version))
        except StaleCase as exc:
            fresh = open_case(case_id, actor, record_view=False).version
            emit(stale=True, changed_by=exc.changed_by, changed_at=exc.changed_at, message=str(exc),
                 saved=change(action, case_id, actor, value, fresh))


def stress(case_id: int, actor: Actor, count: int) -> None:
    emit(ready=os.getpid())
    sys.stdin.readline()
    for n in range(count):
        workflow.add_note(case_id, actor, f"{actor.username} note {n}")
        workflow.triage(case_id, actor, {"children": n % 2 == 0})
    emit(done=count)


def main(argv: list[str]) -> None:
    bind(os.environ["CASEWORKER_DATABASE_URL"])
    mode, case_id, username, role, *rest = argv
    actor = Actor(username, username.title(), role)
    if mode == "race":
        race(int(case_id), actor, *rest)
    else:
        stress(int(case_id), actor, int(rest[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
