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

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from caseworker_tui.errors import InvalidInput
from caseworker_tui.models import ALL_MODELS, bind, db
from caseworker_tui.models.schema import upgrade
from caseworker_tui.services import accounts, clock, context, demo_rebuild, intake, letters, workflow
from caseworker_tui.services.application import CHANNELS, parse_application
from caseworker_tui.services.calendar import WorkingCalendar
from caseworker_tui.services.demo_ready import is_demo_database, mark_ready, ready_marker
from caseworker_tui.services.permissions import Actor
from caseworker_tui.services.policy import Policy
from caseworker_tui.services.unit import transaction

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

# How many days ago a case at each planned stage was received (low, high). A case whose steps
# would not all fit before today is received earlier (see `_plan_case`).
AGES = {"received": (0, 3), "acknowledged": (2, 16), "declined": (10, 25), "declined_ground": (10, 25),
        "accepted": (8, 20), "under_review": (18, 50), "under_review_extended": (40, 55),
        "outcome_drafted": (30, 45), "returned": (30, 45), "awaiting_chair": (30, 44),
        "approved": (40, 70), "closed": (90, 300), "closed_declined": (60, 200), "appeal": (30, 40),
        "withdrawn": (5, 40)}
MET_PLANS = frozenset(AGES) - {"declined", "closed_declined"}
UPDATE_ANSWERS = [
    "Three calls logged; officers attended once; no further action recorded.",
    "Warning letter sent to the neighbour in September; tenancy team now involved.",
    "No record of the second report; checking with the contact centre.",
]
DISSATISFACTION = [
    "Reported many times and nothing has changed.",
    "Police said it was a council matter; the council said it was for the police.",
    "No one came back to me after I reported it.",
    "The housing officer closed the case without speaking to me.",
]
DISCRETION = "Accepted on the persistence of the behaviour and the harm to the applicant."
DECLINED_ON_GROUND = "The same matter was reviewed this year and nothing new is reported."
SHIFTS = 60  # at most this many tries at fitting a case's steps before today

# Told (cases built, cases in all) as the build goes: once before the first case, then after each.
Progress = Callable[[int, int], object]


@dataclass(frozen=True)
class DemoSummary:
    location: str
    cases: int
    passphrases: dict[str, str] = field(default_factory=dict)  # outside the demo database: each account's own


@dataclass(frozen=True)
class Step:
    """One thing the partnership does on a case: `action` names a `_Walker` method."""

    day: date
    action: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoCase:
    """One demo case as planned: its application in the import format and the steps to its stage."""

    number: int
    plan: str
    raw: dict[str, Any]
    steps: tuple[Step, ...]

    @property
    def received(self) -> date:
        return date.fromisoformat(self.raw["received_at"][:10])


# --- the application ---------------------------------------------------------------------------

def _report(rng: random.Random, agency: str, on: date, reporter: str, reference: bool) -> dict[str, Any]:
    code = f"{rng.choice(['LP', 'LCC', 'HA'])}-{rng.randint(10000, 99999)}" if reference else ""
    return {"agency": agency, "reported_on": on.isoformat(), "reporter": reporter, "agency_reference": code}


def _incident(rng: random.Random, received: date, k: int, hate: bool, street: str,
              late: bool, witnessed: bool) -> dict[str, Any]:
    """One incident and its reports, none dated after `received` nor before the incident.

    The applicant's first report comes within ten days, or, for a `late` one, 40 to 60 days
    after the incident: past the month the threshold allows, so the verdict shows an exclusion.
    When `witnessed`, a neighbour may have reported it too."""
    delay = rng.randint(40, 60) if late else rng.randint(0, 10)
    occurred = received - timedelta(days=rng.randint(max(12, delay), 120))
    text, hateful = rng.choice([b for b in BEHAVIOUR if b[1] == hate])
    reports = [_report(rng, rng.choice(["police", "council", "housing_provider"]),
                       occurred + timedelta(days=delay), "applicant", True)]
    if witnessed and rng.random() < 0.3:
        on = min(occurred + timedelta(days=rng.randint(1, 20)), received)
        reports.append(_report(rng, rng.choice(["council", "police"]), on, rng.choice(WITNESSES), False))
    if rng.random() < 0.15:
        reports.append(_report(rng, "health", occurred + timedelta(days=2), "applicant", False))
    return {"id": f"i{k + 1}", "occurred_on": occurred.isoformat(), "description": text,
            "location": f"{rng.randint(1, 180)} {street}", "hate_related": hateful, "reports": reports}


def _received_at(rng: random.Random, received: date, latest: datetime) -> datetime:
    """Before the office opens (the demo's steps happen from 09:00), never later than `latest`."""
    at = datetime.combine(received, time(rng.choice([7, 8]), rng.choice([0, 15, 30, 45])))
    return min(at, latest)


