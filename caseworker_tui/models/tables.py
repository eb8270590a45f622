"""The peewee models: what the partnership keeps about each Community Trigger request.

Services read and write these inside one transaction per use case and hand screens plain
objects, never rows. Table names are explicit so a rename of a class never renames a table.
"""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    IntegrityError,
    Model,
    TextField,
)

from caseworker_tui.models.database import db

ROLES = ("caseworker", "supervisor", "chair", "admin")


class Base(Model):
    class Meta:
        database = db
        legacy_table_names = False


class User(Base):
    username = CharField(max_length=60, unique=True)
    display_name = CharField(max_length=120)
    role = CharField(max_length=20)
    password_hash = CharField(max_length=255)
    active = BooleanField(default=True)
    failed_attempts = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    created_at = DateTimeField()
    preferences = TextField(null=True)  # JSON: the person's own choices (services/preferences.py)

    class Meta:
        table_name = "app_user"


class Case(Base):
    """One request for a case review, from receipt to closure."""

    reference = CharField(max_length=40, unique=True)
    received_at = DateTimeField(index=True)
    stage = CharField(max_length=24, index=True)
    is_open = BooleanField(default=True, index=True)
    assigned_to = ForeignKeyField(User, null=True, backref="cases", on_delete="SET NULL")
    # The victim's single point of contact (0009); none named: the assigned caseworker is.
    spoc = ForeignKeyField(User, null=True, backref="spoc_cases", on_delete="SET NULL")
    applicant_name = CharField(max_length=200)
    postcode = CharField(max_length=10, default="")
    search_text = CharField(max_length=400, default="")  # reference, name, postcode, lower-cased
    dissatisfied = BooleanField()
    dissatisfaction_reason = TextField(default="")
    threshold_met = BooleanField()  # the computed verdict, as at receipt
    verdict_json = TextField()
    policy_name = CharField(max_length=120)
    policy_version = CharField(max_length=40)
    risk_score = IntegerField(null=True)
    high_risk = BooleanField(default=False)
    triage_json = TextField(null=True)
    next_due_on = DateField(null=True, index=True)  # earliest open deadline, kept in step
    next_due_step = CharField(max_length=40, null=True)
    extended = BooleanField(default=False)
    accepted_on = DateField(null=True)
    decided_on = DateField(null=True)
    closed_at = DateTimeField(null=True)
    version = IntegerField(default=1)  # optimistic locking
    created_at = DateTimeField()
    updated_at = DateTimeField()
    updated_by = CharField(max_length=60, default="")
    channel = CharField(max_length=20, null=True)  # how the application came in (0010): application.CHANNELS

    class Meta:
        table_name = "case_request"
        indexes = (
            (("is_open", "next_due_on"), False),
            # Every column the intake queue reads, so its pages come from the index alone (0002).
            (("is_open", "stage", "high_risk", "next_due_on", "received_at", "assigned_to", "risk_score",
              "next_due_step", "reference", "applicant_name", "search_text", "id"), False),
        )


class Applicant(Base):
    case = ForeignKeyField(Case, unique=True, backref="applicants", on_delete="CASCADE")
    name = CharField(max_length=200)
    address = TextField(default="")
    postcode = CharField(max_length=10, default="")
    email = CharField(max_length=320, null=True)
    phone = CharField(max_length=40, null=True)
    preferred_contact = CharField(max_length=10)
    on_behalf_of = TextField(null=True)
    vulnerabilities = TextField(null=True)
    needs_json = TextField(default="[]")
    advocate = TextField(null=True)
    consent_to_share = BooleanField(null=True)


class Incident(Base):
    case = ForeignKeyField(Case, backref="incidents", on_delete="CASCADE")
    key = CharField(max_length=40)  # the form's incident id, e.g. "i1"
    position = IntegerField()
    occurred_on = DateField()
    description = TextField(default="")
    location = TextField(default="")
    hate_related = BooleanField(default=False)

    class Meta:
        indexes = ((("case", "key"), True),)


