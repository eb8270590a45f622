"""The demo database: about forty realistic cases over every stage, dated around today.

A build has two halves. Planning is pure: each case's application and the steps that bring it to
its stage, every step dated on a working day no later than today, are drawn from the seed and
today. Walking then takes those steps through the real services with the clock moved to each
step's day, so the history (deadlines, audit trail, timeline) is exactly what the app would
have recorded. Planning first lets a test check the dates for every day of a year without
writing a database, and lets a case that would not fit before today be received earlier.
The same seed and the same today give the same database.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import ALL_MODELS, bind, db
from caseworker_tui.models.schema import upgrade
from caseworker_tui.services import accounts, clock, context, demo_rebuild, intake, letters, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.demo_plan import (
    AGAINST,
    DECLINED_ON_GROUND,
    DEMO_PASSPHRASE,
    DEMO_USERS,
    DISCRETION,
    DemoCase,
    DemoSummary,
    plan_demo,
)
from caseworker_tui.services.demo_ready import is_demo_database, mark_ready, ready_marker
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.unit import transaction

Progress = Callable[[int, int], object]  # (cases walked, cases in all), for a progress bar

# --- walking -----------------------------------------------------------------------------------

def _users() -> dict[str, Actor]:
    """The demo accounts: one passphrase, hashed once for all five."""
    made = accounts.add_demo_users(DEMO_USERS, DEMO_PASSPHRASE)
    return {u.username: Actor(u.username, u.display_name, u.role) for u in made}


class _Walker:
    """Takes each planned step through the services, on the step's day, as staff would."""

    def __init__(self, users: dict[str, Actor], letters_out: Path) -> None:
        self.users = users
        self.letters_out = letters_out
        self.threshold_met = False  # the verdict of the case being walked

    def walk(self, order: int, case: DemoCase) -> None:
        worker = self.users["casey"] if order % 3 else self.users["jo"]
        clock.set_today(case.received)
        created = intake.create_request(parse_application(case.raw, context.policy()), worker)
        case_id, self.threshold_met = created.id, created.verdict.threshold_met
        for step in case.steps:
            clock.set_today(step.day)
            getattr(self, step.action)(case_id, worker, **step.detail)

    def contact(self, case_id: int, worker: Actor, channel: str, said: str, promised: str) -> None:
        """Logged as it happens: the walk's clock reads the step's day, after its other steps."""
        workflow.record_contact(case_id, worker, at=clock.now(), channel=channel, said=said, promised=promised)

    def take(self, case_id: int, worker: Actor) -> None:
        workflow.assign(case_id, worker, worker.username)

    def acknowledge(self, case_id: int, worker: Actor) -> None:
        workflow.acknowledge(case_id, worker)

    def triage(self, case_id: int, worker: Actor, answers: dict[str, bool]) -> None:
        workflow.triage(case_id, worker, answers)

    def request_updates(self, case_id: int, worker: Actor, agencies: list[str]) -> None:
        workflow.request_updates(case_id, worker, agencies)

    def record_update(self, case_id: int, worker: Actor, agency: str, answer: str) -> None:
        from caseworker_tui.models import AgencyUpdateRequest

        with db.connection_context():
            update = AgencyUpdateRequest.get((AgencyUpdateRequest.case == case_id)
                                             & (AgencyUpdateRequest.agency == agency))
        workflow.record_update(update.id, worker, answer)

    def withdraw(self, case_id: int, worker: Actor) -> None:
        workflow.withdraw(case_id, worker, "The applicant asked to withdraw: the neighbour has moved away.",
                          out_dir=self.letters_out)
        self._post_latest(case_id, worker, "withdrawal")

    def decide(self, case_id: int, worker: Actor, accept: bool, ground: str | None = None,
               reason: str = "") -> None:
        """The planned decision. The applications meet the shipped policy's threshold exactly when
        planned to; under another policy a case that falls short is accepted on discretion, and
        one that meets it is declined on a ground, as a partnership may."""
        if accept and not self.threshold_met:
            reason = DISCRETION
        elif not accept and self.threshold_met and ground is None:
            ground, reason = context.policy().decline_grounds[0], DECLINED_ON_GROUND
        workflow.decide(case_id, worker, accept=accept, ground=ground, reason=reason)

    def send(self, case_id: int, worker: Actor, kind: str) -> None:
        """Produce the letter the step calls for and post it the same day, meeting its deadline."""
        if kind == AGAINST:  # a request declined under another policy may be on a ground, or not
            kind = next(k for k in letters.offered_letters(case_id) if k in ("threshold_not_met", "declined"))
        produced = letters.produce(case_id, kind, worker, self.letters_out)
        letters.mark_sent(produced.id, worker, clock.today(), "post")

    def schedule_review(self, case_id: int, worker: Actor, meeting_on: date,
                        participation: str) -> None:
        workflow.schedule_review(case_id, worker, meeting_on=meeting_on, chair_name="Chris Hall",
                                 agencies=["police", "council", "housing_provider"], participation=participation)

    def extend(self, case_id: int, worker: Actor, new_date: date) -> None:
        workflow.extend_review(case_id, worker, new_date=new_date,
                               reason="The housing provider's records are needed and will not arrive in time.")

    def findings(self, case_id: int, worker: Actor) -> None:
        workflow.record_findings(case_id, worker, "Reports were logged by each agency but not shared; no agency "
                                                  "visited the applicant after the third report.")

    def draft_outcome(self, case_id: int, worker: Actor, due: list[date]) -> None:
        recs = [workflow.RecommendationIn("police", "Assign a named officer and visit the applicant within a week.",
                                          due[0]),
                workflow.RecommendationIn("council", "Open a joint ASB case and share reports with the housing "
                                                     "provider.", due[1])]
        workflow.draft_outcome(case_id, worker, summary="The agencies responded to each report on its own and "
                                                        "missed the pattern. The panel makes two recommendations.",
                               recommendations=recs)

    def consult(self, case_id: int, worker: Actor) -> None:
        workflow.consult_victim(case_id, worker, out_dir=self.letters_out)
        self._post_latest(case_id, worker, "action_plan")

    def _post_latest(self, case_id: int, worker: Actor, kind: str) -> None:
        """Post the letter a step made, the day it was made."""
        made = [x for x in letters.list_letters(case_id) if x.kind == kind]
        letters.mark_sent(made[-1].id, worker, clock.today(), "post")

    def views(self, case_id: int, worker: Actor) -> None:
        workflow.record_views(case_id, worker, "Rang to say the plan would help if the police visit in the evenings, "
                                               "when the noise happens.")

    def submit(self, case_id: int, worker: Actor) -> None:
        workflow.submit_outcome(case_id, worker)

    def return_outcome(self, case_id: int, worker: Actor) -> None:
        workflow.return_outcome(case_id, self.users["chris"], "Please say what the housing provider will do, "
                                                              "and give the police a firmer date.")

    def approve(self, case_id: int, worker: Actor) -> None:
        workflow.approve_outcome(case_id, self.users["chris"])

    def appeal(self, case_id: int, worker: Actor) -> None:
        workflow.record_appeal(case_id, worker, lodged_on=clock.today(),
                               grounds="The review did not consider the hate-related incident.")

    def close(self, case_id: int, worker: Actor, reason: str) -> None:
        workflow.close(case_id, worker, reason, out_dir=self.letters_out)
        self._post_latest(case_id, worker, "closure")

    def follow_up(self, case_id: int, worker: Actor, position: int) -> None:
        from caseworker_tui.models import Recommendation

        with db.connection_context():
            rec = Recommendation.get((Recommendation.case == case_id) & (Recommendation.position == position))
        workflow.follow_up(rec.id, worker, "Done: confirmed with the agency.")


