"""Planning the demo: each case's application and the steps that bring it to its stage, drawn from
a seed and today, every step dated on a working day no later than today. Pure: nothing is written,
so a test can check the dates for every day of a year (`services.demo` walks the plan)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from caseworker_tui.services import clock, context
from caseworker_tui.services.application import CHANNELS
from caseworker_tui.services.calendar import WorkingCalendar
from caseworker_tui.services.policy import Policy

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


CONTACTS = [
    ("phone", "Rang with news of the agencies' replies; she says the noise goes on most nights."),
    ("email", "E-mailed to say where the case has got to and what happens next."),
    ("phone", "Rang to check on her; explained the review and who will be there."),
    ("in_person", "Called round; she showed the damage to the door and asked about the meeting date."),
]
PROMISES = ["", "Ring again after the police reply.", "Send the meeting details in writing.", ""]
MISSED_UPDATE = 7  # every this many cases the caseworker falls behind with the victim's updates


def _contacts(rng: random.Random, number: int, t: _Timeline, today: date, policy: Policy) -> None:
    """Contacts with the victim while the case is open, a little inside the policy's cadence; on one
    case in every MISSED_UPDATE they stop early, so the demo shows a missed update. Each lands after
    the steps of its day, before today."""
    cadence = policy.timescales.victim_update
    acknowledged = next((s.day for s in t.steps if s.action == "acknowledge"), None)
    if cadence is None or acknowledged is None:
        return
    ended = next((s.day for s in t.steps if s.action in ("close", "withdraw")), today)
    missed = number % MISSED_UPDATE == MISSED_UPDATE - 1
    planned, day = [], acknowledged
    while True:
        step = max(1, cadence.days - rng.randint(2, 4)) if cadence.unit == "working" else max(1, cadence.days - 3)
        day = t.after(day, step) if cadence.unit == "working" else t.on_or_after(day + timedelta(days=step))
        if day >= ended or (missed and planned):
            break
        channel, said = rng.choice(CONTACTS)
        planned.append(Step(day, "contact", {"channel": channel, "said": said,
                                             "promised": rng.choice(PROMISES)}))
    t.steps = sorted(t.steps + planned, key=lambda s: (s.day, s.action == "contact"))


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
        _contacts(rng, number, timeline, today, policy)
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
