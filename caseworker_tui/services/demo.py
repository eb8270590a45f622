"""The demo database: about forty realistic cases over every stage, dated around today.

Cases are walked through the real services with the clock moved to each step's day, so the
history (deadlines, audit trail, timeline) is exactly what the app would have recorded. The
same seed and the same today give the same database.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import ALL_MODELS, bind, db
from caseworker_tui.models.schema import upgrade
from caseworker_tui.services import auth, clock, context, intake, letters, workflow
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.permissions import SYSTEM, Actor

DEMO_USERS = [
    ("casey", "caseworker", "Casey Morgan"),
    ("jo", "caseworker", "Jo Patel"),
    ("sam", "supervisor", "Sam Okafor"),
    ("chris", "chair", "Chris Hall"),
    ("ada", "admin", "Ada Lovelace"),
]
DEMO_PASSPHRASE = "demo"

FIRST = ["Amira", "Ben", "Chloe", "Dev", "Eleanor", "Farid", "Grace", "Harpreet", "Ian", "Janet", "Kofi",
         "Leah", "Mohammed", "Nadia", "Oliver", "Priya", "Quentin", "Rosa", "Sunil", "Tom", "Uma", "Victor",
         "Wendy", "Yusuf", "Zofia"]
LAST = ["Ahmed", "Brown", "Chauhan", "Dixon", "Evans", "Fernandes", "Green", "Hussain", "Iqbal", "Jones",
        "Kowalski", "Lewis", "Mistry", "Nowak", "O'Brien", "Patel", "Quinn", "Roberts", "Singh", "Taylor",
        "Uddin", "Varga", "Walker", "Young"]
STREETS = ["Braunstone Avenue", "Narborough Road", "Belgrave Gate", "Saffron Lane", "Humberstone Road",
           "Aylestone Road", "Beaumont Leys Lane", "St Matthews Way", "Hinckley Road", "Melton Road"]
POSTCODES = ["LE3 1AB", "LE3 0QR", "LE4 5PN", "LE2 8NT", "LE5 3BA", "LE2 7HE", "LE4 0RA", "LE1 2JX",
             "LE3 5DL", "LE4 6AJ"]
BEHAVIOUR = [
    ("Loud music and shouting from the flat above until 3am", False),
    ("Group of youths gathering at the door, kicking the door and swearing", False),
    ("Stones thrown at the windows; one pane cracked", False),
    ("Drug dealing in the stairwell and needles left on the landing", False),
    ("Neighbour's dog let loose and threatening behaviour when challenged", False),
    ("Motorbikes ridden across the green late at night", False),
    ("Rubbish dumped in the shared garden and set alight", False),
    ("Racist abuse shouted at the applicant and their children", True),
    ("Homophobic graffiti painted on the front door", True),
    ("Abuse aimed at the applicant's disability, filmed and posted online", True),
]
WITNESSES = ["Pat Neighbour", "Lee Warden", "Morgan Shop", "Kim Resident", "Sasha Tenant"]

# The stage each demo case is brought to, in order; cycled when more cases are asked for.
PLAN = [
    "received", "received", "received", "received", "received",
    "acknowledged", "acknowledged", "acknowledged", "acknowledged", "acknowledged",
    "declined", "declined", "declined_ground", "declined",
    "accepted", "accepted", "accepted",
    "under_review", "under_review", "under_review", "under_review", "under_review_extended",
    "outcome_drafted", "outcome_drafted", "returned",
    "awaiting_chair", "awaiting_chair", "awaiting_chair",
    "approved", "approved", "approved",
    "closed", "closed", "closed_declined", "closed", "closed_declined", "closed",
    "appeal",
    "withdrawn", "withdrawn",
]

# How many days ago a case at each planned stage was received (low, high).
AGES = {"received": (0, 3), "acknowledged": (2, 16), "declined": (10, 25), "declined_ground": (10, 25),
        "accepted": (8, 20), "under_review": (18, 50), "under_review_extended": (40, 55),
        "outcome_drafted": (30, 45), "returned": (30, 45), "awaiting_chair": (30, 44),
        "approved": (40, 70), "closed": (90, 300), "closed_declined": (60, 200), "appeal": (30, 40),
        "withdrawn": (5, 40)}


@dataclass(frozen=True)
class DemoSummary:
    location: str
    cases: int


def _users() -> dict[str, Actor]:
    for username, role, name in DEMO_USERS:
        auth.add_user(username, role, DEMO_PASSPHRASE, display_name=name, by=SYSTEM)
    return {u: auth.find_actor(u) for u, _, _ in DEMO_USERS}


def _application(rng: random.Random, received: date, n: int, meets: bool) -> dict:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{first} {last}"
    street = rng.choice(STREETS)
    postcode = rng.choice(POSTCODES)
    hate = meets and rng.random() < 0.2
    count = 3 if meets else rng.choice([1, 2])
    incidents = []
    for k in range(count):
        occurred = received - timedelta(days=rng.randint(12, 120))
        text, hateful = rng.choice([b for b in BEHAVIOUR if b[1] == (hate and k == 0)] or BEHAVIOUR)
        reports = [{"agency": rng.choice(["police", "council", "housing_provider"]),
                    "reported_on": (occurred + timedelta(days=rng.randint(0, 10))).isoformat(),
                    "reporter": "applicant", "agency_reference": f"{rng.choice(['LP', 'LCC', 'HA'])}-{rng.randint(10000, 99999)}"}]
        if rng.random() < 0.3:
            reports.append({"agency": rng.choice(["council", "police"]),
                            "reported_on": (occurred + timedelta(days=rng.randint(1, 20))).isoformat(),
                            "reporter": rng.choice(WITNESSES), "agency_reference": ""})
        if rng.random() < 0.15:
            reports.append({"agency": "health", "reported_on": (occurred + timedelta(days=2)).isoformat(),
                            "reporter": "applicant", "agency_reference": ""})
        if not meets and k == 0 and rng.random() < 0.5:
            reports[0]["reported_on"] = (occurred + timedelta(days=rng.randint(40, 60))).isoformat()
            if date.fromisoformat(reports[0]["reported_on"]) > received:
                reports[0]["reported_on"] = received.isoformat()
        incidents.append({"id": f"i{k + 1}", "occurred_on": occurred.isoformat(), "description": text,
                          "location": f"{rng.randint(1, 180)} {street}", "hate_related": hateful,
                          "reports": reports})
    needs = ["large_print"] if rng.random() < 0.15 else (["interpreter:Polish"] if rng.random() < 0.1 else [])
    return {
        "received_at": datetime.combine(received, time(rng.randint(8, 17), rng.choice([0, 15, 30, 45]))).isoformat(),
        "applicant": {
            "name": name, "address": f"{rng.randint(1, 180)} {street}, Leicester", "postcode": postcode,
            "email": f"{first.lower()}.{last.lower().replace(chr(39), '')}@example.org",
            "phone": f"07700 9{rng.randint(10000, 99999)}", "preferred_contact": rng.choice(["email", "post", "phone"]),
            "on_behalf_of": None, "vulnerabilities": rng.choice([None, "Lives alone", "Long-term illness",
                                                                  "Two young children at home"]),
            "needs": needs, "advocate": None, "consent_to_share": True,
        },
        "dissatisfied": meets or rng.random() < 0.6,
        "dissatisfaction_reason": rng.choice([
            "Reported many times and nothing has changed.",
            "Police said it was a council matter; the council said it was for the police.",
            "No one came back to me after I reported it.",
            "The housing officer closed the case without speaking to me."]),
        "incidents": incidents,
    }


class _Walker:
    """Brings one case to its planned stage, moving the clock day by day as a caseworker would."""

    def __init__(self, rng: random.Random, users: dict[str, Actor], today: date, letters_out: Path) -> None:
        self.rng, self.users, self.today = rng, users, today
        self.cal = context.calendar()
        self.letters_out = letters_out

    def send(self, cid: int, worker: Actor, kind: str) -> None:
        """Produce the letter the step calls for and post it the same day, meeting its deadline."""
        produced = letters.produce(cid, kind, worker, self.letters_out)
        letters.mark_sent(produced.id, worker, clock.today(), "post")

    def at(self, day: date) -> None:
        clock.set_today(min(day, self.today))

    def walk(self, n: int, plan: str, received: date) -> None:
        rng, today = self.rng, self.today
        worker = self.users["casey"] if n % 3 else self.users["jo"]
        meets = plan not in ("declined", "closed_declined")
        self.at(received)
        application = parse_application(_application(rng, received, n, meets), context.policy())
        created = intake.create_request(application, worker)
        cid = created.id
        if plan == "received":
            if rng.random() < 0.5:
                workflow.assign(cid, worker, worker.username)
            return
        self.at(self.cal.add_working_days(received, rng.choice([1, 1, 1, 2])))
        workflow.assign(cid, worker, worker.username)
        workflow.acknowledge(cid, worker)
        if rng.random() < 0.6:
            answers = {q.id: rng.random() < 0.4 for q in context.policy().triage.questions}
            workflow.triage(cid, worker, answers)
        if rng.random() < 0.7:
            workflow.request_updates(cid, worker, ["police", "council"])
        if plan == "acknowledged":
            return
        if plan == "withdrawn":
            self.at(received + timedelta(days=rng.randint(3, 5)))
            workflow.withdraw(cid, worker, "The applicant asked to withdraw: the neighbour has moved away.")
            return
        self._answer_updates(cid, worker, received)
        self.at(received + timedelta(days=rng.randint(7, 13)))
        if plan in ("declined", "closed_declined"):
            workflow.decide(cid, worker, accept=False)
            self.send(cid, worker, "threshold_not_met")
            if plan == "closed_declined":
                self.at(received + timedelta(days=rng.randint(40, 50)))
                workflow.close(cid, worker, "Appeal window passed without an appeal.")
            return
        if plan == "declined_ground":
            workflow.decide(cid, worker, accept=False, ground="vexatious",
                            reason="Fourth request about the same matter this year, each already reviewed.")
            self.send(cid, worker, "threshold_not_met")
            return
        workflow.decide(cid, worker, accept=True)
        self.send(cid, worker, "threshold_met")
        accepted = clock.today()
        if plan == "accepted":
            return
        self.at(accepted + timedelta(days=rng.randint(3, 8)))
        workflow.schedule_review(cid, worker, meeting_on=accepted + timedelta(days=rng.randint(10, 20)),
                                 chair_name="Chris Hall", agencies=["police", "council", "housing_provider"],
                                 participation=rng.choice(["in_person", "virtual", "written_statement", "advocate"]))
        if plan == "under_review_extended":
            self.at(accepted + timedelta(days=20))
            workflow.extend_review(cid, worker, new_date=accepted + timedelta(days=42),
                                   reason="The housing provider's records are needed and will not arrive in time.")
            self.send(cid, worker, "extension")
        if plan in ("under_review", "under_review_extended"):
            return
        self.at(accepted + timedelta(days=rng.randint(14, 20)))
        workflow.record_findings(cid, worker, "Reports were logged by each agency but not shared; no agency "
                                              "visited the applicant after the third report.")
        recs = [workflow.RecommendationIn("police", "Assign a named officer and visit the applicant within a week.",
                                          accepted + timedelta(days=rng.randint(35, 60))),
                workflow.RecommendationIn("council", "Open a joint ASB case and share reports with the housing provider.",
                                          accepted + timedelta(days=rng.randint(35, 90)))]
        workflow.draft_outcome(cid, worker, summary="The agencies responded to each report on its own and "
                                                   "missed the pattern. The panel makes two recommendations.",
                               recommendations=recs)
        if plan == "outcome_drafted":
            return
        workflow.submit_outcome(cid, worker)
        if plan == "returned":
            self.at(clock.today() + timedelta(days=2))
            workflow.return_outcome(cid, self.users["chris"], "Please say what the housing provider will do, "
                                                              "and give the police a firmer date.")
            return
        if plan == "awaiting_chair":
            return
        self.at(clock.today() + timedelta(days=rng.randint(1, 3)))
        workflow.approve_outcome(cid, self.users["chris"])
        self.send(cid, worker, "outcome")
        if plan == "approved":
            return
        if plan == "appeal":
            self.at(clock.today() + timedelta(days=5))
            workflow.record_appeal(cid, worker, lodged_on=clock.today(),
                                   grounds="The review did not consider the hate-related incident.")
            return
        self.at(clock.today() + timedelta(days=rng.randint(3, 10)))
        workflow.close(cid, worker, "Outcome sent to the applicant.")
        for rec in workflow_recommendations(cid):
            if rec[1] <= today and rng.random() < 0.7:
                self.at(rec[1] - timedelta(days=rng.randint(0, 5)))
                workflow.follow_up(rec[0], worker, "Done: confirmed with the agency.")

    def _answer_updates(self, cid: int, worker: Actor, received: date) -> None:
        from caseworker_tui.models import AgencyUpdateRequest

        with db.connection_context():
            pending = [(u.id, u.due_on) for u in AgencyUpdateRequest.select().where(
                (AgencyUpdateRequest.case == cid) & AgencyUpdateRequest.answered_on.is_null())]
        for update_id, due in pending:
            if self.rng.random() < 0.8:
                self.at(due - timedelta(days=self.rng.randint(0, 3)))
                workflow.record_update(update_id, worker, self.rng.choice([
                    "Three calls logged; officers attended once; no further action recorded.",
                    "Warning letter sent to the neighbour in September; tenancy team now involved.",
                    "No record of the second report; checking with the contact centre."]))


def workflow_recommendations(case_id: int) -> list[tuple[int, date]]:
    from caseworker_tui.models import Recommendation

    with db.connection_context():
        return [(r.id, r.due_on) for r in Recommendation.select().where(Recommendation.case == case_id)]


def _reset(url: str) -> str:
    """Empty the demo database; returns where it lives."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):]).expanduser()
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


def build_demo(url: str, cases: int = 40, seed: int = 7, letters_out: Path | None = None) -> DemoSummary:
    """(Re)create the demo database with `cases` cases, deterministic for a seed and a today."""
    if cases < 0:  # refused before the old demo is wiped, not after
        raise InvalidInput(f"--cases must be 0 or more, not {cases}", "cases")
    location = _reset(url)
    upgrade(db.obj)
    letters_out = letters_out or _demo_letters(url, location)
    today = clock.today()
    was_fixed = clock.is_fixed()
    rng = random.Random(f"{seed}:{today.isoformat()}")
    users = _users()
    walker = _Walker(rng, users, today, letters_out)
    try:
        # Received dates first, so references run in the order requests arrived.
        plans = [PLAN[n % len(PLAN)] for n in range(cases)]
        received = [today - timedelta(days=rng.randint(*AGES[plan])) for plan in plans]
        for n, (day, plan) in enumerate(sorted(zip(received, plans, strict=True))):
            walker.walk(n, plan, day)
    finally:
        clock.set_today(today if was_fixed else None)
    return DemoSummary(location=location, cases=cases)