class Report(Base):
    incident = ForeignKeyField(Incident, backref="reports", on_delete="CASCADE")
    position = IntegerField()
    agency = CharField(max_length=40)
    reported_on = DateField()
    reporter = CharField(max_length=200)
    agency_reference = CharField(max_length=200, default="")
    # Added by 0013, so a corrected record's verdict reads what the application said.
    method = CharField(max_length=20, null=True)  # application.Report.method
    officer = TextField(default="")
    as_hate = BooleanField(default=False)  # reported as a hate incident at the time


class AgencyUpdateRequest(Base):
    case = ForeignKeyField(Case, backref="agency_updates", on_delete="CASCADE")
    agency = CharField(max_length=40)
    requested_on = DateField()
    due_on = DateField()
    requested_by = CharField(max_length=60)
    answered_on = DateField(null=True)
    answer = TextField(default="")


class ThresholdDecision(Base):
    case = ForeignKeyField(Case, backref="decisions", on_delete="CASCADE")
    decision = CharField(max_length=20)  # accepted | declined
    ground = CharField(max_length=40)  # threshold_met, threshold_not_met, or a policy decline ground
    reason = TextField(default="")
    computed_met = BooleanField()
    against_verdict = BooleanField(default=False)
    decided_by = CharField(max_length=60)
    decided_at = DateTimeField()
    policy_name = CharField(max_length=120)
    policy_version = CharField(max_length=40)

    class Meta:
        # The yearly figures: each request's latest decision (0002), and every decision made in a year (0010).
        indexes = ((("case", "decision", "ground", "decided_at"), False), (("decided_at", "decision", "ground"), False))


class Review(Base):
    case = ForeignKeyField(Case, unique=True, backref="reviews", on_delete="CASCADE")
    due_on = DateField()  # acceptance + the policy's review days
    extended_to = DateField(null=True)
    extension_reason = TextField(default="")
    meeting_on = DateField(null=True)
    chair_name = CharField(max_length=200, default="")
    agencies_json = TextField(default="[]")
    participation = CharField(max_length=20, default="")  # in_person|virtual|written_statement|advocate|not_invited
    not_invited_reason = TextField(default="")
    findings = TextField(default="")
    summary = TextField(default="")
    submitted_at = DateTimeField(null=True)
    approved_by = CharField(max_length=60, null=True)
    approved_by_name = CharField(max_length=120, null=True)
    approved_at = DateTimeField(null=True)
    returned_comments = TextField(default="")
    virtual_link = TextField(default="")  # the link for a victim taking part virtually (0009)
    consulted_on = DateField(null=True)  # the victim was sent the draft action plan (0009)
    victim_views = TextField(default="")  # what they said of it
    views_on = DateField(null=True)  # when their views (or "no reply by the date") were recorded
    views_by = CharField(max_length=60, null=True)
    no_reply = BooleanField(default=False)  # recorded as no reply by the reply-by date

    class Meta:
        # The yearly figures: by case (0002), and the reviews carried out in a year (0010).
        indexes = ((("case", "approved_at"), False), (("approved_at", "participation"), False))


class Recommendation(Base):
    case = ForeignKeyField(Case, backref="recommendations", on_delete="CASCADE")
    position = IntegerField()
    agency = CharField(max_length=40)
    action = TextField()
    due_on = DateField()
    done_on = DateField(null=True)
    done_note = TextField(default="")
    done_by = CharField(max_length=60, null=True)


