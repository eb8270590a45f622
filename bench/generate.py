"""Synthetic cases at national scale, written in bulk, for the benchmarks.

Each case is told as the services would have recorded it: received, acknowledged, decided,
reviewed, approved, closed (or stopped at any stage on the way), with its incidents and about
ten reports, agency updates, the decision, the review, recommendations, letters, notes, every
deadline (open or closed as its stage implies, `Case.next_due_on` equal to the earliest open
one) and an audit event per step. Rows are inserted with `insert_many` in batches, one
transaction per block of cases: the per-case services would take hours at 100,000 cases.

Everything is dated around one fixed day, `ANCHOR`, so a dataset built once stays meaningful:
the harness fixes the app's clock to that day. The same seed gives the same rows. A dataset is
keyed by its size and `GENERATOR_VERSION` (bump it whenever the rows would change) and built
only when missing: a SQLite file under `bench/data/`, or a schema of the PostgreSQL database
`bench_pg` reached through `search_path`.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from peewee import Database, Model, SqliteDatabase

from caseworker_tui.models import (
    AgencyUpdateRequest,
    Appeal,
    Applicant,
    AuditEvent,
    Case,
    ContactLog,
    Deadline,
    Incident,
    Letter,
    Note,
    Recommendation,
    Report,
    Review,
    ThresholdDecision,
    User,
    open_database,
)
from caseworker_tui.models.schema import upgrade
from caseworker_tui.services import context
from caseworker_tui.services.application import parse_application
from caseworker_tui.services.deadline_steps import step_label
from caseworker_tui.services.demo_plan import (
    BEHAVIOUR,
    CONTACTS,
    DEMO_PASSPHRASE,
    DEMO_USERS,
    FIRST,
    LAST,
    PROMISES,
    STREETS,
    WITNESSES,
)
from caseworker_tui.services.eligibility import evaluate
from caseworker_tui.services.intake import search_text
from caseworker_tui.services.passphrases import hash_passphrase
from caseworker_tui.services.workflow.victim import DEFAULT_REPLY, day_words

GENERATOR_VERSION = 3  # 2: letters of one kind numbered as the producer numbers them; 3: contacts, consultations
ANCHOR = date(2026, 11, 25)  # "today" in every dataset
SEED = 2014
DATA_DIR = Path(__file__).with_name("data")
# Another database for the PostgreSQL datasets (one's own, on a shared server): BENCH_POSTGRES_URL.
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/bench_pg")
POSTGRES_DATABASE = POSTGRES_SERVER.rsplit("/", 1)[1].split("?", 1)[0]
POSTGRES_MAINTENANCE = "postgresql://postgres@127.0.0.1:5432/postgres"  # where bench_pg is created
CASES_PER_TRANSACTION = 500

# Insert order: parents before children (SQLite enforces the foreign keys as rows arrive).
TABLES: list[type[Model]] = [Case, Applicant, Incident, Report, AgencyUpdateRequest, ThresholdDecision,
                             Review, Recommendation, Letter, Note, Deadline, Appeal, AuditEvent, ContactLog]

# The stage each case is brought to, with its share of the dataset: about a quarter still open,
# a heavier open workload than a typical partnership carries, so the queue is worked hard.
PLANS = {
    "received": 3, "acknowledged": 4, "declined": 2, "declined_ground": 1, "accepted": 2,
    "under_review": 5, "outcome_drafted": 2, "awaiting_chair": 2, "approved": 3, "appeal": 1,
    "closed": 40, "closed_declined": 25, "withdrawn": 10,
}
# Days between receipt and ANCHOR for each plan (low, high); closed cases span five years.
AGES = {"received": (0, 3), "acknowledged": (2, 13), "declined": (10, 30), "declined_ground": (10, 30),
        "accepted": (8, 20), "under_review": (18, 50), "outcome_drafted": (30, 45),
        "awaiting_chair": (30, 44), "approved": (40, 70), "appeal": (40, 55),
        "closed": (75, 1825), "closed_declined": (60, 1825), "withdrawn": (20, 1825)}
STALE_SHARE = 0.15  # open cases left behind: received long ago, their steps overdue
STALE_AGES = (30, 240)

AREAS = ["B", "BS", "CF", "DE", "L", "LE", "LS", "M", "NE", "NG", "NW", "S", "SE", "SW", "E", "N"]
WORKERS = ["casey", "jo", "sam"]
CHANNELS = {"email": "email", "post": "post", "phone": "post"}
UPDATE_ANSWERS = [
    "Three calls logged; officers attended once; no further action recorded.",
    "Warning letter sent to the neighbour in September; tenancy team now involved.",
    "No record of the second report; checking with the contact centre.",
    "Case officer assigned; mediation offered and refused.",
]
NOTES = [
    "Called the applicant; they would rather be contacted after 5pm.",
    "Police case officer is on leave until next week.",
    "Applicant sent photographs of the damage by e-mail.",
    "Housing provider confirms a tenancy warning was issued.",
    "Interpreter booked for the review meeting.",
]
RECOMMENDATIONS = [
    ("police", "Assign a named officer and visit the applicant within a week."),
    ("council", "Open a joint ASB case and share reports with the housing provider."),
    ("housing_provider", "Review the tenancy of the perpetrator and consider an injunction."),
    ("council", "Install CCTV covering the shared entrance for three months."),
]
REASONS = {
    "dissatisfaction": ["Reported many times and nothing has changed.",
                        "Police said it was a council matter; the council said it was for the police.",
                        "No one came back to me after I reported it.",
                        "The housing officer closed the case without speaking to me."],
    "ground": ["Fourth request about the same matter this year, each already reviewed.",
               "The request repeats allegations already found unsubstantiated at review."],
}


# --- where datasets live ---------------------------------------------------------------------

@dataclass(frozen=True)
class Dataset:
    size: int
    kind: str  # sqlite | postgres
    url: str


def sqlite_path(size: int) -> Path:
    return DATA_DIR / f"cases-{size}-v{GENERATOR_VERSION}.sqlite"


def postgres_schema(size: int) -> str:
    return f"cases_{size}_v{GENERATOR_VERSION}"


def dataset_url(size: int, kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{sqlite_path(size)}"
    if kind == "postgres":
        # Each dataset is a schema of its own; the app reaches it through its search_path.
        return f"{POSTGRES_SERVER}?options=-c%20search_path%3D{postgres_schema(size)}"
    raise ValueError(f"database kind must be sqlite or postgres, not {kind!r}")


def ensure(size: int, kind: str, *, seed: int = SEED, rebuild: bool = False) -> Dataset:
    """The dataset of `size` cases on `kind`, built first when missing (or when asked)."""
    url = dataset_url(size, kind)
    if kind == "sqlite":
        path = sqlite_path(size)
        if rebuild or not path.exists():
            partial = path.with_suffix(".partial")
            _remove_sqlite(partial)
            build(f"sqlite:///{partial}", size, seed=seed)
            _remove_sqlite(path)
            partial.rename(path)  # only a finished build carries the dataset's name
        return Dataset(size, kind, url)
    schema = postgres_schema(size)
    _create_postgres_database()
    server = open_database(POSTGRES_SERVER)
    with server.connection_context():
        done = server.execute_sql(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'bench_built'",
            (schema,)).fetchone()
        if done and not rebuild:
            return Dataset(size, kind, url)
        server.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        server.execute_sql(f'CREATE SCHEMA "{schema}"')
    server.close()
    build(url, size, seed=seed)
    database = open_database(url)
    with database.connection_context():
        database.execute_sql("CREATE TABLE bench_built (size integer, version integer)")
        database.execute_sql("INSERT INTO bench_built VALUES (%s, %s)", (size, GENERATOR_VERSION))
    database.close()
    return Dataset(size, kind, url)


def _create_postgres_database() -> None:
    """The benchmark's own database, made on first use so a fresh server needs no setup."""
    maintenance = open_database(POSTGRES_MAINTENANCE)
    with maintenance.connection_context():
        if not maintenance.execute_sql("SELECT 1 FROM pg_database WHERE datname = %s", (POSTGRES_DATABASE,)).fetchone():
            maintenance.execute_sql(f'CREATE DATABASE "{POSTGRES_DATABASE}"')  # autocommit: outside any transaction
    maintenance.close_all()


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- building --------------------------------------------------------------------------------