def _reset(url: str) -> str:
    """Empty the demo database; returns where it lives."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):]).expanduser()
        ready_marker(url).unlink(missing_ok=True)  # first: until it is back, the demo is not ready
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        bind(url)
        return str(path)
    database = bind(url)
    with database.connection_context():
        database.drop_tables(ALL_MODELS, safe=True, cascade=True)
        database.execute_sql("DROP TABLE IF EXISTS schema_migration")
    return url.split("@")[-1]


def _demo_letters(url: str, location: str) -> Path:
    """Demo letters live beside the demo database file, and are rebuilt with it."""
    folder = (Path(location).parent if url.startswith("sqlite:///") else Path(tempfile.gettempdir())) / "demo-letters"
    for old in folder.glob("CT-*.docx"):
        old.unlink()
    return folder


def build_demo(url: str, cases: int = 40, seed: int = 7, letters_out: Path | None = None,
               progress: Progress = lambda done, total: None, *,
               rebuild: demo_rebuild.Rebuild | None = None) -> DemoSummary:
    """(Re)create the demo database with `cases` cases, deterministic for a seed and a today.

    Only the demo database is built without asking. Any other is wiped only with `rebuild`'s
    leave, checked (its name, nobody else connected) and audited before anything is dropped;
    its accounts then get passphrases of their own, returned in the summary, never `demo`."""
    if cases < 0:  # refused before the old demo is wiped, not after
        raise InvalidInput(f"--cases must be 0 or more, not {cases}", "cases")
    elsewhere = not is_demo_database(url)
    if elsewhere and rebuild is None:
        raise InvalidInput(f"database: {demo_rebuild.location(url)} is not the demo database; building a demo "
                           "there wipes it, so it needs `caseworker demo --database-here` and its name typed back",
                           "database")
    today = clock.today()
    was_fixed = clock.is_fixed()
    planned = plan_demo(today, cases, seed)
    held = demo_rebuild.authorise(url, rebuild) if elsewhere else None
    location = _reset(url)
    letters_out = letters_out or _demo_letters(url, location)
    passphrases: dict[str, str] = {}
    # One connection and one transaction for the whole build: each service's own transaction
    # becomes a savepoint, so nothing waits on a commit or a new connection four hundred times,
    # and a build that fails leaves an empty demo, which is built again when next opened.
    with db.connection_context():
        upgrade(db.obj)
        if held is not None:  # committed on its own: a build that fails still leaves the record
            demo_rebuild.record_in_new_trail(rebuild, held)
        try:
            with transaction():
                progress(0, cases)
                if held is None:
                    users = _users()
                else:
                    users, passphrases = demo_rebuild.own_accounts(DEMO_USERS)
                walker = _Walker(users, letters_out)
                for order, case in enumerate(planned):
                    walker.walk(order, case)
                    progress(order + 1, cases)
        finally:
            clock.set_today(today if was_fixed else None)
    if not elsewhere:
        mark_ready(url)
    return DemoSummary(location=location, cases=cases, passphrases=passphrases)