class Letter(Base):
    case = ForeignKeyField(Case, backref="letters", on_delete="CASCADE")
    kind = CharField(max_length=40)
    version_no = IntegerField()
    path = TextField()
    checksum = CharField(max_length=64)
    large_print = BooleanField(default=False)
    recipient = CharField(max_length=200, default="")
    created_by = CharField(max_length=60)
    created_at = DateTimeField()
    sent_on = DateField(null=True)
    channel = CharField(max_length=20, null=True)  # how it reached the person: post | email | hand
    # Added by 0004: the letter's PDF, the agency an agency letter went to, and how it was sent.
    pdf_path = TextField(null=True)
    agency = CharField(max_length=40, null=True)
    sent_via = CharField(max_length=20, null=True)  # what carried it: smtp | print_pack (later notify)
    sent_at = DateTimeField(null=True)
    sent_to = CharField(max_length=320, null=True)  # the e-mail address it went to
    provider_id = CharField(max_length=255, null=True)  # the carrier's id for it, e.g. the e-mail's Message-ID
    delivery_status = CharField(max_length=20, null=True)  # sending | sent | failed | unknown | printed, or the carrier's status
    send_key = CharField(max_length=80, null=True, unique=True)  # one per letter version: a retry never sends twice

    class Meta:
        indexes = ((("case", "kind", "version_no"), True),)  # one row per version: producers retry (0008)


class Note(Base):
    case = ForeignKeyField(Case, backref="notes", on_delete="CASCADE")
    author = CharField(max_length=60)
    created_at = DateTimeField()
    text = TextField()


class ContactLog(Base):
    """One contact with the victim: when, how, by whom, what was said and what was promised."""

    case = ForeignKeyField(Case, backref="contacts", on_delete="CASCADE")
    at = DateTimeField()
    channel = CharField(max_length=20)  # phone | email | letter | in_person | text_message | video
    by = CharField(max_length=60)
    said = TextField()
    promised = TextField(default="")


class LetterDelivery(Base):
    """One hand-over of a letter to a carrier, and what the carrier last said of it (0006).

    `settled` once the status can no longer change (delivered, failed, or too old for the carrier to
    answer); the poll asks only about the others."""

    letter = ForeignKeyField(Letter, backref="deliveries", on_delete="CASCADE")
    channel = CharField(max_length=20)  # email | post
    carrier = CharField(max_length=20)  # smtp | print_pack | notify
    key_kind = CharField(max_length=10, null=True)  # notify: test | team | live, as the settings name the key
    provider_id = CharField(max_length=255, null=True)
    status = CharField(max_length=24)
    sent_at = DateTimeField()
    checked_at = DateTimeField(null=True)
    settled = BooleanField(default=False, index=True)


class Deadline(Base):
    """One step the partnership owes, with its due date; open while `closed_at` is empty."""

    case = ForeignKeyField(Case, backref="deadlines", on_delete="CASCADE")
    step = CharField(max_length=40)
    # Still written, so an older release reading this database has its words; never read: a
    # label is worded from the step when shown (services.deadline_steps), so rewording needs no
    # data migration.
    label = CharField(max_length=200)
    agency = CharField(max_length=40, null=True)
    ref_id = IntegerField(null=True)  # the agency update or recommendation it belongs to
    due_on = DateField()
    closed_at = DateTimeField(null=True)
    closed_how = CharField(max_length=20, null=True)  # done | cancelled | returned (by the chair)

    class Meta:
        # What the yearly figures read of each step (0002).
        indexes = ((("case", "step", "closed_how", "closed_at", "due_on"), False),)


# The open steps alone, in the order the deadlines view pages them (0002).
Deadline.add_index(Deadline.index(Deadline.due_on, Deadline.id, Deadline.case, Deadline.closed_at,
                                  where=Deadline.closed_at.is_null()))


class Appeal(Base):
    case = ForeignKeyField(Case, backref="appeals", on_delete="CASCADE")
    against = CharField(max_length=20)  # decision | outcome
    lodged_on = DateField()
    grounds = TextField()
    stage_before = CharField(max_length=24)
    recorded_by = CharField(max_length=60)
    decided_on = DateField(null=True)
    upheld = BooleanField(null=True)
    independent_chair = CharField(max_length=200, null=True)
    decision_reason = TextField(default="")