def build(url: str, size: int, *, seed: int = SEED, progress: bool = True) -> dict[str, int]:
    """Create the schema at `url` and fill it with `size` cases; returns rows written per table."""
    database = open_database(url)
    upgrade(database)
    rng = random.Random(seed)
    plans = _plans(rng, size)
    writer = _Writer(database)
    with database.bind_ctx([*TABLES, User]), database.connection_context(), _progress(size, progress) as tick:
        with database.atomic():
            writer.insert_now(User, _users())
        story = _Story(rng)
        for start in range(0, size, CASES_PER_TRANSACTION):
            block = plans[start:start + CASES_PER_TRANSACTION]
            with database.atomic():
                for received, plan in block:
                    for model, row in story.tell(received, plan):
                        writer.add(model, row)
                writer.flush()
            tick(len(block))
        _finish(database)
    database.close()
    return dict(writer.counts)


def _plans(rng: random.Random, size: int) -> list[tuple[datetime, str]]:
    """When each case was received and how far it got, oldest first (references follow)."""
    names, weights = list(PLANS), list(PLANS.values())
    chosen = rng.choices(names, weights=weights, k=size)
    plans = []
    for plan in chosen:
        low, high = AGES[plan]
        if not plan.startswith(("closed", "withdrawn")) and rng.random() < STALE_SHARE:
            low, high = STALE_AGES
        day = ANCHOR - timedelta(days=rng.randint(low, high))
        at = datetime.combine(day, time(rng.randint(8, 17), rng.choice([0, 5, 15, 20, 30, 45, 50])))
        plans.append((at, plan))
    plans.sort(key=lambda p: p[0])
    return plans