def _application(rng: random.Random, received: date, meets: bool, latest: datetime) -> dict[str, Any]:
    """An application in the import format: three incidents the victim reported when it is to
    meet the threshold (Leicester's rule A). When not: one or two, none hate-related, and at most
    two complaints in all (a neighbour's only beside a single incident), short of three."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    street = rng.choice(STREETS)
    hate = meets and rng.random() < 0.2
    count = 3 if meets else rng.choice([1, 2])
    incidents = [_incident(rng, received, k, hate and k == 0, street,
                           late=not meets and k == 0 and rng.random() < 0.5, witnessed=meets or count == 1)
                 for k in range(count)]
    needs = ["large_print"] if rng.random() < 0.15 else (["interpreter:Polish"] if rng.random() < 0.1 else [])
    return {
        "received_at": _received_at(rng, received, latest).isoformat(),
        "channel": list(CHANNELS)[received.toordinal() % len(CHANNELS)],  # from the day: the random draws stay as they were
        "applicant": {
            "name": f"{first} {last}", "address": f"{rng.randint(1, 180)} {street}, Leicester",
            "postcode": rng.choice(POSTCODES),
            "email": f"{first.lower()}.{last.lower().replace(chr(39), '')}@example.org",
            "phone": f"07700 9{rng.randint(10000, 99999)}", "preferred_contact": rng.choice(["email", "post", "phone"]),
            "on_behalf_of": None, "vulnerabilities": rng.choice([None, "Lives alone", "Long-term illness",
                                                                  "Two young children at home"]),
            "needs": needs, "advocate": None, "consent_to_share": True,
        },
        "dissatisfied": meets or rng.random() < 0.6,
        "dissatisfaction_reason": rng.choice(DISSATISFACTION),
        "incidents": incidents,
    }


# --- the steps ---------------------------------------------------------------------------------

class _WorkingDays:
    """The calendar's working days, each day asked about once: planning asks about the same few
    weeks for every case, and a bank-holiday lookup is the dearest part of a plan."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self.known: dict[date, bool] = {}

    def working(self, day: date) -> bool:
        if day not in self.known:
            self.known[day] = self.calendar.is_working_day(day)
        return self.known[day]

    def after(self, day: date, count: int) -> date:
        """Step to the next working day `count` times (as `WorkingCalendar.add_working_days`)."""
        for _ in range(count):
            day += timedelta(days=1)
            while not self.working(day):
                day += timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        """`day` when it is a working day, else the next one."""
        return day if self.working(day) else self.after(day, 1)

    def on_or_before(self, day: date) -> date:
        while not self.working(day):
            day -= timedelta(days=1)
        return day


class _Timeline:
    """One case's steps, added in order; each on a working day, none before the one before."""

    def __init__(self, days: _WorkingDays) -> None:
        self.days = days
        self.after, self.on_or_after, self.on_or_before = days.after, days.on_or_after, days.on_or_before
        self.steps: list[Step] = []

    def add(self, day: date, action: str, **detail: Any) -> date:
        if not self.days.working(day) or (self.steps and day < self.steps[-1].day):
            raise AssertionError(f"demo step {action} planned on {day}")
        self.steps.append(Step(day, action, detail))
        return day


def _steps(rng: random.Random, plan: str, received: date, today: date, t: _Timeline,
           policy: Policy) -> None:
    """The steps that bring a case received on `received` to `plan`, in the order they happen."""
    if plan == "received":
        day = t.on_or_after(received)
        if day <= today and rng.random() < 0.5:
            t.add(day, "take")
        return
    acknowledged = t.after(received, rng.choice([1, 1, 1, 2]))
    t.add(acknowledged, "take")
    t.add(acknowledged, "acknowledge")
    t.add(acknowledged, "send", kind="acknowledgement")
    if rng.random() < 0.6:
        t.add(acknowledged, "triage", answers={q.id: rng.random() < 0.4 for q in policy.triage.questions})
    asked = ["police", "council"] if rng.random() < 0.7 else []
    if asked:
        t.add(acknowledged, "request_updates", agencies=asked)
    if plan == "acknowledged":
        return
    if plan == "withdrawn":
        t.add(t.after(acknowledged, rng.randint(1, 3)), "withdraw")
        return
    decided = max(t.on_or_before(received + timedelta(days=rng.randint(7, 13))), acknowledged)
    _answer_updates(rng, t, asked, acknowledged, decided, policy)
    if plan in ("declined", "closed_declined", "declined_ground"):
        _decline(rng, plan, decided, t, policy)
        return
    t.add(decided, "decide", accept=True)
    t.add(decided, "send", kind="threshold_met")
    if plan != "accepted":
        _review(rng, plan, decided, today, t, policy)


def _answer_updates(rng: random.Random, t: _Timeline, asked: list[str], acknowledged: date,
                    decided: date, policy: Policy) -> None:
    """Most agencies answer near their deadline, and always by the decision."""
    due = t.after(acknowledged, policy.timescales.agency_update.days)
    answers = []
    for agency in asked:
        if rng.random() < 0.8:
            day = t.on_or_before(min(due - timedelta(days=rng.randint(0, 3)), decided))
            answers.append((max(day, acknowledged), agency, rng.choice(UPDATE_ANSWERS)))
    for day, agency, answer in sorted(answers):
        t.add(day, "record_update", agency=agency, answer=answer)


AGAINST = "decision against"  # the letter a decline calls for: threshold not met, or on a ground