class Escalation(Base):
    """A case referred beyond the partnership after its appeal (e.g. to the Police and Crime
    Commissioner's office, when the policy names one), and the answer that came back."""

    case = ForeignKeyField(Case, backref="escalations", on_delete="CASCADE")
    body = CharField(max_length=200)  # whom it was referred to, as the policy named them then
    referred_on = DateField()
    referred_by = CharField(max_length=60)
    note = TextField(default="")
    answered_on = DateField(null=True)
    answer = TextField(default="")
    answered_by = CharField(max_length=60, null=True)


class AuditEvent(Base):
    """Append-only: who did what to which case, when, from which stage to which, and why."""

    case = ForeignKeyField(Case, null=True, backref="audit", on_delete="CASCADE")
    actor = CharField(max_length=60)
    at = DateTimeField(index=True)
    action = CharField(max_length=40)
    from_stage = CharField(max_length=24, null=True)
    to_stage = CharField(max_length=24, null=True)
    reason = TextField(default="")
    details_json = TextField(default="{}")

    # Saving an existing row and delete_instance() go through these two, so both are refused
    # too; the database refuses the same with a trigger (migration 0003).
    @classmethod
    def update(cls, *args, **kwargs):
        raise IntegrityError("audit_event is append-only: an event cannot be changed")

    @classmethod
    def delete(cls):
        raise IntegrityError("audit_event is append-only: an event cannot be deleted")


class AuditReason(Base):
    """The words typed for an audited step, kept beside its event rather than in it: the event holds
    a salted digest of them, so the trail stays append-only while retention can still erase the
    words (and the salt with them, so the digest says nothing afterwards) (0008)."""

    event = ForeignKeyField(AuditEvent, unique=True, backref="typed_reason", on_delete="CASCADE")
    case = ForeignKeyField(Case, null=True, backref="audit_reasons", on_delete="CASCADE")
    salt = CharField(max_length=32)
    text = TextField()


class ReferenceCounter(Base):
    """The last CT-YYYY-NNNN number given in each year: one row read and moved on in the
    transaction that uses it, so numbering never scans the cases (0008)."""

    year = IntegerField(primary_key=True)
    last = IntegerField()

    class Meta:
        table_name = "reference_counter"


class FileSweep(Base):
    """A file the database no longer records that is still to be deleted: written in the transaction
    that forgets the file, removed once the file is gone, so a killed run is finished by the next (0008)."""

    path = TextField()
    recorded_at = DateTimeField()
    owner = CharField(max_length=300, default="")  # host:pid of a letter's writer; empty: delete any time

    class Meta:
        table_name = "file_sweep"


class CaseView(Base):
    """Who opened which case, when: personal data is read on a need-to-know basis."""

    case = ForeignKeyField(Case, backref="views", on_delete="CASCADE")
    username = CharField(max_length=60)
    at = DateTimeField()


class FiguresNote(Base):
    """The supervisor's note for one reporting year, published beside its figures (0010)."""

    year = IntegerField(unique=True)  # the calendar year the reporting year starts in
    text = TextField(default="")
    updated_by = CharField(max_length=60)
    updated_at = DateTimeField()

    class Meta:
        table_name = "figures_note"


class FiguresPublication(Base):
    """Each time the figures were published (exported or marked so), for the 12-month reminder (0010)."""

    at = DateTimeField(index=True)
    by = CharField(max_length=60)
    first_year = IntegerField()
    last_year = IntegerField()
    how = CharField(max_length=20)  # md | csv | files | marked

    class Meta:
        table_name = "figures_publication"


ALL_MODELS = [
    User, Case, Applicant, Incident, Report, AgencyUpdateRequest, ThresholdDecision, Review,
    Recommendation, Letter, Note, Deadline, Appeal, AuditEvent, CaseView, ContactLog, Escalation, FiguresNote,
    FiguresPublication, LetterDelivery,
    AuditReason, ReferenceCounter, FileSweep,
]