def _users() -> list[dict]:
    passphrase_hash = hash_passphrase(DEMO_PASSPHRASE)  # once: argon2 is slow on purpose
    created = datetime.combine(ANCHOR - timedelta(days=2000), time(9))
    return [{"id": n, "username": username, "display_name": name, "role": role,
             "password_hash": passphrase_hash, "active": True, "failed_attempts": 0, "locked_until": None,
             "created_at": created}
            for n, (username, role, name) in enumerate(DEMO_USERS, start=1)]


USER_IDS = {username: n for n, (username, _, _) in enumerate(DEMO_USERS, start=1)}


def _finish(database: Database) -> None:
    """PostgreSQL: sequences past the ids written, then what autovacuum would soon have done
    (statistics for the planner, and the visibility map that lets it answer from an index alone).

    SQLite gets no ANALYZE: a database grown by the app has none, and the benchmark should
    see the plans its users get.
    """
    if isinstance(database, SqliteDatabase):
        return
    for model in [*TABLES, User]:
        table = model._meta.table_name
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)")
        database.execute_sql(f'VACUUM ANALYZE "{table}"')


class _Writer:
    """Rows gathered per table and written with `insert_many`, parents first."""

    def __init__(self, database: Database) -> None:
        self.sqlite = isinstance(database, SqliteDatabase)
        self.pending: dict[type[Model], list[dict]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, model: type[Model], row: dict) -> None:
        self.pending[model].append(row)

    def flush(self) -> None:
        for model in TABLES:
            rows = self.pending.pop(model, [])
            if rows:
                self.insert_now(model, rows)

    def insert_now(self, model: type[Model], rows: list[dict]) -> None:
        # SQLite allows 32,766 parameters a statement; PostgreSQL's driver has no such limit.
        per_batch = max(1, 32_000 // len(rows[0])) if self.sqlite else 2_000
        for start in range(0, len(rows), per_batch):
            query = model.insert_many(rows[start:start + per_batch])
            if not self.sqlite:
                query = query.as_rowcount()
            query.execute()
        self.counts[model._meta.table_name] += len(rows)


@contextmanager
def _progress(total: int, shown: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (rich, which Textual already brings)."""
    if not shown:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress

    with Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=Console(stderr=True)) as bar:
        task = bar.add_task(f"{total:,} cases", total=total)
        yield lambda n: bar.advance(task, n)


# --- one case's story ------------------------------------------------------------------------

def _at(day: date, rng: random.Random) -> datetime:
    """A moment in office hours on `day` (never after ANCHOR)."""
    return datetime.combine(min(day, ANCHOR), time(rng.randint(9, 16), rng.randint(0, 59)))


def postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{rng.choice(AREAS)}{rng.randint(1, 30)} {rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def application(rng: random.Random, received: datetime, meets: bool) -> dict:
    """One request in the import format: several incidents and about ten reports between them."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    street = rng.choice(STREETS)
    hate = meets and rng.random() < 0.15
    incidents = []
    # Three incidents or more, each first reported in time by the applicant, meet rule A.
    for k in range(rng.choice([3, 3, 4, 4, 5] if meets else [2, 3, 3, 4])):
        occurred = received.date() - timedelta(days=rng.randint(15, 150))
        hateful = hate and k == 0
        text = rng.choice([b[0] for b in BEHAVIOUR if b[1] == hateful])
        reports = []
        for m in range(rng.randint(1, 5)):
            late = not meets and rng.random() < 0.7
            gap = rng.randint(35, 70) if late else rng.randint(0, 25)
            on = min(occurred + timedelta(days=gap), received.date())
            by_applicant = m == 0 or rng.random() < 0.3
            agency = rng.choice(["police", "council", "housing_provider", "health"] if m else
                                ["police", "council", "housing_provider"])
            reports.append({"agency": agency, "reported_on": on.isoformat(),
                            "reporter": "applicant" if by_applicant else rng.choice(WITNESSES),
                            "agency_reference": f"{rng.choice(['LP', 'LCC', 'HA'])}-{rng.randint(10000, 99999)}"})
        incidents.append({"id": f"i{k + 1}", "occurred_on": occurred.isoformat(), "description": text,
                          "location": f"{rng.randint(1, 180)} {street}", "hate_related": hateful,
                          "reports": reports})
    preferred = rng.choice(["email", "email", "post", "phone"])
    return {
        "received_at": received.isoformat(),
        "applicant": {
            "name": f"{first} {last}", "address": f"{rng.randint(1, 180)} {street}", "postcode": postcode(rng),
            "email": f"{first.lower()}.{last.lower().replace(chr(39), '')}@example.org",
            "phone": f"07700 9{rng.randint(10000, 99999)}", "preferred_contact": preferred,
            "on_behalf_of": None, "vulnerabilities": rng.choice([None, "Lives alone", "Long-term illness",
                                                                  "Two young children at home"]),
            "needs": ["large_print"] if rng.random() < 0.1 else [], "advocate": None, "consent_to_share": True,
        },
        "dissatisfied": meets or rng.random() < 0.5,
        "dissatisfaction_reason": rng.choice(REASONS["dissatisfaction"]),
        "incidents": incidents,
    }


class _Story:
    """Numbers the rows across cases and tells each case's story in turn."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.policy = context.policy()
        self.calendar = context.calendar()
        self.ids: dict[type[Model], int] = defaultdict(int)
        self.per_year: dict[int, int] = defaultdict(int)

    def next_id(self, model: type[Model]) -> int:
        self.ids[model] += 1
        return self.ids[model]

    def tell(self, received: datetime, plan: str) -> list[tuple[type[Model], dict]]:
        case = _CaseRows(self, received, plan)
        case.run()
        return case.rows


class _CaseRows:
    """The rows of one case, built step by step in the order the app would record them."""

    def __init__(self, story: _Story, received: datetime, plan: str) -> None:
        self.story, self.rng, self.plan = story, story.rng, plan
        self.policy, self.calendar = story.policy, story.calendar
        self.received = received
        self.rows: list[tuple[type[Model], dict]] = []
        self.deadlines: list[dict] = []
        self.id = story.next_id(Case)
        story.per_year[received.year] += 1
        self.reference = f"CT-{received.year}-{story.per_year[received.year]:05d}"
        self.stage = "received"
        self.version = 0  # the "received" event makes it 1, as intake does
        self.worker = self.rng.choice(WORKERS[:2]) if self.rng.random() < 0.9 else "sam"
        self.last = (received, self.worker)
        self.assignee: str | None = None
        self.risk: tuple[int | None, bool, str | None] = (None, False, None)
        self.accepted_on: date | None = None
        self.decided_on: date | None = None
        self.closed_at: datetime | None = None
        self.extended = False
        self.review: dict | None = None
        self.recommendations: list[dict] = []
        self.acknowledged_on: date | None = None

    # -- what every step uses

    def add(self, model: type[Model], **fields: Any) -> dict:
        row = {"id": self.story.next_id(model), **fields}
        self.rows.append((model, row))
        return row

    def audit(self, at: datetime, actor: str, action: str, to_stage: str | None = None,
              reason: str = "", **details: Any) -> None:
        """One step taken: its audit event, and the case's stage, version and last change."""
        before = self.stage if self.version else None
        if to_stage:
            self.stage = to_stage
        self.version += 1
        self.last = (at, actor)
        self.add(AuditEvent, case=self.id, actor=actor, at=at, action=action, from_stage=before,
                 to_stage=self.stage, reason=reason, details_json=json.dumps(details, default=str, sort_keys=True))

    def open_step(self, step: str, due: date, agency: str | None = None, ref_id: int | None = None) -> None:
        label = step_label(step, self.policy.agency_label(agency) if agency else None)
        self.deadlines.append({"case": self.id, "step": step, "label": label, "agency": agency,
                               "ref_id": ref_id, "due_on": due, "closed_at": None, "closed_how": None})

    def close_steps(self, at: datetime, *steps: str, how: str = "done", ref_id: int | None = None) -> None:
        for d in self.deadlines:
            if d["closed_at"] is None and (not steps or d["step"] in steps) and ref_id in (None, d["ref_id"]):
                d["closed_at"], d["closed_how"] = at, how

    def event(self, at: datetime, actor: str, action: str, **details: Any) -> None:
        """An audit event that changes neither the stage nor the version (a note, a letter)."""
        self.add(AuditEvent, case=self.id, actor=actor, at=at, action=action, from_stage=None, to_stage=None,
                 reason="", details_json=json.dumps(details, default=str, sort_keys=True))

    def letter(self, at: datetime, kind: str, recipient: str, by: str | None = None,
               agency: str | None = None, closes: str | None = None) -> None:
        """A letter produced and sent the same day, as the letters service records both."""
        by = by or self.worker
        large = self.large_print and agency is None
        made = self.__dict__.setdefault("versions", {})  # numbered per kind, as the producer does
        version = made[kind] = made.get(kind, 0) + 1
        path = f"letters/{self.reference}_{kind}{f'_{agency}' if agency else ''}_v{version}.docx"
        self.add(Letter, case=self.id, kind=kind, version_no=version, path=path,
                 checksum=hashlib.sha256(path.encode()).hexdigest(), large_print=large,
                 recipient=recipient, created_by=by, created_at=at, sent_on=at.date(), channel=self.channel)
        self.event(at, by, "letter_produced", kind=kind, version=version, path=path, large_print=large, agency=agency)
        if closes:  # the step is met, and the case saved with its next deadline
            self.close_steps(at, closes)
            self.version += 1
            self.last = (at, by)
        self.event(at, by, "letter_sent", kind=kind, version=version, channel=self.channel, sent_on=at.date(),
                   closed_step=closes)

    def day(self, base: date, low: int, high: int) -> date:
        return min(base + timedelta(days=self.rng.randint(low, high)), ANCHOR)

    def at(self, base: date, low: int = 0, high: int = 0) -> datetime:
        return _at(self.day(base, low, high), self.rng)

    # -- the story

    def run(self) -> None:
        meets = self.plan not in ("declined", "closed_declined") or self.rng.random() < 0.1
        data = application(self.rng, self.received, meets)
        app = parse_application(data, self.policy)
        verdict = evaluate(app, self.policy)
        self.met = verdict.threshold_met
        self.large_print = app.applicant.large_print
        self.channel = CHANNELS[app.applicant.preferred_contact]
        self.applicant_name = app.applicant.name
        self.rows_for_application(app)
        received_on = self.received.date()
        times = self.policy.timescales
        self.audit(self.received, self.worker, "received", to_stage="received",
                   threshold_met=verdict.threshold_met, policy=self.policy.version)
        self.open_step("acknowledge", self.calendar.add_working_days(received_on, times.acknowledge.days))
        self.open_step("decide", received_on + timedelta(days=times.decide.days))
        self.steps()
        self.contacts()
        self.notes()
        self.case_row(data, verdict.model_dump_json())

    def rows_for_application(self, app) -> None:
        person = app.applicant
        self.add(Applicant, case=self.id, name=person.name, address=person.address, postcode=person.postcode,
                 email=person.email, phone=person.phone, preferred_contact=person.preferred_contact,
                 on_behalf_of=person.on_behalf_of, vulnerabilities=person.vulnerabilities,
                 needs_json=json.dumps(person.needs), advocate=person.advocate,
                 consent_to_share=person.consent_to_share)
        for position, incident in enumerate(app.incidents, start=1):
            row = self.add(Incident, case=self.id, key=incident.id, position=position,
                           occurred_on=incident.occurred_on, description=incident.description,
                           location=incident.location, hate_related=incident.hate_related)
            for n, r in enumerate(incident.reports, start=1):
                self.add(Report, incident=row["id"], position=n, agency=r.agency, reported_on=r.reported_on,
                         reporter=r.reporter, agency_reference=r.agency_reference)

    def steps(self) -> None:
        """As far as the plan goes: each `return` is a case left at that stage."""
        rng, plan = self.rng, self.plan
        received_on = self.received.date()
        if plan == "received":
            if rng.random() < 0.5:
                self.take(_at(received_on, rng))
            return
        acknowledged = self.at(self.calendar.add_working_days(received_on, rng.choice([1, 1, 1, 2])))
        self.take(acknowledged)
        self.acknowledge(acknowledged)
        updates = self.request_updates(acknowledged) if rng.random() < 0.7 else []
        if plan == "acknowledged":
            self.answer_updates(updates, share=0.4)
            return
        if plan == "withdrawn":
            self.withdraw(self.at(received_on, 3, 12))
            return
        self.answer_updates(updates, share=0.8)
        self.decide(self.at(received_on, 7, 13))
        if self.stage == "declined":
            if plan == "closed_declined":
                self.close(self.at(self.decided_on, 30, 45))
            return
        if plan == "accepted":
            return
        self.schedule_review(self.at(self.accepted_on, 3, 8))
        if rng.random() < 0.12:
            self.extend(self.at(self.accepted_on, 18, 24))
        if plan == "under_review":
            return
        drafted = self.at(self.accepted_on, 14, 20)
        self.draft_outcome(drafted)
        if plan == "outcome_drafted":
            return
        self.consult(drafted)
        submitted = self.at(drafted.date(), 1, 3)
        self.submit(submitted)
        if rng.random() < 0.1:
            returned = self.at(submitted.date(), 1, 2)
            self.return_outcome(returned)
            submitted = self.at(returned.date(), 1, 2)
            self.submit(submitted)
        if plan == "awaiting_chair":
            return
        approved = self.at(submitted.date(), 1, 3)
        self.approve(approved)
        if plan == "approved":
            return
        if plan == "appeal":
            self.appeal(self.day(approved.date(), 3, 8))
            return
        self.close(self.at(approved.date(), 3, 10))
        self.follow_up()

    def take(self, at: datetime) -> None:
        self.assignee = self.worker
        self.audit(at, self.worker, "take", **{"from": None, "to": self.worker})

    def acknowledge(self, at: datetime) -> None:
        self.acknowledged_on = at.date()
        self.close_steps(at, "acknowledge")
        self.audit(at, self.worker, "acknowledge", to_stage="acknowledged")
        self.letter(at, "acknowledgement", self.applicant_name)
        if self.rng.random() < 0.6:
            questions = self.policy.triage.questions
            answers = {q.id: self.rng.random() < 0.35 for q in questions}
            score = sum(q.weight for q in questions if answers[q.id])
            high = score >= self.policy.triage.high_risk_at
            self.risk = (score, high, json.dumps(answers, sort_keys=True))
            self.audit(at, self.worker, "triage", score=score, high_risk=high)

    def request_updates(self, at: datetime) -> list[dict]:
        due = self.calendar.add_working_days(at.date(), self.policy.timescales.agency_update.days)
        agencies = ["police", "council"] + (["housing_provider"] if self.rng.random() < 0.4 else [])
        made = []
        for agency in agencies:
            row = self.add(AgencyUpdateRequest, case=self.id, agency=agency, requested_on=at.date(), due_on=due,
                           requested_by=self.worker, answered_on=None, answer="")
            self.open_step("agency_update", due, agency=agency, ref_id=row["id"])
            self.letter(at, "agency_update_request", self.policy.agency_label(agency), agency=agency)
            made.append(row)
        self.audit(at, self.worker, "request_updates", agencies=agencies, due_on=due)
        return made

    def answer_updates(self, updates: list[dict], share: float) -> None:
        for row in updates:
            answered = row["due_on"] - timedelta(days=self.rng.randint(0, 3))
            if answered > ANCHOR or self.rng.random() > share:
                continue
            at = _at(answered, self.rng)
            row.update(answered_on=answered, answer=self.rng.choice(UPDATE_ANSWERS))
            self.close_steps(at, "agency_update", ref_id=row["id"])
            self.audit(at, self.worker, "record_update", agency=row["agency"])

    def withdraw(self, at: datetime) -> None:
        self.closed_at = at
        self.close_steps(at, how="cancelled")
        self.audit(at, self.worker, "withdraw", to_stage="withdrawn",
                   reason="The applicant asked to withdraw: the neighbour has moved away.")

    def decide(self, at: datetime) -> None:
        """Accept when the plan goes on to a review; decline on the verdict, or on a ground when met."""
        policy = self.policy
        accept = self.plan not in ("declined", "declined_ground", "closed_declined")
        if accept:
            ground = "threshold_met"
        elif self.plan == "declined_ground" or self.met:
            ground = self.rng.choice(["vexatious", "unreasonable", "malicious"])
        else:
            ground = "threshold_not_met"
        against = ground in ("threshold_met", "threshold_not_met") and accept != self.met
        if ground not in ("threshold_met", "threshold_not_met"):
            reason = self.rng.choice(REASONS["ground"])
        else:
            reason = "The reports were each made in time; the panel reads them together." if against else ""
        self.add(ThresholdDecision, case=self.id, decision="accepted" if accept else "declined", ground=ground,
                 reason=reason, computed_met=self.met, against_verdict=against, decided_by=self.worker,
                 decided_at=at, policy_name=policy.name, policy_version=policy.version)
        self.close_steps(at, "decide", "acknowledge")
        self.open_step("notify_decision", self.received.date() + timedelta(days=policy.timescales.decide.days))
        self.decided_on = at.date()
        if accept:
            self.accepted_on = at.date()
            due = at.date() + timedelta(days=policy.timescales.review.days)
            self.review = self.add(
                Review, case=self.id, due_on=due, extended_to=None, extension_reason="", meeting_on=None,
                chair_name="", agencies_json="[]", participation="", not_invited_reason="", findings="",
                summary="", submitted_at=None, approved_by=None, approved_by_name=None, approved_at=None,
                returned_comments="", virtual_link="", consulted_on=None, victim_views="", views_on=None,
                views_by=None, no_reply=False)
            self.open_step("review", due)
        self.audit(at, self.worker, "decide", to_stage="accepted" if accept else "declined", reason=reason,
                   ground=ground, against_verdict=against)
        self.letter(self.at(at.date(), 0, 2), "threshold_met" if accept else "threshold_not_met",
                    self.applicant_name, closes="notify_decision")

    def schedule_review(self, at: datetime) -> None:
        agencies = ["police", "council", "housing_provider"]
        participation = self.rng.choice(["in_person", "virtual", "written_statement", "advocate"])
        self.review.update(meeting_on=self.day(self.accepted_on, 10, 20), chair_name="Chris Hall",
                           agencies_json=json.dumps(agencies), participation=participation)
        self.audit(at, self.worker, "schedule_review", to_stage="under_review",
                   meeting_on=self.review["meeting_on"], participation=participation)
        self.letter(at, "review_invitation", self.applicant_name)

    def extend(self, at: datetime) -> None:
        new_date = self.accepted_on + timedelta(days=42)
        reason = "The housing provider's records are needed and will not arrive in time."
        self.review.update(extended_to=new_date, extension_reason=reason)
        self.extended = True
        for d in self.deadlines:
            if d["closed_at"] is None and d["step"] in ("review", "chair_approval"):
                d["due_on"] = new_date
        self.open_step("notify_extension", self.calendar.add_working_days(at.date(), 1))
        self.audit(at, self.worker, "extend_review", reason=reason, to=new_date)
        self.letter(at, "extension", self.applicant_name, closes="notify_extension")

    def draft_outcome(self, at: datetime) -> None:
        self.review.update(findings="Reports were logged by each agency but not shared; no agency visited "
                                    "the applicant after the third report.",
                           summary="The agencies responded to each report on its own and missed the pattern.")
        self.audit(at, self.worker, "record_findings")
        chosen = self.rng.sample(RECOMMENDATIONS, self.rng.randint(1, 3))
        for position, (agency, action) in enumerate(chosen, start=1):
            self.recommendations.append(self.add(
                Recommendation, case=self.id, position=position, agency=agency, action=action,
                due_on=self.accepted_on + timedelta(days=self.rng.randint(35, 90)), done_on=None, done_note="",
                done_by=None))
        self.audit(at, self.worker, "draft_outcome", to_stage="outcome_drafted", recommendations=len(chosen))

    def consult(self, at: datetime) -> None:
        """The draft action plan sent to the victim, who rings with their views the same day."""
        self.review.update(consulted_on=at.date(), victim_views="The plan would help if the police visit in the "
                           "evenings.", views_on=at.date(), views_by=self.worker, no_reply=False)
        reply_by = (self.policy.timescales.action_plan_reply or DEFAULT_REPLY).due(at.date(), self.calendar)
        self.audit(at, self.worker, "consult_victim", reply_by=reply_by, reply_by_words=day_words(reply_by))
        self.letter(at, "action_plan", self.applicant_name)
        self.audit(at, self.worker, "record_views", no_reply=False, said=self.review["victim_views"])

    def contacts(self) -> None:
        """Contacts with the victim while the case is open, a little inside the policy's cadence, each
        meeting the update owed and owing the next (one case in twenty falls behind after the first)."""
        cadence = self.policy.timescales.victim_update
        if cadence is None or self.acknowledged_on is None:
            return
        add = self.calendar.add_working_days
        ended = self.closed_at.date() if self.closed_at else ANCHOR
        behind = self.rng.random() < 0.05
        last, made = self.acknowledged_on, 0
        while True:
            day = add(last, max(1, cadence.days - self.rng.randint(1, 4)))
            if day >= ended or (behind and made):
                break
            at = _at(day, self.rng)
            channel, said = self.rng.choice(CONTACTS)
            self.add(ContactLog, case=self.id, at=at, channel=channel, by=self.worker, said=said,
                     promised=self.rng.choice(PROMISES))
            self.deadlines.append({"case": self.id, "step": "victim_update", "label": step_label("victim_update"),
                                   "agency": None, "ref_id": None, "due_on": add(last, cadence.days),
                                   "closed_at": at, "closed_how": "done"})
            self.version += 1
            self.event(at, self.worker, "record_contact", channel=channel)
            if at > self.last[0]:
                self.last = (at, self.worker)
            last, made = day, made + 1
        self.open_step("victim_update", add(last, cadence.days))
        if self.closed_at is not None:  # a finished case owes no more updates
            self.close_steps(self.closed_at, "victim_update", how="cancelled")

    def submit(self, at: datetime) -> None:
        self.review["submitted_at"] = at
        self.open_step("chair_approval", self.review["extended_to"] or self.review["due_on"])
        self.audit(at, self.worker, "submit_outcome", to_stage="awaiting_chair")

    def return_outcome(self, at: datetime) -> None:
        comments = "Please give the police a firmer date."
        self.review.update(returned_comments=comments, submitted_at=None)
        self.close_steps(at, "chair_approval")
        self.audit(at, "chris", "return_outcome", to_stage="outcome_drafted", reason=comments)

    def approve(self, at: datetime) -> None:
        self.review.update(approved_by="chris", approved_by_name="Chris Hall", approved_at=at, returned_comments="")
        self.close_steps(at, "chair_approval")
        for rec in self.recommendations:
            self.open_step("recommendation", rec["due_on"], agency=rec["agency"], ref_id=rec["id"])
        self.audit(at, "chris", "approve_outcome", to_stage="approved")
        self.letter(at, "outcome", self.applicant_name, closes="review")

    def appeal(self, lodged: date) -> None:
        grounds = "The review did not consider the hate-related incident."
        self.add(Appeal, case=self.id, against="outcome", lodged_on=lodged, grounds=grounds,
                 stage_before="approved", recorded_by=self.worker, decided_on=None, upheld=None,
                 independent_chair=None, decision_reason="")
        self.open_step("appeal_decision", lodged + timedelta(days=self.policy.timescales.appeal_decision.days))
        self.audit(_at(lodged, self.rng), self.worker, "record_appeal", to_stage="appeal", reason=grounds)

    def close(self, at: datetime) -> None:
        self.closed_at = at
        self.close_steps(at, "notify_decision", "review", "notify_extension", "agency_update", how="cancelled")
        self.audit(at, self.worker, "close", to_stage="closed", reason="Outcome sent to the applicant.")

    def follow_up(self) -> None:
        """Most recommendations that have fallen due are confirmed done; the rest stay open."""
        note = "Done: confirmed with the agency."
        for rec in self.recommendations:
            if rec["due_on"] <= ANCHOR and self.rng.random() < 0.7:
                at = _at(rec["due_on"] - timedelta(days=self.rng.randint(0, 5)), self.rng)
                rec.update(done_on=at.date(), done_note=note, done_by=self.worker)
                self.close_steps(at, "recommendation", ref_id=rec["id"])
                self.audit(at, self.worker, "follow_up", reason=note, recommendation=rec["position"])

    def notes(self) -> None:
        """A few notes between receipt and the last step, each with its audit event (no new version)."""
        start, end = self.received, self.last[0]
        span = max(0, int((end - start).total_seconds()))
        for _ in range(self.rng.choice([0, 0, 1, 1, 2, 3])):
            at = start + timedelta(seconds=self.rng.randint(0, span))
            self.add(Note, case=self.id, author=self.worker, created_at=at, text=self.rng.choice(NOTES))
            self.event(at, self.worker, "note_added")

    def case_row(self, data: dict, verdict_json: str) -> None:
        """The case itself, written last: its next deadline mirrors the earliest open one."""
        for d in self.deadlines:
            self.add(Deadline, **d)
        open_steps = [r for m, r in self.rows if m is Deadline and r["closed_at"] is None]
        first = min(open_steps, key=lambda r: (r["due_on"], r["id"]), default=None)
        person = data["applicant"]
        score, high, answers = self.risk
        updated_at, updated_by = self.last
        self.rows.insert(0, (Case, {
            "id": self.id, "reference": self.reference, "received_at": self.received, "stage": self.stage,
            "is_open": self.stage not in ("closed", "withdrawn"),
            "assigned_to": USER_IDS[self.assignee] if self.assignee else None,
            "applicant_name": person["name"], "postcode": person["postcode"],
            "search_text": search_text(self.reference, person["name"], person["postcode"]),
            "dissatisfied": data["dissatisfied"], "dissatisfaction_reason": data["dissatisfaction_reason"],
            "threshold_met": self.met, "verdict_json": verdict_json,
            "policy_name": self.policy.name, "policy_version": self.policy.version,
            "risk_score": score, "high_risk": high, "triage_json": answers,
            "next_due_on": first["due_on"] if first else None, "next_due_step": first["step"] if first else None,
            "extended": self.extended, "accepted_on": self.accepted_on, "decided_on": self.decided_on,
            "closed_at": self.closed_at, "version": self.version, "created_at": self.received,
            "updated_at": updated_at, "updated_by": updated_by,
        }))


# --- command line ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated case counts (default 1000)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--rebuild", action="store_true", help="build even when the dataset exists")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for size in [int(s) for s in args.sizes.split(",")]:
        for kind in kinds:
            started = perf_counter()
            dataset = ensure(size, kind, rebuild=args.rebuild)
            print(f"{dataset.size:>7,} cases on {kind}: {dataset.url} ({perf_counter() - started:,.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