def _decline(rng: random.Random, plan: str, decided: date, t: _Timeline, policy: Policy) -> None:
    if plan == "declined_ground":
        t.add(decided, "decide", accept=False, ground="vexatious",
              reason="Fourth request about the same matter this year, each already reviewed.")
    else:
        t.add(decided, "decide", accept=False)
    t.add(decided, "send", kind=AGAINST)
    if plan == "closed_declined":  # closed once the appeal window has passed
        window = policy.timescales.appeal_window.days
        t.add(t.after(decided, window + rng.randint(1, 5)), "close",
              reason="Appeal window passed without an appeal.")


def _review(rng: random.Random, plan: str, accepted: date, today: date, t: _Timeline,
            policy: Policy) -> None:
    """From the review's scheduling to the outcome, and for a closed case its follow-ups."""
    scheduled = t.after(accepted, rng.randint(2, 6))
    meeting = max(t.on_or_after(accepted + timedelta(days=rng.randint(10, 20))), t.after(scheduled, 1))
    t.add(scheduled, "schedule_review", meeting_on=meeting,
          participation=rng.choice(["in_person", "virtual", "written_statement", "advocate"]))
    if plan == "under_review_extended":
        extended = max(t.on_or_after(accepted + timedelta(days=20)), t.after(scheduled, 1))
        new_date = accepted + timedelta(days=policy.timescales.review.days + 14)
        t.add(extended, "extend", new_date=new_date)
        t.add(extended, "send", kind="extension")
    if plan in ("under_review", "under_review_extended"):
        return
    findings = t.after(meeting, rng.randint(0, 2))  # findings only once the meeting has been held
    due = [findings + timedelta(days=rng.randint(20, 45)), findings + timedelta(days=rng.randint(20, 75))]
    t.add(findings, "findings")
    t.add(findings, "draft_outcome", due=due)
    if plan == "outcome_drafted":
        return
    t.add(findings, "consult")  # the draft action plan goes to the victim, who replies by phone that day
    t.add(findings, "views")
    t.add(findings, "submit")
    if plan == "returned":
        t.add(t.after(findings, rng.randint(1, 2)), "return_outcome")
        return
    if plan == "awaiting_chair":
        return
    approved = t.add(t.after(findings, rng.randint(1, 3)), "approve")
    t.add(approved, "send", kind="outcome")
    if plan == "appeal":
        t.add(t.after(approved, rng.randint(2, 5)), "appeal")
    elif plan == "closed":
        closed = t.add(t.after(approved, rng.randint(3, 8)), "close",  # the closure letter gives it as the why
                       reason="The review is complete and its outcome has been sent to you.")
        _follow_ups(rng, due, closed, today, t)


def _follow_ups(rng: random.Random, due: list[date], closed: date, today: date, t: _Timeline) -> None:
    """Most recommendations already due are confirmed done, on or a few days before their date."""
    done = []
    for position, on in enumerate(due, start=1):
        if on <= today and rng.random() < 0.7:
            done.append((max(t.on_or_before(on - timedelta(days=rng.randint(0, 5))), closed), position))
    for day, position in sorted(done):
        t.add(day, "follow_up", position=position)


# --- planning ----------------------------------------------------------------------------------

def _plan_case(number: int, plan: str, received: date, seed: int, today: date, latest: datetime,
               policy: Policy, days: _WorkingDays) -> DemoCase:
    """One case, received earlier than drawn when its steps would otherwise run past today.

    Each try draws the same numbers (the case has its own random stream), so moving the receipt
    back by the overrun brings the last step to today or before within a few tries."""
    meets = plan in MET_PLANS
    for _ in range(SHIFTS):
        rng = random.Random(f"{seed}:{today.isoformat()}:{number}")
        raw = _application(rng, received, meets, latest)
        timeline = _Timeline(days)
        _steps(rng, plan, received, today, timeline, policy)
        last = max((s.day for s in timeline.steps), default=received)
        if last <= today:
            return DemoCase(number, plan, raw, tuple(timeline.steps))
        received -= timedelta(days=(last - today).days)
    raise AssertionError(f"demo case {number} ({plan}) does not fit before {today}")


def plan_demo(today: date, cases: int = 40, seed: int = 7, *, policy: Policy | None = None,
              calendar: WorkingCalendar | None = None, latest: datetime | None = None) -> list[DemoCase]:
    """Every demo case, in the order the requests arrived; nothing is written.

    `latest` is the last moment a request may have arrived (default: now)."""
    policy = policy or context.policy()
    calendar = calendar or context.calendar()
    latest = latest or clock.now()
    rng = random.Random(f"{seed}:{today.isoformat()}")
    plans = [PLAN[n % len(PLAN)] for n in range(cases)]
    received = [today - timedelta(days=rng.randint(*AGES[plan])) for plan in plans]
    days = _WorkingDays(calendar)
    planned = [_plan_case(n, plan, day, seed, today, latest, policy, days)
               for n, (plan, day) in enumerate(zip(plans, received, strict=True))]
    # References run in the order requests arrived.
    return sorted(planned, key=lambda c: (c.raw["received_at"], c.number))


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
