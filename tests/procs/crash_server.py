"""Work for a test to kill: forks one worker per request so a kill costs no interpreter start.

Each stdin line is a JSON task; the server forks, the worker prints {"started": pid} and works
until it is killed (SIGKILL from the test), and the server prints {"ended": pid, "signal": n}.
The server itself never opens the database, so no connection crosses a fork.

    {"task": "import", "path": FILE}     import FILE again and again (one transaction a file)
    {"task": "walk", "seed": N}          move random cases through the lifecycle, add notes
    {"task": "letters", "out": FOLDER}   produce acknowledgement letters for random cases

The database is CASEWORKER_DATABASE_URL.
"""

from __future__ import annotations

import json
import os
import random
import sys
import traceback
from datetime import date
from pathlib import Path

from caseworker_tui.models import Case, bind
from caseworker_tui.services import clock, context, intake, workflow
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.unit import reading
from caseworker_tui.services.workflow import RecommendationIn

CASEY = Actor("casey", "Casey Morgan", "caseworker")
CHRIS = Actor("chris", "Chris Hall", "chair")


def emit(**values) -> None:
    print(json.dumps(values), flush=True)


def _case_ids() -> list[int]:
    with reading():
        return [c.id for c in Case.select(Case.id)]


def _stage(case_id: int) -> str:
    with reading():
        return Case.get_by_id(case_id).stage


def import_forever(path: str) -> None:
    while True:
        intake.import_file(Path(path), CASEY)


def _step(case_id: int, stage: str, rng: random.Random) -> None:
    """The next step for a case at `stage`; an outcome returned by the chair goes round again."""
    if stage == "received":
        workflow.acknowledge(case_id, CASEY)
    elif stage == "acknowledged":
        workflow.decide(case_id, CASEY, accept=True)
    elif stage == "accepted":
        workflow.schedule_review(case_id, CASEY, meeting_on=clock.today(),
                                 chair_name="Chris Hall", agencies=["police"], participation="virtual")
    elif stage == "under_review":
        workflow.request_updates(case_id, CASEY, ["police", "council"])
        workflow.draft_outcome(case_id, CASEY, summary="Agencies missed the pattern.", recommendations=[
            RecommendationIn("police", "Visit weekly", date(2099, 1, 1))])
    elif stage == "outcome_drafted":
        workflow.submit_outcome(case_id, CASEY)
    elif stage == "awaiting_chair":
        workflow.return_outcome(case_id, CHRIS, f"Say more ({rng.random():.3f}).")
    workflow.add_note(case_id, CASEY, f"Step taken at {stage}.")


def walk_forever(seed: int) -> None:
    rng = random.Random(seed)
    ids = _case_ids()
    while True:
        case_id = rng.choice(ids)
        _step(case_id, _stage(case_id), rng)


def letters_forever(out: str) -> None:
    from caseworker_tui.services import letters

    ids = _case_ids()
    rng = random.Random(os.getpid())
    while True:
        letters.produce(rng.choice(ids), "acknowledgement", CASEY, Path(out))


TASKS = {"import": lambda t: import_forever(t["path"]), "walk": lambda t: walk_forever(t["seed"]),
         "letters": lambda t: letters_forever(t["out"])}


def serve() -> None:
    context.policy()
    context.calendar()
    from caseworker_tui.services import letters  # noqa: F401 - loaded once, before any fork

    for line in sys.stdin:
        task = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                bind(os.environ["CASEWORKER_DATABASE_URL"])
                emit(started=os.getpid())
                TASKS[task["task"]](task)
            except BaseException:  # the work failed: say why; the test expects only a kill
                traceback.print_exc()
                sys.stderr.flush()
            os._exit(1)
        _, status = os.waitpid(pid, 0)
        emit(ended=pid, signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
             code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None)


if __name__ == "__main__":
    serve()
